// Package k8stest runs a real Kubernetes control plane for tests: etcd,
// kube-apiserver and, on request, the External Secrets Operator controller,
// all on loopback ports, with state in a temporary directory.
//
// The binaries come from scripts/k8s-tools.sh, which builds them once into
// ${XDG_CACHE_HOME:-$HOME/.cache}/secretctl/k8s/<hash>/ (etcd from Debian,
// on PATH). A test binary shares one cluster: call Require from the tests
// and Main from TestMain, which stops the cluster when the tests end. When
// the tools are missing or the cluster does not start, tests skip, or fail
// under CI=true.
package k8stest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Tools are the paths of the binaries and files a cluster needs.
type Tools struct {
	Etcd      string
	APIServer string
	ESO       string
	CRDs      string // ESO's deploy/crds/bundle.yaml
	Kubectl   string
}

// FindTools locates the tools: SECRETCTL_K8S_TOOLS names the cache
// directory, or it is derived the way scripts/k8s-tools.sh derives it.
func FindTools() (Tools, error) {
	dir := os.Getenv("SECRETCTL_K8S_TOOLS")
	if dir == "" {
		d, err := cacheDir()
		if err != nil {
			return Tools{}, err
		}
		dir = d
	}
	t := Tools{
		APIServer: filepath.Join(dir, "kube-apiserver"),
		ESO:       filepath.Join(dir, "external-secrets"),
		CRDs:      filepath.Join(dir, "eso-crds.yaml"),
	}
	for _, p := range []string{t.APIServer, t.CRDs} {
		if _, err := os.Stat(p); err != nil {
			return Tools{}, fmt.Errorf("find %s (run scripts/k8s-tools.sh): %w", filepath.Base(p), err)
		}
	}
	if _, err := os.Stat(t.ESO); err != nil {
		t.ESO = "" // the cluster runs without it; StartESO reports it
	}
	var err error
	if t.Etcd, err = exec.LookPath("etcd"); err != nil {
		return Tools{}, fmt.Errorf("find etcd (run scripts/k8s-tools.sh): %w", err)
	}
	if t.Kubectl, err = exec.LookPath("kubectl"); err != nil {
		return Tools{}, fmt.Errorf("find kubectl: %w", err)
	}
	return t, nil
}

// cacheDir is ${XDG_CACHE_HOME:-$HOME/.cache}/secretctl/k8s/<first 16 hex
// digits of sha256(apiserver/go.sum ++ eso/go.sum)>.
func cacheDir() (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range []string{"apiserver", "eso"} {
		b, err := os.ReadFile(filepath.Join(root, "internal", "tools", "k8senv", m, "go.sum"))
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "secretctl", "k8s", hex.EncodeToString(h.Sum(nil))[:16]), nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "internal", "tools", "k8senv", "apiserver", "go.sum")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find the repository root: no internal/tools/k8senv above the working directory")
		}
		dir = parent
	}
}

// Cluster is a running etcd and kube-apiserver with ESO's CRDs installed.
type Cluster struct {
	Dir        string // state, logs, certificates and the kubeconfig
	Kubeconfig string // path of a kubeconfig with one context, "k8stest", as an admin
	Server     string // https://127.0.0.1:PORT
	Token      string // the admin's bearer token
	Tools      Tools

	mu    sync.Mutex
	procs []*proc
}

type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// Start starts etcd and kube-apiserver, waits for /readyz, writes the
// kubeconfig and applies ESO's CRDs. Stop releases everything.
func Start(ctx context.Context, tools Tools) (c *Cluster, err error) {
	dir, err := os.MkdirTemp("", "secretctl-k8stest-")
	if err != nil {
		return nil, err
	}
	c = &Cluster{Dir: dir, Tools: tools}
	defer func() {
		if err != nil {
			c.Stop()
			c = nil
		}
	}()
	if err := writePKI(dir); err != nil {
		return c, fmt.Errorf("write certificates: %w", err)
	}
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return c, err
	}
	c.Token = hex.EncodeToString(tok)
	if err := os.WriteFile(filepath.Join(dir, "tokens.csv"), []byte(c.Token+`,admin,admin-uid,"system:masters"`+"\n"), 0o600); err != nil {
		return c, err
	}

	ports, err := freePorts(3)
	if err != nil {
		return c, err
	}
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	etcd, err := c.spawn("etcd", nil, tools.Etcd,
		"--name=k8stest",
		"--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=k8stest="+peerURL,
	)
	if err != nil {
		return c, err
	}
	if err := waitHTTP(ctx, etcd, http.DefaultClient, etcdURL+"/health", ""); err != nil {
		return c, err
	}

	c.Server = fmt.Sprintf("https://127.0.0.1:%d", ports[2])
	p := func(name string) string { return filepath.Join(dir, name) }
	api, err := c.spawn("kube-apiserver", nil, tools.APIServer,
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", ports[2]),
		"--cert-dir="+p("apiserver-certs"),
		"--tls-cert-file="+p("server.crt"), "--tls-private-key-file="+p("server.key"),
		"--client-ca-file="+p("ca.crt"),
		"--token-auth-file="+p("tokens.csv"),
		"--authorization-mode=AlwaysAllow", "--anonymous-auth=false",
		"--service-account-key-file="+p("sa.pub"),
		"--service-account-signing-key-file="+p("sa.key"),
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--endpoint-reconciler-type=none",
		"--enable-priority-and-fairness=false",
	)
	if err != nil {
		return c, err
	}
	client, err := c.httpClient()
	if err != nil {
		return c, err
	}
	if err := waitHTTP(ctx, api, client, c.Server+"/readyz", c.Token); err != nil {
		return c, err
	}

	c.Kubeconfig = p("kubeconfig")
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: k8stest
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: admin
  user:
    token: %s
contexts:
- name: k8stest
  context:
    cluster: k8stest
    user: admin
current-context: k8stest
`, c.Server, p("ca.crt"), c.Token)
	if err := os.WriteFile(c.Kubeconfig, []byte(kc), 0o600); err != nil {
		return c, err
	}
	if out, err := c.Kubectl(ctx, "apply", "--server-side", "-f", tools.CRDs); err != nil {
		return c, fmt.Errorf("apply ESO CRDs: %w\n%s", err, out)
	}
	if out, err := c.Kubectl(ctx, "wait", "--for=condition=Established", "crd", "--all", "--timeout=120s"); err != nil {
		return c, fmt.Errorf("wait for ESO CRDs: %w\n%s", err, out)
	}
	return c, nil
}

func (c *Cluster) httpClient() (*http.Client, error) {
	pem, err := os.ReadFile(filepath.Join(c.Dir, "ca.crt"))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}, nil
}

// Kubectl runs kubectl against the cluster and returns its combined output.
func (c *Cluster) Kubectl(ctx context.Context, args ...string) ([]byte, error) {
	return c.KubectlIn(ctx, nil, args...)
}

// KubectlIn is Kubectl with stdin.
func (c *Cluster) KubectlIn(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, c.Tools.Kubectl, append([]string{"--kubeconfig=" + c.Kubeconfig}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.Kubeconfig)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return append(stdout.Bytes(), stderr.Bytes()...), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// ESOOptions configure an ESO controller.
type ESOOptions struct {
	// SecretsManagerEndpoint and STSEndpoint replace AWS's endpoints in the
	// controller's AWS provider (AWS_SECRETSMANAGER_ENDPOINT, AWS_STS_ENDPOINT).
	SecretsManagerEndpoint string
	STSEndpoint            string
	// Namespace limits the controller to one namespace ("" watches all).
	Namespace string
}

// ESO is a running External Secrets Operator controller.
type ESO struct {
	c *Cluster
	p *proc
}

// StartESO starts the ESO controller (no webhook, no cert-controller)
// against the cluster. Stop it when the test ends; the cluster stops any
// still running.
func (c *Cluster) StartESO(o ESOOptions) (*ESO, error) {
	if c.Tools.ESO == "" {
		return nil, errors.New("find external-secrets (run scripts/k8s-tools.sh)")
	}
	ports, err := freePorts(1)
	if err != nil {
		return nil, err
	}
	home := filepath.Join(c.Dir, fmt.Sprintf("eso-home-%d", ports[0]))
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	env := []string{
		"KUBECONFIG=" + c.Kubeconfig,
		"HOME=" + home, // no ~/.aws from the user running the tests
		"PATH=" + os.Getenv("PATH"),
	}
	if o.SecretsManagerEndpoint != "" {
		env = append(env, "AWS_SECRETSMANAGER_ENDPOINT="+o.SecretsManagerEndpoint)
	}
	if o.STSEndpoint != "" {
		env = append(env, "AWS_STS_ENDPOINT="+o.STSEndpoint)
	}
	args := []string{fmt.Sprintf("--metrics-addr=127.0.0.1:%d", ports[0]), "--loglevel=info", "--zap-time-encoding=iso8601"}
	if o.Namespace != "" {
		args = append(args, "--namespace="+o.Namespace)
	}
	p, err := c.spawn(fmt.Sprintf("external-secrets-%d", ports[0]), env, c.Tools.ESO, args...)
	if err != nil {
		return nil, err
	}
	return &ESO{c: c, p: p}, nil
}

// Stop stops the controller.
func (e *ESO) Stop() { e.p.stop() }

// Log returns the controller's log so far.
func (e *ESO) Log() string {
	b, _ := os.ReadFile(e.p.log)
	return string(b)
}

// spawn starts a process whose output goes to a log file in c.Dir. env nil
// means the test binary's environment.
func (c *Cluster) spawn(name string, env []string, bin string, args ...string) (*proc, error) {
	logPath := filepath.Join(c.Dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	c.mu.Lock()
	c.procs = append(c.procs, p)
	c.mu.Unlock()
	return p, nil
}

func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// Stop kills the processes (newest first) and removes c.Dir.
func (c *Cluster) Stop() {
	c.mu.Lock()
	procs := c.procs
	c.procs = nil
	c.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].stop()
	}
	if c.Dir != "" && os.Getenv("SECRETCTL_K8S_KEEP") == "" {
		_ = os.RemoveAll(c.Dir)
	}
}

// waitHTTP polls url until it answers 200, p exits or two minutes pass.
func waitHTTP(ctx context.Context, p *proc, client *http.Client, url, token string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var last string
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%s: %s", resp.Status, body)
		} else {
			last = err.Error()
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited (%v) before %s was ready:\n%s", p.name, p.err, url, p.tail())
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %s\n%s", url, last, p.tail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

var shared struct {
	once sync.Once
	c    *Cluster
	err  error
}

// Require returns the test binary's cluster, starting it on first use. It
// skips the test when the cluster is unavailable, or fails it under CI=true.
func Require(t testing.TB) *Cluster {
	t.Helper()
	shared.once.Do(func() {
		tools, err := FindTools()
		if err != nil {
			shared.err = err
			return
		}
		shared.c, shared.err = Start(context.Background(), tools)
	})
	if shared.err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("kubernetes test cluster: %v", shared.err)
		}
		t.Skipf("kubernetes test cluster unavailable: %v", shared.err)
	}
	return shared.c
}

// RequireESO starts an ESO controller for the test and stops it when the
// test ends. It skips the test when the controller cannot start, or fails
// it under CI=true.
func RequireESO(t testing.TB, c *Cluster, o ESOOptions) *ESO {
	t.Helper()
	e, err := c.StartESO(o)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("external secrets operator: %v", err)
		}
		t.Skipf("external secrets operator unavailable: %v", err)
	}
	t.Cleanup(e.Stop)
	return e
}

// Main runs the tests and stops the shared cluster afterwards. Call it from
// TestMain: os.Exit(k8stest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if shared.c != nil {
		shared.c.Stop()
	}
	return code
}
