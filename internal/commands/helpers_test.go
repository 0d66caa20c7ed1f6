package commands

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/k8s/k8stest"
	"github.com/secretctl/secretctl/internal/ui"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestMain lets tests run the test binary as the secretctl program:
// SECRETCTL_TEST_MAIN=1 os.Args[0] args... behaves like secretctl args...
func TestMain(m *testing.M) {
	if os.Getenv("SECRETCTL_TEST_MAIN") == "1" {
		os.Exit(Main("test"))
	}
	os.Exit(k8stest.Main(m)) // m.Run, then stop the Kubernetes test cluster if a test started it
}

// testEnv is the environment a test factory sees.
type testEnv map[string]string

func (e testEnv) get(k string) string { return e[k] }

// testCLI runs commands against one factory configuration.
type testCLI struct {
	t     *testing.T
	env   testEnv
	now   time.Time
	tty   bool
	width int // the terminal's width when tty is set; 0 is no limit
	home  string
}

// newTestCLI returns a CLI with a fresh local store in a temporary
// SECRETCTL_HOME and a fixed clock.
func newTestCLI(t *testing.T) *testCLI {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	return &testCLI{
		t:    t,
		env:  testEnv{"SECRETCTL_HOME": home, "HOME": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir()},
		now:  time.Date(2026, 3, 14, 11, 20, 0, 0, time.UTC),
		home: home,
	}
}

type result struct {
	code        int
	out, errOut string
}

// run executes args with stdin and returns the exit code and outputs.
func (c *testCLI) run(stdin string, args ...string) result {
	c.t.Helper()
	io, in, out, errOut := ui.Test()
	in.WriteString(stdin)
	if c.tty {
		io.SetStdoutTTY(true)
		io.SetTerminalWidth(c.width)
	}
	f := NewFactory(io, "test")
	f.Getenv = c.env.get
	now := c.now
	c.now = c.now.Add(time.Minute) // each command runs a minute after the last
	f.Now = func() time.Time { return now }
	code := Run(context.Background(), f, args)
	return result{code: code, out: out.String(), errOut: errOut.String()}
}

// mustRun runs args and fails the test unless the exit code is 0.
func (c *testCLI) mustRun(stdin string, args ...string) result {
	c.t.Helper()
	r := c.run(stdin, args...)
	if r.code != 0 {
		c.t.Fatalf("secretctl %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.errOut)
	}
	return r
}

// assertNoLeak fails if canary appears in any of the outputs.
func assertNoLeak(t *testing.T, canary string, outputs ...string) {
	t.Helper()
	for i, o := range outputs {
		if strings.Contains(o, canary) {
			t.Errorf("output %d leaks the secret value: %q", i, o)
		}
	}
}

// canary returns a unique value that must not leak.
func canary(t *testing.T) string {
	return "canary-" + strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()) + "-" + time.Now().Format("150405.000000000")
}

var (
	reSuffix = regexp.MustCompile(`(secret:[A-Za-z0-9/_+=.@-]+)-[A-Za-z0-9]{6}\b`)
)

// normalise replaces what changes between runs: the random ARN suffix.
func normalise(s string) string {
	return reSuffix.ReplaceAllString(s, "$1-XXXXXX")
}

// golden compares got with testdata/golden/<Test>/<name>.golden.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", strings.Split(t.Name(), "/")[0], name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs from the golden file %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

// awsEnv gives the real SDK, configured as in production, static
// credentials in the process environment and no shared config.
func awsEnv(t *testing.T, keyID, key string) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", keyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", key)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// awsCLI is a CLI on the AWS backend in us-east-1 at endpoint (kumo, a
// replay server or serve), with awsEnv's credentials.
func awsCLI(t *testing.T, endpoint, keyID, key string) *testCLI {
	t.Helper()
	awsEnv(t, keyID, key)
	c := newTestCLI(t)
	c.env["SECRETCTL_BACKEND"] = "aws"
	c.env["SECRETCTL_REGION"] = "us-east-1"
	c.env["SECRETCTL_ENDPOINT_URL"] = endpoint
	return c
}
