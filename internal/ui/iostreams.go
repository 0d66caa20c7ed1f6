// Package ui holds the terminal side of secretctl: IO streams with TTY and
// colour detection, output formats (table, json, yaml), lipgloss styles and
// the no-echo prompt. Domain packages never import it.
package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"
)

// IOStreams are the process's standard streams plus what is known about them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	colorDisabled                  bool
	termWidth                      func() int // stdout's width in columns; 0 when unknown
	readPassword                   func(prompt string) ([]byte, error)
	restoreTerm                    func() func() // saves the terminal state, returns its restorer
}

// System returns streams bound to the process's stdin, stdout and stderr.
func System() *IOStreams {
	s := &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
	s.termWidth = func() int { return terminalWidth(int(os.Stdout.Fd()), os.Getenv) }
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		s.colorDisabled = true
	}
	s.readPassword = func(prompt string) ([]byte, error) {
		fmt.Fprint(s.ErrOut, prompt)
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(s.ErrOut)
		return b, err
	}
	s.restoreTerm = func() func() {
		fd := int(os.Stdin.Fd())
		st, err := term.GetState(fd)
		if err != nil {
			return func() {}
		}
		return func() { _ = term.Restore(fd, st) }
	}
	return s
}

// Test returns streams backed by buffers (stdin, stdout, stderr), none a TTY.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	s := &IOStreams{In: in, Out: out, ErrOut: errOut}
	s.readPassword = func(string) ([]byte, error) {
		b, err := io.ReadAll(in)
		return bytes.TrimRight(b, "\r\n"), err
	}
	return s, in, out, errOut
}

func (s *IOStreams) IsStdinTTY() bool  { return s.stdinTTY }
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetStdinTTY, SetStdoutTTY and SetStderrTTY switch a test into human mode.
func (s *IOStreams) SetStdinTTY(v bool)  { s.stdinTTY = v }
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// defaultWidth is the width assumed for a terminal that reports none, as gh
// assumes.
const defaultWidth = 80

// terminalWidth is the width of the terminal on fd, from the terminal
// itself, else from COLUMNS, else defaultWidth.
func terminalWidth(fd int, getenv func(string) string) int {
	if w, _, err := term.GetSize(fd); err == nil && w > 0 {
		return w
	}
	if n, err := strconv.Atoi(strings.TrimSpace(getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	return defaultWidth
}

// TerminalWidth is the width that TTY tables fit in: 0 (no limit) when
// stdout is not a terminal, where tables are tab-separated and never cut.
func (s *IOStreams) TerminalWidth() int {
	if !s.stdoutTTY || s.termWidth == nil {
		return 0
	}
	return s.termWidth()
}

// SetTerminalWidth fixes the terminal width (tests; 0 is no limit).
func (s *IOStreams) SetTerminalWidth(w int) { s.termWidth = func() int { return w } }

// CanPrompt reports whether a no-echo prompt can be shown.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stderrTTY }

// SetColorDisabled turns colour off (--no-color).
func (s *IOStreams) SetColorDisabled(v bool) { s.colorDisabled = v }

// ColorEnabled is true only on a TTY stdout with NO_COLOR unset and
// --no-color off.
func (s *IOStreams) ColorEnabled() bool { return s.stdoutTTY && !s.colorDisabled }

// ErrNoTTY is returned by ReadSecret when no terminal is attached.
var ErrNoTTY = errors.New("no terminal to prompt on")

// ReadSecret shows prompt on stderr and reads a line without echo. It
// returns ctx.Err() as soon as ctx is cancelled (Ctrl-C), with the terminal
// restored, rather than waiting for Enter.
func (s *IOStreams) ReadSecret(ctx context.Context, prompt string) ([]byte, error) {
	if s.readPassword == nil {
		return nil, ErrNoTTY
	}
	restore := func() {}
	if s.restoreTerm != nil {
		restore = s.restoreTerm()
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := s.readPassword(prompt)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-ctx.Done():
		restore()
		fmt.Fprintln(s.ErrOut)
		return nil, ctx.Err()
	}
}
