package commands

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
	"github.com/secretctl/secretctl/internal/rotate"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/serve/servetest"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/awssm"
)

// checkApp returns an app directory and its .env.example, as `migrate
// --apply --to to` writes it for vars.
func checkApp(t *testing.T, to string, vars ...string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, ".env.example")
	writeEnvExample(t, p, to, vars...)
	return dir, p
}

// writeEnvExample writes path as migrate writes a new env example.
func writeEnvExample(t *testing.T, path, to string, vars ...string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# Variables the code reads. The values are stored in " + to + ":\n#   secretctl exec --secret " + to + " -- <command>\n")
	for _, v := range vars {
		b.WriteString(v + "=\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkLine matches one item line of check's piped table.
var checkLine = regexp.MustCompile(`^(pass|fail|warn|skip) ([a-z0-9-]+) +(\S.*)$`)

// checkLines returns each item's line of check's piped table by id, and
// fails the test on any sign of a crash.
func checkLines(t *testing.T, r result) map[string]string {
	t.Helper()
	for _, bad := range []string{"panic", "goroutine ", ".go:", "runtime error"} {
		if strings.Contains(r.out+r.errOut, bad) {
			t.Errorf("check output has %q:\n%s%s", bad, r.out, r.errOut)
		}
	}
	lines := map[string]string{}
	for _, l := range strings.Split(r.out, "\n") {
		if m := checkLine.FindStringSubmatch(l); m != nil {
			lines[m[2]] = m[1] + " " + m[3]
		}
	}
	return lines
}

// The stored and rotation items on the AWS backend against kumo in-process,
// on secrets created through the store, and the whole checklist there:
// kumo answers every call check makes (GetResourcePolicy with no policy,
// CloudTrail with no trail), so each item gives a verdict.
func TestCheckAWSKumo(t *testing.T) {
	ep := awsxtest.StartKumo(t)
	cli := awsCLI(t, ep, "AKIDSECRETCTLTEST", "secretctl-test-secret")
	s := awssm.New(awsx.NewClients(awsxtest.Config(t, ep), ep).SecretsManager, awssm.Options{})
	ctx := t.Context()
	v := canary(t)
	values := []string{v + "-db", v + "-api", v + "-smtp", v + "-worker", v + "-pending"}
	for name, val := range map[string]string{
		"acme/web":               `{"DATABASE_URL":"` + values[0] + `","API_KEY":"` + values[1] + `"}`,
		"acme/web/smtp-password": values[2],
	} {
		if _, err := s.Create(ctx, name, store.CreateInput{Value: secret.New(val)}); err != nil {
			t.Fatal(err)
		}
	}
	var outs []string
	run := func(args ...string) result {
		r := cli.run("", args...)
		outs = append(outs, r.out, r.errOut)
		return r
	}
	app, envExample := checkApp(t, "acme/web", "API_KEY", "DATABASE_URL", "SMTP_PASSWORD")

	// stored: every variable is provided (two from the JSON secret, one by
	// the plain secret's name), with the prefix read from the header.
	r := run("check", app, "--only", "stored")
	if l := checkLines(t, r)["stored"]; r.code != 0 || l != "pass 2 secret(s) under acme/web; "+envExample+" is covered" {
		t.Errorf("all provided: exit %d, line %q\n%s%s", r.code, l, r.out, r.errOut)
	}
	r = run("check", app, "--only", "stored", "-o", "json")
	d, st := parseCheck(t, r)
	if r.code != 0 || st["stored"] != "pass" || d.Backend != "aws" || d.Prefix != "acme/web" ||
		!strings.Contains(strings.Join(d.Items[0].Evidence, "\n"), "all 3 variable(s) in "+envExample+" are provided") {
		t.Errorf("json: exit %d %+v", r.code, d)
	}
	// A variable no stored secret provides fails, named with its line.
	f, err := os.OpenFile(envExample, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("REDIS_URL=\n")
	f.Close()
	r = run("check", app, "--only", "stored")
	if l := checkLines(t, r)["stored"]; r.code != 1 || l != "fail 1 of 4 variable(s) in "+envExample+" provided by no stored secret" ||
		!strings.Contains(r.out, "    missing: REDIS_URL ("+envExample+":6)\n") || strings.Contains(r.out, "missing: API_KEY") {
		t.Errorf("one missing: exit %d, line %q\n%s%s", r.code, l, r.out, r.errOut)
	}
	// Back to the variables the secrets provide.
	writeEnvExample(t, envExample, "acme/web", "API_KEY", "DATABASE_URL", "SMTP_PASSWORD")

	// rotation: neither secret rotates.
	r = run("check", app, "--only", "rotation")
	if l := checkLines(t, r)["rotation"]; r.code != 1 || l != "fail 2 without rotation: acme/web, acme/web/smtp-password" ||
		!strings.Contains(r.out, "    acme/web: no rotation configured\n") || !strings.Contains(r.out, "fix: secretctl rotation set NAME --rotator random") {
		t.Errorf("no rotation: exit %d, line %q\n%s%s", r.code, l, r.out, r.errOut)
	}
	// kumo v0.33.1 has no TagResource, where `rotation set` keeps a
	// client-side rotator's settings: it fails in one line, and the
	// command's path to a pass is proven against serve
	// (TestCheckAWSRotationServe). Here the settings it writes are given
	// at creation, which kumo keeps.
	r = run("rotation", "set", "acme/web", "--rotator", "random", "--every", "30d")
	if r.code == 0 || strings.Count(strings.TrimSpace(r.errOut), "\n") != 0 || !strings.Contains(r.errOut, "TagResource") {
		t.Errorf("rotation set on kumo: exit %d %q", r.code, r.errOut)
	}
	tags, _ := rotate.Config{Rotator: rotate.RotatorRandom, Schedule: "rate(30 days)"}.Tags()
	if _, err := s.Create(ctx, "acme/worker", store.CreateInput{Value: secret.New(values[3]), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	r = run("check", app, "--only", "rotation", "--prefix", "acme/worker")
	if l := checkLines(t, r)["rotation"]; r.code != 0 || l != "pass 1 secret(s) rotate, none overdue or unfinished" {
		t.Errorf("configured: exit %d, line %q\n%s%s", r.code, l, r.out, r.errOut)
	}
	// A stuck rotation: a version put under AWSPENDING only, through the
	// store's staging API. (kumo also moves AWSCURRENT off the old version,
	// which AWS does not; the item looks only at AWSPENDING.)
	pending, err := s.Put(ctx, "acme/worker", secret.New(values[4]), store.PutOptions{Stages: []string{store.StagePending}})
	if err != nil {
		t.Fatal(err)
	}
	r = run("check", app, "--only", "rotation", "--prefix", "acme/worker")
	if l := checkLines(t, r)["rotation"]; r.code != 1 || l != "fail 1 with an unfinished rotation (AWSPENDING): acme/worker" ||
		!strings.Contains(r.out, "acme/worker: random, rate(30 days)") || !strings.Contains(r.out, ": unfinished rotation, AWSPENDING on "+pending.VersionID+"\n") ||
		!strings.Contains(r.out, "fix: secretctl rotate NAME resumes it; secretctl rotation cancel NAME clears it") {
		t.Errorf("pending: exit %d, line %q\n%s%s", r.code, l, r.out, r.errOut)
	}

	// Two items, then the whole checklist: a verdict each, exit 1.
	r = run("check", app, "--only", "stored,rotation")
	lines := checkLines(t, r)
	if r.code != 1 || len(lines) != 2 || !strings.HasPrefix(lines["stored"], "pass ") || !strings.HasPrefix(lines["rotation"], "fail 2 without rotation") ||
		!strings.Contains(r.out, "1 passed, 1 failed, 0 warned, 0 skipped") || r.errOut != "" {
		t.Errorf("--only stored,rotation: exit %d %v\n%s%s", r.code, lines, r.out, r.errOut)
	}
	r = run("check", app)
	lines = checkLines(t, r)
	want := map[string]string{
		"no-hardcoded": "pass no hardcoded credentials",
		"stored":       "pass 2 secret(s) under acme/web; " + envExample + " is covered",
		"encrypted":    "warn 2 secret(s) on the AWS managed key aws/secretsmanager: acme/web, acme/web/smtp-password",
		"k8s-secrets":  "skip skipped: no kubeconfig",
		"eso-synced":   "skip skipped: no kubeconfig",
		"audit":        "fail us-east-1: audit logging check(s) failed: trail exists",
		"rotation":     "fail 2 without rotation: acme/web, acme/web/smtp-password",
	}
	if r.code != 1 || len(lines) != len(want) || r.errOut != "" {
		t.Errorf("check: exit %d, %d item lines, stderr %q\n%s", r.code, len(lines), r.errOut, r.out)
	}
	for id, w := range want {
		if !strings.HasPrefix(lines[id], w) {
			t.Errorf("check: %s line %q, want it to start %q", id, lines[id], w)
		}
	}
	for _, w := range []string{"    us-east-1: trail exists: no trail in us-east-1 (failed)\n", "fix: aws cloudtrail create-trail", "2 passed, 2 failed, 1 warned, 2 skipped"} {
		if !strings.Contains(r.out, w) {
			t.Errorf("check: no %q in\n%s", w, r.out)
		}
	}
	r = run("check", app, "-o", "json")
	if d, st = parseCheck(t, r); r.code != 1 || d.OK || len(d.Items) != 7 || st["audit"] != "fail" || st["encrypted"] != "warn" {
		t.Errorf("check -o json: exit %d %v", r.code, st)
	}
	for _, val := range values {
		assertNoLeak(t, val, outs...)
	}
}

// The rotation item after `rotation set` through the command, on the AWS
// backend against serve (a Secrets Manager peer with the TagResource and
// UpdateSecretVersionStage kumo lacks): fails without rotation, passes once
// set, fails on a stuck AWSPENDING, passes again after rotation cancel.
func TestCheckAWSRotationServe(t *testing.T) {
	srv := servetest.Start(t)
	cli := awsCLI(t, srv.URL, servetest.AccessKeyID, servetest.SecretAccessKey)
	s := awssm.New(srv.Client(), awssm.Options{})
	ctx := t.Context()
	v := canary(t)
	if _, err := s.Create(ctx, "shop/api", store.CreateInput{Value: secret.New(`{"API_KEY":"` + v + `-one"}`)}); err != nil {
		t.Fatal(err)
	}
	var outs []string
	run := func(args ...string) result {
		r := cli.run("", args...)
		outs = append(outs, r.out, r.errOut)
		return r
	}
	app, _ := checkApp(t, "shop/api", "API_KEY")

	r := run("check", app, "--only", "rotation")
	if l := checkLines(t, r)["rotation"]; r.code != 1 || l != "fail 1 without rotation: shop/api" {
		t.Errorf("no rotation: exit %d, line %q\n%s%s", r.code, l, r.out, r.errOut)
	}
	if r = run("rotation", "set", "shop/api", "--rotator", "random", "--every", "30d"); r.code != 0 {
		t.Fatalf("rotation set: exit %d %s", r.code, r.errOut)
	}
	r = run("check", app, "--only", "stored,rotation")
	lines := checkLines(t, r)
	if r.code != 0 || lines["rotation"] != "pass 1 secret(s) rotate, none overdue or unfinished" || !strings.HasPrefix(lines["stored"], "pass 1 secret(s) under shop/api") {
		t.Errorf("after rotation set: exit %d %v\n%s%s", r.code, lines, r.out, r.errOut)
	}
	r = run("check", app, "--only", "rotation", "-o", "json")
	if d, _ := parseCheck(t, r); r.code != 0 || len(d.Items) != 1 || !strings.HasPrefix(strings.Join(d.Items[0].Evidence, "\n"), "shop/api: random, rate(30 days), next by ") {
		t.Errorf("evidence: exit %d %+v", r.code, d)
	}

	pending, err := s.Put(ctx, "shop/api", secret.New(`{"API_KEY":"`+v+`-two"}`), store.PutOptions{Stages: []string{store.StagePending}})
	if err != nil {
		t.Fatal(err)
	}
	r = run("check", app, "--only", "rotation")
	if l := checkLines(t, r)["rotation"]; r.code != 1 || l != "fail 1 with an unfinished rotation (AWSPENDING): shop/api" ||
		!strings.Contains(r.out, ": unfinished rotation, AWSPENDING on "+pending.VersionID+"\n") {
		t.Errorf("pending: exit %d, line %q\n%s%s", r.code, l, r.out, r.errOut)
	}
	run("rotation", "cancel", "shop/api")
	if r = run("check", app, "--only", "rotation"); r.code != 0 || !strings.HasPrefix(checkLines(t, r)["rotation"], "pass ") {
		t.Errorf("after rotation cancel: exit %d\n%s%s", r.code, r.out, r.errOut)
	}

	// serve answers neither GetResourcePolicy nor CloudTrail: those items
	// fail, saying which call AWS refused and why, in one line each; the
	// others still give their verdict.
	r = run("check", app)
	lines = checkLines(t, r)
	want := map[string]string{
		"no-hardcoded": "pass ",
		"stored":       "pass 1 secret(s) under shop/api",
		"encrypted":    "fail 1 secret(s) whose resource policy could not be read: shop/api; 1 secret(s) on the AWS managed key aws/secretsmanager: shop/api",
		"k8s-secrets":  "skip skipped: no kubeconfig",
		"eso-synced":   "skip skipped: no kubeconfig",
		"audit":        "fail audit status in us-east-1: AWS error IncompleteSignatureException: ",
		"rotation":     "pass 1 secret(s) rotate",
	}
	if r.code != 1 || len(lines) != len(want) || r.errOut != "" || !strings.Contains(r.out, "3 passed, 2 failed, 0 warned, 2 skipped") {
		t.Errorf("check: exit %d, %d item lines, stderr %q\n%s", r.code, len(lines), r.errOut, r.out)
	}
	for id, w := range want {
		if !strings.HasPrefix(lines[id], w) {
			t.Errorf("check: %s line %q, want it to start %q", id, lines[id], w)
		}
	}
	for _, w := range []string{"    shop/api: get resource policy: AWS error UnknownOperationException", "fix: allow secretsmanager:GetResourcePolicy on them"} {
		if !strings.Contains(r.out, w) {
			t.Errorf("check: no %q in\n%s", w, r.out)
		}
	}
	if strings.Contains(r.out, "RequestID") || strings.Contains(r.out, "operation error") {
		t.Errorf("check: an unclassified SDK error in\n%s", r.out)
	}
	for _, val := range []string{v + "-one", v + "-two"} {
		assertNoLeak(t, val, outs...)
	}
}
