package scan

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zricethezav/gitleaks/v8/config"
)

func genericRule(t testing.TB) (*ruleEnv, *config.Rule) {
	t.Helper()
	cfg, err := LoadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Rules["generic-api-key"]
	if !genericFast(&r) {
		t.Fatalf("generic-api-key's regex is not the one genericFindAll knows: %s", r.Regex)
	}
	return newRuleEnv(cfg), &r
}

// genericDiff says how genericFindAll differs from the regex's own
// FindAllStringIndex on text ("" when it does not).
func genericDiff(env *ruleEnv, r *config.Rule, text string) string {
	want := r.Regex.FindAllStringIndex(text, -1)
	got := genericFindAll(r, text)
	if len(want) == 0 && len(got) == 0 || reflect.DeepEqual(want, got) {
		return ""
	}
	return fmt.Sprintf("got %v, want %v", got, want)
}

// TestGenericFindAll: the block-wise search gives exactly the regex's
// matches, on hand-made texts where matches cross lines (through the
// spaces, quotes and operators around the value, blank lines and CRLF
// included) and on generated texts built from the regex's own pieces.
func TestGenericFindAll(t *testing.T) {
	env, r := genericRule(t)
	value := "Canary" + "Value0123456789abc"
	cases := []string{
		"",
		"api_key = \"" + value + "\"\n",
		"api_key =\n\"" + value + "\"\n",
		"api_key\n=\n" + value + "\n",
		"token:\n\n\n\n   " + value + "\n",
		"secret =\r\n\r\n  '" + value + "'\r\n",
		"password\n\n\n:" + value,
		"x ======\n" + value + "\n",
		"auth ||\n" + value + ";\n",
		"creds ?=\t\n\t" + value + "\\n",
		"mykey.id-of.the_things ,\n\n" + value,
		"the access token is\n" + value + "\n",
		strings.Repeat("a", 60) + "key=" + value + "\n",
		"\u212aey = " + value + "\n",
		"API = " + value + " aPi = " + value + "\n",
		"credential: [" + value + "]\nkey: " + value + "\n",
	}
	for _, c := range cases {
		if d := genericDiff(env, r, c); d != "" {
			t.Errorf("on %q: %s", c, d)
		}
	}
	rnd := rand.New(rand.NewSource(15))
	pieces := []string{"api", "Key", "TOKEN", "secret", "passwd", "password", "auth", "credential", "creds", "access",
		"_", ".", "-", "x", "my", "Id", " ", "\t", "\"", "'", "`", "=", "==", ">", ":", "::=", "||", "=>", "?=", ",",
		"\n", "\n", "\r\n", "\\n", ";", "+", "/", value, value[:11], "abc123def456ghi", "0123456789", "\u212a", "\u017f", "\xff", "é",
		strings.Repeat("x", 48), strings.Repeat("ab", 30)}
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := 1 + rnd.Intn(40); n > 0; n-- {
			b.WriteString(pieces[rnd.Intn(len(pieces))])
		}
		if d := genericDiff(env, r, b.String()); d != "" {
			t.Fatalf("on %q: %s", b.String(), d)
		}
	}
}

// FuzzGenericFindAll compares the block-wise search with the regex.
func FuzzGenericFindAll(f *testing.F) {
	env, r := genericRule(f)
	for _, s := range []string{"api_key =\n\n\"CanaryValue0123456789\"\n", "token:\r\n\r\n  abcdefghijkl\n", "key, \n x\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d := genericDiff(env, r, s); d != "" {
			t.Fatalf("on %q: %s", s, d)
		}
	})
}

// TestSepBeforeQuote: the structural pass's prefilter never hides a
// match of quotedRe.
func TestSepBeforeQuote(t *testing.T) {
	rnd := rand.New(rand.NewSource(7))
	pieces := []string{"password", "key", "x", " ", "\t", "=", ":=", ":", "=>", "??=", "+=", "\"", "'", "`", "r", "b", "f", "u", "rb", "$env:", "@", "$", "[", "]", "(", ")", ",", "canary-value", "\\", "<T>", "?", "&", "\r"}
	for i := 0; i < 50000; i++ {
		var b strings.Builder
		for n := 1 + rnd.Intn(14); n > 0; n-- {
			b.WriteString(pieces[rnd.Intn(len(pieces))])
		}
		l := b.String()
		if quotedRe.MatchString(l) && !sepBeforeQuote(l) {
			t.Fatalf("sepBeforeQuote(%q) = false, but quotedRe matches", l)
		}
	}
}

// TestGenericAcrossLines: a generic-api-key match that goes on to the
// next lines (an operator at the end of a line, the value below it) is
// found, as the regex finds it in the whole file, though those lines hold
// no keyword.
func TestGenericAcrossLines(t *testing.T) {
	_, r := genericRule(t)
	src := "package x\n\nfunc TestX(t *testing.T) {\n" +
		"\tsecret := `\nMIICeQIBADANBgkqhkiG9w0BAQEFAASCAmMwggJfAgEAAoGBAOJCcanaryq2WXtkXZ6sa\n`\n" +
		"\tx := 1\n" +
		"\tauth_token =\n  \"Zq8x4canaryRt1Lm9Wv2Kp7Hs3Jd6Fg\"\n" +
		"\tapi_key:\n\n\n\tW4kRr7canaryTq2Pz9Lx3Mv8Nc1Bh6\n" +
		"}\n"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x_test.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Options{Paths: []string{dir}, NoGitIgnore: true, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	matches := r.Regex.FindAllStringIndex(src, -1)
	if len(matches) < 3 {
		t.Fatalf("the regex finds %d matches in the fixture, want 3", len(matches))
	}
	for _, m := range matches {
		first := strings.Count(src[:m[0]], "\n") + 1
		last := first + strings.Count(src[m[0]:m[1]], "\n")
		found := false
		for _, f := range res.Findings {
			if f.RuleID == "generic-api-key" && f.Line >= first && f.Line <= last {
				found = true
			}
		}
		if !found {
			var got []string
			for _, f := range res.Findings {
				got = append(got, fmt.Sprintf("%s:%d", f.RuleID, f.Line))
			}
			t.Errorf("no generic-api-key finding on lines %d-%d (findings: %v)", first, last, got)
		}
	}
}
