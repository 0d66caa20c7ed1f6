package secret

import (
	"strings"
	"testing"
)

func TestRandomPassword(t *testing.T) {
	classes := []string{upperChars, lowerChars, digitChars, punctChars}
	for i := 0; i < 200; i++ {
		pw, err := randomPassword(DefaultPasswordOptions())
		if err != nil || len(pw) != 32 {
			t.Fatalf("default password: len %d, %v", len(pw), err)
		}
		for _, c := range classes {
			if !strings.ContainsAny(pw, c) {
				t.Fatalf("default password lacks a character of class %q", c)
			}
		}
		if strings.Contains(pw, " ") {
			t.Fatal("space included by default")
		}
	}
	o := PasswordOptions{Length: 64, ExcludeCharacters: `:/@"'\`, ExcludeUppercase: true, IncludeSpace: true, RequireEachIncludedType: true}
	for i := 0; i < 100; i++ {
		pw, err := randomPassword(o)
		if err != nil || len(pw) != 64 {
			t.Fatalf("len %d, %v", len(pw), err)
		}
		if strings.ContainsAny(pw, `:/@"'\`+upperChars) {
			t.Fatalf("excluded characters present")
		}
		if !strings.Contains(pw, " ") {
			t.Fatalf("RequireEachIncludedType with IncludeSpace gave no space")
		}
	}
	pw, err := randomPassword(PasswordOptions{Length: 4, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true})
	if err != nil || strings.Trim(pw, digitChars) != "" {
		t.Errorf("digits-only password = %v", err)
	}
	for _, bad := range []PasswordOptions{
		{Length: 5000},
		{Length: 3, RequireEachIncludedType: true},
		{ExcludeNumbers: true, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true},
		{ExcludeCharacters: upperChars + lowerChars + digitChars + punctChars},
	} {
		if _, err := randomPassword(bad); err == nil {
			t.Errorf("randomPassword(%+v) succeeded", bad)
		}
	}
}
