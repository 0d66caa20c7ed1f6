package commands

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
)

// mainProcess runs the test binary as secretctl in dir, with the test
// CLI's store: exec replaces its process, so it needs a process of its own.
func (c *testCLI) mainProcess(dir string, args ...string) (string, string, error) {
	c.t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SECRETCTL_TEST_MAIN=1")
	for k, v := range c.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if out, err := exec.Command("go", "env", "GOCACHE").Output(); err == nil {
		// the test HOME is empty: keep go run's build cache
		cmd.Env = append(cmd.Env, "GOCACHE="+strings.TrimSpace(string(out)))
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

func needTool(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed", tool)
		}
		t.Skipf("%s is not installed", tool)
	}
}

func plainRun(t *testing.T, dir string, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v", argv, err)
	}
	return string(out)
}

// TestMigrateThenExec is the proof on the seed's sample app, on
// both backends: after migrate --apply, the rewritten config.js run under
// exec prints the original values.
func TestMigrateThenExec(t *testing.T) {
	needTool(t, "node")
	for _, backend := range []string{"local", "aws-kumo"} {
		t.Run(backend, func(t *testing.T) {
			c := newTestCLI(t)
			if backend == "aws-kumo" {
				ep := awsxtest.StartKumo(t)
				t.Setenv("AWS_ACCESS_KEY_ID", "AKIDMIGRATETEST")
				t.Setenv("AWS_SECRET_ACCESS_KEY", "migrate-test-key")
				t.Setenv("AWS_SESSION_TOKEN", "")
				t.Setenv("AWS_PROFILE", "")
				t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
				t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
				t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
				c.env["SECRETCTL_BACKEND"] = "aws"
				c.env["SECRETCTL_REGION"] = "us-east-1"
				c.env["SECRETCTL_ENDPOINT_URL"] = ep
			}
			dir, values := sampleApp(t)
			js := `console.log(JSON.stringify(require("./config.js")))`
			want := plainRun(t, dir, "node", "-e", js)
			c.mustRun("", "migrate", dir, "--to", "prod/myapp", "--apply")
			if r := c.run("", "scan", dir); r.code != 0 {
				t.Errorf("scan after --apply: exit %d", r.code)
			}
			got, errOut, err := c.mainProcess(dir, "exec", "--secret", "prod/myapp", "--", "node", "-e", js)
			if err != nil || got != want {
				t.Fatalf("exec node: %v\n got %q\nwant %q\n%s", err, got, want, errOut)
			}
			for _, v := range values {
				assertNoLeak(t, v, errOut)
			}
		})
	}
}

// TestMigratePolyglotThenExec migrates the polyglot fixture through the
// command, then runs every program whose runtime is here under exec.
func TestMigratePolyglotThenExec(t *testing.T) {
	needTool(t, "git")
	c := newTestCLI(t)
	dir := t.TempDir()
	src := filepath.Join("..", "migrate", "testdata", "polyglot")
	if out, err := exec.Command("cp", "-r", src+"/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "seed"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	programs := []struct {
		dir  string
		argv []string
	}{
		{"py", []string{"python3", "settings.py"}},
		{"go", []string{"go", "run", "main.go"}},
		{"java", []string{"java", "App.java"}},
		{"ruby", []string{"ruby", "app.rb"}},
		{"php", []string{"php", "app.php"}},
		{"shell", []string{"bash", "deploy.sh"}},
		{"make", []string{"make", "-s", "show"}},
		{"terraform", []string{"sh", "-c", `echo 'nonsensitive("${var.db_password} ${local.api_token}")' | terraform console`}},
		{"csharp", []string{"sh", "-c", "mcs -out:Program.exe Program.cs >/dev/null && mono Program.exe"}},
	}
	tools := map[string]string{"terraform": "terraform", "csharp": "mcs"}
	before := map[string]string{}
	for _, p := range programs {
		tool := p.argv[0]
		if tools[p.dir] != "" {
			tool = tools[p.dir]
		}
		if _, err := exec.LookPath(tool); err == nil {
			before[p.dir] = plainRun(t, filepath.Join(dir, p.dir), p.argv...)
		}
	}
	// The plan says how to run the code: exec with these --secret flags.
	var plan struct {
		Run string `json:"run"`
	}
	if err := json.Unmarshal([]byte(c.mustRun("", "migrate", dir, "--to", "prod/poly", "-o", "json").out), &plan); err != nil {
		t.Fatal(err)
	}
	run := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(plan.Run, "secretctl "), " -- COMMAND"))
	for i := range run {
		run[i] = strings.Trim(run[i], "'")
	}
	if !strings.Contains(plan.Run, "'prod/poly#TF_VAR_db_password=TF_VAR_db_password'") {
		t.Errorf("the run line does not name the case-sensitive Terraform variable: %s", plan.Run)
	}
	c.mustRun("", "migrate", dir, "--to", "prod/poly", "--apply")
	if gi, _ := os.ReadFile(filepath.Join(dir, ".gitignore")); string(gi) != "compose/.env\n" {
		t.Errorf(".gitignore = %q", gi)
	}
	if r := c.run("", "migrate", dir, "--to", "prod/poly", "--check"); r.code != 1 || !strings.Contains(r.out, "manual") {
		t.Errorf("--check with the manual Kubernetes and JSON files left: exit %d", r.code)
	}
	for _, p := range programs {
		t.Run(p.dir, func(t *testing.T) {
			needTool(t, p.argv[0])
			if tools[p.dir] != "" {
				needTool(t, tools[p.dir])
			}
			args := append(append(append([]string{}, run...), "--"), p.argv...)
			got, errOut, err := c.mainProcess(filepath.Join(dir, p.dir), args...)
			if err != nil || got != before[p.dir] {
				t.Errorf("exec %v: %v\n got %q\nwant %q\n%s", p.argv, err, got, before[p.dir], errOut)
			}
		})
	}
}
