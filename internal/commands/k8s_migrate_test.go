package commands

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// k8sManifestRepo is a git repository holding the seed's Secret manifest
// (base64 data, stringData, a TLS and a dockerconfigjson Secret).
func k8sManifestRepo(t *testing.T) (dir string, orig []byte) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed")
		}
		t.Skip("git is not installed")
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "scan", "corpus", "deploy", "k8s", "secret.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "k8s"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "k8s", "secret.yaml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "seed"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	return dir, b
}

type manifestDoc struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name      string `yaml:"name"`
		Namespace string `yaml:"namespace"`
	} `yaml:"metadata"`
	Type       string            `yaml:"type"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Spec       struct {
		Data []struct {
			SecretKey string `yaml:"secretKey"`
			RemoteRef struct {
				Key      string `yaml:"key"`
				Property string `yaml:"property"`
			} `yaml:"remoteRef"`
		} `yaml:"data"`
		Target struct {
			Name     string `yaml:"name"`
			Template struct {
				Type string `yaml:"type"`
			} `yaml:"template"`
		} `yaml:"target"`
	} `yaml:"spec"`
}

func manifestDocs(t *testing.T, b []byte) []manifestDoc {
	t.Helper()
	var docs []manifestDoc
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var d manifestDoc
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("parse manifest: %v\n%s", err, b)
		}
		docs = append(docs, d)
	}
}

// TestMigrateK8sSecret: migrate turns the seed's kind: Secret manifest into
// ExternalSecrets; the values are stored first and decode to the originals.
func TestMigrateK8sSecret(t *testing.T) {
	c := newTestCLI(t)
	dir, orig := k8sManifestRepo(t)
	want := map[string]map[string]string{} // Secret name → key → original value
	types := map[string]string{}
	var values []string
	for _, d := range manifestDocs(t, orig) {
		if d.Kind != "Secret" {
			continue
		}
		want[d.Metadata.Name] = map[string]string{}
		types[d.Metadata.Name] = d.Type
		for k, v := range d.Data {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				t.Fatal(err)
			}
			want[d.Metadata.Name][k] = string(b)
			values = append(values, v, string(b))
		}
		for k, v := range d.StringData {
			want[d.Metadata.Name][k] = v
			if len(v) > 6 {
				values = append(values, v)
			}
		}
	}
	noLeak := func(r result) {
		t.Helper()
		for _, v := range values {
			if len(v) > 6 {
				assertNoLeak(t, v, r.out, r.errOut)
			}
		}
	}

	dry := c.mustRun("", "migrate", dir, "--to", "prod/shop")
	noLeak(dry)
	if !strings.Contains(dry.out, "+kind: ExternalSecret") {
		t.Errorf("dry run shows no ExternalSecret:\n%s", dry.out)
	}
	r := c.run("", "migrate", dir, "--to", "prod/shop", "--apply")
	noLeak(r)
	if r.code != 0 {
		t.Fatalf("migrate --apply: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	got, err := os.ReadFile(filepath.Join(dir, "k8s", "secret.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range values {
		if len(v) > 6 && strings.Contains(string(got), v) {
			t.Errorf("the rewritten manifest still holds a value")
		}
	}
	docs := manifestDocs(t, got)
	seen := map[string]bool{}
	for _, d := range docs {
		if d.Kind == "Secret" {
			t.Errorf("Secret %s is still in the manifest", d.Metadata.Name)
		}
		if d.Kind != "ExternalSecret" {
			continue
		}
		name := d.Spec.Target.Name
		seen[name] = true
		if d.APIVersion != "external-secrets.io/v1" || len(d.Spec.Data) != len(want[name]) {
			t.Errorf("ExternalSecret %s: %s with %d entries, want %d", name, d.APIVersion, len(d.Spec.Data), len(want[name]))
		}
		if typ := types[name]; typ != "Opaque" && d.Spec.Target.Template.Type != typ {
			t.Errorf("ExternalSecret %s writes type %q, want %q", name, d.Spec.Target.Template.Type, typ)
		}
		for _, e := range d.Spec.Data {
			wantV, ok := want[name][e.SecretKey]
			if !ok || e.RemoteRef.Key != "prod/shop/"+name || e.RemoteRef.Property != e.SecretKey {
				t.Errorf("ExternalSecret %s entry %+v", name, e)
				continue
			}
			// The stored value decodes to the original.
			v := c.mustRun("", "get", e.RemoteRef.Key, "--key", e.RemoteRef.Property)
			if v.out != wantV {
				t.Errorf("stored %s#%s differs from the manifest's value", e.RemoteRef.Key, e.RemoteRef.Property)
			}
		}
	}
	if len(seen) != len(want) {
		t.Errorf("ExternalSecrets for %v, want %d Secrets", seen, len(want))
	}
	// A rerun finds nothing left to migrate.
	chk := c.run("", "migrate", dir, "--to", "prod/shop", "--check")
	noLeak(chk)
	if chk.code != 0 {
		t.Errorf("migrate --check after the rewrite: exit %d\n%s", chk.code, chk.out)
	}
}

// TestExportK8sSecret: export --format k8s-secret prints a Secret whose
// data decodes to the stored values, warns on a terminal, and the ESO
// formats refuse variable mappings.
func TestExportK8sSecret(t *testing.T) {
	c := newTestCLI(t)
	pw := canary(t)
	c.mustRun(`{"username":"dbadmin","password":"`+pw+`"}`, "create", "prod/database/credentials")
	r := c.mustRun("", "export", "prod/database/credentials", "--format", "k8s-secret", "-n", "production")
	docs := manifestDocs(t, []byte(r.out))
	if len(docs) != 1 || docs[0].Kind != "Secret" || docs[0].Metadata.Name != "database-credentials" || docs[0].Metadata.Namespace != "production" || docs[0].Type != "Opaque" {
		t.Fatalf("k8s-secret:\n%s", r.out)
	}
	if b, _ := base64.StdEncoding.DecodeString(docs[0].Data["password"]); string(b) != pw {
		t.Errorf("password does not decode to the stored value")
	}
	if strings.Contains(r.errOut, "warning") {
		t.Errorf("warned when piped: %q", r.errOut)
	}
	c.tty = true
	r = c.mustRun("", "export", "prod/database/credentials", "--format", "k8s-secret")
	if !strings.Contains(r.errOut, "warning: this Secret manifest holds the values") {
		t.Errorf("no warning on a terminal: %q", r.errOut)
	}
	c.tty = false
	for _, args := range [][]string{
		{"export", "prod/database/credentials#password=PW", "--format", "external-secret"},
		{"export", "prod/database/credentials", "--format", "secret-store", "--region", "us-east-1"},
		{"export", "--format", "secret-store"},
	} {
		bad := c.run("", args...)
		assertNoLeak(t, pw, bad.out, bad.errOut)
		if bad.code != 2 {
			t.Errorf("%v: exit %d, want 2", args, bad.code)
		}
	}
}
