package scan

import (
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
)

// TestACDFA: the keyword automaton reports what BobuSumisu's trie reports,
// match for match and in the same order, for the scan's own keywords on
// generated text and on overlapping, repeated and nested patterns.
func TestACDFA(t *testing.T) {
	cfg, err := LoadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	s := newScanner(t.Context(), cfg, Options{}, "")
	all := make([]string, 0, len(s.kw))
	for k := range s.kw {
		all = append(all, k)
	}
	sort.Strings(all)
	sets := [][]string{all, {"a", "ab", "abc", "b", "bc", "c"}, {"he", "she", "his", "hers"}, {"aaa", "aa", "a"}, {"x", "x", "xy"}}
	r := rand.New(rand.NewSource(9))
	for si, pats := range sets {
		ref := ahocorasick.NewTrieBuilder().AddStrings(pats).Build()
		a := newACDFA(pats)
		alphabet := strings.Join(pats, "") + " =:\n\"'_-.\x00\xff"
		for i := 0; i < 3000; i++ {
			var b strings.Builder
			for n := r.Intn(120); n > 0; n-- {
				if r.Intn(4) == 0 {
					b.WriteString(pats[r.Intn(len(pats))])
				} else {
					b.WriteByte(alphabet[r.Intn(len(alphabet))])
				}
			}
			text := b.String()
			var want, got [][2]int
			for _, m := range ref.MatchString(text) {
				want = append(want, [2]int{int(m.Pos()), int(m.Pattern())})
			}
			a.walk(text, func(pos, p int) { got = append(got, [2]int{pos, p}) })
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("set %d, text %q:\n got %v\nwant %v", si, text, got, want)
			}
		}
	}
}
