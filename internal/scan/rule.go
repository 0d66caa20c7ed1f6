package scan

// A lean copy of gitleaks' per-rule detection (detect.Detector's
// detectRule) for the rules secretctl runs on windows, lines or whole
// fragments by itself. Calling Detector.DetectContext on every window
// cost more than the rule's regex: a logger per call, the global path
// allowlist per call, a lower-cased copy and a keyword search of the
// window, and every rule's regex run twice. runRule keeps what decides a
// finding (the regex, secretGroup, entropy, gitleaks:allow, the global and
// rule allowlists) and drops the rest; TestWindowsSameFindings holds its
// findings identical to DetectContext's on whole fragments.

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect/codec"
	"github.com/zricethezav/gitleaks/v8/regexp"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"
)

// leanRule reports whether runRule can stand for gitleaks on r: a rule
// without required rules or skipReport (the parts of composite rules).
func leanRule(r config.Rule) bool {
	return (r.Regex != nil || r.Path != nil) && len(r.RequiredRules) == 0 && !r.SkipReport
}

// runRule is detectRule of gitleaks v8.30 for a lean rule r on f, before
// any decoding: nl are the offsets of the newlines in f.Raw (nil: found
// when a rule matches), env the config's allowlists and stopword indexes.
// The fragment-level global path allowlist is the caller's
// (scanner.pathAllowed).
func runRule(f sources.Fragment, nl []int, r *config.Rule, env *ruleEnv) []report.Finding {
	return runPass(f, nl, f.Raw, nil, r, env)
}

// runPass is detectRule for one pass: raw is f.Raw decoded by the passes
// so far (f.Raw itself before decoding), segs the segments they decoded.
func runPass(f sources.Fragment, nl []int, raw string, segs []*codec.EncodedSegment, r *config.Rule, env *ruleEnv) []report.Finding {
	if commitOrPathAllowed(f, r.Allowlists) {
		return nil
	}
	if r.Path != nil {
		pathOK := r.Path.MatchString(f.FilePath) || (f.WindowsFilePath != "" && r.Path.MatchString(f.WindowsFilePath))
		if r.Regex == nil && len(segs) == 0 {
			if !pathOK {
				return nil
			}
			fd := report.Finding{
				Commit:      f.CommitSHA,
				RuleID:      r.RuleID,
				Description: r.Description,
				File:        f.FilePath,
				SymlinkFile: f.SymlinkFile,
				Match:       "file detected: " + f.FilePath,
				Tags:        r.Tags,
			}
			if f.CommitInfo != nil {
				fd.Author, fd.Date, fd.Email, fd.Message = f.CommitInfo.AuthorName, f.CommitInfo.Date, f.CommitInfo.AuthorEmail, f.CommitInfo.Message
			}
			return []report.Finding{fd}
		}
		if !pathOK {
			return nil
		}
	}
	if r.Regex == nil {
		return nil
	}
	var matches [][]int
	if env.generic[r.Regex] && len(segs) == 0 {
		matches = genericFindAll(r, raw)
	} else {
		matches = r.Regex.FindAllStringIndex(raw, -1)
	}
	if len(matches) == 0 {
		return nil
	}
	if nl == nil {
		nl = newlines(f.Raw)
	}
	var out []report.Finding
	for _, m := range matches {
		secret := strings.Trim(raw[m[0]:m[1]], "\n")
		start, end := m[0], m[0]+len(secret)
		tags, currentLine := r.Tags, ""
		if len(segs) > 0 {
			// Only matches that overlap decoded text are new.
			over := codec.SegmentsWithDecodedOverlap(segs, m[0], m[1])
			if len(over) == 0 {
				continue
			}
			adj := codec.AdjustMatchIndex(over, []int{m[0], m[1]})
			start, end = adj[0], adj[1]
			tags = append(append([]string(nil), r.Tags...), codec.Tags(over)...)
			currentLine = codec.CurrentLine(over, raw)
		}
		loc := location(nl, f.Raw, start, end)
		if end > loc.endLineIndex {
			loc.endLineIndex = end
		}
		fd := report.Finding{
			Commit:      f.CommitSHA,
			RuleID:      r.RuleID,
			Description: r.Description,
			StartLine:   f.StartLine + loc.startLine,
			EndLine:     f.StartLine + loc.endLine,
			StartColumn: loc.startColumn,
			EndColumn:   loc.endColumn,
			Line:        f.Raw[loc.startLineIndex:loc.endLineIndex],
			Match:       secret,
			Secret:      secret,
			File:        f.FilePath,
			SymlinkFile: f.SymlinkFile,
			Tags:        tags,
		}
		if f.CommitInfo != nil {
			// No link: secretctl's git source names no SCM platform.
			fd.Author, fd.Date, fd.Email, fd.Message = f.CommitInfo.AuthorName, f.CommitInfo.Date, f.CommitInfo.AuthorEmail, f.CommitInfo.Message
		}
		if strings.Contains(fd.Line, "gitleaks:allow") {
			continue
		}
		if currentLine == "" {
			currentLine = fd.Line
		}
		if groups := r.Regex.FindStringSubmatch(fd.Secret); len(groups) >= 2 {
			if r.SecretGroup > 0 {
				if len(groups) <= r.SecretGroup {
					continue
				}
				fd.Secret = groups[r.SecretGroup]
			} else {
				for _, s := range groups[1:] {
					if len(s) > 0 {
						fd.Secret = s
						break
					}
				}
			}
		}
		e := gitleaksEntropy(fd.Secret)
		fd.Entropy = float32(e)
		if r.Entropy != 0 && e <= r.Entropy {
			continue
		}
		if env.findingAllowed(env.global, fd, f, currentLine) || env.findingAllowed(r.Allowlists, fd, f, currentLine) {
			continue
		}
		out = append(out, fd)
	}
	return out
}

// newlines lists the offsets of '\n' in raw.
func newlines(raw string) []int {
	var nl []int
	for i := 0; ; {
		j := strings.IndexByte(raw[i:], '\n')
		if j < 0 {
			return nl
		}
		nl = append(nl, i+j)
		i += j + 1
	}
}

// loc is gitleaks' Location: 0-based lines, 1-based columns, and the
// offsets of the start of the first line and the end of the last.
type loc struct {
	startLine, endLine, startColumn, endColumn, startLineIndex, endLineIndex int
}

// location is gitleaks' location() for the match raw[start:end], given the
// newline offsets nl, with the same results (including its treatment of a
// last line without a newline), found by binary search.
func location(nl []int, raw string, start, end int) loc {
	if len(nl) == 0 {
		nl = []int{len(raw)}
	}
	var l loc
	// The line holding start: the first newline at or after it.
	i := sort.SearchInts(nl, start+1) // first nl[i] > start
	if i < len(nl) {
		prev := 0
		if i > 0 {
			prev = nl[i-1]
		}
		l.startLine, l.endLine = i, i
		l.startColumn = start - prev + 1
		l.startLineIndex, l.endLineIndex = prev, nl[i]
	}
	// The line holding end: the first newline at or after it, when end is
	// past the previous one.
	j := sort.SearchInts(nl, end) // first nl[j] >= end
	if j < len(nl) {
		prev := 0
		if j > 0 {
			prev = nl[j-1]
		}
		if prev < end {
			l.endLine = j
			l.endColumn = end - prev
			l.endLineIndex = nl[j]
		}
	}
	if i >= len(nl) {
		// After the last newline: gitleaks counts one more line and ends
		// it at the next newline or carriage return.
		prev := nl[len(nl)-1]
		l.startColumn = start - prev + 1
		l.endColumn = end - prev
		l.startLine, l.endLine = len(nl), len(nl)
		k := end
		for k < len(raw) && raw[k] != '\n' && raw[k] != '\r' {
			k++
		}
		l.endLineIndex = k
	}
	return l
}

// gitleaksEntropy is gitleaks' shannonEntropy: counts by rune, divided by
// the length in bytes.
func gitleaksEntropy(s string) float64 {
	if s == "" {
		return 0
	}
	if isASCII(s) {
		return entropy(s)
	}
	counts := map[rune]int{}
	for _, c := range s {
		counts[c]++
	}
	keys := make([]rune, 0, len(counts))
	for c := range counts {
		keys = append(keys, c)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	inv := 1.0 / float64(len(s))
	var h float64
	for _, c := range keys {
		p := float64(counts[c]) * inv
		h -= p * math.Log2(p)
	}
	return h
}

// commitOrPathAllowed is gitleaks' checkCommitOrPathAllowed: whether an
// allowlist's commits or paths skip f for a rule.
func commitOrPathAllowed(f sources.Fragment, lists []*config.Allowlist) bool {
	if f.FilePath == "" && f.CommitSHA == "" {
		return false
	}
	return commitOrPathAllowedBy(lists, f.CommitSHA, func(i int) bool {
		a := lists[i]
		return a.PathAllowed(f.FilePath) || (f.WindowsFilePath != "" && a.PathAllowed(f.WindowsFilePath))
	})
}

// commitOrPathAllowedBy is the rule of checkCommitOrPathAllowed over
// lists, with pathOK(i) saying whether list i's paths allow the file: an
// OR list allows by commit or path; an AND list without regexes or
// stopwords allows when every condition it has holds (for a list with
// none, gitleaks' allTrue of nothing).
func commitOrPathAllowedBy(lists []*config.Allowlist, commit string, pathOK func(i int) bool) bool {
	for i, a := range lists {
		and := a.MatchCondition == config.AllowlistMatchAnd
		if and && (len(a.Regexes) > 0 || len(a.StopWords) > 0) {
			continue
		}
		if len(a.Commits) == 0 && len(a.Paths) == 0 {
			if and {
				return true
			}
			continue
		}
		commitOK, _ := a.CommitAllowed(commit)
		if !and && (commitOK || pathOK(i)) {
			return true
		}
		if and && (len(a.Commits) == 0 || commitOK) && (len(a.Paths) == 0 || pathOK(i)) {
			return true
		}
	}
	return false
}

// ruleEnv is what runPass needs besides the rule: the config's global
// allowlists, and an index of each long stopword list.
type ruleEnv struct {
	global []*config.Allowlist
	stops  map[*config.Allowlist]*stopIndex
	// generic is generic-api-key's regex when genericFindAll can stand for
	// it.
	generic map[*regexp.Regexp]bool
}

func newRuleEnv(cfg config.Config) *ruleEnv {
	env := &ruleEnv{global: cfg.Allowlists, stops: map[*config.Allowlist]*stopIndex{}, generic: map[*regexp.Regexp]bool{}}
	add := func(lists []*config.Allowlist) {
		for _, a := range lists {
			if len(a.StopWords) > 0 {
				env.stops[a] = newStopIndex(a.StopWords)
			}
		}
	}
	add(cfg.Allowlists)
	for _, r := range cfg.Rules {
		add(r.Allowlists)
		if genericFast(&r) {
			env.generic[r.Regex] = true
		}
	}
	return env
}

// containsStopWord is a.ContainsStopWord, through the index when a has one.
func (env *ruleEnv) containsStopWord(a *config.Allowlist, s string) bool {
	if ix := env.stops[a]; ix != nil {
		return ix.contains(s)
	}
	ok, _ := a.ContainsStopWord(s)
	return ok
}

// stopIndex finds stopwords in a string: gitleaks' ContainsStopWord (the
// lower-cased string holds a lower-cased stopword) without its
// Aho-Corasick trie, whose 2 KB per state made the 1,500 stopwords of
// generic-api-key the largest thing in memory. Words are bucketed by
// their first two bytes.
type stopIndex struct {
	short []string // words under two bytes
	by2   map[[2]byte][]string
}

func newStopIndex(words []string) *stopIndex {
	ix := &stopIndex{by2: map[[2]byte][]string{}}
	seen := map[string]bool{}
	for _, w := range words {
		w = strings.ToLower(w)
		if seen[w] {
			continue
		}
		seen[w] = true
		if len(w) < 2 {
			ix.short = append(ix.short, w)
			continue
		}
		k := [2]byte{w[0], w[1]}
		ix.by2[k] = append(ix.by2[k], w)
	}
	return ix
}

func (ix *stopIndex) contains(s string) bool {
	if s == "" {
		return false
	}
	s = strings.ToLower(s)
	for _, w := range ix.short {
		if strings.Contains(s, w) {
			return true
		}
	}
	for i := 0; i+1 < len(s); i++ {
		for _, w := range ix.by2[[2]byte{s[i], s[i+1]}] {
			if strings.HasPrefix(s[i:], w) {
				return true
			}
		}
	}
	return false
}

// findingAllowed is gitleaks' checkFindingAllowed: whether an allowlist
// of lists allows fd, found in f on currentLine.
func (env *ruleEnv) findingAllowed(lists []*config.Allowlist, fd report.Finding, f sources.Fragment, currentLine string) bool {
	for _, a := range lists {
		target := fd.Secret
		switch a.RegexTarget {
		case "match":
			target = fd.Match
		case "line":
			target = currentLine
		}
		if a.MatchCondition != config.AllowlistMatchAnd {
			if a.RegexAllowed(target) {
				return true
			}
			if env.containsStopWord(a, fd.Secret) {
				return true
			}
			continue
		}
		if len(a.Commits) > 0 {
			if ok, _ := a.CommitAllowed(f.CommitSHA); !ok {
				continue
			}
		}
		if len(a.Paths) > 0 {
			if !(a.PathAllowed(f.FilePath) || (f.WindowsFilePath != "" && a.PathAllowed(f.WindowsFilePath))) {
				continue
			}
		}
		if len(a.Regexes) > 0 {
			if !a.RegexAllowed(target) {
				continue
			}
		}
		if len(a.StopWords) > 0 {
			if !env.containsStopWord(a, fd.Secret) {
				continue
			}
		}
		// Every condition the list has holds (gitleaks' allTrue, also of
		// none).
		return true
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
