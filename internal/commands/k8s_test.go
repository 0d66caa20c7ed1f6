package commands

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/k8s/k8stest"
)

func TestK8sFlags(t *testing.T) {
	var apply *K8sApplyOptions
	var status *K8sStatusOptions
	build := func(f *Factory) *cobra.Command {
		return newK8sCmd(f,
			func(_ context.Context, o *K8sApplyOptions) error { apply = o; return nil },
			func(_ context.Context, o *K8sStatusOptions) error { status = o; return nil })
	}
	if err := runSeam(t, build, "apply", "prod/", "prod/db", "-n", "production", "--type", "kubernetes.io/tls", "--prune", "--dry-run", "--kubeconfig", "/k", "--context", "c"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(apply.Names, ",") != "prod/,prod/db" || apply.Type != "kubernetes.io/tls" || !apply.Prune || !apply.DryRun ||
		apply.KubeOptions.Namespace != "production" || apply.KubeOptions.Kubeconfig != "/k" || apply.KubeOptions.Context != "c" {
		t.Errorf("apply options = %+v %+v", apply, apply.KubeOptions)
	}
	if err := runSeam(t, build, "status", "-A"); err != nil {
		t.Fatal(err)
	}
	if !status.AllNamespaces {
		t.Errorf("status options = %+v", status)
	}
	if err := runSeam(t, build, "apply"); err == nil {
		t.Error("apply with no NAME accepted")
	}
}

// k8sCLI is a CLI on the local store whose KUBECONFIG is the test cluster's.
func k8sCLI(t *testing.T) (*testCLI, *k8stest.Cluster) {
	c := k8stest.Require(t)
	cli := newTestCLI(t)
	cli.env["KUBECONFIG"] = c.Kubeconfig
	return cli, c
}

func kubectl(t *testing.T, c *k8stest.Cluster, args ...string) string {
	t.Helper()
	out, err := c.Kubectl(context.Background(), args...)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// secretData reads a Secret's data through kubectl, decoded.
func secretData(t *testing.T, c *k8stest.Cluster, ns, name string) (map[string]string, map[string]any) {
	t.Helper()
	var obj struct {
		Metadata map[string]any    `json:"metadata"`
		Type     string            `json:"type"`
		Data     map[string]string `json:"data"`
	}
	if err := json.Unmarshal([]byte(kubectl(t, c, "get", "secret", name, "-n", ns, "-o", "json")), &obj); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range obj.Data {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			t.Fatal(err)
		}
		out[k] = string(b)
	}
	obj.Metadata["type"] = obj.Type
	return out, obj.Metadata
}

// TestK8sApply runs k8s apply against the real API server: create, no-op
// on rerun, update on change, a TLS and a dockerconfigjson Secret, a
// refusal to take over a foreign Secret, --dry-run and --prune.
func TestK8sApply(t *testing.T) {
	cli, c := k8sCLI(t)
	ns := fmt.Sprintf("apply-%d", os.Getpid())
	kubectl(t, c, "create", "namespace", ns)
	v1, v2 := canary(t)+"-one", canary(t)+"-two"
	tlsKey, dockerPW := canary(t)+"-tls", canary(t)+"-docker"
	var outs []string
	run := func(stdin string, args ...string) result {
		r := cli.mustRun(stdin, args...)
		outs = append(outs, r.out, r.errOut)
		return r
	}
	run(`{"username":"dbadmin","password":"`+v1+`"}`, "create", "prod/database/credentials")
	run("canary-plain-token-value", "create", "prod/api/token")

	r := run("", "k8s", "apply", "prod/", "-n", ns, "-o", "json")
	var res []map[string]string
	if err := json.Unmarshal([]byte(r.out), &res); err != nil || len(res) != 2 || res[0]["action"] != "created" || res[1]["action"] != "created" {
		t.Fatalf("first apply: %v %s", err, r.out)
	}
	data, meta := secretData(t, c, ns, "database-credentials")
	if data["username"] != "dbadmin" || data["password"] != v1 || len(data) != 2 {
		t.Errorf("database-credentials data = %v", data)
	}
	labels, _ := meta["labels"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	if labels["app.kubernetes.io/managed-by"] != "secretctl" || ann["secretctl.io/source"] != "prod/database/credentials" ||
		!strings.Contains(fmt.Sprint(ann["secretctl.io/source-arn"]), "prod/database/credentials") || ann["secretctl.io/source-version"] == "" {
		t.Errorf("metadata = %v", meta)
	}
	managed := kubectl(t, c, "get", "secret", "database-credentials", "-n", ns, "-o", "jsonpath={.metadata.managedFields[*].manager}")
	if managed != "secretctl" {
		t.Errorf("field managers = %q, want secretctl", managed)
	}
	if d, _ := secretData(t, c, ns, "api-token"); d["token"] != "canary-plain-token-value" {
		t.Errorf("token data = %v", d)
	}
	rv := kubectl(t, c, "get", "secret", "database-credentials", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}")

	// Rerun: nothing changes.
	r = run("", "k8s", "apply", "prod/", "-n", ns)
	if !strings.Contains(r.out, "unchanged\t"+ns+"/database-credentials") || strings.Contains(r.out, "updated") {
		t.Errorf("rerun output: %q", r.out)
	}
	if got := kubectl(t, c, "get", "secret", "database-credentials", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}"); got != rv {
		t.Errorf("resourceVersion moved on a rerun: %s -> %s", rv, got)
	}

	// The source changes: the Secret follows.
	run(`{"username":"dbadmin","password":"`+v2+`"}`, "put", "prod/database/credentials")
	r = run("", "k8s", "apply", "prod/database/credentials", "-n", ns)
	if !strings.Contains(r.out, "updated\t"+ns+"/database-credentials") {
		t.Errorf("update output: %q", r.out)
	}
	if d, _ := secretData(t, c, ns, "database-credentials"); d["password"] != v2 {
		t.Errorf("password after update = %q", d["password"])
	}

	// --dry-run prints masked objects and changes nothing.
	run(`{"username":"dbadmin","password":"`+v1+`"}`, "put", "prod/database/credentials")
	r = run("", "k8s", "apply", "prod/database/credentials", "-n", ns, "--dry-run")
	if !strings.Contains(r.out, "password: '********'") || strings.Contains(r.out, v1) || !strings.Contains(r.errOut, "updated, dry run") {
		t.Errorf("dry run: %q %q", r.out, r.errOut)
	}
	assertNoLeak(t, v1, r.out, r.errOut)
	if d, _ := secretData(t, c, ns, "database-credentials"); d["password"] != v2 {
		t.Errorf("dry run changed the Secret")
	}

	// TLS and dockerconfigjson Secrets.
	tls := fmt.Sprintf(`{"tls.crt":"-----BEGIN CERTIFICATE-----\ncanary\n-----END CERTIFICATE-----\n","tls.key":%q}`, tlsKey)
	run(tls, "create", "prod/tls/shop")
	run("", "k8s", "apply", "prod/tls/shop", "-n", ns, "--type", "kubernetes.io/tls", "--name", "shop-tls")
	d, m := secretData(t, c, ns, "shop-tls")
	if m["type"] != "kubernetes.io/tls" || d["tls.key"] != tlsKey {
		t.Errorf("tls secret: type %v data keys %d", m["type"], len(d))
	}
	docker := fmt.Sprintf(`{"auths":{"ghcr.io":{"username":"ci-bot","password":%q}}}`, dockerPW)
	run(docker, "create", "prod/registry/pull")
	run("", "k8s", "apply", "prod/registry/pull", "-n", ns, "--type", "kubernetes.io/dockerconfigjson")
	d, m = secretData(t, c, ns, "registry-pull")
	if m["type"] != "kubernetes.io/dockerconfigjson" || d[".dockerconfigjson"] != docker {
		t.Errorf("dockerconfigjson secret: type %v", m["type"])
	}
	// A TLS Secret from a value without tls.key: a usage error naming the key.
	bad := cli.run("", "k8s", "apply", "prod/database/credentials", "-n", ns, "--type", "kubernetes.io/tls", "--name", "bad-tls")
	if bad.code != 2 || !strings.Contains(bad.errOut, `no key "tls.crt"`) {
		t.Errorf("tls from a non-TLS value: %d %q", bad.code, bad.errOut)
	}
	outs = append(outs, bad.out, bad.errOut)

	// A Secret secretctl does not manage is never overwritten.
	kubectl(t, c, "create", "secret", "generic", "foreign", "-n", ns, "--from-literal=k=canary-foreign")
	bad = cli.run("", "k8s", "apply", "prod/api/token", "-n", ns, "--name", "foreign")
	if bad.code != 2 || !strings.Contains(bad.errOut, "not managed by secretctl") {
		t.Errorf("foreign secret: %d %q", bad.code, bad.errOut)
	}
	outs = append(outs, bad.out, bad.errOut)
	if d, _ := secretData(t, c, ns, "foreign"); d["k"] != "canary-foreign" {
		t.Errorf("foreign secret changed")
	}

	// --prune: the token's source is gone; only its Secret goes.
	run("", "delete", "prod/api/token", "--force")
	r = run("", "k8s", "apply", "prod/", "-n", ns, "--prune", "--dry-run")
	if !strings.Contains(r.errOut, "would prune "+ns+"/api-token") {
		t.Errorf("prune dry run: %q", r.errOut)
	}
	kubectl(t, c, "get", "secret", "api-token", "-n", ns)
	r = run("", "k8s", "apply", "prod/", "-n", ns, "--prune")
	if !strings.Contains(r.out, "pruned\t"+ns+"/api-token\tprod/api/token") {
		t.Errorf("prune output: %q", r.out)
	}
	names := kubectl(t, c, "get", "secrets", "-n", ns, "-o", "jsonpath={.items[*].metadata.name}")
	if strings.Contains(names, "api-token") || !strings.Contains(names, "foreign") || !strings.Contains(names, "database-credentials") || !strings.Contains(names, "shop-tls") {
		t.Errorf("secrets after prune: %s", names)
	}

	// status: every secretctl Secret holds its source's current version.
	r = cli.run("", "k8s", "status", "-n", ns)
	outs = append(outs, r.out, r.errOut)
	if r.code != 0 || !strings.Contains(r.out, "Secret\t"+ns+"\tdatabase-credentials\tprod/database/credentials@") {
		t.Errorf("status: %d %q %q", r.code, r.out, r.errOut)
	}
	run(`{"username":"dbadmin","password":"`+v2+`"}`, "put", "prod/database/credentials")
	r = cli.run("", "k8s", "status", "-n", ns)
	outs = append(outs, r.out, r.errOut)
	if r.code != 1 || !strings.Contains(r.out, "Stale") {
		t.Errorf("status after a put: %d %q", r.code, r.out)
	}
	for _, v := range []string{v1, v2, tlsKey, dockerPW} {
		assertNoLeak(t, v, outs...)
	}
}
