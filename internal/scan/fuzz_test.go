package scan

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzPaths are file names that select each syntax of the analyzer.
var fuzzPaths = []string{"config.yaml", "main.tf", ".env", "app.go", "settings.py", "conf.json", ".pgpass", "k8s/secret.yml", "app.properties", "Dockerfile", "x.txt"}

// FuzzAnalyze runs the structural analyzer over arbitrary fragments: every
// hit names a line of the fragment and a column inside it, a muted line
// exists, and a hit's secret, where it is read literally, is on its line.
func FuzzAnalyze(f *testing.F) {
	f.Add("password: \"canary-Zq8wLp3rT9\"\n", uint8(0))
	f.Add("resource \"aws_iam_access_key\" \"k\" {\n  secret = \"canary+Zq8wLp3rT9aaaaaaaaaaaaaaaaaaaaaaa\"\n}\n", uint8(1))
	f.Add("DB_PASSWORD=canary-Zq8wLp3rT9\nexport API_TOKEN='canary-Xy7pQ2mN'\n", uint8(2))
	f.Add("func f() string {\n\tpassword := \"canary-Zq8wLp3rT9\"\n\treturn password\n}\n", uint8(3))
	f.Add("{\"client_secret\": \"canary-Zq8wLp3rT9\", \"nested\": {\"token\": \"canary-9xYzQ\"}}", uint8(5))
	f.Add("db.example.com:5432:app:alice:canary-Zq8wLp3rT9\n", uint8(6))
	f.Add("apiVersion: v1\nkind: Secret\ndata:\n  password: "+base64.StdEncoding.EncodeToString([]byte("canary-Zq8wLp3rT9"))+"\n---\nkind: SealedSecret\nspec:\n  password: x\n", uint8(7))
	f.Add("aws_access_key_id = AKIAIOSFODNN7CANARY\naws_secret_access_key = canary/K7MDENG/bPxRfiCYEXAMPLEKEY0000000\n", uint8(10))
	f.Add("password:", uint8(0))
	f.Add("\"", uint8(4))
	f.Add("token = \"\n", uint8(1))
	f.Fuzz(func(t *testing.T, raw string, which uint8) {
		p := fuzzPaths[int(which)%len(fuzzPaths)]
		hits, muted := analyze(raw, p)
		lines := strings.Split(raw, "\n")
		for l := range muted {
			if l < 0 || l >= len(lines) {
				t.Fatalf("%s: muted line %d of %d", p, l, len(lines))
			}
		}
		for _, h := range hits {
			if h.line < 0 || h.line >= len(lines) {
				t.Fatalf("%s: hit %+v on line %d of %d", p, h.rule, h.line, len(lines))
			}
			if h.col < 1 || h.col > len(lines[h.line])+1 {
				t.Fatalf("%s: hit %s at column %d of a %d-byte line", p, h.rule, h.col, len(lines[h.line]))
			}
			if h.secret == "" {
				t.Fatalf("%s: hit %s with no secret", p, h.rule)
			}
		}
	})
}

// FuzzValueChecks runs the value checks over arbitrary keys and values: a
// key has one of the classes, an empty value is never a secret, and the
// entropy of a string is within 0 and 8 bits a byte.
func FuzzValueChecks(f *testing.F) {
	f.Add("password", "canary-Zq8wLp3rT9")
	f.Add("api_key", "${API_KEY}")
	f.Add("clientSecret", "<your-secret-here>")
	f.Add("token", "https://example.com/docs#token")
	f.Add("DB_PASS", "$2b$12$canaryaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Add("", "")
	f.Add("\xff\xfe", "\xff")
	f.Fuzz(func(t *testing.T, key, v string) {
		k := classifyKey(key)
		if k < keyNone || k > keyPassword {
			t.Fatalf("classifyKey(%q) = %d", key, k)
		}
		for _, kc := range []keyClass{keyNone, keyGeneric, keyToken, keyPassword} {
			if plausibleSecret(v, kc, key) && v == "" {
				t.Fatalf("plausibleSecret: an empty value for %q may be a secret", key)
			}
		}
		_ = contextIsSecret(key)
		_ = splitWords(key)
		if e := entropy(v); e < 0 || e > 8.0001 {
			t.Fatalf("entropy(%q) = %v", v, e)
		}
		_, _ = decodeBase64(v)
	})
}

// FuzzBaseline reads arbitrary baseline files: each is a baseline or an
// error naming the file, and an error never quotes the file's content
// (a baseline of an older version may hold a secret).
func FuzzBaseline(f *testing.F) {
	f.Add([]byte(`{"version":1,"findings":[{"fingerprint":"a.go:generic-api-key:3","file":"a.go","rule":"generic-api-key","line":3}]}`))
	f.Add([]byte(`{"version":1,"findings":[{"file":"/abs/path/x.env"},{"file":"../up.txt"},{"file":"stdin"},{"file":"./a/../b"}]}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{"version":1,"findings":null}`))
	f.Add([]byte(`{"version":1,"findings":[{"secret":"canary-Zq8wLp3rT9"}],"extra":"canary-Zq8wLp3rT9"}`))
	f.Add([]byte(`[`))
	dir := f.TempDir()
	root := filepath.Join(dir, "repo")
	if err := os.MkdirAll(filepath.Join(root, "a"), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "baseline.json")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		bl, err := loadBaseline(p, root)
		if err != nil {
			if !strings.Contains(err.Error(), p) {
				t.Fatalf("error does not name the file: %v", err)
			}
			if strings.Contains(err.Error(), "canary") && !strings.Contains(p, "canary") {
				t.Fatalf("error quotes the file: %v", err)
			}
			return
		}
		for _, e := range bl.entries {
			if !bl.has(e.Fingerprint) {
				t.Fatalf("entry %q not in the set", e.Fingerprint)
			}
		}
	})
}
