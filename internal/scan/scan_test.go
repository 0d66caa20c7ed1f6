package scan

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func assertNoLeak(t *testing.T, canary string, outs ...string) {
	t.Helper()
	for _, o := range outs {
		if strings.Contains(o, canary) {
			t.Fatalf("secret %q leaked into output:\n%s", Redact(canary), o)
		}
	}
}

// TestUnitFixtures scans testdata/scan/unit: every line in expect.txt must
// be found, and nothing else.
func TestUnitFixtures(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "scan", "unit")
	want := map[string]bool{}
	fh, err := os.Open(filepath.Join(root, "expect.txt"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			want[l] = true
		}
	}
	fh.Close()
	res, err := Run(context.Background(), Options{Paths: []string{root}, NoGitIgnore: true, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	prefix := namePrefix(t, res, root)
	for _, f := range res.Findings {
		loc := strings.TrimPrefix(f.File, prefix) + ":" + itoa(f.Line)
		if loc == "expect.txt:"+itoa(f.Line) {
			continue
		}
		got[loc] = true
		if !want[loc] {
			t.Errorf("unexpected finding %s (%s, %s)", loc, f.RuleID, f.Redacted)
		}
	}
	var missing []string
	for w := range want {
		if !got[w] {
			missing = append(missing, w)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("missed %s", m)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestClassifyKey(t *testing.T) {
	cases := map[string]keyClass{
		"password": keyPassword, "DB_PASSWORD": keyPassword, "spring.datasource.password": keyPassword,
		"dbPass": keyPassword, "POSTGRES_PASSWORD": keyPassword, "ssh_password": keyPassword,
		"passwordLabel": keyNone, "password_hint": keyNone, "PASSWORD_MIN_LENGTH": keyNone,
		"SECRET_KEY": keyToken, "client_secret": keyToken, "apiKey": keyToken, "api_key": keyToken,
		"authToken": keyToken, "accessToken": keyToken, "secretName": keyNone, "existingSecret": keyNone,
		"key": keyGeneric, "stripe_key": keyGeneric, "primary_key": keyNone, "public_key": keyNone,
		"csrf_token": keyNone, "max_tokens": keyNone, "keyboard": keyNone, "name": keyNone,
		"key_alias": keyNone, "secretKeyRef": keyNone, "token_type": keyNone,
		"dbpass": keyPassword, "default_pass": keyPassword, "bypass": keyNone, "compass": keyNone,
		"keyID1": keyNone, "password_encryption": keyNone,
	}
	for k, want := range cases {
		if got := classifyKey(k); got != want {
			t.Errorf("classifyKey(%q) = %d, want %d", k, got, want)
		}
	}
}

func TestPlausibleSecret(t *testing.T) {
	for _, v := range []string{"SuperSecret123!", "Unit-Val-pw-7781", "correct-horse-battery"} {
		if !plausibleSecret(v, keyPassword, "password") {
			t.Errorf("plausibleSecret(%q) = false, want true", v)
		}
	}
	for _, v := range []string{
		"", "changeme", "<your-password>", "REPLACE_ME", "xxxxxxxx", "${DB_PASSWORD}", "{{ .Values.pw }}",
		"${{ secrets.PW }}", "process.env.PW", "os.environ['PW']", "Enter your password", "string",
		"ENC[AES256_GCM,data:abc,iv:x]", "vault:v1:abcdefgh", "sha512-abcdefghijklmnop==", "h1:abcdefghijklmnop=",
		"ssh-rsa AAAAB3NzaC1yc2E", "-----BEGIN CERTIFICATE-----", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
		"/run/secrets/db", "./certs/key.pem", "example-password", "DB_PASSWORD", "config.db.password",
		"{hhqPHuFwvuOPQO8e2s8v1lH7iauOVDV3g8casiE5pGU=}", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	} {
		if plausibleSecret(v, keyToken, "token") {
			t.Errorf("plausibleSecret(%q) = true, want false", v)
		}
	}
	// Classes found on third-party trees: none is a secret, whatever the key.
	for _, v := range []string{
		"required|string|min:8|confirmed", "token:/etc/app/token", "#d0d0d0", "Items[].ClientToken",
		"reports/2024/", "asdf34example", "123Example", "hunter2", "[^\\W\\d]\\w*", "{}\\{:0.1f}", "password=%s",
		"proxypass", "repopwd", "NewPassword", "new-password", "anonymous@domain.org", "env:DB_PW",
		"file:/etc/pw", "pass:changeme", "word2key($1)", "cache\\.$", "audit-test-secret",
	} {
		if plausibleSecret(v, keyPassword, "password") {
			t.Errorf("plausibleSecret(%q, password) = true, want false", v)
		}
	}
	for _, v := range []string{"PublicIpv4Pools", "s3Resources", "_RSAPrivateKey", "0012_alter_user_first_name_max_length"} {
		if plausibleSecret(v, keyToken, "token") {
			t.Errorf("plausibleSecret(%q, token) = true, want false", v)
		}
	}
	for _, v := range []string{"pass:Unit-Val-pw-7781", "Unit-Val-pw-7781/x"} {
		if !plausibleSecret(v, keyPassword, "password") {
			t.Errorf("plausibleSecret(%q, password) = false, want true", v)
		}
	}
}

func TestDocURL(t *testing.T) {
	for u, want := range map[string]bool{
		"https://user:pass@sub.example.com/": true, "postgres://test:test@db/app": true,
		"cvs://:pserver:anoncvs@sources.example.org": true, "https://abc:xyz@example.com": true,
		"postgres://app:Unit-canary-pw-7781@db.internal/app": false, "https://deploy:Unit-canary-pw-7781@artifacts.example.com": false,
	} {
		if got := docURL(u); got != want {
			t.Errorf("docURL(%q) = %v, want %v", u, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{"": "", "abc": "****", "hunter22": "h****2", "SuperSecret123!": "Su****3!"} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBaselineSurvivesEdits: an edit above a finding keeps it suppressed, a
// new secret on the same line is reported, and unused entries are stale.
func TestBaselineSurvivesEdits(t *testing.T) {
	dir := t.TempDir()
	const canary = "Canary-Baseline-pw-8412"
	writeFile(t, filepath.Join(dir, "app.js"), "const password = '"+canary+"';\n")
	ctx := context.Background()
	res, err := Run(ctx, Options{Paths: []string{dir}, NoConfig: true})
	if err != nil || len(res.Findings) != 1 {
		t.Fatalf("first scan: %v, %d findings", err, len(res.Findings))
	}
	var buf bytes.Buffer
	if err := WriteBaseline(&buf, res.Findings); err != nil {
		t.Fatal(err)
	}
	assertNoLeak(t, canary, buf.String())
	base := filepath.Join(t.TempDir(), "baseline.json")
	writeFile(t, base, buf.String())

	writeFile(t, filepath.Join(dir, "app.js"), "// a comment\n// another\nconst password = '"+canary+"';\n")
	res, err = Run(ctx, Options{Paths: []string{dir}, NoConfig: true, Baseline: base})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 || len(res.Stale) != 0 {
		t.Fatalf("after an edit above: %d findings, %d stale; want 0, 0", len(res.Findings), len(res.Stale))
	}

	writeFile(t, filepath.Join(dir, "app.js"), "// a comment\n// another\nconst password = 'Canary-Baseline-pw-NEW1';\n")
	res, err = Run(ctx, Options{Paths: []string{dir}, NoConfig: true, Baseline: base})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Line != 3 {
		t.Fatalf("new secret on the baselined line: %+v", res.Findings)
	}
	if len(res.Stale) != 1 {
		t.Fatalf("stale entries = %d, want 1", len(res.Stale))
	}
}

func TestIgnoreFilesAndAllowComments(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.py"), "password = 'Canary-Ignore-pw-1111'\n")
	writeFile(t, filepath.Join(dir, "b.py"), "password = 'Canary-Ignore-pw-2222'  # secretctl:allow\n")
	writeFile(t, filepath.Join(dir, "c.py"), "password = 'Canary-Ignore-pw-3333'\n")
	ctx := context.Background()
	res, err := Run(ctx, Options{Paths: []string{dir}, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 2 {
		t.Fatalf("findings = %d, want 2 (b.py is allowed inline)", len(res.Findings))
	}
	// gitleaks-style file:rule:line and secretctl fingerprints both work.
	a := res.Findings[0]
	writeFile(t, filepath.Join(dir, ".gitleaksignore"), a.File+":"+a.RuleID+":1\n")
	writeFile(t, filepath.Join(dir, ".secretctlignore"), res.Findings[1].Fingerprint+"\n")
	res, err = Run(ctx, Options{Paths: []string{dir}, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 || res.Suppressed != 2 {
		t.Fatalf("after ignore files: %d findings, %d suppressed", len(res.Findings), res.Suppressed)
	}
}

func TestUserConfigExtendsDefaults(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ".secretctl.toml"), `
[[rules]]
id = "acme-token"
description = "ACME internal token"
regex = '''acme_[a-z0-9]{24}'''
keywords = ["acme_"]

[[allowlists]]
paths = ['''fixtures/''']
`)
	writeFile(t, filepath.Join(dir, "a.txt"), "t = acme_abcdefghijklmnopqrstuvwx\n")
	// Built at run time so that the repository's own scan stays clean.
	writeFile(t, filepath.Join(dir, "b.txt"), "ghp = ghp_"+"4fQx9Zk2LmP8sV1tR7yN3cB6dH0jW5eA2uKo\n")
	writeFile(t, filepath.Join(dir, "fixtures", "c.py"), "password = 'Canary-Fixture-pw-99'\n")
	res, err := Run(context.Background(), Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]bool{}
	for _, f := range res.Findings {
		rules[f.RuleID] = true
		if strings.Contains(f.File, "fixtures/") {
			t.Errorf("allowlisted path reported: %s", f.File)
		}
	}
	if !rules["acme-token"] || !rules["github-pat"] {
		t.Fatalf("rules found = %v, want acme-token and github-pat", rules)
	}
	if _, err := LoadConfig(filepath.Join(dir, "missing.toml")); err == nil {
		t.Fatal("LoadConfig of a missing file: want an error")
	}
	writeFile(t, filepath.Join(dir, "bad.toml"), "[[rules]]\nid = \"x\"\nregex = '''(['''\n")
	if _, err := LoadConfig(filepath.Join(dir, "bad.toml")); err == nil {
		t.Fatal("LoadConfig of a bad regex: want an error")
	}
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com", "GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func newRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git not installed: CI needs it for the history scans")
		}
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "config", "commit.gpgsign", "false")
	return dir
}

func TestGitHistoryAndStaged(t *testing.T) {
	dir := newRepo(t)
	const canary = "Canary-History-pw-5150"
	writeFile(t, filepath.Join(dir, "db.js"), "const x = 1;\nconst password = '"+canary+"';\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "add db")
	writeFile(t, filepath.Join(dir, "db.js"), "const x = 1;\nconst password = process.env.DB_PASSWORD;\n")
	git(t, dir, "commit", "-q", "-am", "use env")
	ctx := context.Background()

	res, err := Run(ctx, Options{Paths: []string{dir}, NoConfig: true})
	if err != nil || len(res.Findings) != 0 {
		t.Fatalf("working tree: %v, %d findings; want clean", err, len(res.Findings))
	}
	res, err = Run(ctx, Options{Paths: []string{dir}, Git: true, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 {
		t.Fatalf("history: %d findings, want 1", len(res.Findings))
	}
	f := res.Findings[0]
	if f.File != "db.js" || f.Line != 2 || len(f.Commit) != 40 || f.Author != "Dev" || f.Date == "" {
		t.Fatalf("history finding = %+v", f)
	}
	res, err = Run(ctx, Options{Paths: []string{dir}, Git: true, NoConfig: true, Range: "HEAD~1..HEAD"})
	if err != nil || len(res.Findings) != 0 {
		t.Fatalf("range HEAD~1..HEAD: %v, %d findings; want 0", err, len(res.Findings))
	}

	writeFile(t, filepath.Join(dir, "new.py"), "API_TOKEN = 'Canary-Staged-tok-77aa11'\n")
	res, err = Run(ctx, Options{Paths: []string{dir}, Staged: true, NoConfig: true})
	if err != nil || len(res.Findings) != 0 {
		t.Fatalf("staged before add: %v, %d findings", err, len(res.Findings))
	}
	git(t, dir, "add", "new.py")
	res, err = Run(ctx, Options{Paths: []string{dir}, Staged: true, NoConfig: true})
	if err != nil || len(res.Findings) != 1 || res.Findings[0].File != "new.py" {
		t.Fatalf("staged: %v, %+v", err, res)
	}
	if _, err := Run(ctx, Options{Paths: []string{t.TempDir()}, Git: true, NoConfig: true}); err == nil {
		t.Fatal("git scan of a non-repository: want an error")
	}
}

func TestGitIgnoreHonoured(t *testing.T) {
	for _, inGit := range []bool{true, false} {
		var dir string
		if inGit {
			dir = newRepo(t)
		} else {
			dir = t.TempDir()
		}
		writeFile(t, filepath.Join(dir, ".gitignore"), "*.local\nbuild/\n")
		writeFile(t, filepath.Join(dir, "app.local"), "password = 'Canary-Ignored-pw-01'\n")
		writeFile(t, filepath.Join(dir, "build", "x.py"), "password = 'Canary-Ignored-pw-02'\n")
		writeFile(t, filepath.Join(dir, "src", "y.py"), "password = 'Canary-Kept-pw-03'\n")
		res, err := Run(context.Background(), Options{Paths: []string{dir}, NoConfig: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) != 1 || !strings.HasSuffix(res.Findings[0].File, "src/y.py") {
			t.Fatalf("git=%v: findings %+v, want only src/y.py", inGit, res.Findings)
		}
		res, err = Run(context.Background(), Options{Paths: []string{dir}, NoConfig: true, NoGitIgnore: true})
		if err != nil || len(res.Findings) != 3 {
			t.Fatalf("git=%v --no-git-ignore: %v, %d findings, want 3", inGit, err, len(res.Findings))
		}
	}
}

func TestStdinBinaryAndSize(t *testing.T) {
	const canary = "Canary-Stdin-pw-3141"
	res, err := Run(context.Background(), Options{Stdin: strings.NewReader("db_password: " + canary + "\n"), NoConfig: true})
	if err != nil || len(res.Findings) != 1 || res.Findings[0].File != "stdin" {
		t.Fatalf("stdin: %v %+v", err, res)
	}
	dir := t.TempDir()
	// A binary file (an ELF header) holding a secret-looking string.
	bin := append([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0}, make([]byte, 64)...)
	bin = append(bin, []byte("\npassword = '"+canary+"'\n")...)
	writeFile(t, filepath.Join(dir, "tool"), string(bin))
	big := strings.Repeat("# filler line\n", 80_000) + "password = '" + canary + "'\n"
	writeFile(t, filepath.Join(dir, "big.py"), big)
	res, err = Run(context.Background(), Options{Paths: []string{dir}, NoConfig: true, MaxTargetMB: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Fatalf("binary and oversize files: %+v, want none", res.Findings)
	}
	res, err = Run(context.Background(), Options{Paths: []string{dir}, NoConfig: true})
	if err != nil || len(res.Findings) != 1 || res.Findings[0].Line != 80_001 {
		t.Fatalf("without the size limit: %v %+v", err, res.Findings)
	}
}

func TestMayDecode(t *testing.T) {
	for s, want := range map[string]bool{
		"line 1 of config/app.yaml rev 12\n": false,
		"a b c":                              false,
		"data: dGhpcyBpcyBhIHRlc3Q=":         true,
		"x%41y":                              true,
		`"\u0041"`:                           true,
		"U+0041 ":                            true,
		"NewDetectorContext":                 true,
	} {
		if got := mayDecode(s); got != want {
			t.Errorf("mayDecode(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestDecodeDepth: the zero Options decode (DefaultDecodeDepth passes), and
// NoDecode turns decoding off.
func TestDecodeDepth(t *testing.T) {
	canary := "gh" + "p_" + "CanaryA1b2C3d4E5f6G7h8J9k0L1m2N3p4Q5"
	input := "blob " + base64.StdEncoding.EncodeToString([]byte(canary)) + "\n"
	for _, tc := range []struct {
		name string
		opts Options
		want int
	}{
		{"zero value", Options{}, 1},
		{"explicit depth", Options{MaxDecodeDepth: 1}, 1},
		{"no decode", Options{NoDecode: true, MaxDecodeDepth: 3}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Stdin, tc.opts.NoConfig = strings.NewReader(input), true
			res, err := Run(context.Background(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Findings) != tc.want {
				t.Fatalf("%d findings, want %d: %+v", len(res.Findings), tc.want, res.Findings)
			}
			for _, f := range res.Findings {
				if f.RuleID != "github-pat" || !decoded(f) {
					t.Errorf("finding %s %v, want github-pat decoded", f.RuleID, f.Tags)
				}
				assertNoLeak(t, canary, f.Redacted, f.Match)
			}
		})
	}
	if _, err := Run(context.Background(), Options{Stdin: strings.NewReader(""), MaxDecodeDepth: -1}); err == nil {
		t.Error("MaxDecodeDepth -1: no error")
	}
}

// namePrefix is the File prefix of the files under dir: dir relative to
// the scan's root, with a trailing slash ("" when dir is the root).
func namePrefix(t *testing.T, res *Result, dir string) string {
	t.Helper()
	real, err := realPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(res.Root, real)
	if err != nil {
		t.Fatal(err)
	}
	if rel == "." {
		return ""
	}
	return filepath.ToSlash(rel) + "/"
}
