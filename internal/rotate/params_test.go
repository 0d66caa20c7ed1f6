package rotate

import (
	"strings"
	"testing"
)

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
