package audit

import "hash/maphash"

// DefaultDedupeWindow is how many distinct event IDs a Deduper remembers at
// least. CloudTrail repeats an event in files delivered close together, so a
// window this size catches repeats while memory stays fixed however many
// events a scan reads.
const DefaultDedupeWindow = 1 << 18

// Deduper drops events whose eventID it has seen. It remembers the last
// window to 2×window IDs in two generations of open-addressing tables of
// 64-bit hashes (16 bytes an ID), so its memory is bounded: about 8 MiB
// for the default window, allocated on first use.
type Deduper struct {
	seed      maphash.Seed
	window    int
	cur, prev *idSet
}

// NewDeduper returns a Deduper remembering at least window IDs (the default
// when window <= 0).
func NewDeduper(window int) *Deduper {
	if window <= 0 {
		window = DefaultDedupeWindow
	}
	return &Deduper{seed: maphash.MakeSeed(), window: window}
}

// Seen reports whether id was seen before, and remembers it. An empty id is
// never a duplicate.
func (d *Deduper) Seen(id string) bool {
	if id == "" {
		return false
	}
	h := maphash.String(d.seed, id) | 1 // 0 marks an empty slot
	if d.cur == nil {
		d.cur = newIDSet(d.window)
	}
	if d.cur.has(h) || (d.prev != nil && d.prev.has(h)) {
		return true
	}
	if d.cur.n >= d.window {
		d.prev, d.cur = d.cur, d.prev
		if d.cur == nil {
			d.cur = newIDSet(d.window)
		} else {
			d.cur.reset()
		}
	}
	d.cur.add(h)
	return false
}

type idSet struct {
	slots []uint64
	mask  uint64
	n     int
}

func newIDSet(window int) *idSet {
	size := 1
	for size < 2*window {
		size <<= 1
	}
	return &idSet{slots: make([]uint64, size), mask: uint64(size - 1)}
}

func (s *idSet) has(h uint64) bool {
	for i := h & s.mask; ; i = (i + 1) & s.mask {
		switch s.slots[i] {
		case h:
			return true
		case 0:
			return false
		}
	}
}

func (s *idSet) add(h uint64) {
	for i := h & s.mask; ; i = (i + 1) & s.mask {
		if s.slots[i] == 0 {
			s.slots[i] = h
			s.n++
			return
		}
		if s.slots[i] == h {
			return
		}
	}
}

func (s *idSet) reset() {
	clear(s.slots)
	s.n = 0
}
