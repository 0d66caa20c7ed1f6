package scan

// Windowed detection: each provider rule's regex runs only over the lines
// around its keywords instead of over the whole fragment, through a
// gitleaks detector of its own (so entropy, allowlists and secretGroup stay
// gitleaks'). That gives gitleaks' findings when two facts hold, which
// analyzeRule checks on the regex itself:
//
//   - every match contains one of the rule's keywords (its keywords are a
//     prefilter, so a match elsewhere would still be reported);
//   - a match crosses at most a known number of newlines.
//
// A match then lies within that many lines of a keyword, and a window of
// one more line on each side keeps the text around it as it is in the
// fragment. Rules for which either fact is not shown run on the whole
// fragment, as before.

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp/syntax"
	"sort"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"
)

// maxWindowNewlines is the largest newline span for which a rule is
// windowed; rules whose matches can cross more lines run on whole fragments.
const maxWindowNewlines = 12

// windowRule is a rule run on the lines around its keywords.
type windowRule struct {
	rule   config.Rule
	margin int // lines kept on each side of a keyword's line
}

// engine runs the provider (non-line) rules: windowed where analyzeRule
// allows, on whole fragments otherwise.
type engine struct {
	rules []windowRule
	byKW  map[string][]int // lower-case keyword -> indexes in rules
	// whole are the other rules runRule can run, on whole fragments: those
	// with keywords when one is in the fragment (wholeByKW), the others
	// (always) on every fragment.
	whole     []config.Rule
	wholeByKW map[string][]int
	always    []int
	// gl runs path and composite rules through gitleaks (nil if none).
	gl  *detect.Detector
	env *ruleEnv
}

// ruleWhy says how a rule is run.
type ruleWhy string

const (
	whyWindowed   ruleWhy = "windowed"
	whyNoKeywords ruleWhy = "no keywords"
	whyPath       ruleWhy = "path rule"
	whyRequired   ruleWhy = "composite rule"
	whyUncovered  ruleWhy = "a match may hold no keyword"
	whyNewlines   ruleWhy = "a match may cross many lines"
	whyParse      ruleWhy = "regex not parsed"
)

// newEngine splits the rules of cfg into windowed rules, rules runRule
// runs on whole fragments, and a gitleaks detector for the rest. None
// decode: decoded text is the scanner's decoding detector's job.
func newEngine(ctx context.Context, cfg config.Config, opts Options, env *ruleEnv) *engine {
	e := &engine{byKW: map[string][]int{}, wholeByKW: map[string][]int{}, env: env}
	composite := map[string]bool{}
	for id, r := range cfg.Rules {
		if len(r.RequiredRules) > 0 {
			composite[id] = true
			for _, req := range r.RequiredRules {
				composite[req.RuleID] = true
			}
		}
	}
	rest := cfg
	rest.Rules, rest.Keywords = map[string]config.Rule{}, map[string]struct{}{}
	for _, id := range sortedRuleIDs(cfg.Rules) {
		r := cfg.Rules[id]
		why, margin := analyzeRule(r)
		if composite[id] {
			why = whyRequired
		}
		switch {
		case why == whyWindowed:
			e.rules = append(e.rules, windowRule{rule: r, margin: margin})
			for _, k := range lowerKeywords(r) {
				e.byKW[k] = append(e.byKW[k], len(e.rules)-1)
			}
		case leanRule(r) && !composite[id]:
			e.whole = append(e.whole, r)
			n := len(e.whole) - 1
			if len(r.Keywords) == 0 {
				e.always = append(e.always, n)
			}
			for _, k := range lowerKeywords(r) {
				e.wholeByKW[k] = append(e.wholeByKW[k], n)
			}
		default:
			rest.Rules[id] = r
			for _, k := range r.Keywords {
				rest.Keywords[strings.ToLower(k)] = struct{}{}
			}
		}
	}
	if len(rest.Rules) > 0 {
		e.gl = newDetector(ctx, rest, opts)
		e.gl.MaxDecodeDepth = 0
	}
	return e
}

// sortedRuleIDs are the ids of rules in order: rule indexes, and so the
// order findings are made in, do not depend on map order.
func sortedRuleIDs(rules map[string]config.Rule) []string {
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// lowerKeywords are r's keywords in lower case, without repeats.
func lowerKeywords(r config.Rule) []string {
	var out []string
	for _, k := range r.Keywords {
		k = strings.ToLower(k)
		dup := false
		for _, o := range out {
			dup = dup || o == k
		}
		if !dup {
			out = append(out, k)
		}
	}
	return out
}

// ruleAnalysis caches analyzeRule by regex and keywords: every Run loads
// the same rules. knownAnalysis (rule_analysis.go) holds the answers for
// the default rules, so that a scan does not spend its first 50 ms and
// 14 MB on them; TestRuleAnalysisTable keeps it current.
var ruleAnalysis sync.Map // string -> windowing

type windowing struct {
	why    ruleWhy
	margin int
}

// analyzeRule says whether r can run on windows, and with how many lines
// of margin.
func analyzeRule(r config.Rule) (ruleWhy, int) {
	if r.Path != nil || r.Regex == nil {
		return analyzeUncached(r)
	}
	key := r.Regex.String() + "\x00" + strings.Join(r.Keywords, "\x00")
	if w, ok := knownAnalysis[analysisKey(key)]; ok {
		return w.why, w.margin
	}
	if w, ok := ruleAnalysis.Load(key); ok {
		return w.(windowing).why, w.(windowing).margin
	}
	why, margin := analyzeUncached(r)
	ruleAnalysis.Store(key, windowing{why, margin})
	return why, margin
}

// analysisKey is the key of knownAnalysis for a rule's regex and keywords.
func analysisKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12])
}

func analyzeUncached(r config.Rule) (ruleWhy, int) {
	switch {
	case r.Path != nil:
		return whyPath, 0
	case r.Regex == nil || len(r.Keywords) == 0:
		return whyNoKeywords, 0
	}
	re, err := syntax.Parse(r.Regex.String(), syntax.Perl)
	if err != nil {
		return whyParse, 0
	}
	re = re.Simplify()
	kws := make([]string, len(r.Keywords))
	for i, k := range r.Keywords {
		kws[i] = strings.ToLower(k)
		if kws[i] == "" || strings.ContainsAny(kws[i], "\n") {
			return whyUncovered, 0
		}
	}
	if !(langCache{}).covered(re, kws) {
		return whyUncovered, 0
	}
	nl := maxNewlines(re)
	if nl < 0 || nl > maxWindowNewlines {
		return whyNewlines, 0
	}
	return whyWindowed, nl + 1
}

// maxNewlines is the most newlines a match of re can hold, -1 if unbounded.
func maxNewlines(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return strings.Count(string(re.Rune), "\n")
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= '\n' && '\n' <= re.Rune[i+1] {
				return 1
			}
		}
		return 0
	case syntax.OpAnyChar:
		return 1
	case syntax.OpCapture, syntax.OpQuest:
		return maxNewlines(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		if maxNewlines(re.Sub[0]) != 0 {
			return -1
		}
		return 0
	case syntax.OpRepeat:
		n := maxNewlines(re.Sub[0])
		switch {
		case n == 0:
			return 0
		case n < 0 || re.Max < 0:
			return -1
		}
		return n * re.Max
	case syntax.OpConcat, syntax.OpAlternate:
		total := 0
		for _, sub := range re.Sub {
			n := maxNewlines(sub)
			if n < 0 {
				return -1
			}
			if re.Op == syntax.OpConcat {
				total += n
			} else if n > total {
				total = n
			}
		}
		return total
	}
	return 0 // empty-width assertions, AnyCharNotNL, EmptyMatch
}

// Bounds of the finite languages that covered works with.
const (
	maxLangStrings = 512
	maxLangClass   = 64
)

// covered reports whether every match of re contains one of kws (lower
// case) once lower-cased. It is conservative: false when not shown.
func (c langCache) covered(re *syntax.Regexp, kws []string) bool {
	if l, ok := c.lang(re); ok {
		return allContain(l, kws)
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return c.covered(re.Sub[0], kws)
	case syntax.OpRepeat:
		return re.Min >= 1 && c.covered(re.Sub[0], kws)
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !c.covered(sub, kws) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if c.covered(sub, kws) {
				return true
			}
		}
		// A run of consecutive parts with finite languages: every string
		// of their product is a substring of the match.
		for i := range re.Sub {
			run := []string{""}
			for j := i; j < len(re.Sub); j++ {
				l, ok := c.lang(re.Sub[j])
				if !ok {
					// A match of this part starts with one of its prefixes.
					if pre, ok := product(run, c.prefixes(re.Sub[j])); ok && allContain(pre, kws) {
						return true
					}
					break
				}
				if run, ok = product(run, l); !ok {
					break
				}
				if j > i && allContain(run, kws) {
					return true
				}
			}
		}
	}
	return false
}

// prefixes is a finite set of strings one of which starts every match of
// re ("" when nothing is known).
func (c langCache) prefixes(re *syntax.Regexp) []string {
	if l, ok := c.lang(re); ok {
		return l
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return c.prefixes(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return c.prefixes(re.Sub[0])
		}
	case syntax.OpConcat:
		run := []string{""}
		for _, sub := range re.Sub {
			l, ok := c.lang(sub)
			if !ok {
				if p, ok := product(run, c.prefixes(sub)); ok {
					return p
				}
				return run
			}
			if run, ok = product(run, l); !ok {
				return []string{""}
			}
		}
		return run
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			out = append(out, c.prefixes(sub)...)
			if len(out) > maxLangStrings {
				return []string{""}
			}
		}
		return out
	}
	return []string{""}
}

func allContain(l, kws []string) bool {
	for _, s := range l {
		found := false
		for _, k := range kws {
			if strings.Contains(s, k) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// langCache holds lang's answers by node for one regexp: covered asks for
// the language of each run of a concatenation's parts, which without it
// recomputes (and allocates) the same languages many times. The slices it
// holds are shared and never modified.
type langCache map[*syntax.Regexp]langOf

type langOf struct {
	l  []string
	ok bool
}

// lang is the set of lower-cased strings re matches, when it is small and
// finite. Empty-width assertions match "".
func (c langCache) lang(re *syntax.Regexp) ([]string, bool) {
	if r, ok := c[re]; ok {
		return r.l, r.ok
	}
	l, ok := c.langUncached(re)
	c[re] = langOf{l, ok}
	return l, ok
}

func (c langCache) langUncached(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}, true
	case syntax.OpCharClass:
		var out []string
		seen := map[string]bool{}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] >= maxLangClass {
				return nil, false
			}
			for c := re.Rune[i]; c <= re.Rune[i+1]; c++ {
				s := strings.ToLower(string(c))
				if !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
			if len(out) > maxLangClass {
				return nil, false
			}
		}
		return out, true
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}, true
	case syntax.OpCapture:
		return c.lang(re.Sub[0])
	case syntax.OpQuest:
		l, ok := c.lang(re.Sub[0])
		return append(l[:len(l):len(l)], ""), ok // a copy: l may be shared
	case syntax.OpRepeat:
		if re.Max < 0 || re.Max > 8 {
			return nil, false
		}
		sub, ok := c.lang(re.Sub[0])
		if !ok {
			return nil, false
		}
		var out []string
		cur := []string{""}
		for n := 0; n <= re.Max; n++ {
			if n >= re.Min {
				out = append(out, cur...)
			}
			if n < re.Max {
				if cur, ok = product(cur, sub); !ok {
					return nil, false
				}
			}
			if len(out) > maxLangStrings {
				return nil, false
			}
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			l, ok := c.lang(sub)
			if !ok {
				return nil, false
			}
			if out, ok = product(out, l); !ok {
				return nil, false
			}
		}
		return out, true
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			l, ok := c.lang(sub)
			if !ok {
				return nil, false
			}
			out = append(out, l...)
			if len(out) > maxLangStrings {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

func product(a, b []string) ([]string, bool) {
	if len(a)*len(b) > maxLangStrings {
		return nil, false
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out, true
}

// foldsToASCII reports whether raw holds a rune that Go's case folding or
// lower-casing maps onto an ASCII letter (the Kelvin sign, dotted I, long
// s): there, matches of (?i) rules can hold a keyword that a byte-wise
// lower-casing does not show, so the fragment takes the whole-fragment path.
func foldsToASCII(raw string) bool {
	return strings.Contains(raw, "\u212a") || strings.Contains(raw, "\u0130") || strings.Contains(raw, "\u017f")
}

// detectWindows runs the windowed rules that h names on the lines around
// their keywords, and the other rules on the whole fragment. starts are the
// fragment's line starts.
func (e *engine) detectWindows(ctx context.Context, f sources.Fragment, h *kwHits, starts []int) []report.Finding {
	var out []report.Finding
	if e.gl != nil {
		out = detectFragment(ctx, e.gl, f)
	}
	for _, i := range e.always {
		out = append(out, runRule(f, nil, &e.whole[i], e.env)...)
	}
	for _, i := range sortedKeys(h.whole) {
		out = append(out, runRule(f, nil, &e.whole[i], e.env)...)
	}
	for _, ri := range sortedKeys(h.rules) {
		w := &e.rules[ri]
		lines := hitLines(h.rules[ri], starts)
		sub, picked := joinAround(f, lines, starts, w.margin)
		if picked == nil {
			out = append(out, runRule(f, nil, &w.rule, e.env)...)
			continue
		}
		out = append(out, remap(runRule(sub, nil, &w.rule, e.env), f, picked)...)
	}
	return out
}

func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

// hitLines are the indexes of the lines holding the offsets pos, sorted,
// without repeats.
func hitLines(pos, starts []int) []int {
	sort.Ints(pos)
	lines := make([]int, 0, len(pos))
	for _, p := range pos {
		l := sort.Search(len(starts), func(i int) bool { return starts[i] > p }) - 1
		if n := len(lines); n == 0 || lines[n-1] != l {
			lines = append(lines, l)
		}
	}
	return lines
}

// joinAround returns the lines of f within margin of lines (sorted line
// indexes): whole lines, joined with newlines into one fragment, and for
// each of its lines the line of f. When that is most of f, picked is nil:
// use f itself.
func joinAround(f sources.Fragment, lines, starts []int, margin int) (sub sources.Fragment, picked []int) {
	type span struct{ a, b int }
	var spans []span
	nlines := len(starts)
	kept := 0
	for _, l := range lines {
		a, b := max(l-margin, 0), min(l+margin, nlines-1)
		if n := len(spans); n > 0 && a <= spans[n-1].b+1 {
			if b > spans[n-1].b {
				kept += b - spans[n-1].b
				spans[n-1].b = b
			}
			continue
		}
		spans = append(spans, span{a, b})
		kept += b - a + 1
	}
	if kept*2 > nlines {
		return f, nil
	}
	lineEnd := func(i int) int {
		if i+1 < nlines {
			return starts[i+1] - 1
		}
		return len(f.Raw)
	}
	sub = f
	sub.Bytes, sub.StartLine = nil, 0
	picked = make([]int, 0, kept)
	if len(spans) == 1 {
		// One span is a slice of f, no copy.
		sub.Raw = f.Raw[starts[spans[0].a]:lineEnd(spans[0].b)]
		for l := spans[0].a; l <= spans[0].b; l++ {
			picked = append(picked, l)
		}
		return sub, picked
	}
	var b strings.Builder
	for i, s := range spans {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(f.Raw[starts[s.a]:lineEnd(s.b)])
		for l := s.a; l <= s.b; l++ {
			picked = append(picked, l)
		}
	}
	sub.Raw = b.String()
	return sub, picked
}

// remap moves findings made on a fragment of joined lines to the lines of
// f they came from (picked, from joinAround).
func remap(found []report.Finding, f sources.Fragment, picked []int) []report.Finding {
	for i := range found {
		idx := found[i].StartLine
		if idx < 0 || idx >= len(picked) {
			continue
		}
		n := found[i].EndLine - found[i].StartLine
		found[i].StartLine = f.StartLine + picked[idx]
		found[i].EndLine = found[i].StartLine + n
	}
	return found
}

// decodeMargin is the context kept around lines with encoded text: the
// widest margin of a windowed rule.
const decodeMargin = maxWindowNewlines + 1

// decodeLines returns the lines of raw (sorted indexes) where gitleaks'
// decoder may find a segment that decodes to something: a %XX escape, a
// \uXXXX or U+XXXX code point, or a run of 16 or more base64 characters
// that holds 32 hex digits or decodes (standard or URL alphabet) to
// printable ASCII, as gitleaks' base64 decoder requires. Its segments never
// cross lines except for U+XXXX sequences, whose first line is listed, and
// what decodes in a later pass lies inside what decoded in the first.
func decodeLines(raw string) []int {
	var (
		lines    []int
		line     int
		runStart = -1
	)
	mark := func() {
		if n := len(lines); n == 0 || lines[n-1] != line {
			lines = append(lines, line)
		}
	}
	hex4 := func(i int) bool {
		return i+4 <= len(raw) && isHex(raw[i]) && isHex(raw[i+1]) && isHex(raw[i+2]) && isHex(raw[i+3])
	}
	for i := 0; i <= len(raw); i++ {
		if i < len(raw) && isBase64Byte(raw[i]) {
			if runStart < 0 {
				runStart = i
			}
			if raw[i] == 'U' && i+1 < len(raw) && raw[i+1] == '+' && hex4(i+2) {
				mark()
			}
			continue
		}
		if runStart >= 0 {
			if i-runStart >= 16 && runDecodes(raw, runStart, i) {
				mark()
			}
			runStart = -1
		}
		if i == len(raw) {
			break
		}
		switch raw[i] {
		case '\n':
			line++
		case '%':
			if i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2]) {
				mark()
			}
		case '\\':
			if i+1 < len(raw) && (raw[i+1] == 'u' || raw[i+1] == 'U') && hex4(i+2) {
				mark()
			}
		}
	}
	return lines
}

// isBase64Byte is the class [\w/+-] of gitleaks' base64 pattern.
func isBase64Byte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '/' || c == '+' || c == '-'
}

// runDecodes reports whether the run raw[s:e] may give a decoded segment:
// it holds 32 hex digits in a row (the hex pattern may take them), or, with
// up to two '=' after it, it decodes as gitleaks' base64 decoder does.
func runDecodes(raw string, s, e int) bool {
	n := 0
	for j := s; j < e; j++ {
		if isHex(raw[j]) {
			if n++; n >= 32 {
				return true
			}
		} else {
			n = 0
		}
	}
	for k := 0; k < 2 && e < len(raw) && raw[e] == '='; k++ {
		e++
	}
	v := raw[s:e]
	if !strings.ContainsAny(v, "0123456789+/-_") {
		return false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && printable(b) {
			return true
		}
	}
	return false
}

// printable is gitleaks' isPrintableASCII: bytes from \t to ~.
func printable(b []byte) bool {
	for _, c := range b {
		if c <= '\x08' || c >= '\x7f' {
			return false
		}
	}
	return true
}

// decodedOnly keeps the findings of a decoding pass (gitleaks tags them
// decode-depth:N).
func decodedOnly(fs []report.Finding) []report.Finding {
	out := fs[:0]
	for _, f := range fs {
		for _, t := range f.Tags {
			if strings.HasPrefix(t, "decode-depth:") {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// filterGeneric is gitleaks' rule of precedence within one detector call:
// a finding of a "generic" rule gives way to one of another rule on the
// same line whose secret holds its secret.
func filterGeneric(fs []report.Finding) []report.Finding {
	out := fs[:0:0]
	for _, f := range fs {
		keep := true
		if strings.Contains(strings.ToLower(f.RuleID), "generic") {
			for _, g := range fs {
				if f.StartLine == g.StartLine && f.Commit == g.Commit && f.RuleID != g.RuleID &&
					strings.Contains(g.Secret, f.Secret) && !strings.Contains(strings.ToLower(g.RuleID), "generic") {
					keep = false
					break
				}
			}
		}
		if keep {
			out = append(out, f)
		}
	}
	return out
}
