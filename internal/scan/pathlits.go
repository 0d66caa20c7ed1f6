package scan

// A literal prefilter for the allowlists' path patterns. gitleaks joins
// them into one alternation that Go's regexp engine runs over every path
// (about 45 µs a path for the default list). Nearly every pattern needs
// some literal text (vendor/, node_modules, .dist-info, an extension), so
// each pattern runs only on paths that hold one of its literals.

import (
	"regexp/syntax"
	"strings"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/regexp"
)

// pathPattern is one path regex of an allowlist and the literals (lower
// case) one of which each of its matches holds; lits is nil when none is
// known, and the pattern then always runs.
type pathPattern struct {
	re   *regexp.Regexp
	lits []string
}

func newPathPatterns(a *config.Allowlist) []pathPattern {
	out := make([]pathPattern, 0, len(a.Paths))
	for _, re := range a.Paths {
		p := pathPattern{re: re}
		if t, err := syntax.Parse(re.String(), syntax.Perl); err == nil {
			if l, ok := requiredLiterals(t); ok {
				p.lits = l
			}
		}
		out = append(out, p)
	}
	return out
}

// pathMatches is a.PathAllowed(path) for a's patterns ps: whether any of
// them matches.
func pathMatches(ps []pathPattern, path string) bool {
	if path == "" {
		return false
	}
	lower := ""
	for _, p := range ps {
		if p.lits != nil {
			if lower == "" {
				lower = strings.ToLower(path)
			}
			hit := false
			for _, l := range p.lits {
				if strings.Contains(lower, l) {
					hit = true
					break
				}
			}
			if !hit {
				continue
			}
		}
		if p.re.MatchString(path) {
			return true
		}
	}
	return false
}

// requiredLiterals returns strings, in lower case, one of which every
// match of re holds (lower-cased); ok is false when it finds none. It
// picks, in a concatenation, the part whose shortest literal is longest.
func requiredLiterals(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}, true
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0])
		}
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			l, ok := requiredLiterals(sub)
			if !ok {
				return nil, false
			}
			out = append(out, l...)
		}
		return out, len(out) > 0
	case syntax.OpConcat:
		var best []string
		bestLen := 0
		for _, sub := range re.Sub {
			l, ok := requiredLiterals(sub)
			if !ok {
				continue
			}
			short := len(l[0])
			for _, s := range l {
				short = min(short, len(s))
			}
			if short > bestLen {
				best, bestLen = l, short
			}
		}
		return best, best != nil
	}
	return nil, false
}
