package environ

import (
	"strings"
	"testing"
)

// FuzzParseDotenv parses arbitrary env files: an entry is on a line of the
// file, and writing the entries back with QuoteDotenv parses to the same
// keys and values.
func FuzzParseDotenv(f *testing.F) {
	f.Add("# comment\nA=1\nexport B = two # trailing\nC='single $x'\nD=\"dq \\n \\\" \\$ end\"\nE=\n")
	f.Add("\xef\xbb\xbfA=b\r\nB=\"multi\nline\"\n")
	f.Add("A=\"unterminated\n")
	f.Add("A='unterminated\n")
	f.Add("=value\n")
	f.Add("A=1\nA=2\n")
	f.Add("A=\"\\q\"\n")
	f.Add("export\n")
	f.Fuzz(func(t *testing.T, src string) {
		entries, err := ParseDotenv(strings.NewReader(src))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		lines := strings.Count(src, "\n") + 1
		var b strings.Builder
		for _, e := range entries {
			if e.Line < 1 || e.Line > lines {
				t.Fatalf("entry %s on line %d of %d", e.Key, e.Line, lines)
			}
			b.WriteString(e.Key + "=" + QuoteDotenv(e.Value) + "\n")
		}
		again, err := ParseDotenv(strings.NewReader(b.String()))
		if err != nil || len(again) != len(entries) {
			t.Fatalf("%q parses, is written as %q, which does not parse back: %v", src, b.String(), err)
		}
		for i := range entries {
			if again[i].Key != entries[i].Key || again[i].Value != entries[i].Value {
				t.Fatalf("entry %d: %q=%q written as %q reads as %q=%q", i, entries[i].Key, entries[i].Value, b.String(), again[i].Key, again[i].Value)
			}
		}
	})
}

// FuzzParseRef parses secret references: what parses prints back to a
// reference that parses to the same thing.
func FuzzParseRef(f *testing.F) {
	for _, s := range []string{RefScheme + "prod/db#password", RefScheme + "prod/db", RefScheme + "prod/db#", RefScheme + "#x", RefScheme + "a#b#c", "plain", RefScheme + "p?stage=AWSPREVIOUS"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			return
		}
		again, err := ParseRef(r.String())
		if err != nil || again != r {
			t.Fatalf("%q parses as %+v, printed %q, which parses as %+v (%v)", s, r, r.String(), again, err)
		}
	})
}
