package check

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/local"
)

func canary(t *testing.T) string {
	return "canary-" + strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()) + "-" + time.Now().Format("150405.000000000")
}

// assertNoLeak fails if v appears anywhere in the results.
func assertNoLeak(t *testing.T, v string, rs ...Result) {
	t.Helper()
	b, _ := json.Marshal(rs)
	if strings.Contains(string(b), v) {
		t.Errorf("a result leaks the secret value: %s", b)
	}
}

func TestCheckRunFillsIDsAndSkipsAfterCancel(t *testing.T) {
	ran := 0
	pass := Func{Name: "a", F: func(context.Context) Result { ran++; return Result{Status: Pass, Summary: "ok"} }}
	empty := Func{Name: "b", F: func(context.Context) Result { ran++; return Result{} }}
	rs := Run(t.Context(), []Check{pass, empty, Skipped("c", "no kubeconfig")})
	if len(rs) != 3 || rs[0].ID != "a" || rs[1].ID != "b" || rs[2].ID != "c" {
		t.Fatalf("results = %+v", rs)
	}
	if rs[1].Status != Fail {
		t.Errorf("a check with no status = %q, want fail", rs[1].Status)
	}
	if rs[2].Status != Skip || rs[2].Summary != "no kubeconfig" || rs[0].Evidence == nil {
		t.Errorf("skipped = %+v, pass evidence %v", rs[2], rs[0].Evidence)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran = 0
	rs = Run(ctx, []Check{pass})
	if ran != 0 || rs[0].Status != Skip {
		t.Errorf("after cancel: ran %d, %+v", ran, rs[0])
	}
}

func TestCheckFailed(t *testing.T) {
	warn := []Result{{Status: Pass}, {Status: Warn}, {Status: Skip}}
	if Failed(warn, false) || !Failed(warn, true) {
		t.Error("a warning fails only with strict")
	}
	if !Failed([]Result{{Status: Fail}}, false) {
		t.Error("a failure fails")
	}
	if Failed([]Result{{Status: Skip}, {Status: Pass}}, true) {
		t.Error("skip and pass never fail")
	}
}

// newLocal opens a real local store in a temporary home.
func newLocal(t *testing.T) (*local.Store, local.Options) {
	t.Helper()
	o := local.Options{Home: filepath.Join(t.TempDir(), "home")}
	s, err := local.Open(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, o
}

func open(s store.Store) func(context.Context) (store.Store, error) {
	return func(context.Context) (store.Store, error) { return s, nil }
}

func TestCheckStoredEnvExample(t *testing.T) {
	s, _ := newLocal(t)
	v := canary(t)
	if _, err := s.Create(t.Context(), "demo/myapp", store.CreateInput{Value: secret.New(`{"API_KEY":"` + v + `","DATABASE_PASSWORD":"` + v + `"}`)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	example := filepath.Join(dir, ".env.example")
	// write writes the header and one line per entry: a bare name becomes
	// the required NAME= line migrate writes.
	write := func(header string, entries ...string) {
		body := header
		for _, e := range entries {
			if !strings.Contains(e, "=") {
				e += "="
			}
			body += e + "\n"
		}
		if err := os.WriteFile(example, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	header := "# Variables the code reads. The values are stored in demo/myapp:\n#   secretctl exec --secret demo/myapp -- <command>\n"
	write(header, "API_KEY", "DATABASE_PASSWORD", "API_SECRET")
	if p := PrefixFromEnvExample(example); p != "demo/myapp" {
		t.Fatalf("prefix from the env example = %q", p)
	}
	c := Stored{Store: open(s), Backend: "local store", Prefix: "demo/myapp", PrefixFrom: example, EnvExample: example}
	r := c.Run(t.Context())
	if r.Status != Fail || !strings.Contains(r.Summary, "1 of 3 variable(s)") || !strings.Contains(strings.Join(r.Evidence, "\n"), "API_SECRET ("+example+":5)") {
		t.Errorf("one variable missing: %+v", r)
	}
	assertNoLeak(t, v, r)

	write(header, "API_KEY", "DATABASE_PASSWORD", "DB_URL=secretctl://demo/myapp#DATABASE_PASSWORD")
	r = c.Run(t.Context())
	if r.Status != Pass || !strings.Contains(r.Summary, "1 secret(s) under demo/myapp") {
		t.Errorf("all provided: %+v", r)
	}
	assertNoLeak(t, v, r)

	write(header, "API_KEY", "DB_URL=secretctl://demo/myapp#NOPE")
	if r = c.Run(t.Context()); r.Status != Fail || !strings.Contains(strings.Join(r.Evidence, "\n"), `has no key "NOPE"`) {
		t.Errorf("a reference to a missing key: %+v", r)
	}

	c.Prefix = "other/"
	if r = c.Run(t.Context()); r.Status != Fail || r.Summary != "no secrets under other/" || !strings.Contains(r.Fix, "migrate") {
		t.Errorf("an empty prefix: %+v", r)
	}
	c.Prefix, c.EnvExample = "", filepath.Join(dir, "none")
	if r = c.Run(t.Context()); r.Status != Pass {
		t.Errorf("no env example: %+v", r)
	}
}

func TestCheckLocalEncryption(t *testing.T) {
	s, o := newLocal(t)
	if _, err := s.Create(t.Context(), "a/b", store.CreateInput{Value: secret.New(canary(t))}); err != nil {
		t.Fatal(err)
	}
	tree := t.TempDir()
	c := LocalEncryption{Home: o.Home, Path: tree}
	if r := c.Run(t.Context()); r.Status != Pass {
		t.Fatalf("fresh store: %+v", r)
	}
	key := filepath.Join(o.Home, local.KeyFile)
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	r := c.Run(t.Context())
	if r.Status != Fail || !strings.Contains(r.Summary, "key file "+key+": mode 0644, want 0600") || !strings.Contains(r.Fix, "chmod") {
		t.Errorf("readable key: %+v", r)
	}
	_ = os.Chmod(key, 0o600)
	if err := os.Chmod(o.Home, 0o755); err != nil {
		t.Fatal(err)
	}
	if r = c.Run(t.Context()); r.Status != Warn {
		t.Errorf("listable home: %+v", r)
	}
	_ = os.Chmod(o.Home, 0o700)

	// The key inside the checked tree, and committed there.
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	c.Path = filepath.Dir(o.Home)
	if r = c.Run(t.Context()); r.Status != Fail || !strings.Contains(r.Summary, "is inside") {
		t.Errorf("key inside PATH: %+v", r)
	}
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", o.Home, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", local.KeyFile)
	git("commit", "-qm", "oops")
	c.Path = tree
	if r = c.Run(t.Context()); r.Status != Fail || !strings.Contains(r.Summary, "tracked by git") {
		t.Errorf("tracked key: %+v", r)
	}
}

func TestCheckLocalEncryptionNoStore(t *testing.T) {
	r := LocalEncryption{Home: filepath.Join(t.TempDir(), "none")}.Run(t.Context())
	if r.Status != Fail || r.Fix != "secretctl init" {
		t.Errorf("%+v", r)
	}
}

func TestCheckPublicStatements(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want int
	}{
		{`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"}]}`, 1},
		{`{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"}}}`, 1},
		{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root","*"]}}]}`, 1},
		{`{"Statement":[{"Effect":"Deny","Principal":"*"}]}`, 0},
		{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/app"}}]}`, 0},
		{`{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"}}]}`, 0},
	} {
		got, err := publicStatements(tc.doc)
		if err != nil || len(got) != tc.want {
			t.Errorf("%s: %v, %v; want %d", tc.doc, got, err, tc.want)
		}
	}
	if _, err := publicStatements("nope"); err == nil {
		t.Error("not JSON: no error")
	}
}

func TestCheckLocalAudit(t *testing.T) {
	s, o := newLocal(t)
	if _, err := s.Create(t.Context(), "a/b", store.CreateInput{Value: secret.New(canary(t))}); err != nil {
		t.Fatal(err)
	}
	if r := (LocalAudit{Local: o}).Run(t.Context()); r.Status != Pass {
		t.Fatalf("fresh store: %+v", r)
	}
	s.Close()
	path := filepath.Join(o.Home, local.AuditFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	if err := os.WriteFile(path, []byte(strings.Join(lines[1:], "")), 0o600); err != nil {
		t.Fatal(err)
	}
	r := (LocalAudit{Local: o}).Run(t.Context())
	if r.Status != Fail || !strings.Contains(r.Fix, "audit verify") {
		t.Errorf("a record cut from the log: %+v", r)
	}
}
