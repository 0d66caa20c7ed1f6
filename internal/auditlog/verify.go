package auditlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
)

// IssueKind names what happened to the log.
type IssueKind string

// The kinds of issue Verify reports. All but Uncommitted mean the file was
// changed after it was written.
const (
	Edited      IssueKind = "edited"      // a record's content no longer matches its hash, or it was re-hashed
	Deleted     IssueKind = "deleted"     // records are missing from the middle of the chain
	Inserted    IssueKind = "inserted"    // a record that is not part of the chain
	Reordered   IssueKind = "reordered"   // records are out of seq order
	Truncated   IssueKind = "truncated"   // records are missing from the end
	Malformed   IssueKind = "malformed"   // a line that is not a record
	Uncommitted IssueKind = "uncommitted" // records after the committed head: a crash before commit, dropped at the next write
)

// Issue is one finding of Verify. Line is the 1-based line of the file it is
// about (0 when the records are gone); Seq the record's seq, or the first
// missing seq for Deleted and Truncated, with LastSeq the last one.
type Issue struct {
	Kind    IssueKind `json:"kind"`
	Line    int       `json:"line,omitempty"`
	Seq     uint64    `json:"seq,omitempty"`
	LastSeq uint64    `json:"lastSeq,omitempty"`
	Detail  string    `json:"detail"`
}

func (i Issue) String() string {
	if i.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", i.Line, i.Kind, i.Detail)
	}
	return fmt.Sprintf("%s: %s", i.Kind, i.Detail)
}

// Result is what Verify found.
type Result struct {
	Records int     `json:"records"` // records read, uncommitted ones included
	Head    Head    `json:"head"`    // the committed head the file was checked against
	Issues  []Issue `json:"issues"`
}

// OK reports whether the log matches its head: no issue other than
// Uncommitted records.
func (r Result) OK() bool {
	for _, i := range r.Issues {
		if i.Kind != Uncommitted {
			return false
		}
	}
	return true
}

type entry struct {
	line       int
	start      int64
	seq        uint64
	prevHash   string
	hash       string // as written in the line
	selfOK     bool   // hash matches the content
	eventName  string
	eventTime  string
	isInserted bool
}

// Verify reads a whole log and checks it against head, the committed chain
// head kept apart from the file, with the hashes of c. It reports each record that was edited,
// deleted, inserted or reordered, by line and seq. The error is for I/O
// only; what is wrong with the file is in Result.Issues.
func Verify(r io.Reader, head Head, c Chain) (Result, error) {
	if head.Hash == "" {
		head.Hash = GenesisHash
	}
	res := Result{Head: head}
	var entries []*entry
	br := bufio.NewReader(r)
	var off int64
	for n := 1; ; n++ {
		raw, err := br.ReadBytes('\n')
		if len(raw) > 0 {
			start := off
			off += int64(len(raw))
			line := bytes.TrimSpace(raw)
			if len(line) > 0 {
				if e, ok := parseEntry(line, n, start, c); ok {
					entries = append(entries, e)
					res.Records++
				} else if start >= head.Offset && errors.Is(err, io.EOF) && raw[len(raw)-1] != '\n' {
					res.Issues = append(res.Issues, Issue{Kind: Uncommitted, Line: n,
						Detail: "an incomplete record after the committed head; it is dropped at the next write"})
				} else {
					res.Issues = append(res.Issues, Issue{Kind: Malformed, Line: n, Detail: "not an audit record"})
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, fmt.Errorf("read audit log: %w", err)
		}
	}

	// Records past the committed head: after the committed length they may be
	// what a crash left; anywhere else they were put there.
	chain := entries[:0:0]
	for _, e := range entries {
		if e.seq > head.Seq || e.seq == 0 {
			if e.start >= head.Offset && e.seq > head.Seq {
				res.Issues = append(res.Issues, Issue{Kind: Uncommitted, Line: e.line, Seq: e.seq,
					Detail: fmt.Sprintf("record seq %d lies after the committed head (seq %d); it is dropped at the next write", e.seq, head.Seq)})
			} else {
				res.Issues = append(res.Issues, Issue{Kind: Inserted, Line: e.line, Seq: e.seq,
					Detail: fmt.Sprintf("record seq %d is beyond the committed head (seq %d)", e.seq, head.Seq)})
			}
			continue
		}
		chain = append(chain, e)
	}

	// Several records with one seq: the genuine one is the one the next
	// record (or the head) links to.
	bySeq := map[uint64][]*entry{}
	for _, e := range chain {
		bySeq[e.seq] = append(bySeq[e.seq], e)
	}
	for seq, group := range bySeq {
		if len(group) < 2 {
			continue
		}
		next := map[string]bool{}
		if seq == head.Seq {
			next[head.Hash] = true
		}
		for _, n := range bySeq[seq+1] {
			next[n.prevHash] = true
		}
		keep := -1
		for i, e := range group {
			if e.selfOK && next[e.hash] {
				keep = i
				break
			}
		}
		if keep < 0 {
			for i, e := range group {
				if e.selfOK {
					keep = i
					break
				}
			}
		}
		if keep < 0 {
			keep = 0
		}
		for i, e := range group {
			if i != keep {
				e.isInserted = true
				res.Issues = append(res.Issues, Issue{Kind: Inserted, Line: e.line, Seq: e.seq,
					Detail: fmt.Sprintf("a second record with seq %d (%s); the chain continues from line %d", e.seq, e.describe(), group[keep].line)})
			}
		}
	}
	chain = slices.DeleteFunc(chain, func(e *entry) bool { return e.isInserted })

	// File order must follow seq order.
	var maxE *entry
	for _, e := range chain {
		if maxE != nil && e.seq < maxE.seq {
			res.Issues = append(res.Issues, Issue{Kind: Reordered, Line: e.line, Seq: e.seq,
				Detail: fmt.Sprintf("record seq %d comes after seq %d (line %d)", e.seq, maxE.seq, maxE.line)})
			continue
		}
		maxE = e
	}

	// The chain in seq order.
	sorted := slices.Clone(chain)
	slices.SortStableFunc(sorted, func(a, b *entry) int {
		switch {
		case a.seq < b.seq:
			return -1
		case a.seq > b.seq:
			return 1
		}
		return 0
	})
	expected, prev := uint64(1), GenesisHash
	prevLine, prevOK := 0, true
	for _, e := range sorted {
		if e.seq > expected {
			res.Issues = append(res.Issues, Issue{Kind: Deleted, Line: e.line, Seq: expected, LastSeq: e.seq - 1,
				Detail: fmt.Sprintf("%s missing before seq %d%s", seqRange(expected, e.seq-1), e.seq, afterLine(prevLine))})
		} else if !e.selfOK {
			res.Issues = append(res.Issues, Issue{Kind: Edited, Line: e.line, Seq: e.seq,
				Detail: fmt.Sprintf("record seq %d (%s) does not match its hash", e.seq, e.describe())})
		} else if e.prevHash != prev && prevLine == 0 {
			res.Issues = append(res.Issues, Issue{Kind: Edited, Line: e.line, Seq: e.seq,
				Detail: fmt.Sprintf("record seq %d does not start from the genesis hash", e.seq)})
		} else if e.prevHash != prev && prevOK {
			// The link from e to the record before broke. A forger who edits
			// a record and recomputes its hash breaks exactly the next link,
			// so the record before is the edited one (unless e's prevHash
			// itself was rewritten, which the detail mentions).
			res.Issues = append(res.Issues, Issue{Kind: Edited, Line: prevLine, Seq: e.seq - 1,
				Detail: fmt.Sprintf("record seq %d was edited and re-hashed: seq %d (line %d) does not link to it", e.seq-1, e.seq, e.line)})
		}
		prev, expected, prevLine, prevOK = e.hash, e.seq+1, e.line, e.selfOK
	}
	last := expected - 1
	switch {
	case last < head.Seq:
		res.Issues = append(res.Issues, Issue{Kind: Truncated, Seq: last + 1, LastSeq: head.Seq,
			Detail: fmt.Sprintf("%s missing at the end; the committed head is seq %d", seqRange(last+1, head.Seq), head.Seq)})
	case head.Seq > 0 && prev != head.Hash:
		res.Issues = append(res.Issues, Issue{Kind: Edited, Line: prevLine, Seq: last,
			Detail: fmt.Sprintf("record seq %d does not match the committed head", last)})
	}
	slices.SortStableFunc(res.Issues, func(a, b Issue) int {
		la, lb := a.Line, b.Line
		if la == 0 {
			la = 1 << 30
		}
		if lb == 0 {
			lb = 1 << 30
		}
		return la - lb
	})
	return res, nil
}

func parseEntry(line []byte, n int, start int64, c Chain) (*entry, bool) {
	var rec struct {
		Seq       uint64 `json:"seq"`
		PrevHash  string `json:"prevHash"`
		Hash      string `json:"hash"`
		EventName string `json:"eventName"`
		EventTime string `json:"eventTime"`
	}
	if err := json.Unmarshal(line, &rec); err != nil || rec.Hash == "" {
		return nil, false
	}
	h, err := c.Hash(line)
	if err != nil {
		return nil, false
	}
	if c.Key != nil && c.LegacySeq > 0 && rec.Seq == c.LegacySeq && rec.Hash != c.LegacyHash {
		h = "" // the last unkeyed record is pinned: a rewritten one does not match
	}
	return &entry{line: n, start: start, seq: rec.Seq, prevHash: rec.PrevHash, hash: rec.Hash,
		selfOK: h == rec.Hash, eventName: rec.EventName, eventTime: rec.EventTime}, true
}

func (e *entry) describe() string {
	return e.eventName + " at " + e.eventTime
}

func seqRange(a, b uint64) string {
	if a == b {
		return fmt.Sprintf("record seq %d is", a)
	}
	return fmt.Sprintf("records seq %d to %d are", a, b)
}

func afterLine(l int) string {
	if l == 0 {
		return " at the start of the file"
	}
	return fmt.Sprintf(" (after line %d)", l)
}
