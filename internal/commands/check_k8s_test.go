package commands

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/k8s/k8stest"
)

// The k8s items against the k8stest cluster and the real ESO controller:
// the Secret an ExternalSecret targets exists and the ExternalSecret is
// synced (both pass); with the controller stopped, a deleted target Secret
// fails k8s-secrets; once the controller runs again and restores it, the
// items pass again. Waits are bounded polls, not timing assertions.
func TestCheckK8sItems(t *testing.T) {
	c := k8stest.Require(t)
	ctx := context.Background()
	home := filepath.Join(t.TempDir(), "home")
	cli := newTestCLI(t)
	cli.env["SECRETCTL_HOME"] = home
	cli.home = home
	password := canary(t)
	var outs []string
	run := func(args ...string) result {
		r := cli.run("", args...)
		outs = append(outs, r.out, r.errOut)
		return r
	}
	cli.mustRun(fmt.Sprintf(`{"username":"dbadmin","password":%q}`, password), "create", "prod/check/db")

	const keyID = "SCTLCHECKK8S00000001"
	keySecret := fmt.Sprintf("check-k8s-secret-key-%d", os.Getpid())
	srv := startServe(t, home, "SECRETCTL_SERVE_ACCESS_KEY_ID="+keyID, "SECRETCTL_SERVE_SECRET_ACCESS_KEY="+keySecret)

	ns := "check-items"
	if _, err := c.Kubectl(ctx, "get", "namespace", ns); err != nil {
		kubectl(t, c, "create", "namespace", ns)
	}
	kubectl(t, c, "create", "secret", "generic", "aws-credentials", "-n", ns,
		"--from-literal=access-key-id="+keyID, "--from-literal=secret-access-key="+keySecret)
	storeM := cli.mustRun("", "export", "--format", "secret-store", "--auth", "static", "--region", "us-east-1", "--namespace", ns)
	es := cli.mustRun("", "export", "prod/check/db", "--format", "external-secret", "--refresh", "2s", "--namespace", ns)
	for _, m := range []string{storeM.out, es.out} {
		if out, err := c.KubectlIn(ctx, []byte(m), "apply", "-f", "-"); err != nil {
			t.Fatalf("kubectl apply: %v\n%s\n%s", err, out, m)
		}
	}
	app := t.TempDir()
	cli.env["KUBECONFIG"] = c.Kubeconfig
	check := func() result {
		return run("check", app, "--only", "k8s-secrets,eso-synced", "--namespace", ns)
	}
	// Before ESO runs: the ExternalSecret exists, its Secret does not.
	if r := check(); r.code != 1 || !strings.Contains(r.out, "fail k8s-secrets") || !strings.Contains(r.out, "missing") {
		t.Errorf("before ESO: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	waitPass := func(what string) result {
		t.Helper()
		deadline := time.Now().Add(3 * time.Minute)
		for {
			r := check()
			if r.code == 0 || time.Now().After(deadline) {
				if r.code != 0 {
					status, _ := c.Kubectl(ctx, "get", "externalsecret", "-n", ns, "-o", "yaml")
					t.Fatalf("%s: check never passed: exit %d\n%s%s\n%s", what, r.code, r.out, r.errOut, status)
				}
				return r
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	eso := k8stest.RequireESO(t, c, k8stest.ESOOptions{SecretsManagerEndpoint: srv.endpoint, STSEndpoint: srv.endpoint, Namespace: ns})
	r := waitPass("ESO running")
	if !strings.Contains(r.out, "pass k8s-secrets  all 1 Secret(s) that ExternalSecrets target exist") || !strings.Contains(r.out, "pass eso-synced   all 1 ExternalSecret(s) are Ready (SecretSynced)") {
		t.Errorf("synced:\n%s", r.out)
	}
	target := strings.TrimSpace(kubectl(t, c, "get", "externalsecret", "-n", ns, "-o", "jsonpath={.items[0].spec.target.name}"))
	if target == "" {
		t.Fatal("no target name")
	}

	// With the controller stopped nothing restores a deleted Secret: both
	// items fail, though the ExternalSecret's condition still says synced.
	eso.Stop()
	kubectl(t, c, "delete", "secret", target, "-n", ns)
	r = check()
	if r.code != 1 || !strings.Contains(r.out, "fail k8s-secrets  1 of 1 target Secret(s) missing: "+ns+"/"+target) || !strings.Contains(r.out, "fix: ") ||
		!strings.Contains(r.out, "fail eso-synced   1 of 1 ExternalSecret(s) not synced") || !strings.Contains(r.out, "but its Secret "+target+" is missing") {
		t.Errorf("deleted Secret: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	// ESO restores it.
	k8stest.RequireESO(t, c, k8stest.ESOOptions{SecretsManagerEndpoint: srv.endpoint, STSEndpoint: srv.endpoint, Namespace: ns})
	waitPass("ESO restarted")

	// The whole checklist with the cluster: the k8s items run, not skip.
	r = run("check", app, "--namespace", ns, "-o", "json")
	_, st := parseCheck(t, r)
	if st["k8s-secrets"] != "pass" || st["eso-synced"] != "pass" {
		t.Errorf("full check: %v\n%s", st, r.out)
	}
	for _, v := range []string{password, keySecret} {
		assertNoLeak(t, v, outs...)
	}
}
