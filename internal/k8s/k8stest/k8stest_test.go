package k8stest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestCluster starts the shared cluster, talks to it with kubectl and runs
// an ESO controller against it until it reports its CRDs are being watched.
func TestCluster(t *testing.T) {
	c := Require(t)
	ctx := context.Background()
	out, err := c.Kubectl(ctx, "version", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"gitVersion": "v1.32.13"`) {
		t.Errorf("kubectl version: %s", out)
	}
	out, err = c.Kubectl(ctx, "get", "crd", "externalsecrets.external-secrets.io", "-o", "name")
	if err != nil || !strings.Contains(string(out), "externalsecrets.external-secrets.io") {
		t.Fatalf("ESO CRD: %v %s", err, out)
	}
	if _, err := c.Kubectl(ctx, "create", "namespace", "k8stest-smoke"); err != nil {
		t.Fatal(err)
	}
	eso := RequireESO(t, c, ESOOptions{SecretsManagerEndpoint: "http://127.0.0.1:1", Namespace: "k8stest-smoke"})
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(eso.Log(), "Starting workers") {
		if time.Now().After(deadline) {
			t.Fatalf("ESO did not start its workers:\n%s", eso.Log())
		}
		time.Sleep(200 * time.Millisecond)
	}
}
