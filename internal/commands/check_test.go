package commands

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/audit/audittest"
	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
	"github.com/secretctl/secretctl/internal/ui"
)

// checkDoc is `check -o json` as a CI script reads it.
type checkDoc struct {
	SchemaVersion int            `json:"schemaVersion"`
	OK            bool           `json:"ok"`
	Strict        bool           `json:"strict"`
	Path          string         `json:"path"`
	Backend       string         `json:"backend"`
	Prefix        string         `json:"prefix"`
	Counts        map[string]int `json:"counts"`
	Items         []struct {
		ID       string   `json:"id"`
		Status   string   `json:"status"`
		Summary  string   `json:"summary"`
		Evidence []string `json:"evidence"`
		Fix      string   `json:"fix"`
	} `json:"items"`
}

func parseCheck(t *testing.T, r result) (checkDoc, map[string]string) {
	t.Helper()
	var d checkDoc
	if err := json.Unmarshal([]byte(r.out), &d); err != nil {
		t.Fatalf("check -o json: %v\n%s\n%s", err, r.out, r.errOut)
	}
	st := map[string]string{}
	for _, it := range d.Items {
		st[it.ID] = it.Status
	}
	return d, st
}

// demoSampleApp copies the seed's sample app (the one `make demo` uses) into a
// temporary git repository, and returns it with its hardcoded values.
func demoSampleApp(t *testing.T) (string, []string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	src, err := os.ReadFile(filepath.Join("..", "migrate", "testdata", "sample", "config.js"))
	if err != nil {
		t.Fatal(err)
	}
	var vals map[string]string
	b, err := os.ReadFile(filepath.Join("..", "migrate", "testdata", "sample-values.json"))
	if err != nil || json.Unmarshal(b, &vals) != nil {
		t.Fatalf("sample values: %v", err)
	}
	app := t.TempDir()
	if err := os.WriteFile(filepath.Join(app, "config.js"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "config.js"}, {"-c", "user.name=demo", "-c", "user.email=demo@example.com", "commit", "-qm", "sample app"}} {
		if out, err := exec.Command("git", append([]string{"-C", app}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	var values []string
	for _, v := range vals {
		values = append(values, v)
	}
	return app, values
}

// The done-when of issue 14 on the local backend: the seed app fails
// no-hardcoded (naming the file and the fix) and exits 1; after migrate
// --apply and rotation set, check passes with the k8s items skipped.
func TestCheckSeedAppLocal(t *testing.T) {
	app, values := demoSampleApp(t)
	cli := newTestCLI(t)
	var outs []string
	run := func(args ...string) result {
		r := cli.run("", args...)
		outs = append(outs, r.out, r.errOut)
		return r
	}

	r := run("check", app)
	if r.code != 1 {
		t.Fatalf("check before migrate: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	for _, want := range []string{"fail no-hardcoded  3 hardcoded credential(s) in 1 file(s)", "    config.js: 3 finding(s) on line 8, 11, 12", "fix: secretctl migrate " + app + " --to APP/NAME"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("check before migrate: no %q in\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out, "\x1b[") {
		t.Errorf("piped output has colour:\n%s", r.out)
	}
	if _, err := os.Stat(filepath.Join(cli.home, "store.db")); err == nil {
		t.Error("check created a local store")
	}

	if r = run("migrate", app, "--to", "demo/myapp", "--apply"); r.code != 0 {
		t.Fatalf("migrate: exit %d\n%s", r.code, r.errOut)
	}
	// Stored, but rotation is not configured yet.
	r = run("check", app, "-o", "json")
	d, st := parseCheck(t, r)
	if r.code != 1 || st["rotation"] != "fail" || st["no-hardcoded"] != "pass" || st["stored"] != "pass" {
		t.Errorf("after migrate: exit %d %v", r.code, st)
	}
	if d.Prefix != "demo/myapp" {
		t.Errorf("prefix from .env.example = %q", d.Prefix)
	}

	cli.mustRun("", "rotation", "set", "demo/myapp", "--rotator", "random", "--every", "30d")
	r = run("check", app)
	if r.code != 0 {
		t.Fatalf("check after migrate and rotation set: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	for _, want := range []string{
		"pass no-hardcoded", "pass stored        1 secret(s) under demo/myapp; " + filepath.Join(app, ".env.example") + " is covered",
		"pass encrypted", "pass audit", "pass rotation",
		"skip k8s-secrets   skipped: no kubeconfig", "skip eso-synced    skipped: no kubeconfig",
		"5 passed, 0 failed, 0 warned, 2 skipped",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("no %q in\n%s", want, r.out)
		}
	}

	r = run("check", app, "-o", "json")
	d, st = parseCheck(t, r)
	if r.code != 0 || !d.OK || d.SchemaVersion != 1 || d.Backend != "local" || d.Counts["pass"] != 5 || d.Counts["skip"] != 2 || st["k8s-secrets"] != "skip" {
		t.Errorf("json: exit %d %+v", r.code, d)
	}
	var ids []string
	for _, it := range d.Items {
		ids = append(ids, it.ID)
		if it.Evidence == nil {
			t.Errorf("%s: evidence is null, want a list", it.ID)
		}
	}
	if strings.Join(ids, ",") != "no-hardcoded,stored,encrypted,k8s-secrets,eso-synced,audit,rotation" {
		t.Errorf("items = %v", ids)
	}

	// On a TTY: marks in colour.
	cli.tty = true
	r = run("check", app)
	if r.code != 0 || !strings.Contains(r.out, "✓") || !strings.Contains(r.out, "–") || !strings.Contains(r.out, "\x1b[") {
		t.Errorf("tty: exit %d\n%s", r.code, r.out)
	}
	cli.tty = false

	// A warning fails only with --strict: a store directory others can list.
	if err := os.Chmod(cli.home, 0o755); err != nil {
		t.Fatal(err)
	}
	if r = run("check", app, "--only", "encrypted"); r.code != 0 || !strings.Contains(r.out, "warn encrypted") {
		t.Errorf("warning: exit %d\n%s", r.code, r.out)
	}
	if r = run("check", app, "--only", "encrypted", "--strict"); r.code != 1 {
		t.Errorf("warning with --strict: exit %d\n%s", r.code, r.out)
	}
	_ = os.Chmod(cli.home, 0o700)

	// A variable the code now reads that no secret provides.
	f, err := os.OpenFile(filepath.Join(app, ".env.example"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("SMTP_PASSWORD=\n")
	f.Close()
	r = run("check", app, "--only", "stored")
	if r.code != 1 || !strings.Contains(r.out, "missing: SMTP_PASSWORD ("+filepath.Join(app, ".env.example")+":6)") {
		t.Errorf("missing variable: exit %d\n%s", r.code, r.out)
	}
	for _, v := range values {
		assertNoLeak(t, v, outs...)
	}
}

func TestCheckUsageErrors(t *testing.T) {
	cli := newTestCLI(t)
	dir := t.TempDir()
	for _, args := range [][]string{
		{"check", dir, "--only", "stored,bogus"},
		{"check", filepath.Join(dir, "missing")},
		{"check", dir, "-o", "csv"},
		{"check", "a", "b"},
	} {
		r := cli.run("", args...)
		if r.code != 2 || !strings.HasPrefix(r.errOut, "secretctl: ") || r.out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.out, r.errOut)
		}
	}
	if r := cli.run("", "check", dir, "--only", "bogus"); strings.Count(strings.TrimSpace(r.errOut), "\n") > 1 {
		t.Errorf("more than a line and a hint: %q", r.errOut)
	}
	unreadable := filepath.Join(dir, "locked")
	if err := os.Mkdir(unreadable, 0o000); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(unreadable, 0o700)
	if os.Geteuid() != 0 {
		if r := cli.run("", "check", unreadable); r.code != 2 || strings.Count(r.errOut, "\n") != 1 {
			t.Errorf("unreadable PATH: exit %d %q", r.code, r.errOut)
		}
	}
}

// The AWS encrypted item through the command, on recorded responses (kumo
// has no GetResourcePolicy): a policy granting "*" fails, a secret on
// aws/secretsmanager warns (and fails with --strict).
func TestCheckAWSEncryptedRecorded(t *testing.T) {
	sm := func(op string) string { return "secretsmanager." + op }
	recorded := filepath.Join("..", "..", "testdata", "aws")
	const apiARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/payments/api-key-Qw4rT1"
	newCLI := func(ex ...awsxtest.Exchange) *testCLI {
		r := awsxtest.NewReplay(t, recorded, ex...)
		c := awsCLI(t, r.URL, "AKIDSECRETCTLTEST", "secretctl-test-secret")
		return c
	}
	dir := t.TempDir()

	c := newCLI(
		awsxtest.Exchange{Target: sm("ListSecrets"), File: "ListSecrets-check.json"},
		awsxtest.Exchange{Target: sm("GetResourcePolicy"), Want: map[string]any{"SecretId": apiARN}, File: "GetResourcePolicy-none.json"},
		awsxtest.Exchange{Target: sm("GetResourcePolicy"), File: "GetResourcePolicy-public.json"},
	)
	r := c.run("", "check", dir, "--only", "encrypted", "--prefix", "prod/payments/")
	if r.code != 1 || !strings.Contains(r.out, `fail encrypted`) || !strings.Contains(r.out, `prod/payments/db: resource policy allows Principal "*" (statement AnyoneMayRead)`) ||
		!strings.Contains(r.out, "prod/payments/api-key: KMS key none set: the AWS managed key aws/secretsmanager") || !strings.Contains(r.out, "fix: aws secretsmanager delete-resource-policy") {
		t.Errorf("public policy: exit %d\n%s%s", r.code, r.out, r.errOut)
	}

	c = newCLI(
		awsxtest.Exchange{Target: sm("ListSecrets"), File: "ListSecrets-check-default-key.json"},
		awsxtest.Exchange{Target: sm("GetResourcePolicy"), Want: map[string]any{"SecretId": apiARN}, File: "GetResourcePolicy-none.json"},
		awsxtest.Exchange{Target: sm("ListSecrets"), File: "ListSecrets-check-default-key.json"},
		awsxtest.Exchange{Target: sm("GetResourcePolicy"), Want: map[string]any{"SecretId": apiARN}, File: "GetResourcePolicy-none.json"},
	)
	r = c.run("", "check", dir, "--only", "encrypted", "--prefix", "prod/payments/", "-o", "json")
	d, st := parseCheck(t, r)
	if r.code != 0 || st["encrypted"] != "warn" || d.Backend != "aws" || !strings.Contains(d.Items[0].Fix, "--kms-key-id") {
		t.Errorf("default key: exit %d %+v", r.code, d)
	}
	if r = c.run("", "check", dir, "--only", "encrypted", "--prefix", "prod/payments/", "--strict"); r.code != 1 || !strings.Contains(r.out, "warn encrypted") {
		t.Errorf("default key with --strict: exit %d\n%s", r.code, r.out)
	}
}

// The AWS audit item shares `audit status`'s trail checks and adds
// LastAccessedDate.
func TestCheckAWSAudit(t *testing.T) {
	srv := audittest.New(t)
	cli := awsAuditCLI(t, srv, "us-east-1")
	srv.Trails = []audittest.Trail{{Name: "org", HomeRegion: "us-east-1", MultiRegion: true, Validation: true, Logging: true, ReadWriteType: "All", IncludeManagementEvents: true}}
	read := time.Date(2026, 3, 13, 0, 0, 0, 0, time.UTC)
	srv.Secrets = []audittest.Secret{
		{Name: "prod/a", ARN: "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/a-AbCdEf", LastAccessed: &read},
		{Name: "prod/b", ARN: "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/b-AbCdEf"},
	}
	dir := t.TempDir()
	r := cli.run("", "check", dir, "--only", "audit", "--prefix", "prod/")
	if r.code != 0 || !strings.Contains(r.out, "pass audit") {
		t.Fatalf("trail on: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	r = cli.run("", "check", dir, "--only", "audit", "--prefix", "prod/", "-o", "json")
	d, _ := parseCheck(t, r)
	ev := strings.Join(d.Items[0].Evidence, "\n")
	if !strings.Contains(ev, "us-east-1: logs management read events: management events: All") || !strings.Contains(ev, "LastAccessedDate: recorded on 1 of 2 secret(s)") {
		t.Errorf("evidence:\n%s", ev)
	}
	srv.Secrets[0].LastAccessed = nil
	if r = cli.run("", "check", dir, "--only", "audit", "--prefix", "prod/"); r.code != 0 || !strings.Contains(r.out, "warn audit") || !strings.Contains(r.out, "no secret under prod/ has a LastAccessedDate") {
		t.Errorf("never read: exit %d\n%s", r.code, r.out)
	}
	srv.Trails[0].Logging = false
	if r = cli.run("", "check", dir, "--only", "audit", "--prefix", "prod/"); r.code != 1 || !strings.Contains(r.out, "fail audit") || !strings.Contains(r.out, "fix: aws cloudtrail start-logging --name org") {
		t.Errorf("logging stopped: exit %d\n%s", r.code, r.out)
	}
	// audit status reports the same trail check.
	if r = cli.run("", "audit", "status"); r.code != 1 || !strings.Contains(r.out, "✗ is logging: logging is stopped") {
		t.Errorf("audit status: exit %d\n%s", r.code, r.out)
	}
}

// TestCheckArgvToOptions parses argv into CheckOptions; no logic runs.
func TestCheckArgvToOptions(t *testing.T) {
	var got any
	io, _, _, _ := ui.Test()
	f := NewFactory(io, "test")
	home := t.TempDir()
	f.Getenv = testEnv{"SECRETCTL_HOME": home, "HOME": t.TempDir(), "SECRETCTL_STRICT": "true"}.get
	root := NewRootCmd(f)
	for _, c := range root.Commands() {
		if c.Name() == "check" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(capture(newCheckCmd, &got)(f))
	root.SetArgs([]string{"--region", "eu-west-1", "check", "app", "--prefix", "prod/", "--only", "stored,rotation", "--kubeconfig", "kc", "--namespace", "ns", "-o", "json"})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	o, ok := got.(*CheckOptions)
	if !ok {
		t.Fatal("runF was not called")
	}
	if o.Path != "app" || o.Prefix != "prod/" || !slices.Equal(o.Only, []string{"stored", "rotation"}) || !o.Strict || o.Kubeconfig != "kc" ||
		o.Namespace != "ns" || o.Output != ui.FormatJSON || o.AWSBackend || o.Local.Home != home || !slices.Equal(o.Regions, []string{"eu-west-1"}) {
		t.Errorf("options = %+v", o)
	}
	if o.IO == nil || o.Store == nil || o.Now == nil || o.Kube == nil || o.Trails == nil || o.AWS != nil {
		t.Errorf("seams: %+v", o)
	}
}
