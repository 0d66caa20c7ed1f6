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

func TestMask(t *testing.T) {
	if got := Mask("AKIAABCDEFGHWXYZ"); got != "****WXYZ" {
		t.Errorf("Mask = %q", got)
	}
	if got := Mask("short"); got != "****" {
		t.Errorf("Mask(short) = %q", got)
	}
}
