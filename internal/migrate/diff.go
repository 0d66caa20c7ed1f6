package migrate

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/aymanbagabas/go-udiff"
)

// mask is what a diff shows instead of a value.
const mask = "****"

// maskedDiff is the unified diff of a rewrite with every value of the
// file's items shown as ****: the removed literal reads '****', and context
// lines never carry a value either.
func maskedDiff(root, file string, old, new []byte, items []*Item) string {
	var vals []string
	for _, it := range items {
		if v := it.value.RevealString(); v != "" {
			vals = append(vals, v)
		}
	}
	// longest first, so a value inside another is masked with it
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	m := func(s string) string {
		for _, v := range vals {
			s = strings.ReplaceAll(s, v, mask)
		}
		return s
	}
	rel := relPath(root, file)
	a, b := m(string(old)), m(string(new))
	d, err := udiff.ToUnified("a/"+rel, "b/"+rel, a, lineDiff(a, b), 3)
	if err != nil {
		return udiff.Unified("a/"+rel, "b/"+rel, a, b)
	}
	return d
}

// lineDiff diffs whole lines: each distinct line becomes one rune, the
// runes are diffed, and the edits are mapped back to byte offsets of a.
func lineDiff(a, b string) []udiff.Edit {
	ids := map[string]rune{}
	enc := func(s string) (string, []int) {
		lines := strings.SplitAfter(s, "\n")
		if len(lines) > 0 && lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		var sb strings.Builder
		offs := make([]int, 0, len(lines)+1)
		off := 0
		for _, l := range lines {
			r, ok := ids[l]
			if !ok {
				r = rune(0xE000 + len(ids))
				if r > 0xF8FF {
					r = rune(0xF0000 + len(ids))
				}
				ids[l] = r
			}
			sb.WriteRune(r)
			offs = append(offs, off)
			off += len(l)
		}
		offs = append(offs, off)
		return sb.String(), offs
	}
	ea, offA := enc(a)
	eb, _ := enc(b)
	blines := strings.SplitAfter(b, "\n")
	runeIndex := func(s string, byteOff int) int { return utf8.RuneCountInString(s[:byteOff]) }
	var out []udiff.Edit
	delta := 0 // line index in b minus line index in a, before the current edit
	for _, e := range udiff.Strings(ea, eb) {
		sa, ea2 := runeIndex(ea, e.Start), runeIndex(ea, e.End)
		n := utf8.RuneCountInString(e.New)
		var text strings.Builder
		for i := sa + delta; i < sa+delta+n && i < len(blines); i++ {
			text.WriteString(blines[i])
		}
		delta += n - (ea2 - sa)
		out = append(out, udiff.Edit{Start: offA[sa], End: offA[ea2], New: text.String()})
	}
	return out
}
