package commands

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/secretctl/secretctl/internal/ui"
)

// proc runs the test binary as secretctl (see TestMain) in a real process,
// with the CLI's store and extra environment.
type proc struct {
	t   *testing.T
	cli *testCLI
	env []string // added to the process's environment
}

func newProc(t *testing.T) (*proc, *testCLI) {
	cli := newTestCLI(t)
	return &proc{t: t, cli: cli}, cli
}

func (p *proc) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SECRETCTL_TEST_MAIN=1", "SECRETCTL_HOME="+p.cli.home, "HOME="+p.cli.env["HOME"], "XDG_CONFIG_HOME="+p.cli.env["XDG_CONFIG_HOME"])
	cmd.Env = append(cmd.Env, p.env...)
	return cmd
}

type procResult struct {
	code        int
	signal      syscall.Signal // when the process died by a signal
	out, errOut string
}

func (p *proc) run(args ...string) procResult {
	p.t.Helper()
	cmd := p.cmd(args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := procResult{out: out.String(), errOut: errOut.String()}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		p.t.Fatalf("run secretctl: %v", err)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		r.signal = ws.Signal()
	}
	r.code = cmd.ProcessState.ExitCode()
	return r
}

// create stores value under name through the CLI.
func (c *testCLI) create(name, value string) {
	c.t.Helper()
	c.mustRun(value, "create", name)
}

func TestExecOptions(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want ExecOptions
	}{
		{[]string{"--secret", "a", "--secret", "b#k=V", "--", "node", "app.js", "--secret", "x"},
			ExecOptions{Secrets: []string{"a", "b#k=V"}, Command: []string{"node", "app.js", "--secret", "x"}}},
		{[]string{"--env-file", ".env", "--pristine", "--keep", "PATH", "--keep", "HOME", "--mask", "--override", "--stage", "AWSPREVIOUS", "./app", "-v"},
			ExecOptions{EnvFiles: []string{".env"}, Pristine: true, Keep: []string{"PATH", "HOME"}, Mask: true, Override: true, Stage: "AWSPREVIOUS", Command: []string{"./app", "-v"}}},
		{[]string{"--secret", "p/", "--version-id", "v1", "env"},
			ExecOptions{Secrets: []string{"p/"}, VersionID: "v1", Command: []string{"env"}}},
	} {
		var got *ExecOptions
		io, _, _, _ := ui.Test()
		f := NewFactory(io, "test")
		cmd := newExecCmd(f, func(_ context.Context, o *ExecOptions) error { got = o; return nil })
		cmd.SetArgs(tc.argv)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", tc.argv, err)
		}
		g := *got
		g.IO, g.Store, g.Environ, g.Close = nil, nil, nil, nil
		if !reflect.DeepEqual(g, tc.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tc.argv, g, tc.want)
		}
	}
}

// The seed's 12-factor check: node reads DB_HOST, DB_USERNAME, DB_PASSWORD,
// API_KEY and API_SECRET from the environment.
func TestExecNodeConfigCheck(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not installed")
		}
		t.Skip("node is not installed")
	}
	p, cli := newProc(t)
	pw, key, sec := canary(t)+"-pw", canary(t)+"-key", canary(t)+"-secret"
	cli.create("prod/database/credentials", `{"DB_HOST":"db.internal","DB_PORT":"5432","DB_NAME":"app","DB_USERNAME":"dbadmin","DB_PASSWORD":"`+pw+`"}`)
	script, _ := filepath.Abs("../../testdata/e2e/node/config-check.js")
	r := p.run("exec", "--secret", "prod/database/credentials", "--secret", "prod/api/key", "--", "sh", "-c", `touch "$0"; exec node "$1"`, filepath.Join(t.TempDir(), "started"), script)
	if r.code != 2 || r.out != "" || r.errOut != "secretctl: missing secret prod/api/key (not found)\n" {
		t.Fatalf("without prod/api/key: exit %d, stdout %q, stderr %q", r.code, r.out, r.errOut)
	}
	marker := filepath.Join(t.TempDir(), "started")
	cli.create("prod/api/key", `{"API_KEY":"`+key+`","API_SECRET":"`+sec+`"}`)
	r = p.run("exec", "--secret", "prod/database/credentials", "--secret", "prod/api/key", "--", "sh", "-c", `touch "$0"; exec "$1" "$2"`, marker, node, script)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.errOut)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(r.out), &got); err != nil {
		t.Fatalf("node printed %q: %v", r.out, err)
	}
	want := map[string]string{"DB_HOST": "db.internal", "DB_USERNAME": "dbadmin", "DB_PASSWORD": pw, "API_KEY": key, "API_SECRET": sec}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("node saw %v, want %v", got, want)
	}
	assertNoLeak(t, pw, r.errOut)
	// Without a secret, the command never starts.
	os.Remove(marker)
	r = p.run("exec", "--secret", "prod/database/credentials", "--", "sh", "-c", `touch "$0"; exec node "$1"`, marker, script)
	if r.code != 1 {
		t.Errorf("without prod/api/key node should fail its own check (exit 1), got %d", r.code)
	}
	os.Remove(marker)
	r = p.run("exec", "--secret", "prod/database/credentials", "--secret", "prod/api/keys", "--", "sh", "-c", `touch "$0"`, marker)
	if _, err := os.Stat(marker); r.code != 2 || err == nil {
		t.Errorf("a missing secret: exit %d, and the command ran (%v)", r.code, err)
	}
	assertNoLeak(t, pw, r.out, r.errOut)
}

func TestExecExitStatus(t *testing.T) {
	p, cli := newProc(t)
	v := canary(t)
	cli.create("app/token", v)
	for _, mask := range []bool{false, true} {
		for _, code := range []int{0, 1, 42} {
			args := []string{"exec", "--secret", "app/token"}
			if mask {
				args = append(args, "--mask")
			}
			r := p.run(append(args, "--", "sh", "-c", "exit "+itoa(code))...)
			if r.code != code || r.errOut != "" {
				t.Errorf("mask=%v exit %d: got %d, stderr %q", mask, code, r.code, r.errOut)
			}
		}
	}
	// Death by signal: exec'd, the process itself dies by SIGTERM (a shell
	// reports 143); under --mask secretctl exits 128+15.
	r := p.run("exec", "--secret", "app/token", "--", "sh", "-c", "kill -TERM $$")
	if r.signal != syscall.SIGTERM {
		t.Errorf("exec'd child killed by SIGTERM: signal %v, code %d", r.signal, r.code)
	}
	r = p.run("exec", "--mask", "--secret", "app/token", "--", "sh", "-c", "kill -KILL $$")
	if r.code != 128+9 {
		t.Errorf("--mask, child killed by SIGKILL: exit %d, want 137", r.code)
	}
	arn := cli.mustRun("", "describe", "app/token", "-o", "json")
	var meta struct{ ARN string }
	json.Unmarshal([]byte(arn.out), &meta)
	r = p.run("exec", "--secret", meta.ARN, "--", "sh", "-c", `printf '%s' "$TOKEN"`)
	if r.code != 0 || meta.ARN == "" || r.out != v {
		t.Errorf("--secret ARN: exit %d (ARN %q), stderr %q", r.code, meta.ARN, r.errOut)
	}
	r = p.run("exec", "--secret", "app/token", "--", "no-such-command-canary-free")
	if r.code != 2 || !strings.Contains(r.errOut, "no-such-command-canary-free") || strings.Count(r.errOut, "\n") != 1 {
		t.Errorf("missing command: exit %d, stderr %q", r.code, r.errOut)
	}
	assertNoLeak(t, v, r.out, r.errOut)
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestExecMaskForwardsSignals: SIGTERM sent to secretctl reaches the
// child, whose exit status comes back; its output is masked.
func TestExecMaskForwardsSignals(t *testing.T) {
	p, cli := newProc(t)
	v := canary(t)
	cli.create("app/token", v)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT} {
		cmd := p.cmd("exec", "--mask", "--secret", "app/token", "--", "sh", "-c",
			`trap 'echo "got signal, token $TOKEN"; exit 7' `+sigName(sig)+`; echo "ready $TOKEN"; while :; do sleep 0.05; done`)
		stdout, _ := cmd.StdoutPipe()
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		if !sc.Scan() || sc.Text() != "ready <TOKEN>" {
			t.Fatalf("first line %q", sc.Text())
		}
		checkNoCmdline(t, v)
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		var rest []string
		for sc.Scan() {
			rest = append(rest, sc.Text())
		}
		_ = cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != 7 || strings.Join(rest, "|") != "got signal, token <TOKEN>" {
			t.Errorf("%v: exit %d, output %q, stderr %q", sig, code, rest, errOut.String())
		}
		assertNoLeak(t, v, errOut.String(), strings.Join(rest, "\n"))
	}
}

func sigName(s syscall.Signal) string {
	return map[syscall.Signal]string{syscall.SIGTERM: "TERM", syscall.SIGHUP: "HUP", syscall.SIGINT: "INT", syscall.SIGQUIT: "QUIT"}[s]
}

// checkNoCmdline fails if v is in the argv of any running process.
func checkNoCmdline(t *testing.T, v string) {
	t.Helper()
	files, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	if len(files) == 0 {
		t.Fatal("no /proc/*/cmdline to check")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil && bytes.Contains(b, []byte(v)) {
			t.Errorf("%s holds the value: %q", f, b)
		}
	}
	if out, err := exec.Command("ps", "-eo", "args").Output(); err == nil && bytes.Contains(out, []byte(v)) {
		t.Errorf("ps output holds the value")
	}
}

// TestExecMaskSplitWrite: a value the child writes in two pieces, with a
// pause between them, is still masked on stdout and stderr.
func TestExecMaskSplitWrite(t *testing.T) {
	p, cli := newProc(t)
	v := canary(t)
	cli.create("app/token", `{"TOKEN":"`+v+`","OTHER":"`+v+`-longer"}`)
	r := p.run("exec", "--mask", "--secret", "app/token", "--", "bash", "-c",
		`printf 'a %s' "${TOKEN:0:9}"; sleep 0.3; printf '%s b\n' "${TOKEN:9}"; printf '%s' "${OTHER:0:12}" >&2; sleep 0.3; printf '%s\n' "${OTHER:12}" >&2; printf 'no newline %s' "$TOKEN"`)
	if r.code != 0 || r.out != "a <TOKEN> b\nno newline <TOKEN>" || r.errOut != "<OTHER>\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.out, r.errOut)
	}
	assertNoLeak(t, v, r.out, r.errOut)
}

func TestExecEnvironment(t *testing.T) {
	p, cli := newProc(t)
	v := canary(t)
	cli.create("prod/db", `{"DB_HOST":"from-secret","DB_PASSWORD":"`+v+`"}`)
	p.env = []string{"DB_HOST=from-caller", "KEEP_ME=kept", "DROP_ME=dropped"}
	show := []string{"--", "sh", "-c", `printf '%s|%s|%s|%s' "${DB_HOST-unset}" "${KEEP_ME-unset}" "${DROP_ME-unset}" "${DB_PASSWORD:+set}"`}

	r := p.run(append([]string{"exec", "--secret", "prod/db"}, show...)...)
	if r.out != "from-caller|kept|dropped|set" || r.errOut != "secretctl: DB_HOST is already set; keeping its value (--override replaces it)\n" {
		t.Errorf("no-clobber: %q, stderr %q", r.out, r.errOut)
	}
	r = p.run(append([]string{"exec", "--secret", "prod/db", "--override"}, show...)...)
	if r.out != "from-secret|kept|dropped|set" || r.errOut != "" {
		t.Errorf("--override: %q, stderr %q", r.out, r.errOut)
	}
	// sh is found through the PATH secretctl was started with... which
	// --pristine drops, so give the absolute path.
	sh, _ := exec.LookPath("sh")
	pristine := append([]string{"--", sh}, show[2:]...)
	r = p.run(append([]string{"exec", "--secret", "prod/db", "--pristine"}, pristine...)...)
	if r.out != "from-secret|unset|unset|set" || r.errOut != "" {
		t.Errorf("--pristine: %q, stderr %q", r.out, r.errOut)
	}
	r = p.run(append([]string{"exec", "--secret", "prod/db", "--pristine", "--keep", "KEEP_ME", "--keep", "DB_HOST"}, pristine...)...)
	if r.out != "from-caller|kept|unset|set" || !strings.Contains(r.errOut, "DB_HOST is already set") {
		t.Errorf("--pristine --keep: %q, stderr %q", r.out, r.errOut)
	}
	r = p.run(append([]string{"exec", "--secret", "prod/db", "--pristine"}, show...)...)
	if r.code != 2 || !strings.Contains(r.errOut, "command sh") {
		t.Errorf("--pristine without PATH: exit %d, stderr %q", r.code, r.errOut)
	}
	env := p.run("exec", "--secret", "prod/db", "--pristine", "--", "/usr/bin/env")
	if lines := strings.Split(strings.TrimSpace(env.out), "\n"); len(lines) != 2 {
		t.Errorf("--pristine env has %d variables: %q", len(lines), lines)
	}
	assertNoLeak(t, v, r.errOut, env.errOut)
}

// TestExecEnvFile: literals, every reference form, required names, and
// values holding newlines, quotes and '='.
func TestExecEnvFile(t *testing.T) {
	p, cli := newProc(t)
	v1, v2 := canary(t)+"-one", canary(t)+"-two"
	tricky := "line1\nline2 'single' \"double\" a=b=c $HOME #hash \\back"
	cli.create("prod/db", `{"password":"`+v2+`","user":"app"}`)
	cli.mustRun(`{"password":"`+v1+`","user":"app"}`, "put", "prod/db") // AWSPREVIOUS now holds v2
	trickyJSON, _ := json.Marshal(map[string]string{"TRICKY": tricky})
	cli.create("prod/tricky", string(trickyJSON))
	cli.create("prod/plain-token", v1)

	dir := t.TempDir()
	refs := filepath.Join(dir, ".env.refs")
	os.WriteFile(refs, []byte(`# references only: safe to commit
WHOLE=secretctl://prod/plain-token
DB_PASSWORD=secretctl://prod/db#password
OLD_PASSWORD=secretctl://prod/db?stage=AWSPREVIOUS#password
OLD_JSON_PASSWORD=secretctl://prod/db#password?stage=AWSPREVIOUS
LITERAL="quoted \"literal\" with = sign"
REQUIRED=
`), 0o600)
	p.env = []string{"REQUIRED=from-caller"}
	r := p.run("exec", "--env-file", refs, "--secret", "prod/tricky", "--", "sh", "-c",
		`printf '%s\n' "$WHOLE" "$DB_PASSWORD" "$OLD_PASSWORD" "$OLD_JSON_PASSWORD" "$LITERAL" "$REQUIRED"; printf '%s' "$TRICKY"`)
	want := strings.Join([]string{v1, v1, v2, v2, `quoted "literal" with = sign`, "from-caller", tricky}, "\n")
	if r.code != 0 || r.out != want {
		t.Errorf("exit %d, stderr %q\n got %q\nwant %q", r.code, r.errOut, r.out, want)
	}
	p.env = nil
	r = p.run("exec", "--env-file", refs, "--", "true")
	if r.code != 2 || r.errOut != "secretctl: missing variable REQUIRED (required by "+refs+":7)\n" {
		t.Errorf("required variable missing: exit %d, stderr %q", r.code, r.errOut)
	}
	bad := filepath.Join(dir, ".env.bad")
	os.WriteFile(bad, []byte("A=secretctl://prod/db#nokey\nB=secretctl://prod/none\nC=secretctl://prod/db?stage=NOPE\n"), 0o600)
	r = p.run("exec", "--env-file", bad, "--", "true")
	if r.code != 2 || strings.Count(r.errOut, "\n") != 1 || !strings.Contains(r.errOut, `no such key "nokey"`) ||
		!strings.Contains(r.errOut, "prod/none (not found)") || !strings.Contains(r.errOut, "not found with stage NOPE") {
		t.Errorf("bad refs: exit %d, stderr %q", r.code, r.errOut)
	}
	assertNoLeak(t, v1, r.errOut)
	assertNoLeak(t, v2, r.errOut)
}

func TestExecNoLeakInProcessList(t *testing.T) {
	p, cli := newProc(t)
	v := canary(t)
	cli.create("app/token", v)
	for _, mask := range []string{"--mask", "--override"} {
		cmd := p.cmd("exec", mask, "--secret", "app/token", "--", "sh", "-c", `echo ready; sleep 5`)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		sc.Scan()
		checkNoCmdline(t, v)
		cmd.Process.Kill()
		cmd.Wait()
	}
}
