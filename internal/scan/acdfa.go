package scan

// acDFA is an Aho-Corasick automaton over byte classes, for the scan's
// keyword search. BobuSumisu/aho-corasick (which gitleaks uses) keeps a
// [256]int64 transition row per state, 2 KB each: 3 MB for the scan's
// 1,500 keyword states, a third of its live heap. Here bytes that occur in
// no keyword share one class, and the rows hold int32 over some forty
// classes, with failure links folded into the table, so the walk is one
// lookup per byte. It reports what Trie.Walk reports, in the same order:
// at each end offset, every keyword ending there, longest first.
type acDFA struct {
	class  [256]uint8
	nclass int
	delta  []int32   // state*nclass + class -> state
	out    [][]int32 // state -> patterns ending there, longest first
	lens   []int     // pattern -> length
}

// newACDFA builds the automaton of patterns; a pattern's index is its
// position in the slice.
func newACDFA(patterns []string) *acDFA {
	a := &acDFA{lens: make([]int, len(patterns))}
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			if a.class[p[i]] == 0 {
				a.nclass++
				a.class[p[i]] = uint8(a.nclass)
			}
		}
	}
	a.nclass++ // class 0: bytes of no pattern
	type node struct {
		next map[uint8]int32
		pat  int32 // -1 when no pattern ends here
	}
	nodes := []node{{next: map[uint8]int32{}, pat: -1}}
	for pi, p := range patterns {
		a.lens[pi] = len(p)
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := a.class[p[i]]
			t, ok := nodes[s].next[c]
			if !ok {
				nodes = append(nodes, node{next: map[uint8]int32{}, pat: -1})
				t = int32(len(nodes) - 1)
				nodes[s].next[c] = t
			}
			s = t
		}
		nodes[s].pat = int32(pi) // a repeated pattern: the last, as Trie.Walk

	}
	n := len(nodes)
	a.delta = make([]int32, n*a.nclass)
	a.out = make([][]int32, n)
	fail := make([]int32, n)
	// Breadth first: a state's failure link and outputs are known before
	// its children's.
	queue := []int32{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if p := nodes[s].pat; p >= 0 {
			a.out[s] = append(a.out[s], p)
		}
		if s != 0 {
			a.out[s] = append(a.out[s], a.out[fail[s]]...)
		}
		for c := 0; c < a.nclass; c++ {
			t, ok := nodes[s].next[uint8(c)]
			switch {
			case ok:
				if s != 0 {
					fail[t] = a.delta[int(fail[s])*a.nclass+c]
				}
				a.delta[int(s)*a.nclass+c] = t
				queue = append(queue, t)
			case s != 0:
				a.delta[int(s)*a.nclass+c] = a.delta[int(fail[s])*a.nclass+c]
			}
		}
	}
	return a
}

// walk calls fn with the start offset and index of every pattern match
// in s, overlapping ones included, by end offset and then longest first.
func (a *acDFA) walk(s string, fn func(pos, pattern int)) {
	st := int32(0)
	for i := 0; i < len(s); i++ {
		st = a.delta[int(st)*a.nclass+int(a.class[s[i]])]
		for _, p := range a.out[st] {
			fn(i-a.lens[p]+1, int(p))
		}
	}
}
