package process

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestMaskerSplitWrites(t *testing.T) {
	vals := map[string]string{"DB_PASSWORD": "canary-pw-8c1f", "MULTI": "canary-ml\nsecond-line", "LONGER": "canary-pw-8c1f-and-more"}
	input := "start canary-pw-8c1f mid\nline2 canary-ml\nsecond-line end\ncanary-pw-8c1f-and-more\nshort canary-pw-8c\nnot canary-p\n"
	want := "start <DB_PASSWORD> mid\nline2 <MULTI> end\n<LONGER>\nshort canary-pw-8c\nnot canary-p\n"
	// Every way of cutting the input into two writes, then random cuts.
	for cut := 0; cut <= len(input); cut++ {
		var out bytes.Buffer
		m := NewMasker(&out, vals)
		m.Write([]byte(input[:cut]))
		m.Write([]byte(input[cut:]))
		m.Close()
		if out.String() != want {
			t.Fatalf("cut %d: got %q", cut, out.String())
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		var out bytes.Buffer
		m := NewMasker(&out, vals)
		for rest := input; rest != ""; {
			n := 1 + r.IntN(len(rest))
			m.Write([]byte(rest[:n]))
			rest = rest[n:]
		}
		m.Close()
		if out.String() != want {
			t.Fatalf("random cuts: got %q", out.String())
		}
	}
}

func TestMaskerLineBuffered(t *testing.T) {
	var out bytes.Buffer
	m := NewMasker(&out, map[string]string{"K": "canary-lb-1234"})
	m.Write([]byte("partial "))
	if out.Len() != 0 {
		t.Errorf("wrote %q before the end of the line", out.String())
	}
	m.Write([]byte("line\nnext canary-lb"))
	if out.String() != "partial line\n" {
		t.Errorf("after the newline: %q", out.String())
	}
	m.Write([]byte("-1234 done"))
	m.Close()
	if out.String() != "partial line\nnext <K> done" {
		t.Errorf("final: %q", out.String())
	}
}

func TestMaskerShortAndLongLines(t *testing.T) {
	var out bytes.Buffer
	m := NewMasker(&out, map[string]string{"P": "1", "K": "canary-xyz9"})
	long := strings.Repeat("a", flushAt+10)
	m.Write([]byte(long))
	if out.Len() < flushAt {
		t.Errorf("a long line without newline was held back entirely (%d bytes out)", out.Len())
	}
	m.Write([]byte("canary-xyz9 1\n"))
	m.Close()
	if !strings.HasSuffix(out.String(), "<K> 1\n") || strings.Contains(out.String(), "canary-xyz9") {
		t.Errorf("tail %q", out.String()[len(out.String())-20:])
	}
}
