package commands

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/secretctl/secretctl/internal/serve"
	"github.com/secretctl/secretctl/internal/ui"
)

func TestServeFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  testEnv
		want ServeOptions
	}{
		{args: []string{"serve"}, want: ServeOptions{Addr: DefaultServeAddr, Drain: 30 * time.Second}},
		{args: []string{"serve", "--addr", "[::1]:9000"}, want: ServeOptions{Addr: "[::1]:9000", Drain: 30 * time.Second}},
		{args: []string{"serve", "--addr", "localhost:1"}, want: ServeOptions{Addr: "localhost:1", Drain: 30 * time.Second}},
		{args: []string{"serve", "--addr", "0.0.0.0:8443", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, want: ServeOptions{Addr: "0.0.0.0:8443", TLSCert: "c.pem", TLSKey: "k.pem", Drain: 30 * time.Second}},
		{args: []string{"serve", "--drain-timeout", "5s"}, env: testEnv{"SECRETCTL_SERVE_ADDR": "127.0.0.2:80"}, want: ServeOptions{Addr: "127.0.0.2:80", Drain: 5 * time.Second}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			io, _, _, _ := ui.Test()
			f := NewFactory(io, "test")
			f.Getenv = tc.env.get
			var got *ServeOptions
			root := NewRootCmd(f)
			for _, c := range root.Commands() {
				if c.Name() == "serve" {
					root.RemoveCommand(c)
				}
			}
			root.AddCommand(newServeCmd(f, func(_ context.Context, o *ServeOptions) error { got = o; return nil }))
			root.SetArgs(tc.args)
			if err := root.ExecuteContext(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got.Addr != tc.want.Addr || got.TLSCert != tc.want.TLSCert || got.TLSKey != tc.want.TLSKey || got.Drain != tc.want.Drain {
				t.Errorf("options = %+v, want %+v", *got, tc.want)
			}
		})
	}
}

func TestServeRefusals(t *testing.T) {
	cli := newTestCLI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--addr", "0.0.0.0:4566"}, "secretctl: serve: 0.0.0.0:4566 is not a loopback address; serving secrets beyond this machine needs --tls-cert and --tls-key (see 'secretctl --help')\n"},
		{[]string{"serve", "--addr", ":4566"}, "secretctl: serve: :4566 is not a loopback address; serving secrets beyond this machine needs --tls-cert and --tls-key (see 'secretctl --help')\n"},
		{[]string{"serve", "--addr", "nonsense"}, "secretctl: serve: invalid --addr \"nonsense\": want HOST:PORT (see 'secretctl --help')\n"},
		{[]string{"serve", "--tls-cert", "c.pem"}, "secretctl: serve: give both --tls-cert and --tls-key, or neither (see 'secretctl --help')\n"},
		{[]string{"--backend", "aws", "serve"}, "secretctl: serve: serves the local store; --backend aws is AWS Secrets Manager itself (see 'secretctl --help')\n"},
	} {
		r := cli.run("", tc.args...)
		if r.code != 2 || r.errOut != tc.want || r.out != "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.errOut, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(cli.home, serve.CredentialsFile)); err == nil {
		t.Error("a refused serve created credentials")
	}
}

// serveProc is `secretctl serve` running as its own process (this test
// binary in secretctl mode).
type serveProc struct {
	cmd      *exec.Cmd
	endpoint string
	lines    chan string
	stderr   *bytes.Buffer
	done     chan error
}

func startServe(t *testing.T, home string, env ...string) *serveProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(append(os.Environ(), "SECRETCTL_TEST_MAIN=1", "SECRETCTL_HOME="+home), env...)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, lines: make(chan string, 100), stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
	}()
	go func() { err := cmd.Wait(); pw.Close(); p.done <- err }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	for {
		select {
		case l := <-p.lines:
			p.stderr.WriteString(l + "\n")
			if ep, ok := strings.CutPrefix(l, "secretctl: serving the Secrets Manager API on "); ok {
				p.endpoint = strings.Fields(ep)[0]
				return p
			}
		case err := <-p.done:
			t.Fatalf("serve exited: %v: %s", err, p.stderr)
		case <-time.After(30 * time.Second):
			t.Fatalf("serve did not start: %s", p.stderr)
		}
	}
}

// waitLine waits for a stderr line containing s.
func (p *serveProc) waitLine(t *testing.T, s string) {
	t.Helper()
	for {
		select {
		case l := <-p.lines:
			p.stderr.WriteString(l + "\n")
			if strings.Contains(l, s) {
				return
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no %q on serve's stderr: %s", s, p.stderr)
		}
	}
}

func (p *serveProc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v (want exit 0)", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
}

// secretctl runs this test binary as secretctl on home, with real time.
func secretctl(t *testing.T, home, stdin string, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SECRETCTL_TEST_MAIN=1", "SECRETCTL_HOME="+home)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("secretctl %v: %v: %s", args, err, errOut.String())
	}
	return out.String(), errOut.String()
}

func randomCanary(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "canary-" + hex.EncodeToString(b)
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestServeNodeApp runs the seed's Node application, unchanged, against
// `secretctl serve`: it reads its database credentials and API key with
// @aws-sdk/client-secrets-manager, and the access log then shows both reads
// under the app's access key id.
func TestServeNodeApp(t *testing.T) {
	appDir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "e2e", "node"))
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(appDir, "node_modules", "@aws-sdk", "client-secrets-manager"))
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node or testdata/e2e/node/node_modules is missing (%v); CI runs `npm ci` there", err)
		}
		t.Skipf("SKIPPING the Node app test: %v (install node and run `npm ci` in testdata/e2e/node); it is required under CI=true", err)
	}
	home := filepath.Join(t.TempDir(), "home")
	password, apiKey := randomCanary(t), randomCanary(t)
	dbJSON := fmt.Sprintf(`{"username":"dbadmin","password":%q,"host":"db.internal","port":5432,"dbname":"orders"}`, password)
	secretctl(t, home, dbJSON, "create", "prod/database/credentials")
	secretctl(t, home, apiKey, "create", "prod/api/key")

	const keyID = "SCTLNODEAPP000000001"
	const secretKey = "node-app-canary-secret-key"
	p := startServe(t, home, "SECRETCTL_SERVE_ACCESS_KEY_ID="+keyID, "SECRETCTL_SERVE_SECRET_ACCESS_KEY="+secretKey)
	if strings.Contains(p.stderr.String(), secretKey) {
		t.Error("serve printed the secret access key")
	}

	app := exec.CommandContext(t.Context(), node, "app-with-secrets.js")
	app.Dir = appDir
	app.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + p.endpoint, "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=" + keyID, "AWS_SECRET_ACCESS_KEY=" + secretKey,
	}
	var appErr bytes.Buffer
	app.Stderr = &appErr
	out, err := app.Output()
	if err != nil {
		t.Fatalf("node app: %v: %s", err, appErr.String())
	}
	var cfg struct {
		Database struct {
			Username, Host, Dbname string
			Port                   int
			Password               struct {
				Length int
				Sha256 string
			}
		}
		APIKey struct {
			Length int
			Sha256 string
		} `json:"apiKey"`
	}
	if err := json.Unmarshal(out, &cfg); err != nil {
		t.Fatalf("node app printed %q: %v", out, err)
	}
	d := cfg.Database
	if d.Username != "dbadmin" || d.Host != "db.internal" || d.Port != 5432 || d.Dbname != "orders" ||
		d.Password.Sha256 != sha(password) || d.Password.Length != len(password) || cfg.APIKey.Sha256 != sha(apiKey) {
		t.Errorf("node app config = %s; want dbadmin@db.internal:5432/orders and the stored password and key", out)
	}
	for _, s := range []string{string(out), appErr.String(), p.stderr.String()} {
		if strings.Contains(s, password) || strings.Contains(s, apiKey) {
			t.Error("a value leaked into the app's or serve's output")
		}
	}

	// While serving, the CLI works on the same store, and `audit` answers
	// "who read it" for the reads through the server.
	js, _ := secretctl(t, home, "", "audit", "--event", "GetSecretValue", "-o", "json")
	var events []struct{ Principal, AccessKeyID, Action, Secret, SourceIP string }
	if err := json.Unmarshal([]byte(js), &events); err != nil {
		t.Fatalf("audit -o json: %v: %s", err, js)
	}
	var reads []string
	for _, e := range events {
		if e.AccessKeyID == keyID {
			reads = append(reads, e.Secret)
			if e.Principal != keyID || e.SourceIP != "127.0.0.1" {
				t.Errorf("audit event %+v: want principal %s from 127.0.0.1", e, keyID)
			}
		}
	}
	if len(reads) != 2 || !strings.Contains(strings.Join(reads, ","), "prod/database/credentials") || !strings.Contains(strings.Join(reads, ","), "prod/api/key") {
		t.Errorf("audit shows GetSecretValue by %s on %v; want the app's two reads", keyID, reads)
	}
	p.stop(t)
}

// TestServeDrainsOnSIGTERM: a request in flight when SIGTERM arrives is
// answered before serve exits 0.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGTERM")
	}
	home := filepath.Join(t.TempDir(), "home")
	const keyID, secretKey = "SCTLDRAINTEST0000001", "drain-test-secret-access-key"
	p := startServe(t, home, "SECRETCTL_SERVE_ACCESS_KEY_ID="+keyID, "SECRETCTL_SERVE_SECRET_ACCESS_KEY="+secretKey)
	v := randomCanary(t)
	body := fmt.Sprintf(`{"Name":"drain/x","SecretString":%q,"ClientRequestToken":"11111111-2222-3333-4444-555555555555"}`, v)
	req, _ := http.NewRequest(http.MethodPost, p.endpoint, strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "secretsmanager.CreateSecret")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if err := v4.NewSigner().SignHTTP(t.Context(), aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secretKey}, req, sha(body), "secretsmanager", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if err := req.Write(&raw); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.endpoint, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	b := raw.Bytes()
	if _, err := conn.Write(b[:len(b)-10]); err != nil { // the request, all but its last bytes
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLine(t, "stopping")
	if _, err := conn.Write(b[len(b)-10:]); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	out, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(out), `"Name":"drain/x"`) {
		t.Errorf("in-flight CreateSecret: %d %s", res.StatusCode, out)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v, want exit 0", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not exit after draining")
	}
	got, _ := secretctl(t, home, "", "get", "drain/x")
	if got != v {
		t.Error("the secret created while draining is not in the store")
	}
}

// TestServeAndCLIWritersLoseNoVersion: PutSecretValue through serve and
// `secretctl put` processes on the same store at the same time; every
// acknowledged version is there afterwards.
func TestServeAndCLIWritersLoseNoVersion(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	secretctl(t, home, randomCanary(t), "create", "mixed/db")
	const keyID, secretKey = "SCTLMIXEDTEST0000001", "mixed-test-secret-access-key"
	p := startServe(t, home, "SECRETCTL_SERVE_ACCESS_KEY_ID="+keyID, "SECRETCTL_SERVE_SECRET_ACCESS_KEY="+secretKey)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(keyID, secretKey, ""), BaseEndpoint: aws.String(p.endpoint)}
	const sdkPuts, cliPuts = 20, 8
	var mu sync.Mutex
	var acked []string
	ack := func(id string) { mu.Lock(); acked = append(acked, id); mu.Unlock() }
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			c := secretsmanager.NewFromConfig(cfg)
			for range sdkPuts {
				out, err := c.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String("mixed/db"), SecretString: aws.String(randomCanary(t))})
				if err != nil {
					t.Error(err)
					return
				}
				ack(aws.ToString(out.VersionId))
			}
		}()
		go func() {
			defer wg.Done()
			for range cliPuts {
				cmd := exec.Command(os.Args[0], "put", "mixed/db")
				cmd.Env = append(os.Environ(), "SECRETCTL_TEST_MAIN=1", "SECRETCTL_HOME="+home)
				cmd.Stdin = strings.NewReader(randomCanary(t))
				out, err := cmd.CombinedOutput()
				m := regexp.MustCompile(`\(version ([0-9a-f-]{36}),`).FindSubmatch(out)
				if err != nil || m == nil {
					t.Errorf("secretctl put: %v: %s", err, out)
					return
				}
				ack(string(m[1]))
			}
		}()
	}
	wg.Wait()
	js, _ := secretctl(t, home, "", "versions", "mixed/db", "--include-deprecated", "-o", "json")
	var vs []struct{ VersionID string }
	if err := json.Unmarshal([]byte(js), &vs); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, v := range vs {
		have[v.VersionID] = true
	}
	for _, id := range acked {
		if !have[id] {
			t.Errorf("acknowledged version %s is lost", id)
		}
	}
	if want := 2*(sdkPuts+cliPuts) + 1; len(acked) != want-1 || len(vs) != want {
		t.Errorf("%d acknowledged writes, %d versions; want %d and %d", len(acked), len(vs), want-1, want)
	}
	p.stop(t)
}
