package migrate

import (
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/scan"
	"github.com/secretctl/secretctl/internal/secret"
)

func TestEnvName(t *testing.T) {
	for _, c := range []struct {
		path []string
		want string
	}{
		{[]string{"database", "password"}, "DATABASE_PASSWORD"},
		{[]string{"DB_PASSWORD"}, "DB_PASSWORD"},
		{[]string{"services", "db", "environment", "POSTGRES_PASSWORD"}, "POSTGRES_PASSWORD"},
		{[]string{"api", "secretKey"}, "API_SECRET_KEY"},
		{[]string{"spring.datasource.password"}, "SPRING_DATASOURCE_PASSWORD"},
		{[]string{"dbPassword"}, "DB_PASSWORD"},
		{[]string{"2fa"}, "_2FA"},
		{[]string{"..."}, "SECRET"},
	} {
		if got := EnvName(c.path); got != c.want {
			t.Errorf("EnvName(%q) = %s; want %s", c.path, got, c.want)
		}
	}
}

func TestLocate(t *testing.T) {
	for _, c := range []struct {
		syntax, line, sec string
		lit               string // the text replaced
		reason            string
	}{
		{synJS, `    password: 'canary-a1',`, "canary-a1", `'canary-a1'`, ""},
		{synJS, "  key: `canary-${x}`,", "canary-", "", "interpolates"},
		{synJS, `  url: 'postgres://u:canary-b2@h/db',`, "canary-b2", `'postgres://u:canary-b2@h/db'`, ""},
		{synJS, `  key: 'can\'ary-c3',`, "ary-c3", "", "escape"},
		{synPython, `TOKEN = r"canary-d4"`, "canary-d4", `r"canary-d4"`, ""},
		{synPython, `TOKEN = b"canary-d4"`, "canary-d4", "", "b-string"},
		{synShell, `DB_PASSWORD=canary-e5 # comment`, "canary-e5", `canary-e5`, ""},
		{synShell, `DB_PASSWORD="canary-$x"`, "canary-", "", "interpolates"},
		{synSpringProp, `spring.datasource.password=canary-f6`, "canary-f6", `canary-f6`, ""},
		{synCompose, `      - API_TOKEN=canary-g7`, "canary-g7", `canary-g7`, ""},
		{synGo, `const k = 'x'`, "x", "", "rune"},
		{synJava, `String s = foo(canary);`, "canary", "", "not a string literal"},
	} {
		l := locate(c.syntax, c.line, c.sec, strings.Index(c.line, c.sec)+1)
		if c.reason != "" {
			if !strings.Contains(l.reason, c.reason) {
				t.Errorf("%s %q: reason %q; want %q", c.syntax, c.line, l.reason, c.reason)
			}
			continue
		}
		if l.reason != "" || c.line[l.start:l.end] != c.lit {
			t.Errorf("%s %q: literal %q (reason %q); want %q", c.syntax, c.line, c.line[l.start:l.end], l.reason, c.lit)
		}
	}
}

func TestKeyPaths(t *testing.T) {
	for _, c := range []struct {
		syntax, src, sec, want string
	}{
		{synJS, "const config = {\n  db: {\n    password: 'canary-1',\n  },\n};\n", "canary-1", "db.password"},
		{synJS, "module.exports = defineConfig({ stripe: { secretKey: 'canary-2' } })\n", "canary-2", "stripe.secretKey"},
		{synPython, "CONFIG = {\n    \"api\": {\"token\": \"canary-3\"},\n}\n", "canary-3", "api.token"},
		{synRuby, "CONFIG = {\n  'db' => { :password => 'canary-4' }\n}\n", "canary-4", "db.password"},
		{synPHP, "<?php\n$c = ['db' => ['password' => 'canary-5']];\n", "canary-5", "db.password"},
		{synGo, "package x\n\nvar c = Config{\n\tDatabase: DB{\n\t\tPassword: \"canary-6\",\n\t},\n}\n", "canary-6", "Database.Password"},
		{synSpringYAML, "spring:\n  datasource:\n    password: canary-7\n", "canary-7", "spring.datasource.password"},
		{synTerraform, "resource \"aws_db_instance\" \"main\" {\n  password = \"canary-8\"\n}\n", "canary-8", "main.password"},
	} {
		src := []byte(c.src)
		line := 1 + strings.Count(c.src[:strings.Index(c.src, c.sec)], "\n")
		_, text := lineAt(src, line)
		file := map[string]string{synJS: "a.js", synPython: "a.py", synRuby: "a.rb", synPHP: "a.php", synGo: "a.go", synSpringYAML: "application.yml", synTerraform: "main.tf"}[c.syntax]
		f := scan.Finding{File: file, Line: line, Column: strings.Index(text, c.sec) + 1, EndLine: line, Secret: secret.New(c.sec), RuleID: "secret-assignment"}
		it := itemFor(f, src)
		if it.KeyPath != c.want {
			t.Errorf("%s: key path %q; want %q", c.syntax, it.KeyPath, c.want)
		}
	}
}

// TestPlanNames: names are unique per plan, the same value shares its
// name, and a rerun reuses the suffix a stored value already has.
func TestPlanNames(t *testing.T) {
	a := []byte("x = {\n  password: 'canary-one',\n}\ny = {\n  password: 'canary-two',\n}\nz = {\n  password: 'canary-one',\n}\n")
	finding := func(line int, v string) scan.Finding {
		_, text := lineAt(a, line)
		return scan.Finding{File: "a.js", Line: line, EndLine: line, Column: strings.Index(text, v) + 1, Secret: secret.New(v), RuleID: "secret-assignment", Fingerprint: v}
	}
	fs := []scan.Finding{finding(2, "canary-one"), finding(5, "canary-two"), finding(8, "canary-one")}
	p, err := BuildPlan(Input{Root: ".", To: "prod/app", Findings: fs, Files: map[string][]byte{"a.js": a}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range p.Items {
		got = append(got, it.Env)
	}
	if strings.Join(got, " ") != "PASSWORD PASSWORD_2 PASSWORD" {
		t.Errorf("names = %v; want PASSWORD PASSWORD_2 PASSWORD", got)
	}
	if len(p.Secrets) != 1 || strings.Join(p.Secrets[0].Keys, ",") != "PASSWORD,PASSWORD_2" {
		t.Errorf("secrets = %+v", p.Secrets)
	}
	// The first file was migrated already: only the second value is left,
	// and the store holds it as PASSWORD_2.
	p2, _ := BuildPlan(Input{Root: ".", To: "prod/app", Findings: fs[1:2], Files: map[string][]byte{"a.js": a},
		Stored: map[string]string{"PASSWORD": Digest(secret.New("canary-one")), "PASSWORD_2": Digest(secret.New("canary-two"))}})
	if p2.Items[0].Env != "PASSWORD_2" {
		t.Errorf("rerun names the value %s; want PASSWORD_2, where it is stored", p2.Items[0].Env)
	}
	for _, ch := range p.Files {
		if strings.Contains(ch.Diff, "canary") {
			t.Errorf("diff leaks a value:\n%s", ch.Diff)
		}
		if !strings.Contains(ch.Diff, "-  password: '****',\n+  password: process.env.PASSWORD,\n") {
			t.Errorf("diff:\n%s", ch.Diff)
		}
	}
}

// TestRDSGroupsInTwoFiles: two connections under the same key path get two
// RDS-shape secrets, so neither value is dropped.
func TestRDSGroupsInTwoFiles(t *testing.T) {
	src := func(pw string) []byte {
		return []byte("module.exports = {\n  database: {\n    host: 'db.internal',\n    port: 5432,\n    password: '" + pw + "',\n  },\n};\n")
	}
	files := map[string][]byte{"a.js": src("canary-rds-a1"), "b.js": src("canary-rds-b2")}
	var fs []scan.Finding
	for f, b := range files {
		_, text := lineAt(b, 5)
		v := text[strings.Index(text, "'")+1 : strings.LastIndex(text, "'")]
		fs = append(fs, scan.Finding{File: f, Line: 5, EndLine: 5, Column: strings.Index(text, v) + 1, Secret: secret.New(v), RuleID: "secret-assignment", Fingerprint: f})
	}
	p, err := BuildPlan(Input{Root: ".", To: "prod/app", RDS: true, Findings: fs, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range p.Secrets {
		names = append(names, s.Name+"="+strings.Join(s.Keys, ","))
	}
	if strings.Join(names, " ") != "prod/app/database=engine,host,password,port prod/app/database-2=engine,host,password,port" {
		t.Errorf("secrets = %v", names)
	}
	if p.Groups[0].Engine != "postgres" {
		t.Errorf("engine = %q; want postgres from the port", p.Groups[0].Engine)
	}
}
