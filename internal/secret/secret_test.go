package secret

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestValueNeverFormats(t *testing.T) {
	v := New("canary-secret-value")
	for _, s := range []string{
		v.String(), fmt.Sprintf("%v %s %+v %#v %q", v, v, v, v, v),
		func() string { b, _ := json.Marshal(struct{ V Value }{v}); return string(b) }(),
	} {
		if strings.Contains(s, "canary") {
			t.Errorf("formatted value leaks: %s", s)
		}
	}
	if v.RevealString() != "canary-secret-value" {
		t.Error("Reveal does not return the value")
	}
}

func TestRandomPassword(t *testing.T) {
	o := DefaultPasswordOptions()
	o.ExcludeCharacters = `/@"'\`
	for i := 0; i < 200; i++ {
		p, err := RandomPassword(o)
		if err != nil {
			t.Fatal(err)
		}
		s := p.RevealString()
		if len(s) != 32 || strings.ContainsAny(s, `/@"'\ `) {
			t.Fatalf("bad password %q", s)
		}
		if !strings.ContainsAny(s, lower) || !strings.ContainsAny(s, upper) || !strings.ContainsAny(s, digits) || !strings.ContainsAny(s, punctuation) {
			t.Fatalf("password %q lacks a required class", s)
		}
	}
	if _, err := RandomPassword(PasswordOptions{Length: 8, ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true}); err == nil {
		t.Error("every class excluded is accepted")
	}
	if _, err := RandomPassword(PasswordOptions{Length: 2, RequireEachType: true}); err == nil {
		t.Error("a length shorter than the required classes is accepted")
	}
	if _, err := RandomPassword(PasswordOptions{Length: 5000}); err == nil {
		t.Error("length 5000 is accepted")
	}
}

func TestMask(t *testing.T) {
	if got := Mask("AKIAABCDEFGHWXYZ"); got != "****WXYZ" {
		t.Errorf("Mask = %q", got)
	}
	if got := Mask("short"); got != "****" {
		t.Errorf("Mask(short) = %q", got)
	}
}
