package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/ui"
)

type scanResult struct {
	code        int
	out, errOut string
}

// runScanCLI runs secretctl with args, stdin and the environment env.
func runScanCLI(t *testing.T, env map[string]string, stdin string, args ...string) scanResult {
	t.Helper()
	io, in, out, errOut := ui.Test()
	in.WriteString(stdin)
	f := NewFactory(io, "test")
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["SECRETCTL_HOME"]; !ok {
		env["SECRETCTL_HOME"] = t.TempDir()
		env["XDG_CONFIG_HOME"] = t.TempDir()
	}
	f.Getenv = func(k string) string { return env[k] }
	code := Run(context.Background(), f, args)
	return scanResult{code: code, out: out.String(), errOut: errOut.String()}
}

func scanLeak(t *testing.T, canary string, r scanResult) {
	t.Helper()
	if strings.Contains(r.out, canary) || strings.Contains(r.errOut, canary) {
		t.Fatalf("canary leaked:\nstdout: %s\nstderr: %s", r.out, r.errOut)
	}
}

func seedApp(t *testing.T, envRefs bool) string {
	t.Helper()
	dir := t.TempDir()
	src := `module.exports = {
  db: { host: 'db.internal', password: 'Canary-Seed-pw-81!' },
  api: { key: 'sk-canary1234567890ab' },
  ui: { key: 'name' },
};
`
	if envRefs {
		src = `module.exports = {
  db: { host: 'db.internal', password: process.env.DB_PASSWORD },
  api: { key: process.env.API_KEY },
  ui: { key: 'name' },
};
`
	}
	if err := os.WriteFile(filepath.Join(dir, "config.js"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestScanSeedApp(t *testing.T) {
	dir := seedApp(t, false)
	r := runScanCLI(t, nil, "", "scan", dir)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.out, r.errOut)
	}
	lines := strings.Split(strings.TrimSpace(r.out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "config.js\t2\t") || !strings.Contains(lines[1], "config.js\t3\t") {
		t.Fatalf("table output:\n%s", r.out)
	}
	scanLeak(t, "Canary-Seed-pw-81!", r)
	scanLeak(t, "sk-canary1234567890ab", r)
	if r.errOut != "" {
		t.Errorf("stderr not empty when piped: %q", r.errOut)
	}

	clean := seedApp(t, true)
	if r := runScanCLI(t, nil, "", "scan", clean); r.code != 0 || r.out != "" {
		t.Fatalf("env-ref app: exit %d, out %q, err %q", r.code, r.out, r.errOut)
	}

	r = runScanCLI(t, nil, "", "scan", dir, "--no-redact", "--format", "json")
	if r.code != 1 || !strings.Contains(r.out, "Canary-Seed-pw-81!") {
		t.Fatalf("--no-redact json: exit %d\n%s", r.code, r.out)
	}
	if r := runScanCLI(t, nil, "", "scan", dir, "--exit-code", "7"); r.code != 7 {
		t.Fatalf("--exit-code 7: exit %d", r.code)
	}
	if r := runScanCLI(t, map[string]string{"SECRETCTL_EXIT_CODE": "0"}, "", "scan", dir); r.code != 0 {
		t.Fatalf("SECRETCTL_EXIT_CODE=0: exit %d", r.code)
	}
}

// TestScanTTYSummary: a terminal gets a summary line on stderr; a pipe gets
// nothing there (see TestScanSeedApp).
func TestScanTTYSummary(t *testing.T) {
	dir := seedApp(t, false)
	io, _, out, errOut := ui.Test()
	io.SetStderrTTY(true)
	f := NewFactory(io, "test")
	f.Getenv = func(k string) string { return map[string]string{"SECRETCTL_HOME": t.TempDir()}[k] }
	if code := Run(context.Background(), f, []string{"scan", dir, "--format", "json"}); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(errOut.String(), "2 finding(s) in 1 file(s)") {
		t.Fatalf("stderr on a TTY: %q", errOut.String())
	}
	scanLeak(t, "Canary-Seed-pw-81!", scanResult{out: out.String(), errOut: errOut.String()})
}

func TestScanUsageErrors(t *testing.T) {
	dir := seedApp(t, false)
	for _, args := range [][]string{
		{"scan", dir, "--format", "xml"},
		{"scan", dir, "--report-path", "yaml=out.yaml"},
		{"scan", dir, "--since", "1.week.ago"},
		{"scan", "--git", "--staged", dir},
		{"scan", "-", dir},
		{"scan", filepath.Join(dir, "missing")},
	} {
		r := runScanCLI(t, nil, "", args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
		if !strings.HasPrefix(r.errOut, "secretctl: ") || r.out != "" {
			t.Errorf("%v: stderr %q stdout %q", args, r.errOut, r.out)
		}
	}
	r := runScanCLI(t, nil, "", "scan", dir, "--format", "xml")
	if r.errOut != "secretctl: scan: unknown format \"xml\" (want table, json, sarif, junit, csv)\n" {
		t.Errorf("unknown format: want one line, got %q", r.errOut)
	}
}

func TestScanReportsAndStdin(t *testing.T) {
	dir := seedApp(t, false)
	out := t.TempDir()
	sarif, js := filepath.Join(out, "r.sarif"), filepath.Join(out, "r.json")
	r := runScanCLI(t, nil, "", "scan", dir, "--report-path", "sarif="+sarif, "--report-path", "json="+js, "--format", "csv")
	if r.code != 1 || !strings.HasPrefix(r.out, "RuleID,") {
		t.Fatalf("exit %d, stdout %q", r.code, r.out)
	}
	for _, p := range []string{sarif, js} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("Canary-Seed-pw-81!")) {
			t.Fatalf("%s holds the raw secret", p)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	// A plain FILE takes --format, and stdout stays empty.
	r = runScanCLI(t, nil, "", "scan", dir, "--format", "json", "--report-path", filepath.Join(out, "plain"))
	if b, _ := os.ReadFile(filepath.Join(out, "plain")); r.code != 1 || r.out != "" || !bytes.HasPrefix(b, []byte("[")) {
		t.Fatalf("--format json --report-path F: exit %d, stdout %q, file %q", r.code, r.out, b)
	}
	b, _ := os.ReadFile(sarif)
	if !bytes.Contains(b, []byte(`"version": "2.1.0"`)) {
		t.Fatalf("sarif: %s", b)
	}

	r = runScanCLI(t, nil, "export DB_PASSWORD='Canary-Stdin-pw-4471'\n", "scan", "-", "--format", "json")
	if r.code != 1 || !strings.Contains(r.out, `"File": "stdin"`) {
		t.Fatalf("stdin: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	scanLeak(t, "Canary-Stdin-pw-4471", r)
	if r := runScanCLI(t, nil, "just text\n", "scan", "-"); r.code != 0 {
		t.Fatalf("clean stdin: exit %d", r.code)
	}
}

func TestScanBaselineCLI(t *testing.T) {
	dir := seedApp(t, false)
	base := filepath.Join(t.TempDir(), "baseline.json")
	r := runScanCLI(t, nil, "", "scan", dir, "--write-baseline", base)
	if r.code != 0 || !strings.Contains(r.errOut, "wrote 2 finding(s)") {
		t.Fatalf("write-baseline: exit %d, %q", r.code, r.errOut)
	}
	b, _ := os.ReadFile(base)
	if bytes.Contains(b, []byte("Canary-Seed-pw-81!")) {
		t.Fatal("baseline holds the raw secret")
	}
	// An edit above the findings does not resurrect them.
	src, _ := os.ReadFile(filepath.Join(dir, "config.js"))
	os.WriteFile(filepath.Join(dir, "config.js"), append([]byte("// header\n// more\n"), src...), 0o644)
	if r := runScanCLI(t, nil, "", "scan", dir, "--baseline", base); r.code != 0 || r.out != "" {
		t.Fatalf("with baseline: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	// Removing a secret leaves a stale entry, reported on stderr.
	os.WriteFile(filepath.Join(dir, "config.js"), []byte("module.exports = { api: { key: 'sk-canary1234567890ab' } };\n"), 0o644)
	r = runScanCLI(t, nil, "", "scan", dir, "--baseline", base)
	if r.code != 0 || !strings.Contains(r.errOut, "baseline entry no longer found") {
		t.Fatalf("stale: exit %d, stderr %q", r.code, r.errOut)
	}
}

func TestScanGitCLI(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git not installed: CI needs it for the history scans")
		}
		t.Skip("git not installed")
	}
	dir := seedApp(t, false)
	gitc := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com", "GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	gitc("init", "-q", "-b", "main")
	gitc("add", ".")
	gitc("commit", "-q", "-m", "seed")
	os.WriteFile(filepath.Join(dir, "config.js"), []byte("module.exports = { db: { password: process.env.DB_PASSWORD } };\n"), 0o644)
	gitc("commit", "-q", "-am", "env")
	if r := runScanCLI(t, nil, "", "scan", dir); r.code != 0 {
		t.Fatalf("working tree: exit %d\n%s", r.code, r.out)
	}
	r := runScanCLI(t, nil, "", "scan", "--git", dir, "--format", "json")
	if r.code != 1 || strings.Count(r.out, `"RuleID"`) != 2 || !strings.Contains(r.out, `"Author": "Dev"`) {
		t.Fatalf("--git: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	os.WriteFile(filepath.Join(dir, "new.env"), []byte("API_TOKEN=Canary-Staged-tok-9911\n"), 0o644)
	gitc("add", "new.env")
	r = runScanCLI(t, nil, "", "scan", "--staged", dir)
	if r.code != 1 || !strings.Contains(r.out, "new.env") {
		t.Fatalf("--staged: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	scanLeak(t, "Canary-Staged-tok-9911", r)
	if r := runScanCLI(t, nil, "", "scan", "--git", t.TempDir()); r.code != 2 {
		t.Fatalf("--git outside a repository: exit %d", r.code)
	}
	r = runScanCLI(t, nil, "", "scan", "--git", "--range", "no-such-rev..HEAD", dir)
	if r.code != 2 || strings.Count(r.errOut, "\n") != 1 || !strings.Contains(r.errOut, "bad --range") {
		t.Fatalf("--git --range with an unknown revision: exit %d, stderr %q (want 2 and one line)", r.code, r.errOut)
	}
}
