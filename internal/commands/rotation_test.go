package commands

import (
	"context"
	"fmt"
	"net"
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
	if err := runSeam(t, build, "a", "--due"); err == nil || !strings.Contains(err.Error(), "give either a secret NAME or --due, not both") {
		t.Errorf("rotate a --due = %v; want it to say not both", err)
	}
	if err := runSeam(t, build); err == nil || strings.Contains(err.Error(), "not both") {
		t.Errorf("rotate with neither = %v", err)
	}
}

// TestRotationLocalEndToEnd: rotation set → status → rotate --due → status,
// on the real local store, through the command line.
func TestRotationLocalEndToEnd(t *testing.T) {
	c := newTestCLI(t)
	v := canary(t)
	c.mustRun(v, "create", "app/token")
	c.mustRun(`{"user":"svc","password":"`+v+`x"}`, "create", "app/json")
	// Nothing listens on the port: the postgres rotator fails at setSecret,
	// with a connection error that the driver spreads over several lines.
	c.mustRun(fmt.Sprintf(`{"engine":"postgres","host":"127.0.0.1","port":%d,"username":"x","password":"%sy"}`, closedPort(t), v), "create", "app/broken")
	c.mustRun("", "rotation", "set", "app/token", "--rotator", "random", "--every", "1d", "--exclude-punctuation")
	c.mustRun("", "rotation", "set", "app/json", "--rotator", "random", "--field", "password", "--schedule", "cron(0 4 * * ? *)", "--window", "2h")
	c.mustRun("", "rotation", "set", "app/broken", "--rotator", "postgres", "--every", "1d")

	st := c.mustRun("", "rotation", "status")
	lines := strings.Split(strings.TrimSpace(st.out), "\n")
	if len(lines) != 3 {
		t.Fatalf("status has %d rows:\n%s", len(lines), st.out)
	}
	// Created 2026-03-14 11:2x: daily windows open at 00:00 on the 15th; the cron one at 04:00.
	wantRows := map[string][]string{
		"app/token":  {"random", "rate(1 day)", "-", "2026-03-15T00:00:00Z", "no", "-"},
		"app/json":   {"random", "cron(0 4 * * ? *) +2h", "-", "2026-03-15T04:00:00Z", "no", "-"},
		"app/broken": {"postgres/single-user", "rate(1 day)", "-", "2026-03-15T00:00:00Z", "no", "-"},
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
	rows := strings.Split(strings.TrimSpace(r.out), "\n")
	for _, l := range rows {
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			t.Fatalf("rotate --due row with %d fields (want 4): %q\nstdout:\n%s", len(f), l, r.out)
		}
		res[f[0]] = f[3]
	}
	if len(rows) != 3 {
		t.Errorf("rotate --due printed %d lines for 3 rotations:\n%s", len(rows), r.out)
	}
	assertOneLineEach(t, r.errOut)
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
	// app/broken failed in setSecret and keeps its AWSPENDING, so it is still
	// due; this run resumes it and fails the same way, on one line.
	r = c.run("", "rotate", "--due")
	if r.code != 1 || strings.Contains(r.out, "app/token") || !strings.Contains(r.out, "app/broken") {
		t.Errorf("second rotate --due: exit %d\n%s", r.code, r.out)
	}
	if f := strings.Split(strings.TrimSuffix(r.out, "\n"), "\t"); len(f) != 4 || !strings.Contains(f[3], "connection refused") {
		t.Errorf("second rotate --due: not one whole row:\n%s", r.out)
	}
	assertOneLineEach(t, r.errOut)
	for _, o := range []string{st.out, st.errOut, r.out, r.errOut} {
		assertNoLeak(t, v, o)
	}
}

// closedPort returns a local port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// assertOneLineEach checks that every stderr line of a rotation is a whole
// message: progress ("rotate NAME: ..."), an error or a summary.
func assertOneLineEach(t *testing.T, errOut string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSuffix(errOut, "\n"), "\n") {
		if !strings.HasPrefix(l, "rotate ") && !strings.HasPrefix(l, "secretctl: ") && !strings.HasPrefix(l, "✓ ") {
			t.Errorf("stderr line is not a whole message: %q\nstderr:\n%s", l, errOut)
		}
	}
}

// TestRotationSetRefusesUnrotatableValue: `rotation set` checks the current
// value with the chosen rotator and refuses, as a one-line usage error,
// what it could never rotate; nothing is configured then.
func TestRotationSetRefusesUnrotatableValue(t *testing.T) {
	c := newTestCLI(t)
	v := canary(t)
	db := func(engine string) string {
		return fmt.Sprintf(`{"engine":%q,"host":"127.0.0.1","username":"u","password":"%s"}`, engine, v)
	}
	c.mustRun(v, "create", "r/plain")
	c.mustRun(db("oracle"), "create", "r/oracle")
	c.mustRun(db("aurora-postgresql"), "create", "r/aurora")
	c.mustRun(db("mariadb"), "create", "r/maria")
	c.mustRun(`{"host":"127.0.0.1","password":"`+v+`"}`, "create", "r/nouser")
	c.mustRun("", "create", "r/empty")
	var outs []string
	for _, tc := range []struct {
		args []string
		want string // "" means accepted
	}{
		{[]string{"r/plain", "--rotator", "postgres", "--every", "1d"}, "the secret value is not a JSON object"},
		{[]string{"r/plain", "--rotator", "mysql"}, "the secret value is not a JSON object"},
		{[]string{"r/plain", "--rotator", "random", "--field", "password"}, "the secret value is not a JSON object"},
		{[]string{"r/oracle", "--rotator", "postgres"}, `engine "oracle" is not handled by the postgres rotator`},
		{[]string{"r/oracle", "--rotator", "mysql"}, `engine "oracle" is not handled by the mysql rotator`},
		{[]string{"r/aurora", "--rotator", "mysql"}, `engine "aurora-postgresql" is not handled by the mysql rotator`},
		{[]string{"r/nouser", "--rotator", "postgres"}, `key "username" is missing`},
		{[]string{"r/aurora", "--rotator", "postgres", "--strategy", "alternating-users"}, `"masterarn"`},
		{[]string{"r/plain", "--rotator", "random"}, ""},
		{[]string{"r/aurora", "--rotator", "postgres"}, ""},
		{[]string{"r/maria", "--rotator", "mysql"}, ""},
		{[]string{"r/empty", "--rotator", "postgres"}, ""},
	} {
		r := c.run("", append([]string{"rotation", "set"}, tc.args...)...)
		outs = append(outs, r.out, r.errOut)
		if tc.want == "" {
			if r.code != 0 {
				t.Errorf("rotation set %v: exit %d, %q; want it accepted", tc.args, r.code, r.errOut)
			}
			continue
		}
		if r.code != 2 || !strings.Contains(r.errOut, tc.want) || strings.Count(r.errOut, "\n") != 1 || !strings.HasPrefix(r.errOut, "secretctl: rotation set: ") {
			t.Errorf("rotation set %v: exit %d, stderr %q; want 2 and one line with %q", tc.args, r.code, r.errOut, tc.want)
		}
	}
	// Refused settings wrote nothing.
	for _, n := range []string{"r/oracle", "r/nouser"} {
		if r := c.run("", "rotation", "status", n); r.code != 2 || !strings.Contains(r.errOut, "rotation is not configured") {
			t.Errorf("rotation status %s after a refused set: exit %d %q", n, r.code, r.errOut)
		}
	}
	assertNoLeak(t, v, outs...)
}

// TestRotateRefusedValueLeavesNothingPending: a value that stopped suiting
// the rotator after `rotation set` fails `rotate` before AWSPENDING is
// reserved, so the secret is not left pending for every `rotate --due`.
func TestRotateRefusedValueLeavesNothingPending(t *testing.T) {
	c := newTestCLI(t)
	v := canary(t)
	c.mustRun(`{"engine":"postgres","host":"127.0.0.1","username":"u","password":"`+v+`"}`, "create", "r/pg")
	c.mustRun(`{"password":"`+v+`"}`, "create", "r/field")
	c.mustRun("", "rotation", "set", "r/pg", "--rotator", "postgres", "--every", "1d")
	c.mustRun("", "rotation", "set", "r/field", "--rotator", "random", "--field", "password", "--every", "1d")
	c.mustRun(v+"-nj", "put", "r/pg")
	c.mustRun(v+"-nj", "put", "r/field")
	var outs []string
	for _, n := range []string{"r/pg", "r/field"} {
		r := c.run("", "rotate", n)
		outs = append(outs, r.out, r.errOut)
		if r.code != 2 || !strings.Contains(r.errOut, "the secret value is not a JSON object") || strings.Contains(r.errOut, "AWSPENDING") {
			t.Errorf("rotate %s: exit %d\n%s", n, r.code, r.errOut)
		}
		st := c.mustRun("", "rotation", "status", n, "-o", "json")
		outs = append(outs, st.out)
		if strings.Contains(st.out, "pendingVersionId") {
			t.Errorf("rotate %s left AWSPENDING reserved:\n%s", n, st.out)
		}
	}
	assertNoLeak(t, v, outs...)
}

func TestRotateUsageErrors(t *testing.T) {
	c := newTestCLI(t)
	c.mustRun(canary(t), "create", "plain")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"rotate"}, "give a secret NAME or --due"},
		{[]string{"rotate", "plain", "--due"}, "give either a secret NAME or --due, not both"},
		{[]string{"rotation", "set", "plain"}, "--rotator is required"},
		{[]string{"rotation", "set", "plain", "--rotator", "random", "--every", "2h"}, "rate(4 hours)"},
		{[]string{"rotation", "set", "plain", "--rotator", "lambda", "--lambda", "arn:aws:lambda:us-east-1:111122223333:function:f"}, "needs --backend aws"},
		{[]string{"rotation", "set", "missing", "--rotator", "random"}, "not found"},
		{[]string{"rotate", "plain"}, "rotation is not configured"},
		{[]string{"rotation", "set", "plain", "--rotator", "random", "--length", "0"}, "invalid length 0: want 1 to 4096"},
		{[]string{"rotation", "set", "plain", "--rotator", "random", "--exclude-uppercase", "--exclude-lowercase", "--exclude-numbers", "--exclude-punctuation"}, "every character is excluded"},
		{[]string{"rotation", "set", "plain", "--rotator", "random", "--exclude-chars", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "--exclude-punctuation"}, "every character is excluded"},
		{[]string{"rotation", "set", "plain", "--rotator", "random", "--length", "3"}, "cannot hold one character of each"},
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
