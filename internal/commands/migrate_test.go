package commands

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/ui"
)

func TestMigrateFlags(t *testing.T) {
	for _, c := range []struct {
		argv string
		want MigrateOptions
	}{
		{"migrate --to prod/app", MigrateOptions{Path: ".", To: "prod/app", EnvExample: ".env.example", Output: ui.FormatTable}},
		{"migrate src --to prod/app --split --rds --apply --allow-dirty --overwrite --env-example env.sample", MigrateOptions{Path: "src", To: "prod/app", Split: true, RDS: true, Apply: true, AllowDirty: true, Overwrite: true, EnvExample: "env.sample", Output: ui.FormatTable}},
		{"migrate --to prod/app --check -o json --rules r.toml --baseline b.json --no-git-ignore", MigrateOptions{Path: ".", To: "prod/app", Check: true, EnvExample: ".env.example", Output: ui.FormatJSON, Rules: "r.toml", Baseline: "b.json", NoGitIgn: true}},
	} {
		io, _, _, _ := ui.Test()
		f := NewFactory(io, "test")
		f.Getenv = func(string) string { return "" }
		var got *MigrateOptions
		root := NewRootCmd(f)
		for _, sub := range root.Commands() {
			if sub.Name() == "migrate" {
				root.RemoveCommand(sub)
			}
		}
		root.AddCommand(newMigrateCmd(f, func(_ context.Context, o *MigrateOptions) error { got = o; return nil }))
		root.SetArgs(strings.Fields(c.argv))
		if err := root.Execute(); err != nil {
			t.Fatalf("%s: %v", c.argv, err)
		}
		got.IO, got.Store = nil, nil
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.argv, *got, c.want)
		}
	}
}

// sampleApp is a git repository holding the seed's sample config.js.
func sampleApp(t *testing.T) (dir string, values []string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed")
		}
		t.Skip("git is not installed")
	}
	b, err := os.ReadFile(filepath.Join("..", "migrate", "testdata", "sample", "config.js"))
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.js"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "seed"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	vb, err := os.ReadFile(filepath.Join("..", "migrate", "testdata", "sample-values.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(vb, &m); err != nil {
		t.Fatal(err)
	}
	return dir, []string{m["DATABASE_PASSWORD"], m["API_KEY"], m["API_SECRET"]}
}

func TestMigrateCommand(t *testing.T) {
	c := newTestCLI(t)
	dir, values := sampleApp(t)
	orig, _ := os.ReadFile(filepath.Join(dir, "config.js"))
	noLeak := func(r result) {
		t.Helper()
		for _, v := range values {
			assertNoLeak(t, v, r.out, r.errOut)
		}
	}

	dry := c.mustRun("", "migrate", dir, "--to", "prod/myapp")
	noLeak(dry)
	for _, want := range []string{"3 value(s) to migrate into prod/myapp", "→ DATABASE_PASSWORD", "-    password: '****',", "+    password: process.env.DATABASE_PASSWORD,", "--rds"} {
		if !strings.Contains(dry.out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, dry.out)
		}
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "config.js")); string(now) != string(orig) {
		t.Fatal("the dry run changed config.js")
	}
	if r := c.run("", "get", "prod/myapp"); r.code != 2 {
		t.Errorf("the dry run stored the secret (get exit %d)", r.code)
	}

	js := c.mustRun("", "migrate", dir, "--to", "prod/myapp", "-o", "json")
	noLeak(js)
	var doc struct {
		DryRun  bool `json:"dryRun"`
		Migrate int  `json:"migrate"`
		Items   []struct {
			Env, Action string
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(js.out), &doc); err != nil || !doc.DryRun || doc.Migrate != 3 || len(doc.Items) != 3 {
		t.Errorf("json plan = %+v (err %v)", doc, err)
	}

	if r := c.run("", "migrate", dir, "--to", "prod/myapp", "--check"); r.code != 1 {
		t.Errorf("--check before the migration: exit %d; want 1", r.code)
	}
	applied := c.mustRun("", "migrate", dir, "--to", "prod/myapp", "--apply")
	noLeak(applied)
	if !strings.Contains(applied.errOut, "created prod/myapp") || !strings.Contains(applied.errOut, "rewrote ") {
		t.Errorf("apply stderr:\n%s", applied.errOut)
	}
	if r := c.run("", "scan", dir); r.code != 0 {
		t.Errorf("scan after --apply: exit %d\n%s", r.code, r.out)
	}
	if r := c.run("", "migrate", dir, "--check"); r.code != 0 {
		t.Errorf("--check after --apply: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	got := c.mustRun("", "get", "prod/myapp", "--key", "DATABASE_PASSWORD")
	if strings.TrimSpace(got.out) != values[0] {
		t.Error("the stored DATABASE_PASSWORD is not the value from config.js")
	}
}

func TestMigrateErrors(t *testing.T) {
	c := newTestCLI(t)
	dir, values := sampleApp(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", dir, "--apply"}, "--apply needs --to NAME"},
		{[]string{"migrate", dir, "--to", "bad name!"}, "--to bad name!"},
		{[]string{"migrate", dir, "--to", "p/a", "--apply", "--check"}, "cannot be combined"},
		{[]string{"migrate", filepath.Join(dir, "missing"), "--to", "p/a"}, "no such file"},
		{[]string{"migrate", dir, "--to", "p/a", "-o", "yaml"}, "invalid"},
	} {
		r := c.run("", tc.args...)
		if r.code != 2 || !strings.Contains(r.errOut, tc.want) || strings.Count(strings.TrimSpace(r.errOut), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line with %q", tc.args, r.code, r.errOut, tc.want)
		}
	}
	// A different stored value is a conflict: exit 2, one line, no value.
	c.mustRun(`{"DATABASE_PASSWORD":"canary-migrate-other"}`, "create", "prod/app")
	r := c.run("", "migrate", dir, "--to", "prod/app", "--apply")
	if r.code != 2 || !strings.Contains(r.errOut, "different value for DATABASE_PASSWORD") {
		t.Errorf("conflict: exit %d, stderr %q", r.code, r.errOut)
	}
	for _, v := range append(values, "canary-migrate-other") {
		assertNoLeak(t, v, r.out, r.errOut)
	}
	c.mustRun("", "migrate", dir, "--to", "prod/app", "--apply", "--overwrite")
}
