package scan

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLiteralPrefilters checks that each literal pattern's cheap test
// passes every line its regexp matches: on every line of the corpus and
// on lines that use Unicode case folding, which an ASCII test would miss.
func TestLiteralPrefilters(t *testing.T) {
	lines := []string{
		`mysql -u root -pS3cretcanary db`,
		`token = JWT.sign(payload, "canary-jwt-secret")`,
		`CMDKEY /generic:host /user:u /pass:canarypw`,
		"cmd\u212Aey /generic:host /user:u /pass:canarypw", // Kelvin sign folds onto k
		"\u017Fchtasks /create /ru u /rp canarypw",         // long s folds onto s
		`NET USE \\host\share /user:dom\u canarypw`,
		`ALTER USER app IDENTIFIED BY 'canarypw1'`,
		`SET PASSWORD = 'canarypw1'`,
		"pass\u017Fword 'canarypw1'",
		`$p = ConvertTo-SecureString "canarypw1" -AsPlainText`,
		`ks.load(in, "canarypw".toCharArray())`,
		`redis.auth("canarypw")`,
		`host=db user=app password=canarypw`,
		`new SymmetricSecurityKey(Encoding.UTF8.GetBytes("canary-signing-key"))`,
	}
	err := filepath.WalkDir("../../testdata/scan", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		lines = append(lines, strings.Split(string(b), "\n")...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	matched := 0
	for _, p := range literalPatterns {
		for _, l := range lines {
			if p.re.MatchString(l) {
				matched++
				if !p.pre(l) {
					t.Errorf("%s matches a line its prefilter rejects (line of %d bytes)", p.re, len(l))
				}
			}
		}
		if p.pre("const handler = function(req, res) { return res.json(ok) }") {
			t.Errorf("%s: prefilter passes a line without its literal", p.re)
		}
	}
	if matched < len(literalPatterns) {
		t.Errorf("only %d matching lines for %d patterns: the test lines no longer exercise them", matched, len(literalPatterns))
	}
}

func TestMayContainFold(t *testing.T) {
	for _, c := range []struct {
		l, w string
		want bool
	}{
		{"x = JWT.sign()", "jwt", true},
		{"x = jw t", "jwt", false},
		{"ConvertTo-SecureString", "convertto-", true},
		{"jwtx", "jwt", true},
		{"jw", "jwt", false},
		{"caf\u00e9", "jwt", true}, // not ASCII: always may
	} {
		if got := mayContainFold(c.l, c.w); got != c.want {
			t.Errorf("mayContainFold(%q, %q) = %v, want %v", c.l, c.w, got, c.want)
		}
	}
}
