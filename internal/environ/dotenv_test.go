package environ

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/secret"
)

func TestParseDotenv(t *testing.T) {
	src := "\xef\xbb\xbf# comment\n" +
		"A=bare value # comment\r\n" +
		"export B = 'single $HOME \"q\" # not a comment'\n" +
		"C=\"line1\\nline2 \\\"q\\\" \\$X \\\\ tab\\t\"\n" +
		"D=\"real\nnewline\" # after\n" +
		"\n   # indented comment\n" +
		"E=\n" +
		"F=a=b=c\n" +
		"G=x#y\n" +
		"H=''\n" +
		"I=secretctl://prod/db?stage=AWSPREVIOUS#password\n"
	got, err := ParseDotenv(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Key: "A", Value: "bare value", Line: 2},
		{Key: "B", Value: `single $HOME "q" # not a comment`, Line: 3},
		{Key: "C", Value: "line1\nline2 \"q\" $X \\ tab\t", Line: 4},
		{Key: "D", Value: "real\nnewline", Line: 5},
		{Key: "E", Value: "", Line: 9, Empty: true},
		{Key: "F", Value: "a=b=c", Line: 10},
		{Key: "G", Value: "x#y", Line: 11},
		{Key: "H", Value: "", Line: 12},
		{Key: "I", Value: "secretctl://prod/db?stage=AWSPREVIOUS#password", Line: 13},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseDotenvErrors(t *testing.T) {
	const canary = "canary-dotenv-err-77"
	for _, src := range []string{
		"A",
		"1A=x",
		"A-B=x",
		"A='" + canary,
		"A=\"" + canary,
		"A='" + canary + "' trailing",
		"A=1\nA=2",
	} {
		_, err := ParseDotenv(strings.NewReader(src))
		if err == nil {
			t.Errorf("ParseDotenv(%q): no error", src)
			continue
		}
		if strings.Contains(err.Error(), canary) || !strings.HasPrefix(err.Error(), "line ") {
			t.Errorf("ParseDotenv(%q) error %q: want a line number and no value", src, err)
		}
	}
}

func TestQuoteDotenvRoundTrip(t *testing.T) {
	values := []string{"", "plain", "with space", "it's", `dq"`, "$HOME", "${X}", "a#b", " #c", "line1\nline2", "cr\r\n",
		"tab\t", `back\slash`, `\n literal`, "=", "a=b", "'\"mixed\n$`", "trailing ", " leading", "é ünï", "`cmd`"}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ab '\"$#=\\\n\r\t`{}é"
	for range 500 {
		n := r.IntN(12)
		var b strings.Builder
		for range n {
			b.WriteString(string([]rune(alphabet)[r.IntN(len([]rune(alphabet)))]))
		}
		values = append(values, b.String())
	}
	for _, v := range values {
		src := "K=" + QuoteDotenv(v) + "\n"
		got, err := ParseDotenv(strings.NewReader(src))
		if err != nil || len(got) != 1 || got[0].Value != v {
			t.Errorf("round trip of %q via %q: %+v, %v", v, src, got, err)
		}
	}
}

func TestParseRef(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Ref
	}{
		{"secretctl://prod/db", Ref{Name: "prod/db"}},
		{"secretctl://prod/db#password", Ref{Name: "prod/db", Key: "password"}},
		{"secretctl://prod/db?stage=AWSPREVIOUS", Ref{Name: "prod/db", Stage: "AWSPREVIOUS"}},
		{"secretctl://prod/db?stage=AWSPREVIOUS#password", Ref{Name: "prod/db", Key: "password", Stage: "AWSPREVIOUS"}},
		{"secretctl://prod/db#password?stage=AWSPREVIOUS", Ref{Name: "prod/db", Key: "password", Stage: "AWSPREVIOUS"}},
		{"secretctl://prod/db?version-id=abc", Ref{Name: "prod/db", VersionID: "abc"}},
	} {
		got, err := ParseRef(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if back, err := ParseRef(got.String()); err != nil || back != got {
			t.Errorf("ParseRef(%q.String() = %q) = %+v, %v", tc.in, got.String(), back, err)
		}
	}
	for _, in := range []string{"prod/db", "secretctl://", "secretctl://#k", "secretctl://a#", "secretctl://a?x=1", "secretctl://a?stage=X#k?stage=Y"} {
		if _, err := ParseRef(in); err == nil {
			t.Errorf("ParseRef(%q): no error", in)
		}
	}
}

func TestFromSecret(t *testing.T) {
	const c = "canary-fromsecret-41"
	vars, err := FromSecret("prod/database/credentials", secret.New(`{"DB_PASSWORD":"`+c+`","apiKey":"k","port":5432,"on":true,"none":null,"nested":{"a": 1}}`))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	var order []string
	for _, v := range vars {
		got[v.Name] = v.Value.RevealString()
		order = append(order, v.Name)
	}
	want := map[string]string{"DB_PASSWORD": c, "API_KEY": "k", "PORT": "5432", "ON": "true", "NONE": "", "NESTED": `{"a":1}`}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if strings.Join(order, ",") != "API_KEY,DB_PASSWORD,NESTED,NONE,ON,PORT" {
		t.Errorf("order %v", order)
	}
	plain, err := FromSecret("prod/api/key", secret.New(c))
	if err != nil || len(plain) != 1 || plain[0].Name != "KEY" || plain[0].Value.RevealString() != c {
		t.Errorf("plain: %+v %v", plain, err)
	}
	for _, tc := range []struct {
		v    secret.Value
		want string
	}{
		{secret.New(`{"apiKey":"` + c + `","API_KEY":"x"}`), `keys "API_KEY" and "apiKey" both map to API_KEY`},
		{secret.NewBytes([]byte("\x00"+c), true), "binary"},
		{secret.New(`{"a":"\u0000` + c + `"}`), "NUL"},
	} {
		_, err := FromSecret("s", tc.v)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), c) {
			t.Errorf("FromSecret: err %v, want %q and no value", err, tc.want)
		}
	}
	if v, err := Field("s", secret.New(`{"password":"`+c+`"}`), "password"); err != nil || v.RevealString() != c {
		t.Errorf("Field: %v", err)
	}
	if _, err := Field("s", secret.New(`{"password":"`+c+`"}`), "user"); err == nil || strings.Contains(err.Error(), c) {
		t.Errorf("Field missing: %v", err)
	}
	if _, err := Field("s", secret.New(c), "user"); err == nil || strings.Contains(err.Error(), c) {
		t.Errorf("Field on plain: %v", err)
	}
}
