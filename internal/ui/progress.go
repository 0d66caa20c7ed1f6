package ui

import (
	"fmt"
	"sync"
	"time"
)

// Progress is a status line on stderr that rewrites itself in place
// ("\r", erase line), shown only when stderr is a terminal and redrawn at
// most every 200 ms. Permanent lines written through it (it is an
// io.Writer) clear the status line first, so the two never mix. It is safe
// for concurrent use.
type Progress struct {
	s     *IOStreams
	on    bool
	delay time.Duration // nothing is shown before this much time has passed
	start time.Time
	last  time.Time
	shown bool
	mu    sync.Mutex
}

const (
	clearLine     = "\r\033[K"
	progressEvery = 200 * time.Millisecond
)

// NewProgress starts a status line on s.ErrOut. It shows nothing before
// delay has passed, so quick runs print no progress at all.
func (s *IOStreams) NewProgress(delay time.Duration) *Progress {
	return &Progress{s: s, on: s.IsStderrTTY(), delay: delay, start: time.Now()}
}

// Printf replaces the status line, unless the last redraw was under 200 ms
// ago or stderr is not a terminal.
func (p *Progress) Printf(format string, a ...any) {
	if !p.on {
		return
	}
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Sub(p.start) < p.delay || now.Sub(p.last) < progressEvery {
		return
	}
	p.last, p.shown = now, true
	fmt.Fprintf(p.s.ErrOut, clearLine+format, a...)
}

// Write writes b to stderr as permanent output, clearing the status line
// first.
func (p *Progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	return p.s.ErrOut.Write(b)
}

// Done clears the status line.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

func (p *Progress) clear() {
	if p.shown {
		fmt.Fprint(p.s.ErrOut, clearLine)
		p.shown = false
	}
}
