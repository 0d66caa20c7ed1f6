package scan

// A faster, exact FindAll for gitleaks' generic-api-key regex, the most
// expensive rule of a scan: it runs on every line that holds a common word
// (key, token, auth, api...), and its leading lazy prefix [\w.-]{0,50}?
// keeps up to fifty threads alive in Go's regexp engine inside every
// identifier, about 3 MB/s.
//
// The regex is P R' with P = [\w.-]{0,50}? and R' the rest, which starts
// with the keywords. genericFindAll searches for R' alone and extends each
// of its matches back over P's class, which gives the matches of P R'
// exactly, for these reasons. R' matches only at a keyword; call a keyword
// position k viable when R' matches there. From a position pos, the
// leftmost match of P R' starts at p(k1) = the furthest point back from
// k1 (the first viable keyword at or after pos) over at most 50 characters
// of P's class, not before pos: a match starting earlier would use a
// viable keyword before k1, and every later viable keyword gives a start
// no earlier. At p(k1) the lazy P stops at the first viable keyword, k1
// again, and the rest is R''s own match at k1, which is the leftmost match
// an unanchored search for R' finds from pos. The next search starts at
// the match's end, as FindAll's does. Under (?i), P's class also holds the
// non-ASCII runes that fold to ASCII letters (the Kelvin sign, the long
// s), so the walk back goes by runes.

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/zricethezav/gitleaks/v8/config"
)

// genericPattern is generic-api-key's regex in gitleaks v8.30.1, the one
// the reasoning above is about; genericPrefix is its lazy prefix P.
const (
	genericPattern = `(?i)[\w.-]{0,50}?(?:access|auth|(?-i:[Aa]pi|API)|credential|creds|key|passw(?:or)?d|secret|token)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})(?:[\x60'"\s;]|\\[nr]|$)`
	genericPrefix  = `[\w.-]{0,50}?`
	genericPrefixN = 50
)

// genericRest is the regex without its prefix.
var genericRest = regexp.MustCompile("(?i)" + strings.TrimPrefix(genericPattern, "(?i)"+genericPrefix))

// genericFast reports whether r is generic-api-key with the regex
// genericFindAll is exact for.
func genericFast(r *config.Rule) bool {
	return r.Regex != nil && r.Regex.String() == genericPattern
}

// genericFindAll is r.Regex.FindAllStringIndex(text, -1) for
// generic-api-key (genericFast).
func genericFindAll(r *config.Rule, text string) [][]int {
	var out [][]int
	for pos := 0; pos < len(text); {
		loc := genericRest.FindStringIndex(text[pos:])
		if loc == nil {
			break
		}
		k, end := pos+loc[0], pos+loc[1]
		p := k
		for n := 0; n < genericPrefixN && p > pos; n++ {
			c, size := utf8.DecodeLastRuneInString(text[pos:p])
			if !genericPrefixRune(c) {
				break
			}
			p -= size
		}
		out = append(out, []int{p, end})
		pos = end
	}
	return out
}

// genericPrefixRune reports whether c is in (?i)[\w.-].
func genericPrefixRune(c rune) bool {
	switch {
	case c < utf8.RuneSelf:
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
	case c == utf8.RuneError:
		return false
	}
	// A non-ASCII rune whose case-folding orbit holds an ASCII letter.
	for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
		if f < utf8.RuneSelf {
			return true
		}
	}
	return false
}
