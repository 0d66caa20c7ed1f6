package migrate

import (
	"bytes"
	"context"
	"encoding/json"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/subosito/gotenv"
	"gopkg.in/yaml.v3"

	"github.com/secretctl/secretctl/internal/scan"
)

// need returns the path of tool, skipping the test when it is missing (and
// failing under CI=true, where .ci/run installs it).
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (CI installs it in .ci/run)", tool)
		}
		t.Skipf("%s is not installed: skipping its check", tool)
	}
	return p
}

// copyTree copies testdata/<name> into a fresh directory.
func copyTree(t *testing.T, name string) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("testdata", name)
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, fi.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// planTree scans root and plans a migration into to.
func planTree(t *testing.T, root, to string, tweak func(*Input)) *Plan {
	t.Helper()
	fs, files, err := Find(context.Background(), root, scan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Root: root, To: to, Findings: fs, Files: files, EnvExample: ".env.example"}
	if tweak != nil {
		tweak(&in)
	}
	p, err := BuildPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// envOf is the environment that gives the rewritten code its values.
func envOf(p *Plan) []string {
	var env []string
	for _, it := range p.Items {
		if it.Action != ActionManual {
			env = append(env, it.Env+"="+it.value.RevealString())
		}
	}
	return env
}

// output runs argv in dir with extra environment and returns stdout.
func output(t *testing.T, dir string, env []string, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_IN_AUTOMATION=1", "TF_CLI_CONFIG_FILE=/dev/null")
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s in %s: %v\n%s", strings.Join(argv, " "), dir, err, errOut.String())
	}
	return out.String()
}

// langCheck is how one language proves a rewritten file: its own parser,
// and where the runtime is here, a run that prints the values.
type langCheck struct {
	dir, file string
	tool      string     // needed for parse and run
	parse     [][]string // commands that must succeed on the rewritten file
	run       []string   // prints the values; run before and after
	inProc    func(t *testing.T, b []byte)
	contains  []string // text the rewrite must hold
}

var polyglotChecks = []langCheck{
	{dir: "py", file: "settings.py", tool: "python3", parse: [][]string{{"python3", "-m", "py_compile", "settings.py"}}, run: []string{"python3", "settings.py"}, contains: []string{"import os\n", `os.environ["`}},
	{dir: "go", file: "main.go", tool: "go", run: []string{"go", "run", "main.go"}, inProc: goParses, contains: []string{`var apiKey = os.Getenv("`, `"os"`}},
	{dir: "java", file: "App.java", tool: "javac", parse: [][]string{{"javac", "-d", ".", "App.java"}}, run: []string{"java", "App.java"}, contains: []string{`System.getenv("DB_PASSWORD")`}},
	{dir: "ruby", file: "app.rb", tool: "ruby", parse: [][]string{{"ruby", "-c", "app.rb"}}, run: []string{"ruby", "app.rb"}, contains: []string{`ENV.fetch("`}},
	{dir: "php", file: "app.php", tool: "php", parse: [][]string{{"php", "-l", "app.php"}}, run: []string{"php", "app.php"}, contains: []string{`getenv('`}},
	{dir: "shell", file: "deploy.sh", tool: "bash", parse: [][]string{{"bash", "-n", "deploy.sh"}}, run: []string{"bash", "deploy.sh"}, contains: []string{`="${`}},
	{dir: "make", file: "Makefile", tool: "make", parse: [][]string{{"make", "-n", "show"}}, run: []string{"make", "-s", "show"}, contains: []string{"API_SECRET ?=\n"}},
	{dir: "terraform", file: "main.tf", tool: "terraform", inProc: hclParses, parse: [][]string{{"terraform", "fmt", "-check", "main.tf"}, {"terraform", "validate", "-no-color"}},
		run: []string{"sh", "-c", `echo 'nonsensitive("${var.db_password} ${local.api_token}")' | terraform console`}, contains: []string{"sensitive = true", "var.api_token"}},
	{dir: "compose", file: "docker-compose.yml", inProc: yamlParses, contains: []string{"POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}", "- API_TOKEN=${"}},
	{dir: "springyml", file: "application.yml", inProc: yamlParses, contains: []string{"password: ${SPRING_DATASOURCE_PASSWORD"}},
	{dir: "spring", file: "application.properties", contains: []string{"spring.datasource.password=${SPRING_DATASOURCE_PASSWORD}"}},
	// Mono's C# compiler (Debian's mono-mcs); no Kotlin compiler is packaged,
	// so that rewrite is checked as text.
	{dir: "csharp", file: "Program.cs", tool: "mcs", parse: [][]string{{"mcs", "-out:Program.exe", "Program.cs"}}, run: []string{"sh", "-c", "mcs -out:Program.exe Program.cs >/dev/null && mono Program.exe"}, contains: []string{`static readonly string ApiKey = Environment.GetEnvironmentVariable("API_KEY");`, `var password = Environment.GetEnvironmentVariable("PASSWORD");`}},
	{dir: "kotlin", file: "Main.kt", contains: []string{`val API_TOKEN = System.getenv("`}},
}

func goParses(t *testing.T, b []byte) {
	if _, err := parser.ParseFile(token.NewFileSet(), "main.go", b, parser.AllErrors); err != nil {
		t.Errorf("go/parser: %v", err)
	}
	if f, err := format.Source(b); err != nil || !bytes.Equal(f, b) {
		t.Errorf("not gofmt-clean (err %v)", err)
	}
}

func hclParses(t *testing.T, b []byte) {
	if _, diags := hclparse.NewParser().ParseHCL(b, "main.tf"); diags.HasErrors() {
		t.Errorf("hcl: %v", diags)
	}
}

func yamlParses(t *testing.T, b []byte) {
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Errorf("yaml: %v", err)
	}
}

// TestPolyglotRewrites migrates a tree with one small program per syntax,
// checks each rewritten file with its language's own parser, and runs each
// program before and after: with its values in the environment, the
// rewritten program prints what the original printed.
func TestPolyglotRewrites(t *testing.T) {
	root := copyTree(t, "polyglot")
	before := map[string]string{}
	for _, c := range polyglotChecks {
		if c.run == nil {
			continue
		}
		if _, err := exec.LookPath(c.tool); err == nil {
			before[c.dir] = output(t, filepath.Join(root, c.dir), nil, c.run...)
		}
	}
	p := planTree(t, root, "prod/poly", nil)
	doc, _ := json.Marshal(p)
	for _, it := range p.Items {
		v := it.value.RevealString()
		if strings.Contains(string(doc), v) {
			t.Errorf("the JSON plan holds the value of %s", it.KeyPath)
		}
		for _, ch := range p.Files {
			if strings.Contains(ch.Diff, v) {
				t.Errorf("the diff of %s holds the value of %s", ch.Path, it.KeyPath)
			}
		}
	}
	for _, ch := range p.Files {
		if err := os.WriteFile(ch.Path, ch.new, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := envOf(p)
	for _, c := range polyglotChecks {
		t.Run(c.dir, func(t *testing.T) {
			dir := filepath.Join(root, c.dir)
			b, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range c.contains {
				if !strings.Contains(string(b), want) {
					t.Errorf("rewritten %s lacks %q:\n%s", c.file, want, b)
				}
			}
			if strings.Contains(string(b), "canary-") {
				t.Errorf("rewritten %s still holds a value:\n%s", c.file, b)
			}
			if c.inProc != nil {
				c.inProc(t, b)
			}
			if c.tool == "" {
				return
			}
			need(t, c.tool)
			for _, argv := range c.parse {
				output(t, dir, nil, argv...)
			}
			if c.run != nil {
				if got := output(t, dir, env, c.run...); got != before[c.dir] {
					t.Errorf("%s prints %q after the rewrite, %q before", strings.Join(c.run, " "), got, before[c.dir])
				}
			}
		})
	}
	t.Run("compose-interpolation", func(t *testing.T) {
		// compose substitutes ${NAME} from the environment (and .env): the
		// interpolated file is the original.
		lookup := map[string]string{}
		for _, kv := range env {
			k, v, _ := strings.Cut(kv, "=")
			lookup[k] = v
		}
		for _, f := range []string{"compose/docker-compose.yml", "springyml/application.yml", "spring/application.properties"} {
			got, _ := os.ReadFile(filepath.Join(root, f))
			orig, _ := os.ReadFile(filepath.Join("testdata", "polyglot", f))
			if os.Expand(string(got), func(k string) string { return lookup[k] }) != string(orig) {
				t.Errorf("%s interpolated differs from the original", f)
			}
		}
		dotenv, _ := os.ReadFile(filepath.Join(root, "compose", ".env"))
		m, err := gotenv.StrictParse(bytes.NewReader(dotenv))
		if err != nil {
			t.Fatalf(".env no longer parses: %v", err)
		}
		if _, ok := m["SESSION_SECRET"]; ok || m["APP_PORT"] != "8080" {
			t.Errorf(".env after the rewrite = %v; want APP_PORT only", m)
		}
	})
	t.Run("manual", func(t *testing.T) {
		manual := map[string]string{}
		for _, it := range p.Items {
			if it.Action == ActionManual {
				manual[relPath(root, it.File)] = it.Reason
			}
		}
		if len(manual) != 1 || !strings.Contains(manual["json/config.json"], "no environment substitution") {
			t.Errorf("manual items = %v; want the JSON file", manual)
		}
		got, _ := os.ReadFile(filepath.Join(root, "json/config.json"))
		orig, _ := os.ReadFile(filepath.Join("testdata", "polyglot", "json/config.json"))
		if !bytes.Equal(got, orig) {
			t.Errorf("json/config.json is manual but was changed")
		}
	})
	t.Run("kubernetes", func(t *testing.T) {
		// The Secret manifest became an ExternalSecret that reads the
		// stored secret; the value left the file.
		got, _ := os.ReadFile(filepath.Join(root, "k8s/secret.yaml"))
		var doc struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string `yaml:"kind"`
			Spec       struct {
				Data []struct {
					SecretKey string            `yaml:"secretKey"`
					RemoteRef map[string]string `yaml:"remoteRef"`
				} `yaml:"data"`
			} `yaml:"spec"`
		}
		if err := yaml.Unmarshal(got, &doc); err != nil {
			t.Fatalf("k8s/secret.yaml no longer parses: %v", err)
		}
		if doc.Kind != "ExternalSecret" || doc.APIVersion != "external-secrets.io/v1" || len(doc.Spec.Data) != 1 ||
			doc.Spec.Data[0].RemoteRef["key"] != "prod/poly/app" || doc.Spec.Data[0].RemoteRef["property"] != "password" {
			t.Errorf("k8s/secret.yaml after the rewrite:\n%s", got)
		}
		if bytes.Contains(got, []byte("canary")) {
			t.Errorf("k8s/secret.yaml still holds the value")
		}
	})
	t.Run("rescan", func(t *testing.T) {
		again := planTree(t, root, "prod/poly", nil)
		if again.Migrate != 0 || again.Manual != 1 {
			t.Errorf("after the rewrite a new plan migrates %d and leaves %d manual; want 0 and 1", again.Migrate, again.Manual)
			for _, it := range again.Items {
				t.Logf("  %s:%d %s %s", it.File, it.Line, it.KeyPath, it.Action)
			}
		}
	})
}
