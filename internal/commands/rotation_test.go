package commands

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/ui"
)

// runSeam parses argv through a command built with runF and returns what
// runF saw (no logic runs).
func runSeam(t *testing.T, build func(f *Factory) *cobra.Command, argv ...string) error {
	t.Helper()
	io, _, _, _ := ui.Test()
	f := NewFactory(io, "test")
	cmd := build(f)
	cmd.SetArgs(argv)
	cmd.SetOut(io.Out)
	cmd.SetErr(io.ErrOut)
	return cmd.ExecuteContext(context.Background())
}

func TestRotationSetFlags(t *testing.T) {
	var got *RotationSetOptions
	build := func(f *Factory) *cobra.Command {
		return newRotationSetCmd(f, func(_ context.Context, o *RotationSetOptions) error { got = o; return nil })
	}
	err := runSeam(t, build, "prod/db", "--rotator", "postgres", "--strategy", "alternating-users", "--every", "30d", "--window", "2h", "--length", "40", "--exclude-chars", "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "prod/db" || got.Rotator != "postgres" || got.Strategy != "alternating-users" || got.Every != "30d" || got.Window != "2h" || got.Length != 40 || !got.ExcludeSet {
		t.Fatalf("options = %+v", got)
	}
	cfg, err := got.config()
	if err != nil || cfg.Schedule != "rate(30 days)" || cfg.Params.Exclude == nil || *cfg.Params.Exclude != "" {
		t.Fatalf("config = %+v, %v", cfg, err)
	}
	for _, bad := range [][]string{
		{"--rotator", "random", "--every", "30d", "--schedule", "rate(1 day)"},
		{"--rotator", "random", "--every", "3h"},
		{"--rotator", "random", "--schedule", "cron(15 4 * * ? *)"},
		{"--rotator", "random", "--schedule", "cron(0 4 * * * *)"},
		{"--rotator", "random", "--every", "1d", "--window", "25h"},
		{"--rotator", "random", "--window", "2h"},
		{"--rotator", "random", "--strategy", "single-user"},
		{"--rotator", "postgres", "--strategy", "round-robin"},
		{"--rotator", "lambda"},
		{"--rotator", "vault"},
	} {
		got = nil
		if err := runSeam(t, build, append([]string{"x"}, bad...)...); err != nil {
			t.Fatalf("%v: parse: %v", bad, err)
		}
		_, err := got.config()
		var ue *UsageError
		if err == nil || !errorsAs(err, &ue) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: config() = %v; want a one-line usage error", bad, err)
		}
	}
}

func errorsAs(err error, ue **UsageError) bool {
	u, ok := err.(*UsageError)
	if ok {
		*ue = u
	}
	return ok
}

func TestRotateArgs(t *testing.T) {
	var got *RotateOptions
	build := func(f *Factory) *cobra.Command {
		return newRotateCmd(f, func(_ context.Context, o *RotateOptions) error { got = o; return nil })
	}
	if err := runSeam(t, build, "prod/db", "--timeout", "10m"); err != nil || got.Name != "prod/db" || got.Due || got.Timeout != 10*time.Minute {
		t.Fatalf("rotate prod/db = %+v, %v", got, err)
	}
	if err := runSeam(t, build, "--due"); err != nil || !got.Due || got.Name != "" {
		t.Fatalf("rotate --due = %+v, %v", got, err)
	}
	for _, bad := range [][]string{{}, {"a", "--due"}, {"a", "b"}, {"a", "--timeout", "0s"}} {
		if err := runSeam(t, build, bad...); err == nil {
			t.Errorf("rotate %v accepted", bad)
		}
	}
}

// TestRotationLocalEndToEnd: rotation set → status → rotate --due → status,
// on the real local store, through the command line.
func TestRotationLocalEndToEnd(t *testing.T) {
	c := newTestCLI(t)
	v := canary(t)
	c.mustRun(v, "create", "app/token")
	c.mustRun(`{"user":"svc","password":"`+v+`x"}`, "create", "app/json")
	c.mustRun(v+"y", "create", "app/broken") // not JSON: the mysql rotator fails on it
	c.mustRun("", "rotation", "set", "app/token", "--rotator", "random", "--every", "1d", "--exclude-punctuation")
	c.mustRun("", "rotation", "set", "app/json", "--rotator", "random", "--field", "password", "--schedule", "cron(0 4 * * ? *)", "--window", "2h")
	c.mustRun("", "rotation", "set", "app/broken", "--rotator", "mysql", "--every", "1d")

	st := c.mustRun("", "rotation", "status")
	lines := strings.Split(strings.TrimSpace(st.out), "\n")
	if len(lines) != 3 {
		t.Fatalf("status has %d rows:\n%s", len(lines), st.out)
	}
	// Created 2026-03-14 11:2x: daily windows open at 00:00 on the 15th; the cron one at 04:00.
	wantRows := map[string][]string{
		"app/token":  {"random", "rate(1 day)", "-", "2026-03-15T00:00:00Z", "no", "-"},
		"app/json":   {"random", "cron(0 4 * * ? *) +2h", "-", "2026-03-15T04:00:00Z", "no", "-"},
		"app/broken": {"mysql/single-user", "rate(1 day)", "-", "2026-03-15T00:00:00Z", "no", "-"},
	}
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if want := wantRows[f[0]]; strings.Join(f[1:], "|") != strings.Join(want, "|") {
			t.Errorf("status row %q, want %q", strings.Join(f[1:], "|"), strings.Join(want, "|"))
		}
	}

	// Nothing is due yet.
	r := c.mustRun("", "rotate", "--due")
	if r.out != "" || !strings.Contains(r.errOut, "nothing is due") {
		t.Fatalf("rotate --due before the window: %q %q", r.out, r.errOut)
	}

	// A day and a half later all three are due; one fails, the others still run.
	c.now = c.now.Add(36 * time.Hour)
	r = c.run("", "rotate", "--due")
	if r.code != 1 {
		t.Fatalf("rotate --due with a failure: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	res := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(r.out), "\n") {
		f := strings.Split(l, "\t")
		res[f[0]] = f[3]
	}
	if res["app/token"] != "rotated" || res["app/json"] != "rotated" || !strings.HasPrefix(res["app/broken"], "failed: ") {
		t.Fatalf("rotate --due results: %v", res)
	}
	for _, step := range []string{"createSecret", "setSecret", "testSecret", "finishSecret"} {
		if !strings.Contains(r.errOut, step) {
			t.Errorf("stderr lacks the %s step", step)
		}
	}
	get := c.mustRun("", "get", "app/token")
	if get.out == v || len(strings.TrimSpace(get.out)) != 32 || strings.ContainsAny(get.out, "!#$%&()*+,-./:;<=>?@[]^_{|}~") {
		t.Errorf("app/token was not rotated to a 32-character password without punctuation")
	}
	prev := c.mustRun("", "get", "app/token", "--stage", "AWSPREVIOUS")
	if strings.TrimSpace(prev.out) != v {
		t.Errorf("AWSPREVIOUS does not hold the old value")
	}

	st = c.mustRun("", "rotation", "status", "-o", "json")
	if !strings.Contains(st.out, `"name": "app/token"`) || !strings.Contains(st.out, `"lastRotated": "2026-03-15T23:`) {
		t.Errorf("status after rotation:\n%s", st.out)
	}
	// app/broken failed in createSecret (its value is not JSON), so it is still due.
	r = c.run("", "rotate", "--due")
	if r.code != 1 || strings.Contains(r.out, "app/token") || !strings.Contains(r.out, "app/broken") {
		t.Errorf("second rotate --due: exit %d\n%s", r.code, r.out)
	}
	for _, o := range []string{st.out, st.errOut, r.out, r.errOut} {
		assertNoLeak(t, v, o)
	}
}

func TestRotateUsageErrors(t *testing.T) {
	c := newTestCLI(t)
	c.mustRun(canary(t), "create", "plain")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"rotate"}, "give a secret NAME or --due"},
		{[]string{"rotation", "set", "plain"}, "--rotator is required"},
		{[]string{"rotation", "set", "plain", "--rotator", "random", "--every", "2h"}, "rate(4 hours)"},
		{[]string{"rotation", "set", "plain", "--rotator", "lambda", "--lambda", "arn:aws:lambda:us-east-1:111122223333:function:f"}, "needs --backend aws"},
		{[]string{"rotation", "set", "missing", "--rotator", "random"}, "not found"},
		{[]string{"rotate", "plain"}, "rotation is not configured"},
		{[]string{"rotation", "status", "plain"}, "rotation is not configured"},
	} {
		r := c.run("", tc.args...)
		if r.code != 2 || !strings.Contains(r.errOut, tc.want) {
			t.Errorf("secretctl %s: exit %d, stderr %q; want 2 and %q", strings.Join(tc.args, " "), r.code, r.errOut, tc.want)
		}
	}
	r := c.mustRun("", "rotation", "cancel", "plain")
	if !strings.Contains(r.errOut, "no rotation of plain in progress") {
		t.Errorf("cancel with nothing pending: %q", r.errOut)
	}
}
