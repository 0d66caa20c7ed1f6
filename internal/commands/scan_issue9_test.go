package commands

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// scanRepo is a git repository holding one committed secret in src/config.js.
func scanRepo(t *testing.T) (dir string, gitc func(args ...string)) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git not installed: CI needs it for the history scans")
		}
		t.Skip("git not installed")
	}
	dir = t.TempDir()
	gitc = func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com", "GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "src", "config.js"), "module.exports = { db: { password: 'Canary-Paths-pw-4471!' } };\n")
	write(t, filepath.Join(dir, "other.py"), "password = 'Canary-Other-pw-5582'\n")
	gitc("init", "-q", "-b", "main")
	gitc("add", ".")
	gitc("commit", "-q", "-m", "seed")
	return dir, gitc
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Version string `json:"version"`
			} `json:"driver"`
		} `json:"tool"`
		OriginalURIBaseIDs map[string]struct {
			URI string `json:"uri"`
		} `json:"originalUriBaseIds"`
		Results []struct {
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Locations           []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

// A baseline written from inside the repository holds when the repository
// is scanned by absolute path, by a relative path from elsewhere, or from a
// subdirectory; fingerprints and SARIF URIs are the same in every form.
func TestScanPathFormsSameNames(t *testing.T) {
	dir, _ := scanRepo(t)
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(t.TempDir(), "baseline.json")
	t.Chdir(dir)
	if r := runScanCLI(t, nil, "", "scan", "--write-baseline", base); r.code != 0 {
		t.Fatalf("write-baseline: exit %d %s", r.code, r.errOut)
	}
	parent := filepath.Dir(dir)
	forms := []struct{ cwd, path string }{
		{dir, "."},
		{dir, dir},
		{parent, filepath.Base(dir)},
		{t.TempDir(), dir},
		{filepath.Join(dir, "src"), ".."},
	}
	var wantFP, wantURI []string
	for _, fm := range forms {
		t.Chdir(fm.cwd)
		r := runScanCLI(t, nil, "", "scan", fm.path, "--baseline", base)
		if r.code != 0 || r.out != "" || strings.Contains(r.errOut, "no longer found") {
			t.Fatalf("cwd %s, scan %s --baseline: exit %d\n%s%s", fm.cwd, fm.path, r.code, r.out, r.errOut)
		}
		r = runScanCLI(t, nil, "", "scan", fm.path, "--format", "sarif")
		if r.code != 1 {
			t.Fatalf("cwd %s, scan %s: exit %d %s", fm.cwd, fm.path, r.code, r.errOut)
		}
		var doc sarifDoc
		if err := json.Unmarshal([]byte(r.out), &doc); err != nil || len(doc.Runs) != 1 {
			t.Fatalf("sarif: %v\n%s", err, r.out)
		}
		run := doc.Runs[0]
		if got := run.OriginalURIBaseIDs["%SRCROOT%"].URI; got != "file://"+filepath.ToSlash(real)+"/" {
			t.Errorf("cwd %s, scan %s: %%SRCROOT%% = %q, want file://%s/", fm.cwd, fm.path, got, real)
		}
		if run.Tool.Driver.Version != "test" {
			t.Errorf("tool.driver.version = %q, want test", run.Tool.Driver.Version)
		}
		var fps, uris []string
		for _, res := range run.Results {
			al := res.Locations[0].PhysicalLocation.ArtifactLocation
			if al.URIBaseID != "%SRCROOT%" {
				t.Errorf("uriBaseId = %q", al.URIBaseID)
			}
			fps = append(fps, res.PartialFingerprints["secretctl/v1"])
			uris = append(uris, al.URI)
		}
		if strings.Join(uris, ",") != "other.py,src/config.js" {
			t.Errorf("cwd %s, scan %s: uris %v, want [other.py src/config.js]", fm.cwd, fm.path, uris)
		}
		if wantFP == nil {
			wantFP, wantURI = fps, uris
		} else if strings.Join(fps, ",") != strings.Join(wantFP, ",") || strings.Join(uris, ",") != strings.Join(wantURI, ",") {
			t.Errorf("cwd %s, scan %s: fingerprints %v, uris %v; want %v, %v", fm.cwd, fm.path, fps, uris, wantFP, wantURI)
		}
		scanLeak(t, "Canary-Paths-pw-4471!", r)
	}
	// A subdirectory is named from the repository root too.
	t.Chdir(t.TempDir())
	r := runScanCLI(t, nil, "", "scan", filepath.Join(dir, "src"), "--format", "json")
	if !strings.Contains(r.out, `"File": "src/config.js"`) {
		t.Fatalf("scan of a subdirectory:\n%s", r.out)
	}
}

// Baselines of earlier versions named files as the path was typed: an
// absolute path, or one relative to the working directory. They still work.
func TestScanOldBaselinePathForms(t *testing.T) {
	dir, _ := scanRepo(t)
	base := filepath.Join(t.TempDir(), "baseline.json")
	t.Chdir(dir)
	if r := runScanCLI(t, nil, "", "scan", "--write-baseline", base); r.code != 0 {
		t.Fatalf("write-baseline: exit %d %s", r.code, r.errOut)
	}
	b, _ := os.ReadFile(base)
	for _, prefix := range []string{dir + "/", "../" + filepath.Base(dir) + "/"} {
		old := strings.ReplaceAll(strings.ReplaceAll(string(b), `"src/`, `"`+prefix+`src/`), `"other.py`, `"`+prefix+`other.py`)
		if !strings.Contains(old, prefix+"src/config.js:") {
			t.Fatalf("rewrite failed:\n%s", old)
		}
		oldBase := filepath.Join(t.TempDir(), "old.json")
		write(t, oldBase, old)
		r := runScanCLI(t, nil, "", "scan", dir, "--baseline", oldBase)
		if r.code != 0 || strings.Contains(r.errOut, "no longer found") {
			t.Fatalf("baseline with %q paths: exit %d\n%s%s", prefix, r.code, r.out, r.errOut)
		}
	}
}

// A staged scan judges no baseline entry stale: it sees only the lines a
// commit adds, never the files it leaves alone.
func TestScanStagedBaselineNotStale(t *testing.T) {
	dir, gitc := scanRepo(t)
	base := filepath.Join(t.TempDir(), "baseline.json")
	if r := runScanCLI(t, nil, "", "scan", dir, "--write-baseline", base); r.code != 0 {
		t.Fatalf("write-baseline: exit %d %s", r.code, r.errOut)
	}
	write(t, filepath.Join(dir, "README.md"), "# app\n")
	gitc("add", "README.md")
	r := runScanCLI(t, nil, "", "scan", "--staged", dir, "--baseline", base)
	if r.code != 0 || r.errOut != "" {
		t.Fatalf("--staged --baseline: exit %d, stderr %q", r.code, r.errOut)
	}
	// A scan of part of the tree judges only the files it read.
	r = runScanCLI(t, nil, "", "scan", filepath.Join(dir, "src"), "--baseline", base)
	if r.code != 0 || r.errOut != "" {
		t.Fatalf("scan src --baseline: exit %d, stderr %q", r.code, r.errOut)
	}
	// A finding gone from a scanned file is still stale.
	write(t, filepath.Join(dir, "other.py"), "password = os.environ['PW']\n")
	r = runScanCLI(t, nil, "", "scan", dir, "--baseline", base)
	if r.code != 0 || strings.Count(r.errOut, "no longer found") != 1 || !strings.Contains(r.errOut, "other.py") {
		t.Fatalf("stale: exit %d, stderr %q", r.code, r.errOut)
	}
}

func TestScanShallowCloneWarns(t *testing.T) {
	dir, gitc := scanRepo(t)
	write(t, filepath.Join(dir, "README.md"), "# app\n")
	gitc("add", "README.md")
	gitc("commit", "-q", "-m", "readme")
	clone := filepath.Join(t.TempDir(), "clone")
	if out, err := exec.Command("git", "clone", "-q", "--depth", "1", "file://"+dir, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone --depth 1: %v %s", err, out)
	}
	r := runScanCLI(t, nil, "", "scan", "--git", clone)
	lines := strings.Split(strings.TrimSpace(r.errOut), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "shallow clone") || !strings.Contains(lines[0], "git fetch --unshallow") {
		t.Fatalf("shallow clone: exit %d, stderr %q", r.code, r.errOut)
	}
	// The full repository: no warning.
	r = runScanCLI(t, nil, "", "scan", "--git", dir)
	if strings.Contains(r.errOut, "shallow") {
		t.Fatalf("full clone warned: %q", r.errOut)
	}
}

func TestScanExitCodeRange(t *testing.T) {
	dir := seedApp(t, false)
	for _, v := range []string{"300", "-1", "256"} {
		r := runScanCLI(t, nil, "", "scan", dir, "--exit-code", v)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.errOut), "\n") != 0 || !strings.Contains(r.errOut, "0 to 255") {
			t.Errorf("--exit-code %s: exit %d, stderr %q", v, r.code, r.errOut)
		}
	}
	for v, want := range map[string]int{"255": 255, "0": 0, "7": 7} {
		if r := runScanCLI(t, nil, "", "scan", dir, "--exit-code", v); r.code != want {
			t.Errorf("--exit-code %s: exit %d", v, r.code)
		}
	}
}

func TestScanGitleaksHabits(t *testing.T) {
	dir := seedApp(t, false)
	want := runScanCLI(t, nil, "", "scan", dir, "--format", "json")
	if r := runScanCLI(t, nil, "", "scan", dir, "--report-format", "json"); r.code != 1 || r.out != want.out {
		t.Errorf("--report-format json: exit %d\n%s", r.code, r.out)
	}
	rep := filepath.Join(t.TempDir(), "leaks.out")
	if r := runScanCLI(t, nil, "", "scan", dir, "--report-format", "sarif", "--report-path", rep); r.code != 1 || r.out != "" {
		t.Errorf("--report-format sarif --report-path: exit %d\n%s", r.code, r.out)
	}
	if b, _ := os.ReadFile(rep); !strings.Contains(string(b), `"$schema"`) {
		t.Errorf("report is not SARIF:\n%s", b)
	}
	if r := runScanCLI(t, nil, "", "scan", dir, "--redact"); r.code != 1 || r.out != runScanCLI(t, nil, "", "scan", dir).out {
		t.Errorf("--redact: exit %d %s", r.code, r.errOut)
	}
	base := filepath.Join(t.TempDir(), "b.json")
	runScanCLI(t, nil, "", "scan", dir, "--write-baseline", base)
	if r := runScanCLI(t, nil, "", "scan", dir, "--baseline-path", base); r.code != 0 {
		t.Errorf("--baseline-path: exit %d %s", r.code, r.errOut)
	}
	for _, args := range [][]string{{"-v"}, {"--verbose"}, {"--redact=50"}, {"--redact", "--no-redact"}} {
		r := runScanCLI(t, nil, "", append([]string{"scan", dir}, args...)...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.errOut), "\n") != 0 || r.out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.out, r.errOut)
		}
		scanLeak(t, "Canary-Seed-pw-81!", r)
	}
}

// `scan --config .gitleaks.toml` takes gitleaks' config file as rules.
func TestScanGitleaksConfigFlag(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "notes.txt"), "token canary-zq7k3m9p2x4w\n")
	cfg := filepath.Join(t.TempDir(), ".gitleaks.toml")
	write(t, cfg, "title = \"team rules\"\n\n[extend]\nuseDefault = true\n\n[[rules]]\nid = \"team-token\"\ndescription = \"Team token\"\nregex = '''canary-[a-z0-9]{12}'''\nkeywords = [\"canary-\"]\n")
	if r := runScanCLI(t, nil, "", "scan", dir); r.code != 0 {
		t.Fatalf("without the config: exit %d\n%s", r.code, r.out)
	}
	r := runScanCLI(t, nil, "", "scan", "--config", cfg, dir)
	if r.code != 1 || !strings.Contains(r.out, "team-token") {
		t.Fatalf("--config %s: exit %d\n%s%s", cfg, r.code, r.out, r.errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	write(t, bad, "[[rules]\nid = \n")
	r = runScanCLI(t, nil, "", "scan", "--config", bad, dir)
	if r.code != 2 || strings.Count(strings.TrimSpace(r.errOut), "\n") != 0 || strings.Contains(r.errOut, "yaml") {
		t.Fatalf("bad TOML: exit %d, stderr %q", r.code, r.errOut)
	}
	if r := runScanCLI(t, nil, "", "scan", "--config", cfg, "--rules", cfg, dir); r.code != 2 {
		t.Fatalf("--config and --rules: exit %d", r.code)
	}
}
