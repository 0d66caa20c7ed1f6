package scan

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/sources"
)

// contextCase writes content to root/rel, checks that secretctl reports
// nothing on line (1-based) and that gitleaks' default rules (decoding like
// its CLI) report generic-api-key there, and returns that finding.
func contextCase(t *testing.T, rel, content string, line int) (string, []string, string, string, []string) {
	t.Helper()
	root := t.TempDir()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Options{Paths: []string{root}, NoGitIgnore: true, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if f.Line == line {
			t.Fatalf("secretctl reports %s on line %d: the fixture no longer shows a dropped finding", f.RuleID, line)
		}
	}
	d, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	d.MaxDecodeDepth = 5
	for _, gf := range detectFragment(context.Background(), d, sources.Fragment{Raw: content, FilePath: rel}) {
		if gf.RuleID == "generic-api-key" && gf.StartLine+1 == line { // 0-based here
			if why := SuppressReason(gf.RuleID, gf.Match, gf.Secret, gf.Line); why != "" {
				t.Fatalf("SuppressReason already explains it: %s", why)
			}
			return gf.Match, gf.Tags, gf.Secret, rel, strings.Split(content, "\n")
		}
	}
	t.Fatalf("gitleaks reports no generic-api-key on line %d", line)
	return "", nil, "", "", nil
}

func TestContextReasonTestVector(t *testing.T) {
	sum := sha256.Sum256([]byte("canary test vector key"))
	key := hex.EncodeToString(sum[:])
	content := "{\n  \"nonce\": \"" + key[:24] + "\",\n  \"key\": \"" + key + "\",\n  \"aad\": \"\"\n}\n"
	match, tags, sec, rel, lines := contextCase(t, "testdata/kat.json", content, 3)
	why := ContextReason("generic-api-key", match, sec, rel, lines, 2, tags)
	if why != ReasonTestVector {
		t.Fatalf("ContextReason = %q, want the test-vector reason", why)
	}
	if strings.Contains(why, key) {
		t.Fatal("the reason holds the value")
	}
	// Without the vector's other fields, outside a test file, the same
	// line is no test vector and secretctl would judge it.
	alone := []string{lines[2]}
	if why := ContextReason("generic-api-key", match, sec, "config/app.json", alone, 0, tags); why != "" {
		t.Fatalf("a lone key line outside tests: ContextReason = %q, want none", why)
	}
	// A secret-named key is never a test vector.
	if why := ContextReason("generic-api-key", strings.Replace(match, "key", "api_secret", 1), sec, rel, lines, 2, tags); why != "" {
		t.Fatalf("api_secret: ContextReason = %q, want none", why)
	}
}

func TestContextReasonDecoded(t *testing.T) {
	sum := sha256.Sum256([]byte("canary customer key"))
	hash := strings.NewReplacer("+", "A", "/", "B").Replace(base64.StdEncoding.EncodeToString(sum[:]))
	body := `{"kind":"storage#object","customerEncryption":{"encryptionAlgorithm":"AES256","keySha256":"` + hash + `"}}`
	content := "{\n  \"Body\": \"" + base64.StdEncoding.EncodeToString([]byte(body)) + "\"\n}\n"
	match, tags, sec, rel, lines := contextCase(t, "object.replay", content, 2)
	why := ContextReason("generic-api-key", match, sec, rel, lines, 1, tags)
	if why != ReasonDecodedLine {
		t.Fatalf("ContextReason = %q (tags %v), want the decoded-text reason", why, tags)
	}
	if strings.Contains(why, hash) {
		t.Fatal("the reason holds the value")
	}
	// The same finding in plain text is not explained by decoding.
	if why := ContextReason("generic-api-key", match, sec, rel, lines, 1, nil); why != "" {
		t.Fatalf("without decode tags: ContextReason = %q, want none", why)
	}
}
