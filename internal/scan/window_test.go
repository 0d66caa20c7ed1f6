package scan

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// findingKeys describes each finding by everything but its secret (the
// fingerprint stands for it), sorted.
func findingKeys(fs []Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		m := sha256.Sum256([]byte(f.Match))
		out = append(out, fmt.Sprintf("%s %s:%d:%d-%d:%d %s %s tags=%v entropy=%.4f match=%x",
			f.RuleID, f.File, f.Line, f.Column, f.EndLine, f.EndColumn, f.Commit, f.Fingerprint, f.Tags, f.Entropy, m[:6]))
	}
	sort.Strings(out)
	return out
}

// sameFindings runs opts through the windowed path and the whole-fragment
// path and fails on any difference.
func sameFindings(t *testing.T, name string, opts Options) int {
	t.Helper()
	n, _ := sameFindingsResult(t, name, opts)
	return n
}

func sameFindingsResult(t *testing.T, name string, opts Options) (int, *Result) {
	t.Helper()
	opts.NoConfig = true
	whole := opts
	whole.wholeFragments = true
	want, err := Run(context.Background(), whole)
	if err != nil {
		t.Fatalf("%s: whole fragments: %v", name, err)
	}
	got, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("%s: windows: %v", name, err)
	}
	w, g := findingKeys(want.Findings), findingKeys(got.Findings)
	in := func(list []string) map[string]int {
		m := map[string]int{}
		for _, k := range list {
			m[k]++
		}
		return m
	}
	wm, gm := in(w), in(g)
	for k, n := range wm {
		if gm[k] < n {
			t.Errorf("%s: windows miss %s", name, k)
		}
	}
	for k, n := range gm {
		if wm[k] < n {
			t.Errorf("%s: windows add %s", name, k)
		}
	}
	if want.Bytes != got.Bytes || want.Files != got.Files {
		t.Errorf("%s: scanned %d files %d bytes, whole fragments %d files %d bytes", name, got.Files, got.Bytes, want.Files, want.Bytes)
	}
	return len(w), got
}

// TestWindowsSameFindings: the windowed engine reports exactly what
// gitleaks' whole-fragment detection reports (after secretctl's checks), on
// the corpora, the unit fixtures, the history fixture, a generated tree
// made to probe window edges, and Go's own crypto and encoding sources.
func TestWindowsSameFindings(t *testing.T) {
	td := filepath.Join("..", "..", "testdata", "scan")
	for _, d := range []string{"corpus", "heldout", "unit"} {
		n := sameFindings(t, d, Options{Paths: []string{filepath.Join(td, d)}, NoGitIgnore: true})
		t.Logf("%s: %d findings", d, n)
	}
	gen := t.TempDir()
	writeEdgeTree(t, gen, 200)
	n, res := sameFindingsResult(t, "generated", Options{Paths: []string{gen}, NoGitIgnore: true})
	t.Logf("generated: %d findings", n)
	// The tree exercises decoding (two passes), path rules and every kind
	// of rule run.
	kinds := map[string]int{}
	for _, f := range res.Findings {
		for _, tag := range f.Tags {
			if strings.HasPrefix(tag, "decode-depth:") || strings.HasPrefix(tag, "decoded:") {
				kinds[tag]++
			}
		}
		kinds[f.RuleID]++
	}
	for _, k := range []string{"decode-depth:1", "decode-depth:2", "decoded:base64", "decoded:hex", "decoded:percent", "decoded:unicode", "pkcs12-file", "freemius-secret-key", "generic-api-key", "private-key"} {
		if kinds[k] == 0 {
			t.Errorf("generated tree: no finding with %s", k)
		}
	}
	if n < 200 {
		t.Errorf("generated tree: %d findings, want hundreds", n)
	}
	// No decoding: the windowed rules alone.
	sameFindings(t, "generated, no decoding", Options{Paths: []string{gen}, NoGitIgnore: true, NoDecode: true})

	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil && !testing.Short() {
		src := filepath.Join(strings.TrimSpace(string(out)), "src")
		n = sameFindings(t, "GOROOT", Options{Paths: []string{filepath.Join(src, "crypto", "tls"), filepath.Join(src, "crypto", "x509"), filepath.Join(src, "net", "http")}, NoGitIgnore: true})
		t.Logf("GOROOT crypto/tls, crypto/x509, net/http: %d findings", n)
	}

	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git not installed: CI needs it for the history scans")
		}
		t.Skip("git not installed")
	}
	script, _ := filepath.Abs(filepath.Join(td, "history", "make-history.sh"))
	repo := t.TempDir()
	if out, err := exec.Command("bash", script, repo).CombinedOutput(); err != nil {
		t.Fatalf("make-history.sh: %v\n%s", err, out)
	}
	n = sameFindings(t, "history", Options{Paths: []string{repo}, Git: true})
	t.Logf("history: %d findings", n)
}

// writeEdgeTree writes files files of generated text: provider-shaped
// tokens (built at run time) near and far from their keywords, keys and
// values split over lines, PEM blocks, base64- and percent-encoded tokens,
// CRLF endings, long lines, runes whose case folding gives ASCII letters,
// and files dense with keywords.
func writeEdgeTree(t *testing.T, dir string, files int) {
	t.Helper()
	r := rand.New(rand.NewSource(15))
	const (
		alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
		hexd  = "0123456789abcdef"
	)
	tok := func(alpha string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[r.Intn(len(alpha))]
		}
		return string(b)
	}
	pem := func() string {
		var b strings.Builder
		b.WriteString("-----BEGIN " + "RSA PRIVATE KEY-----\n")
		for i := 0; i < 4+r.Intn(6); i++ {
			b.WriteString(tok(alnum+"+/", 64) + "\n")
		}
		b.WriteString("-----END RSA " + "PRIVATE KEY-----\n")
		return b.String()
	}
	tokens := []func() string{
		func() string { return "gh" + "p_" + tok(alnum, 36) },
		func() string { return "AK" + "IA" + tok(upper, 16) },
		func() string { return "gl" + "pat-" + tok(alnum, 20) },
		func() string {
			return "xo" + "xb-" + tok("0123456789", 12) + "-" + tok("0123456789", 12) + "-" + tok(alnum, 24)
		},
		func() string { return "sk" + "_live_" + tok(alnum, 32) },
		func() string { return "np" + "m_" + tok(alnum, 36) },
		func() string { return "SG." + tok(alnum, 22) + "." + tok(alnum, 43) },
		func() string { return "sh" + "pat_" + tok(hexd, 32) },
		func() string { return "dop" + "_v1_" + tok(hexd, 64) },
	}
	keyed := []string{"twitter", "sentry", "plaid", "heroku", "mailgun", "okta", "zendesk", "typeform", "snyk_api_token", "sonar_token"}
	filler := []string{
		"func handler(w http.ResponseWriter, r *http.Request) {",
		"\treturn nil",
		"}",
		"// the key is read from the environment, never from here",
		"const token = os.Getenv(\"TOKEN\")",
		"x := map[string]string{\"a\": \"b\"}",
		"# akia and ghp_ mentioned in prose only",
		"if err != nil { return err }",
		"",
	}
	for i := 0; i < files; i++ {
		var b strings.Builder
		nl := "\n"
		if i%7 == 3 {
			nl = "\r\n"
		}
		w := func(s string) { b.WriteString(s + nl) }
		for j := 0; j < 40+r.Intn(200); j++ {
			switch x := r.Intn(40); {
			case x == 0:
				w("token := \"" + tokens[r.Intn(len(tokens))]() + "\"")
			case x == 1:
				w(keyed[r.Intn(len(keyed))] + "_secret = " + tok(hexd, 40))
			case x == 2: // key and value split over lines
				w(keyed[r.Intn(len(keyed))] + "_key =")
				for k := r.Intn(4); k > 0; k-- {
					w("")
				}
				w("  \"" + tok(hexd, 32) + "\"")
			case x == 3:
				b.WriteString(pem())
			case x == 4:
				w("data: " + base64.StdEncoding.EncodeToString([]byte("export T="+tokens[r.Intn(len(tokens))]())))
			case x == 5:
				w("url: https://example.com/?k=" + strings.ReplaceAll(tokens[0](), "_", "%5F"))
			case x == 6:
				w(strings.Repeat("aaaa ", 2000) + tokens[r.Intn(len(tokens))]())
			case x == 7 && i%11 == 5:
				w("\u212aey = \"" + tok(hexd, 40) + "\" // twitter \u212a")
			case x == 8:
				w(tokens[r.Intn(len(tokens))]() + tokens[r.Intn(len(tokens))]())
			case x == 9 && i%5 != 0: // hex, nested base64, \u escapes
				w("hex = " + fmt.Sprintf("%x", "token="+tokens[r.Intn(len(tokens))]()))
			case x == 10 && i%5 != 0:
				w("blob: " + base64.StdEncoding.EncodeToString([]byte(base64.StdEncoding.EncodeToString([]byte("T="+tokens[r.Intn(len(tokens))]())))))
			case x == 11 && i%5 != 0:
				var esc strings.Builder
				for _, c := range tokens[r.Intn(len(tokens))]() {
					fmt.Fprintf(&esc, "\\u%04x", c)
				}
				w("s = \"" + esc.String() + "\"")
			case x < 12 && i%5 == 0: // dense keywords
				w("ghp_ akia xoxb sk_live twitter sentry " + tok(alnum, 10))
			default:
				w(filler[r.Intn(len(filler))])
			}
		}
		if i%13 == 0 {
			b.WriteString("last_twitter_token: " + tok(hexd, 40)) // no final newline
		}
		sub := filepath.Join(dir, fmt.Sprintf("d%02d", i%17))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		ext := []string{".go", ".yaml", ".env", ".txt", ".js"}[i%5]
		switch i % 23 {
		case 4: // path rules: a file name alone, and a path with a regex
			ext = ".p12"
		case 9:
			ext = ".php"
			b.WriteString("$c = ['secret_key' => '" + "sk" + "_" + tok(alnum, 29) + "'];\n")
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%03d%s", i, ext)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
