package environ

import (
	"errors"
	"slices"
	"testing"
)

func TestValid(t *testing.T) {
	for name, want := range map[string]bool{
		"A": true, "_": true, "DB_PASSWORD": true, "apiKey": true, "_X1": true, "a1": true,
		"": false, "1A": false, "A-B": false, "A.B": false, "A B": false, "É": false, "A=B": false,
	} {
		if got := Valid(name); got != want {
			t.Errorf("Valid(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestFromKey(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		{"DB_PASSWORD", "DB_PASSWORD"},
		{"API_KEY", "API_KEY"},
		{"_X1", "_X1"},
		{"apiKey", "API_KEY"},
		{"database.password", "DATABASE_PASSWORD"},
		{"username", "USERNAME"},
		{"dbname", "DBNAME"},
		{"db-host", "DB_HOST"},
		{"db host", "DB_HOST"},
		{"HTTPServer", "HTTP_SERVER"},
		{"oauth2Token", "OAUTH2_TOKEN"},
		{"key2", "KEY2"},
		{"2fa", "_2FA"},
		{"Db_Password", "DB_PASSWORD"},
		{"a..b", "A_B"},
		{"-x-", "X"},
		{"clé", "CL"},
		{"ID", "ID"},
		{"userID", "USER_ID"},
	} {
		got, err := FromKey(tc.key)
		if err != nil || got != tc.want {
			t.Errorf("FromKey(%q) = %q, %v; want %q", tc.key, got, err, tc.want)
		}
		if err == nil && !Canonical(got) {
			t.Errorf("FromKey(%q) = %q is not canonical", tc.key, got)
		}
	}
	for _, key := range []string{"", "...", "é"} {
		if got, err := FromKey(key); !errors.Is(err, ErrInvalidName) {
			t.Errorf("FromKey(%q) = %q, %v; want ErrInvalidName", key, got, err)
		}
	}
}

func TestFromPath(t *testing.T) {
	for _, tc := range []struct {
		path []string
		want string
	}{
		{[]string{"database", "password"}, "DATABASE_PASSWORD"},
		{[]string{"DB", "password"}, "DB_PASSWORD"},
		{[]string{"smtp", "apiKey"}, "SMTP_API_KEY"},
		{[]string{"2", "x"}, "_2_X"},
		{[]string{"a", "2"}, "A_2"},
	} {
		got, err := FromPath(tc.path...)
		if err != nil || got != tc.want {
			t.Errorf("FromPath(%q) = %q, %v; want %q", tc.path, got, err, tc.want)
		}
	}
	for _, path := range [][]string{nil, {"a", ""}, {"-"}} {
		if _, err := FromPath(path...); !errors.Is(err, ErrInvalidName) {
			t.Errorf("FromPath(%q): err %v, want ErrInvalidName", path, err)
		}
	}
}

func TestForSecret(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"prod/api/key", "KEY"},
		{"key", "KEY"},
		{"prod/db-password", "DB_PASSWORD"},
		{"prod/stripeApiKey", "STRIPE_API_KEY"},
		{"prod/API_TOKEN", "API_TOKEN"},
		{"a/b.c", "B_C"},
	} {
		got, err := ForSecret(tc.name)
		if err != nil || got != tc.want {
			t.Errorf("ForSecret(%q) = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	for _, name := range []string{"", "prod/", "prod/--"} {
		if _, err := ForSecret(name); !errors.Is(err, ErrInvalidName) {
			t.Errorf("ForSecret(%q): err %v, want ErrInvalidName", name, err)
		}
	}
}

func TestDedupe(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{nil, []string{}},
		{[]string{"A", "B"}, []string{"A", "B"}},
		{[]string{"A", "A", "A"}, []string{"A", "A_2", "A_3"}},
		{[]string{"A", "A", "A_2"}, []string{"A", "A_3", "A_2"}},
		{[]string{"A_2", "A", "A"}, []string{"A_2", "A", "A_3"}},
		{[]string{"A", "B", "A", "B", "A"}, []string{"A", "B", "A_2", "B_2", "A_3"}},
		{[]string{"A", "A", "A_3", "A"}, []string{"A", "A_2", "A_3", "A_4"}},
	} {
		in := slices.Clone(tc.in)
		got := Dedupe(tc.in)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Dedupe(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !slices.Equal(in, tc.in) {
			t.Errorf("Dedupe modified its input")
		}
		seen := map[string]bool{}
		for _, n := range got {
			if seen[n] {
				t.Errorf("Dedupe(%q) = %q has duplicate %q", tc.in, got, n)
			}
			seen[n] = true
		}
	}
}
