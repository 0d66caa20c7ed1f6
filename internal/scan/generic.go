package scan

// A faster, exact FindAll for gitleaks' generic-api-key regex, the most
// expensive rule of a scan: it runs on every line that holds a common word
// (key, token, auth, api...), and its leading lazy prefix [\w.-]{0,50}?
// keeps up to fifty threads alive in Go's regexp engine inside every
// identifier, about 3 MB/s.
//
// genericFindAll splits the text into blocks that no match can cross, and
// runs the full regex only on blocks where the regex without its prefix
// matches (every match of the full regex holds a match of the rest, which
// starts at the keyword). Matches never cross a block boundary, so the
// matches of the blocks are the matches of the text: the same leftmost,
// non-overlapping matches in the same order.
//
// Where a match can hold a newline: the regex is
//
//	P K S Q O V W T
//	P = [\w.-]{0,50}?   K = the keywords   S = [ \t\w.-]{0,20}
//	Q = [\s'"]{0,3}     O = the operators (=, >, :, ||, =>, ?=, ...)
//	W = [\x60'"\s=]{0,5}   V = the value   T = [\x60'"\s;] | \\[nr] | $
//
// Only Q, W and T take a newline. T ends the match, so a newline there
// stays on the match's line. A match reaches the next line only through Q
// (the line ends in K S and up to two of [\s'"]: a keyword near its end)
// or W (the line ends in an operator and up to four of [\x60'"\s=]), and Q
// and W together take at most eight newlines. So after a line that ends
// like neither, no match continues; after one that may, the block takes
// the next eight lines as well. A block ends with a newline (or the
// text), where $ cannot match after a value, so $ adds no match at a
// block's end.

import (
	"regexp"
	"strings"

	"github.com/zricethezav/gitleaks/v8/config"
)

// genericPattern is generic-api-key's regex in gitleaks v8.30.1, the one
// the analysis above is about; genericPrefix is its lazy prefix P.
const (
	genericPattern = `(?i)[\w.-]{0,50}?(?:access|auth|(?-i:[Aa]pi|API)|credential|creds|key|passw(?:or)?d|secret|token)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})(?:[\x60'"\s;]|\\[nr]|$)`
	genericPrefix  = `[\w.-]{0,50}?`
	// genericTail is how near a line's end a keyword must start for a
	// match to reach the next line through Q: the longest keyword (10)
	// plus S (20) plus two of Q, with room to spare.
	genericTail = 42
	// genericReach is how many newlines Q and W can take together.
	genericReach = 8
)

// genericSuffix is the regex without its prefix (nil when not compiled).
var genericSuffix = regexp.MustCompile("(?i)" + strings.TrimPrefix(genericPattern, "(?i)"+genericPrefix))

// genericFast reports whether r is generic-api-key with the regex analysed
// above, and so can use genericFindAll.
func genericFast(r *config.Rule) bool {
	return r.Regex != nil && r.Regex.String() == genericPattern
}

// genericFindAll is r.Regex.FindAllStringIndex(text, -1) for generic-api-key
// (genericFast), with kws its keywords in lower case.
func genericFindAll(r *config.Rule, kws []string, text string) [][]int {
	var out [][]int
	blockStart, reachLine, line := 0, -1, 0
	for start := 0; start < len(text); line++ {
		end := len(text)
		if i := strings.IndexByte(text[start:], '\n'); i >= 0 {
			end = start + i + 1
		}
		if genericMayContinue(text[start:end], kws) {
			reachLine = max(reachLine, line+genericReach)
		}
		if end == len(text) || line >= reachLine {
			block := text[blockStart:end]
			if genericSuffix.MatchString(block) {
				for _, m := range r.Regex.FindAllStringIndex(block, -1) {
					out = append(out, []int{m[0] + blockStart, m[1] + blockStart})
				}
			}
			blockStart = end
		}
		start = end
	}
	return out
}

// genericMayContinue reports whether a match may go on past the newline
// ending line (which includes it). A match reaches the next line only if,
// after one of its keywords on this line, the rest of the line is what S Q
// can hold (up to 23 of [ \t\w.-] and [\s'"]), or S Q, an operator, then
// what W can hold (up to 4 of [\x60'"\s=]). The check is loose where that
// is simpler (any operator character, any split of S and Q) and says yes
// for any line with a non-ASCII byte, where case folding widens \w.
func genericMayContinue(line string, kws []string) bool {
	body := strings.TrimSuffix(line, "\n")
	for i := 0; i < len(body); i++ {
		if body[i] >= 0x80 {
			return true
		}
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
