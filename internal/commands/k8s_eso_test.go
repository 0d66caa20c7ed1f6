package commands

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/k8s/k8stest"
)

// TestK8sESOChain is the seed's chain end to end: a secret created with
// secretctl, served by `secretctl serve`, read by the real External Secrets
// Operator controller through the SecretStore and ExternalSecret that
// secretctl exports, lands as a Kubernetes Secret; a put reaches the Secret
// within the refresh interval; k8s status reports it synced.
func TestK8sESOChain(t *testing.T) {
	c := k8stest.Require(t)
	ctx := context.Background()
	home := filepath.Join(t.TempDir(), "home")
	cli := newTestCLI(t)
	cli.env["SECRETCTL_HOME"] = home
	cli.env["KUBECONFIG"] = c.Kubeconfig
	password, password2 := canary(t)+"-one", canary(t)+"-two"
	value := func(pw string) string {
		return fmt.Sprintf(`{"username":"dbadmin","password":%q,"host":"db.internal","port":5432,"dbname":"orders"}`, pw)
	}
	var outs []string
	run := func(stdin string, args ...string) result {
		r := cli.mustRun(stdin, args...)
		outs = append(outs, r.out, r.errOut)
		return r
	}
	run(value(password), "create", "prod/database/credentials")

	const keyID = "SCTLK8SESO0000000001"
	keySecret := fmt.Sprintf("k8s-eso-secret-key-%d", os.Getpid())
	srv := startServe(t, home, "SECRETCTL_SERVE_ACCESS_KEY_ID="+keyID, "SECRETCTL_SERVE_SECRET_ACCESS_KEY="+keySecret)

	ns := "production"
	if _, err := c.Kubectl(ctx, "get", "namespace", ns); err != nil {
		kubectl(t, c, "create", "namespace", ns)
	}
	// The static keys the SecretStore points at.
	kubectl(t, c, "create", "secret", "generic", "aws-credentials", "-n", ns,
		"--from-literal=access-key-id="+keyID, "--from-literal=secret-access-key="+keySecret)

	store := run("", "export", "--format", "secret-store", "--auth", "static", "--region", "us-east-1", "--namespace", ns)
	es := run("", "export", "prod/database/credentials", "--format", "external-secret", "--refresh", "2s", "--namespace", ns)
	for _, m := range []string{store.out, es.out} {
		for _, v := range []string{password, keySecret} {
			if strings.Contains(m, v) {
				t.Fatalf("a manifest holds a value:\n%s", m)
			}
		}
	}
	if !strings.Contains(es.out, "property: password") || !strings.Contains(es.out, "apiVersion: external-secrets.io/v1\n") {
		t.Errorf("external-secret:\n%s", es.out)
	}
	for _, m := range []string{store.out, es.out} {
		if out, err := c.KubectlIn(ctx, []byte(m), "apply", "-f", "-"); err != nil {
			t.Fatalf("kubectl apply: %v\n%s\n%s", err, out, m)
		}
	}

	eso := k8stest.RequireESO(t, c, k8stest.ESOOptions{SecretsManagerEndpoint: srv.endpoint, STSEndpoint: srv.endpoint, Namespace: ns})

	// waitFor polls the Secret's key until it holds want (a bounded wait, not
	// a timing assertion).
	waitFor := func(key, want string) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		var got string
		for time.Now().Before(deadline) {
			out, err := c.Kubectl(ctx, "get", "secret", "database-credentials", "-n", ns, "-o", "jsonpath={.data."+key+"}")
			if err == nil {
				b, _ := base64.StdEncoding.DecodeString(string(out))
				if got = string(b); got == want {
					return
				}
			}
			time.Sleep(250 * time.Millisecond)
		}
		status, _ := c.Kubectl(ctx, "get", "externalsecret", "-n", ns, "-o", "yaml")
		t.Fatalf("Secret key %s never reached the expected value (got %d bytes)\n%s\nESO log:\n%s", key, len(got), status, tail(eso.Log()))
	}
	start := time.Now()
	waitFor("username", "dbadmin")
	waitFor("password", password)
	t.Logf("ESO wrote database-credentials %v after the controller started", time.Since(start).Round(time.Millisecond))

	// The README's own check, through a shell pipe.
	out, err := c.Kubectl(ctx, "get", "secret", "database-credentials", "-n", ns, "-o", "jsonpath={.data.username}")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := base64.StdEncoding.DecodeString(string(out)); string(b) != "dbadmin" {
		t.Errorf("username = %q", b)
	}

	start = time.Now()
	run(value(password2), "put", "prod/database/credentials")
	waitFor("password", password2)
	t.Logf("a put reached the Secret in %v (refreshInterval 2s)", time.Since(start).Round(time.Millisecond))

	// ESO reports the sync once it has written the new version.
	deadline := time.Now().Add(time.Minute)
	var st result
	for {
		st = cli.run("", "k8s", "status", "-n", ns)
		outs = append(outs, st.out, st.errOut)
		if st.code == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if st.code != 0 || !strings.Contains(st.out, "ExternalSecret\t"+ns+"\tdatabase-credentials\t\tSecretSynced") {
		t.Errorf("k8s status: exit %d\n%s%s", st.code, st.out, st.errOut)
	}
	for _, v := range []string{password, password2, keySecret} {
		assertNoLeak(t, v, outs...)
	}
}

func tail(s string) string {
	if len(s) > 6000 {
		return s[len(s)-6000:]
	}
	return s
}
