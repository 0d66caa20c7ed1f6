package commands

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/secretctl/secretctl/internal/ui"
)

// trickyValues are values a file format must carry exactly.
func trickyValues(t *testing.T) map[string]string {
	c := canary(t)
	return map[string]string{
		"API_KEY":     c + "-plain",
		"DB_PASSWORD": c + ` it's "quoted" $HOME ${X} %{y} #hash a=b \back`,
		"MULTI":       c + "\nsecond line\n\ttabbed\r\n",
		"NUMBERISH":   "5432",
		"BOOLISH":     "true",
		"EMPTY":       "",
		"UNICODE":     c + " é ü 日本",
	}
}

func seedTricky(t *testing.T, cli *testCLI, name string) map[string]string {
	vals := trickyValues(t)
	b, _ := jsonMarshal(vals)
	cli.create(name, string(b))
	return vals
}

// TestExportImportRoundTrip: export → import → export gives the same bytes,
// for every format import reads, into one secret and split.
func TestExportImportRoundTrip(t *testing.T) {
	cli := newTestCLI(t)
	vals := seedTricky(t, cli, "src/app")
	dir := t.TempDir()
	for _, format := range []string{"dotenv", "json", "yaml"} {
		for _, split := range []bool{false, true} {
			first := cli.mustRun("", "export", "src/app", "--format", format)
			file := filepath.Join(dir, "f."+format)
			os.WriteFile(file, []byte(first.out), 0o600)
			to := "copy/" + format
			args := []string{"import", file, "--format", format, "--to", to}
			if split {
				to += "-split/"
				args = []string{"import", file, "--format", format, "--to", to, "--split"}
			}
			imp := cli.run("", args...)
			if split {
				// An empty value cannot be a secret of its own.
				if imp.code != 2 || !strings.Contains(imp.errOut, "key EMPTY") {
					t.Errorf("%s split with an empty value: exit %d, stderr %q", format, imp.code, imp.errOut)
				}
				continue
			}
			if imp.code != 0 {
				t.Fatalf("%s import: exit %d, stderr %q", format, imp.code, imp.errOut)
			}
			second := cli.mustRun("", "export", to, "--format", format)
			if second.out != first.out {
				t.Errorf("%s round trip differs:\n%q\n%q", format, first.out, second.out)
			}
			for _, v := range vals {
				if len(v) > 8 {
					assertNoLeak(t, v, imp.out, imp.errOut, first.errOut)
				}
			}
		}
	}
	// Split, without the empty value: export PREFIX/ maps each plain
	// secret to its last path segment, the key it came from.
	delete(vals, "EMPTY")
	b, _ := jsonMarshal(vals)
	cli.mustRun(string(b), "put", "src/app")
	for _, format := range []string{"dotenv", "json", "yaml"} {
		first := cli.mustRun("", "export", "src/app", "--format", format)
		file := filepath.Join(dir, "s."+format)
		os.WriteFile(file, []byte(first.out), 0o600)
		cli.mustRun("", "import", file, "--to", "split/"+format, "--split")
		second := cli.mustRun("", "export", "split/"+format+"/", "--format", format)
		if second.out != first.out {
			t.Errorf("%s split round trip differs:\n%q\n%q", format, first.out, second.out)
		}
	}
}

// TestExportFormatsParse: each format read back by its own consumer: the
// shell evals the shell output, HCL parses tfvars, node reads the JSON.
func TestExportFormatsParse(t *testing.T) {
	cli := newTestCLI(t)
	vals := seedTricky(t, cli, "src/app")

	sh := cli.mustRun("", "export", "src/app", "--format", "shell")
	for name, want := range vals {
		out, err := exec.Command("sh", "-c", sh.out+"\nprintf '%s' \"$"+name+"\"").Output()
		if err != nil || string(out) != want {
			t.Errorf("shell %s: %q (%v), want %q", name, out, err, want)
		}
	}

	tf := cli.mustRun("", "export", "src/app", "--format", "tfvars")
	f, diags := hclparse.NewParser().ParseHCL([]byte(tf.out), "secret.tfvars")
	if diags.HasErrors() {
		t.Fatalf("tfvars does not parse: %v", diags)
	}
	attrs, _ := f.Body.JustAttributes()
	for name, want := range vals {
		a, ok := attrs[name]
		if !ok {
			t.Errorf("tfvars lacks %s", name)
			continue
		}
		v, d := a.Expr.Value(nil)
		if d.HasErrors() || v.AsString() != want {
			t.Errorf("tfvars %s = %q, want %q", name, v.AsString(), want)
		}
	}

	if node, err := exec.LookPath("node"); err == nil {
		js := cli.mustRun("", "export", "src/app", "--format", "json")
		cmd := exec.Command(node, "-e", `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const o=JSON.parse(s);process.stdout.write(o.MULTI+'|'+o.DB_PASSWORD)})`)
		cmd.Stdin = strings.NewReader(js.out)
		out, err := cmd.Output()
		if err != nil || string(out) != vals["MULTI"]+"|"+vals["DB_PASSWORD"] {
			t.Errorf("node JSON.parse: %q %v", out, err)
		}
	}
}

func TestExportOutputFile(t *testing.T) {
	cli := newTestCLI(t)
	vals := seedTricky(t, cli, "src/app")
	path := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(path, []byte("OLD=1\n"), 0o644)
	r := cli.mustRun("", "export", "src/app", "--output-file", path)
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("output file mode %v, %v", st.Mode(), err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "API_KEY="+vals["API_KEY"]+"\n") || strings.Contains(string(b), "OLD=") {
		t.Errorf("file content %q", b)
	}
	if r.out != "" || !strings.Contains(r.errOut, "wrote 7 variables") {
		t.Errorf("stdout %q stderr %q", r.out, r.errOut)
	}
	assertNoLeak(t, vals["API_KEY"], r.out, r.errOut)
	for _, args := range [][]string{
		{"export", "src/app", "--format", "toml"},
		{"export", "src/none"},
		{"export", "src/app#nokey"},
		{"export"},
	} {
		r := cli.run("", args...)
		if r.code != 2 || r.out != "" || strings.Count(r.errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.out, r.errOut)
		}
	}
}

func TestImport(t *testing.T) {
	cli := newTestCLI(t)
	c := canary(t)
	repo := t.TempDir()
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.email=t@example.com", "-c", "user.name=t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed")
		}
		t.Skip("git is not installed")
	}
	git("init", "-q")
	file := filepath.Join(repo, ".env")
	os.WriteFile(file, []byte("DB_PASSWORD="+c+"\nAPI_KEY=k-"+c+"\n"), 0o600)
	git("add", ".env")
	git("commit", "-q", "-m", "add env")

	r := cli.mustRun("", "import", file, "--to", "prod/app")
	if !strings.Contains(r.errOut, "created prod/app") || !strings.Contains(r.errOut, "is tracked by git") {
		t.Errorf("first import: stderr %q", r.errOut)
	}
	assertNoLeak(t, c, r.out, r.errOut)
	got := cli.mustRun("", "get", "prod/app")
	if got.out != `{"API_KEY":"k-`+c+`","DB_PASSWORD":"`+c+`"}` { // secretctl:allow (c is a canary)
		t.Errorf("stored %q", got.out)
	}
	// Again: nothing new is written.
	r = cli.mustRun("", "import", file, "--to", "prod/app")
	if !strings.Contains(r.errOut, "unchanged prod/app") {
		t.Errorf("second import: %q", r.errOut)
	}
	vs := cli.mustRun("", "versions", "prod/app", "-o", "json")
	if strings.Count(vs.out, `"versionId"`) != 1 {
		t.Errorf("versions after a repeated import: %s", vs.out)
	}
	// A different value is refused, and nothing is written.
	os.WriteFile(file, []byte("DB_PASSWORD=new-"+c+"\nAPI_KEY=k-"+c+"\n"), 0o600)
	r = cli.run("", "import", file, "--to", "prod/app")
	if r.code != 2 || !strings.Contains(r.errOut, "prod/app already exists with a different value") || strings.Count(r.errOut, "\n") != 1 {
		t.Errorf("different value: exit %d, stderr %q", r.code, r.errOut)
	}
	assertNoLeak(t, c, r.errOut)
	// --overwrite: a new version; the old one stays as AWSPREVIOUS.
	r = cli.mustRun("", "import", file, "--to", "prod/app", "--overwrite")
	if !strings.Contains(r.errOut, "updated prod/app") {
		t.Errorf("overwrite: %q", r.errOut)
	}
	prev := cli.mustRun("", "get", "prod/app", "--stage", "AWSPREVIOUS")
	cur := cli.mustRun("", "get", "prod/app")
	if !strings.Contains(prev.out, `"DB_PASSWORD":"`+c+`"`) || !strings.Contains(cur.out, `"DB_PASSWORD":"new-`+c+`"`) { // secretctl:allow (c is a canary)
		t.Errorf("after overwrite: current %q previous %q", cur.out, prev.out)
	}
	if _, err := os.Stat(file); err != nil {
		t.Errorf("the source file is gone: %v", err)
	}

	// --split: one secret per key; an untracked file says so.
	yml := filepath.Join(repo, "secrets.yaml")
	os.WriteFile(yml, []byte("db_password: "+c+"\nport: 5432\n"), 0o600)
	r = cli.mustRun("", "import", yml, "--to", "prod/split", "--split")
	if !strings.Contains(r.errOut, "created prod/split/db_password") || !strings.Contains(r.errOut, "created prod/split/port") || !strings.Contains(r.errOut, "not tracked by git") {
		t.Errorf("split: %q", r.errOut)
	}
	if g := cli.mustRun("", "get", "prod/split/port"); g.out != "5432" {
		t.Errorf("port = %q", g.out)
	}
	outside := filepath.Join(t.TempDir(), "x.json")
	os.WriteFile(outside, []byte(`{"TOKEN":"`+c+`"}`), 0o600)
	if r = cli.mustRun("", "import", outside, "--to", "prod/json"); !strings.Contains(r.errOut, "not in a git work tree") {
		t.Errorf("outside git: %q", r.errOut)
	}
	for _, args := range [][]string{
		{"import", file},
		{"import", outside, "--to", "prod/x", "--format", "toml"},
		{"import", filepath.Join(repo, "missing.env"), "--to", "prod/x"},
		{"import", filepath.Join(repo, "noext"), "--to", "prod/x"},
	} {
		r := cli.run("", args...)
		if r.code != 2 || strings.Count(r.errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.errOut)
		}
	}
	bad := filepath.Join(repo, "bad.json")
	os.WriteFile(bad, []byte(`{"A":{"nested":"`+c+`"}}`), 0o600)
	r = cli.run("", "import", bad, "--to", "prod/bad")
	if r.code != 2 {
		t.Errorf("nested JSON: exit %d", r.code)
	}
	assertNoLeak(t, c, r.errOut)
}

func jsonMarshal(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return []byte(strings.TrimSuffix(b.String(), "\n")), err
}

func TestExportImportOptions(t *testing.T) {
	io, _, _, _ := ui.Test()
	f := NewFactory(io, "test")
	var eo *ExportOptions
	cmd := newExportCmd(f, func(_ context.Context, o *ExportOptions) error { eo = o; return nil })
	cmd.SetArgs([]string{"prod/app/", "prod/db#password=PW", "--format", "tfvars", "--output-file", "x.tfvars", "--stage", "AWSPREVIOUS", "--env-file", ".env.refs"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(eo.Secrets, ",") != "prod/app/,prod/db#password=PW" || eo.Format != "tfvars" || eo.OutputFile != "x.tfvars" || eo.Stage != "AWSPREVIOUS" || eo.EnvFiles[0] != ".env.refs" {
		t.Errorf("export options %+v", eo)
	}
	var io2 *ImportOptions
	cmd = newImportCmd(f, func(_ context.Context, o *ImportOptions) error { io2 = o; return nil })
	cmd.SetArgs([]string{".env", "--to", "prod/app", "--split", "--overwrite", "--format", "dotenv"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if io2.File != ".env" || io2.To != "prod/app" || !io2.Split || !io2.Overwrite || io2.Format != "dotenv" {
		t.Errorf("import options %+v", io2)
	}
}
