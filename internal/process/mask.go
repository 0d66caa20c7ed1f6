package process

import (
	"bytes"
	"io"
	"sort"
	"sync"
)

// MinMaskLen is the shortest value a Masker hides: shorter ones (a "1", a
// "true") would turn ordinary output into noise, and hide little.
const MinMaskLen = 4

// flushAt is how much a line without a newline may grow before the Masker
// writes what it can anyway (a progress bar, a prompt).
const flushAt = 64 << 10

// Masker is an io.WriteCloser that replaces every occurrence of the values
// it was given with "<NAME>" before writing to the underlying writer. It
// writes whole lines, holding back a partial line until its newline, the
// Close, or flushAt bytes, and never writes a prefix of a value that might
// be completed by the next Write: a value split across two reads (or two
// lines, for a value holding a newline) is still replaced. It is safe for
// concurrent use.
type Masker struct {
	mu     sync.Mutex
	w      io.Writer
	vals   [][]byte // longest first, so a value containing another wins
	names  []string
	buf    []byte
	maxLen int
	err    error
}

// NewMasker returns a Masker writing to w that replaces values[name] with
// <name>. Values shorter than MinMaskLen are left alone.
func NewMasker(w io.Writer, values map[string]string) *Masker {
	m := &Masker{w: w}
	type pair struct{ name, val string }
	var ps []pair
	for n, v := range values {
		if len(v) >= MinMaskLen {
			ps = append(ps, pair{n, v})
		}
	}
	sort.Slice(ps, func(i, j int) bool {
		if len(ps[i].val) != len(ps[j].val) {
			return len(ps[i].val) > len(ps[j].val)
		}
		return ps[i].name < ps[j].name
	})
	for _, p := range ps {
		m.vals = append(m.vals, []byte(p.val))
		m.names = append(m.names, p.name)
		m.maxLen = max(m.maxLen, len(p.val))
	}
	return m
}

// Write buffers p and writes out every complete line that is safe to write.
func (m *Masker) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return 0, m.err
	}
	m.buf = append(m.buf, p...)
	if err := m.flush(false); err != nil {
		m.err = err
		return 0, err
	}
	return len(p), nil
}

// Close writes what is left, masked.
func (m *Masker) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	return m.flush(true)
}

// flush writes the longest prefix of buf that ends a line (or all of it at
// the end), with values replaced. The cut never falls inside a value
// occurrence, nor where the rest of buf could be the start of one.
func (m *Masker) flush(final bool) error {
	var spans []span
	for i := 0; i < len(m.buf); {
		if k := m.matchAt(i); k >= 0 {
			spans = append(spans, span{i, i + len(m.vals[k]), k})
			i += len(m.vals[k])
			continue
		}
		i++
	}
	cut := len(m.buf)
	if !final {
		// Hold back a tail that is a proper prefix of some value.
		hold := m.pendingPrefix(spans)
		limit := len(m.buf) - hold
		nl := bytes.LastIndexByte(m.buf[:limit], '\n')
		switch {
		case nl >= 0:
			cut = nl + 1
		case limit >= flushAt:
			cut = limit
		default:
			cut = 0
		}
		// A value holding a newline may straddle the cut: move the cut
		// back to its start.
		for _, s := range spans {
			if s.start < cut && s.end > cut {
				cut = s.start
			}
		}
	}
	if cut == 0 {
		return nil
	}
	var out bytes.Buffer
	pos := 0
	for _, s := range spans {
		if s.end > cut {
			break
		}
		out.Write(m.buf[pos:s.start])
		out.WriteString("<" + m.names[s.val] + ">")
		pos = s.end
	}
	out.Write(m.buf[pos:cut])
	m.buf = append(m.buf[:0], m.buf[cut:]...)
	_, err := m.w.Write(out.Bytes())
	return err
}

// span is one occurrence of value val in buf[start:end].
type span struct{ start, end, val int }

func (m *Masker) matchAt(i int) int {
	for k, v := range m.vals {
		if bytes.HasPrefix(m.buf[i:], v) {
			return k
		}
	}
	return -1
}

// pendingPrefix returns the length of the longest suffix of buf, starting
// after the last complete occurrence, that is a proper prefix of a value.
func (m *Masker) pendingPrefix(spans []span) int {
	from := 0
	if len(spans) > 0 {
		from = spans[len(spans)-1].end
	}
	start := max(from, len(m.buf)-m.maxLen+1)
	for i := start; i < len(m.buf); i++ {
		tail := m.buf[i:]
		for _, v := range m.vals {
			if len(tail) < len(v) && bytes.HasPrefix(v, tail) {
				return len(m.buf) - i
			}
		}
	}
	return 0
}
