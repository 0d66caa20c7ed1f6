package ui

import (
	"fmt"
	"testing"
)

func TestProgressOnlyOnATerminal(t *testing.T) {
	s, _, _, errOut := Test()
	p := s.NewProgress(0)
	p.Printf("scanning: %d files", 3)
	fmt.Fprintln(p, "rotate a: done")
	p.Done()
	if got, want := errOut.String(), "rotate a: done\n"; got != want {
		t.Errorf("piped stderr = %q, want %q", got, want)
	}
}

func TestProgressClearsBeforeLines(t *testing.T) {
	s, _, _, errOut := Test()
	s.SetStderrTTY(true)
	p := s.NewProgress(0)
	p.Printf("scanning: %d files", 3)
	p.Printf("scanning: %d files", 4) // within 200 ms of the first: dropped
	fmt.Fprintln(p, "rotate a: done")
	p.Done() // nothing shown since the line, nothing to clear
	if got, want := errOut.String(), "\r\033[Kscanning: 3 files\r\033[Krotate a: done\n"; got != want {
		t.Errorf("terminal stderr = %q, want %q", got, want)
	}
}

func TestProgressDelay(t *testing.T) {
	s, _, _, errOut := Test()
	s.SetStderrTTY(true)
	p := s.NewProgress(1 << 62)
	p.Printf("scanning")
	p.Done()
	if errOut.Len() != 0 {
		t.Errorf("a run shorter than the delay printed %q", errOut.String())
	}
}
