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

// genericMayContinue reports whether a match may go on past the newline
// ending line (which may include it), to the lines after it. The regex is
//
//	P K S Q O W V T
//	P = [\w.-]{0,50}?   K = the keywords   S = [ \t\w.-]{0,20}
//	Q = [\s'"]{0,3}     O = the operators (=, >, :, ||, =>, ?=, ...)
//	W = [\x60'"\s=]{0,5}   V = the value   T = [\x60'"\s;] | \\[nr] | $
//
// and only Q, W and T take a newline (T ends the match). A match reaches the next line only if,
// after one of its keywords on this line, the rest of the line is what S Q
// can hold (up to 23 of [ \t\w.-] and [\s'"]), or S Q, an operator, then
// what W can hold (up to 4 of [\x60'"\s=]). The check is loose where that
// is simpler (any operator character, any split of S and Q) and says yes
// for any line with a non-ASCII byte, where case folding widens \w.
func genericMayContinue(line string, kws []string) bool {
	body := strings.TrimSuffix(line, "\n")
	if !isASCII(body) {
		return true
	}
	for _, k := range kws {
		for off := 0; ; {
			i := indexFoldASCII(body[off:], k)
			if i < 0 {
				break
			}
			if genericRestContinues(body[off+i+len(k):]) {
				return true
			}
			off += i + 1
		}
	}
	return false
}

// genericRestContinues reports whether rest, what follows a keyword to the
// end of its line, can be S Q, or S Q O W, with Q or W taking the newline.
func genericRestContinues(rest string) bool {
	j := 0
	for j < len(rest) && j < 23 && isSQ(rest[j]) {
		j++
	}
	if j == len(rest) {
		return true // S Q to the end of the line
	}
	// An operator: =, >, :{1,3}=, ||, :, =>, ?=, ",".
	o := j
	for o < len(rest) && o-j < 4 && strings.IndexByte("=>:|?,", rest[o]) >= 0 {
		o++
	}
	if o == j {
		return false
	}
	for w := o; w < len(rest); w++ {
		if w-o >= 4 || strings.IndexByte("`'\" \t\r\f=", rest[w]) < 0 {
			return false
		}
	}
	return true
}

// isSQ is the union of the classes of S ([ \t\w.-]) and Q ([\s'"]).
func isSQ(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("_.- \t\r\f\"'", c) >= 0
}
