package rotate

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/secret"
)

// FuzzParseSchedule parses arbitrary schedule expressions and windows: an
// accepted schedule prints as an expression that parses to itself, and its
// next window starts after the last rotation and ends after it starts.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range [][2]string{
		{"rate(30 days)", ""}, {"rate(4 hours)", ""}, {"rate(1 day)", "3h"}, {"rate(1000 days)", "24h"},
		{"cron(0 8 1 * ? *)", "2h"}, {"cron(0 */4 * * ? *)", ""}, {"cron(0 0 ? * MON-FRI *)", "1h"},
		{"cron(0 10 L * ? *)", ""}, {"cron(0 0 ? * 6#3 *)", ""}, {"cron(0 0 31 2 ? *)", ""},
		{"rate(9223372036854775807 hours)", ""}, {"rate(0 days)", ""}, {"cron()", ""}, {"cron(0 0 * * * *)", "99h"},
	} {
		f.Add(s[0], s[1], int64(1767312000))
	}
	f.Fuzz(func(t *testing.T, expr, window string, base int64) {
		s, err := ParseSchedule(expr, window)
		if err != nil {
			return
		}
		again, err := ParseSchedule(s.Expr, s.WindowString())
		if err != nil || again.Expr != s.Expr || again.Window != s.Window {
			t.Fatalf("%q %q parses as %q %q, which does not parse back: %v", expr, window, s.Expr, s.WindowString(), err)
		}
		from := time.Unix(base%(400*365*86400), 0).UTC()
		start, end, err := s.Next(from)
		if err != nil {
			return // a cron that never matches (31 February)
		}
		if !start.After(from) || end.Before(start) {
			t.Fatalf("%s after %v: window %v to %v", s.Expr, from, start, end)
		}
	})
}

// FuzzParseEvery: a shorthand interval that parses is a rate expression.
func FuzzParseEvery(f *testing.F) {
	for _, s := range []string{"30d", "12h", "1 day", "4 hours", "0h", "99999999999999999999d", "d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		expr, err := ParseEvery(s)
		if err != nil {
			return
		}
		if !rateRe.MatchString(expr) {
			t.Fatalf("ParseEvery(%q) = %q, not a rate expression", s, expr)
		}
	})
}

// FuzzParams decodes the rotation parameters tag: what decodes encodes to
// a tag that decodes to the same parameters.
func FuzzParams(f *testing.F) {
	ex := "\"'\\"
	f.Add(Params{Length: 32, Exclude: &ex, NoPunct: true, Field: "password"}.encode())
	f.Add("length=-1 exclude=!!! field=")
	f.Add("length=99999999999999999999")
	f.Add("space any-type no-numbers no-uppercase no-lowercase")
	f.Add("bogus")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := decodeParams(s)
		if err != nil {
			return
		}
		enc := p.encode()
		q, err := decodeParams(enc)
		if err != nil || q.encode() != enc {
			t.Fatalf("%q decodes and encodes as %q, which decodes differently: %v", s, enc, err)
		}
		_ = p.passwordOptions(`"'\`)
	})
}

// FuzzParseDBSecret decodes arbitrary database secrets: an error names
// keys, never a value of the secret.
func FuzzParseDBSecret(f *testing.F) {
	f.Add(`{"engine":"postgres","host":"127.0.0.1","port":5432,"username":"app","password":"canary-db-pw-1","dbname":"app"}`)
	f.Add(`{"host":"h","username":"u","password":"canary-db-pw-2","port":"canary-port"}`)
	f.Add(`{"host":"h","username":"u","password":{"canary":"nested"}}`)
	f.Add(`{"host":"h","username":"u","password":"canary-db-pw-3","port":1e3,"ssl":"TRUE"}`)
	f.Add(`{"host":"h","username":["canary-db-user"],"password":"p"}`)
	f.Add(`[]`)
	f.Add(`{"host":"canary`)
	f.Fuzz(func(t *testing.T, raw string) {
		_, err := ParseDBSecret(secret.New(raw), 5432, "postgres")
		if err == nil {
			return
		}
		var obj map[string]any
		_ = json.Unmarshal([]byte(raw), &obj)
		var leak func(v any)
		leak = func(v any) {
			switch x := v.(type) {
			case string:
				if len(x) >= 4 && strings.Contains(err.Error(), x) && !strings.Contains(`key "" is missing from the secret JSON is not a string port number value object`, x) {
					t.Fatalf("error %q quotes a value %q", err, x)
				}
			case map[string]any:
				for _, e := range x {
					leak(e)
				}
			case []any:
				for _, e := range x {
					leak(e)
				}
			}
		}
		leak(obj)
	})
}
