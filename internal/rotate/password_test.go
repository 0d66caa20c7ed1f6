package rotate

import (
	"strings"
	"testing"
)

func TestRandomPassword(t *testing.T) {
	classes := []string{upperChars, lowerChars, digitChars, punctChars}
	for i := 0; i < 200; i++ {
		pw, err := RandomPassword(DefaultPasswordOptions())
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
		pw, err := RandomPassword(o)
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
	pw, err := RandomPassword(PasswordOptions{Length: 4, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true})
	if err != nil || strings.Trim(pw, digitChars) != "" {
		t.Errorf("digits-only password = %v", err)
	}
	for _, bad := range []PasswordOptions{
		{Length: 5000},
		{Length: 3, RequireEachIncludedType: true},
		{ExcludeNumbers: true, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true},
		{ExcludeCharacters: upperChars + lowerChars + digitChars + punctChars},
	} {
		if _, err := RandomPassword(bad); err == nil {
			t.Errorf("RandomPassword(%+v) succeeded", bad)
		}
	}
}

func TestParamsRoundTrip(t *testing.T) {
	ex := `/@"'\ `
	p := Params{Length: 20, Exclude: &ex, NoPunct: true, Space: true, AnyType: true, Field: "db.password"}
	enc := p.encode()
	if strings.ContainsAny(enc, `"'\`) {
		t.Fatalf("params tag %q has characters AWS tag values refuse", enc)
	}
	got, err := decodeParams(enc)
	if err != nil || got.Length != 20 || got.Exclude == nil || *got.Exclude != ex || !got.NoPunct || !got.Space || !got.AnyType || got.Field != "db.password" {
		t.Fatalf("decode(%q) = %+v, %v", enc, got, err)
	}
	if _, err := decodeParams("bogus"); err == nil {
		t.Error("unknown word accepted")
	}
}

func TestAltUsername(t *testing.T) {
	for in, want := range map[string]string{"app": "app_clone", "app_clone": "app", "a_clone_clone": "a_clone"} {
		if got, err := AltUsername(in, 63); err != nil || got != want {
			t.Errorf("AltUsername(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := AltUsername(strings.Repeat("u", 27), 32); err == nil {
		t.Error("a 33-character clone name passed a 32-character limit")
	}
	if _, err := AltUsername(strings.Repeat("u", 57), 63); err != nil {
		t.Errorf("a 63-character clone name failed: %v", err)
	}
}
