package scan

// Glue to the gitleaks engine: its logger, detectors, the split of broad
// rules into a line pass, and secretctl's checks on gitleaks' findings.

import (
	"context"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/detect/codec"
	"github.com/zricethezav/gitleaks/v8/logging"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/secretctl/secretctl/internal/secret"
)

// logMu guards gitleaks' global logger.
var logMu sync.Mutex

// setLogger sends gitleaks' log to w (nowhere when nil), at warn or above:
// its debug and trace levels log raw secrets.
func setLogger(w io.Writer) {
	logMu.Lock()
	defer logMu.Unlock()
	if w == nil {
		logging.Logger = zerolog.Nop()
		return
	}
	logging.Logger = zerolog.New(zerolog.ConsoleWriter{Out: w, NoColor: true, PartsExclude: []string{zerolog.TimestampFieldName}}).Level(zerolog.WarnLevel)
}

// lineRules are broad rules whose keywords are common words: they run on
// the lines that hold one of their keywords instead of whole fragments,
// which gives the same findings for single-line matches at a fraction of
// the regex work.
var lineRules = map[string]bool{"generic-api-key": true, "url-credentials": true, "mysql-dsn-password": true, "connection-string-password": true, "authorization-header": true}

func splitConfig(cfg config.Config) (main, line config.Config) {
	main, line = cfg, cfg
	main.Rules, line.Rules = map[string]config.Rule{}, map[string]config.Rule{}
	main.Keywords, line.Keywords = map[string]struct{}{}, map[string]struct{}{}
	for id, r := range cfg.Rules {
		c := &main
		if lineRules[id] && len(r.Keywords) > 0 && leanRule(r) {
			c = &line
		}
		c.Rules[id] = r
		for _, k := range r.Keywords {
			c.Keywords[strings.ToLower(k)] = struct{}{}
		}
	}
	return main, line
}

func newDetector(ctx context.Context, cfg config.Config, opts Options) *detect.Detector {
	d := detect.NewDetectorContext(ctx, cfg)
	d.MaxDecodeDepth = opts.decodeDepth()
	d.MaxTargetMegaBytes = opts.MaxTargetMB
	d.MaxArchiveDepth = opts.MaxArchiveDep
	d.Verbose = false
	d.Redact = 0 // secretctl redacts its own Finding; see Redact
	return d
}

// detect runs gitleaks' rules over f: the provider rules on the windows
// around their keyword hits (h.rules) or on the whole fragment, the line
// rules over the lines at h.linePos (none when empty), and the decoding
// detector over the lines that may hold encoded text. Fragments over the
// size limit and those where byte-wise lower-casing can hide a keyword go
// through gitleaks' detectors whole.
func (s *scanner) detect(ctx context.Context, f sources.Fragment, h *kwHits, starts []int, inLimit bool) []report.Finding {
	if s.opts.wholeFragments || !inLimit || foldsToASCII(f.Raw) {
		gfs := detectFragment(ctx, s.det(), f)
		if s.lineDet != nil && len(h.linePos) > 0 {
			sub, picked := joinLines(f, h.linePos, starts, s.lineCont)
			gfs = append(gfs, remap(detectFragment(ctx, s.lineDet(), sub), f, picked)...)
		}
		return gfs
	}
	gfs := s.eng.detectWindows(ctx, f, h, starts)
	if mayDecode(f.Raw) && s.opts.decodeDepth() > 0 {
		// Decoded text: the decoding passes (decoded) over the lines that
		// may hold an encoded segment, with context.
		if lines := decodeLines(f.Raw); len(lines) > 0 {
			if starts == nil {
				starts = lineStarts(f.Raw)
			}
			sub, picked := joinAround(f, lines, starts, decodeMargin)
			found := s.decoded(ctx, sub)
			if picked != nil {
				found = remap(found, f, picked)
			}
			gfs = append(gfs, found...)
		}
	}
	gfs = filterGeneric(gfs)
	if len(h.lines) > 0 && len(h.linePos) > 0 {
		sub, picked := joinLines(f, h.linePos, starts, s.lineCont)
		var found []report.Finding
		for _, i := range sortedKeys(h.lines) {
			found = append(found, runRule(sub, nil, &s.lines[i], s.env)...)
		}
		// gitleaks' precedence of other rules over generic ones holds
		// within one detector's findings: here, the line rules'.
		gfs = append(gfs, remap(filterGeneric(found), f, picked)...)
	}
	return gfs
}

// decoded is what the decoding passes of gitleaks' DetectContext find in
// f: findings in text that decoding produced, tagged decode-depth:N. The
// passes are runPass over the decoded text, for the rules with a keyword in
// it; gitleaks' detector stands in where runPass cannot.
func (s *scanner) decoded(ctx context.Context, f sources.Fragment) []report.Finding {
	dec := codec.NewDecoder()
	raw, segs := dec.Decode(f.Raw, []*codec.EncodedSegment{})
	if len(segs) == 0 {
		return nil
	}
	if !s.leanDecode || foldsToASCII(raw) {
		return decodedOnly(detectFragment(ctx, s.det(), f))
	}
	nl := newlines(f.Raw)
	var out []report.Finding
	for depth := 1; depth <= s.opts.decodeDepth() && len(segs) > 0; depth++ {
		if depth > 1 {
			if raw, segs = dec.Decode(raw, segs); len(segs) == 0 {
				break
			}
		}
		run := map[int]bool{}
		for _, i := range s.mainAlways {
			run[i] = true
		}
		s.trie.walk(asciiLower(raw), func(_, pattern int) {
			for _, i := range s.kwList[pattern].main {
				run[i] = true
			}
		})
		for _, i := range sortedKeys(run) {
			out = append(out, runPass(f, nl, raw, segs, &s.mainRules[i], s.env)...)
		}
	}
	return out
}

// detectFragment runs d over one fragment. gitleaks v8 has no per-fragment
// entry point that takes a sources.Fragment: DetectContext takes the
// deprecated alias, which v9 replaces.
func detectFragment(ctx context.Context, d *detect.Detector, f sources.Fragment) []report.Finding {
	//lint:ignore SA1019 DetectContext only takes detect.Fragment in gitleaks v8.
	return d.DetectContext(ctx, detect.Fragment(f))
}

// mayDecode reports whether raw holds something gitleaks' decoder could
// decode: "%XX" (percent), "\\uXXXX" or "U+XXXX" (unicode), or a run of 16
// or more base64 characters (which covers hex runs of 32). One byte scan
// instead of the decoder's regex search.
func mayDecode(raw string) bool {
	run := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '/', c == '+', c == '-':
			run++
			if run >= 16 {
				return true
			}
			if (c == 'u' || c == 'U') && i+4 < len(raw) && (i > 0 && raw[i-1] == '\\' || c == 'U' && raw[i+1] == '+') {
				return true
			}
		case c == '%':
			run = 0
			if i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2]) {
				return true
			}
		default:
			run = 0
		}
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// joinLines joins the lines of f that hold the offsets positions into one
// fragment, each line ended by a newline, and says for each of its lines
// the line of f. When cont says a match may go on past a line's end, the
// lines a match can reach go in too: up to maxContinued more, through
// lines of nothing but blanks, quotes and '=' (what generic-api-key's
// regex takes between an operator and the value), and the first line with
// anything else.
// maxContinued is how many newlines generic-api-key's regex can take
// between a keyword and the value (Q and W of generic.go: 3 and 5).
const maxContinued = 8

func joinLines(f sources.Fragment, positions, starts []int, cont func(string) bool) (sources.Fragment, []int) {
	sort.Ints(positions)
	var picked []int
	add := func(i int) {
		if n := len(picked); n == 0 || picked[n-1] < i {
			picked = append(picked, i)
		}
	}
	text := func(i int) string {
		if i+1 < len(starts) {
			return f.Raw[starts[i] : starts[i+1]-1]
		}
		return f.Raw[starts[i]:]
	}
	lastKW := -1
	for _, pos := range positions {
		i := sort.Search(len(starts), func(i int) bool { return starts[i] > pos }) - 1
		if i == lastKW {
			continue
		}
		lastKW = i
		add(i)
		if cont == nil || !cont(text(i)) {
			continue
		}
		for j := i + 1; j < len(starts) && j <= i+maxContinued; j++ {
			add(j)
			if strings.Trim(text(j), " \t\r\f\v\"'`=") != "" {
				break
			}
		}
	}
	lineEnd := func(i int) int { // the offset of line i's newline, or len
		if i+1 < len(starts) {
			return starts[i+1] - 1
		}
		return len(f.Raw)
	}
	sub := f
	sub.Bytes, sub.StartLine = nil, 0
	first, last := picked[0], picked[len(picked)-1]
	if last-first == len(picked)-1 && lineEnd(last) < len(f.Raw) {
		// Consecutive lines, the last with its newline: a slice of f.
		sub.Raw = f.Raw[starts[first] : lineEnd(last)+1]
		return sub, picked
	}
	var b strings.Builder
	for _, i := range picked {
		b.WriteString(f.Raw[starts[i]:lineEnd(i)])
		b.WriteByte('\n')
	}
	sub.Raw = b.String()
	return sub, picked
}

// genericRules are gitleaks rules whose findings also pass secretctl's value
// checks (placeholders, references, templates, hashes).
var genericRules = map[string]keyClass{"generic-api-key": keyToken, "url-credentials": keyPassword, "mysql-dsn-password": keyPassword, "connection-string-password": keyPassword, "authorization-header": keyToken, "curl-auth-header": keyToken, "curl-auth-user": keyPassword, "hashicorp-tf-password": keyPassword}

func (s *scanner) fromGitleaks(gf report.Finding) (Finding, bool) {
	if SuppressReason(gf.RuleID, gf.Match, gf.Secret, gf.Line) != "" {
		return Finding{}, false
	}
	// Report the line of the secret, not of the start of a multi-line match
	// (curl rules match from the command across continuation lines).
	line, col := gf.StartLine, gf.StartColumn
	if i := strings.Index(gf.Match, gf.Secret); i > 0 && gf.Secret != "" {
		if n := strings.Count(gf.Match[:i], "\n"); n > 0 {
			line += n
			col = i - strings.LastIndex(gf.Match[:i], "\n")
		}
	}
	return Finding{
		RuleID:      gf.RuleID,
		Description: gf.Description,
		File:        gf.File,
		Line:        line,
		Column:      col,
		EndLine:     gf.EndLine,
		EndColumn:   gf.EndColumn,
		Commit:      gf.Commit,
		Author:      gf.Author,
		Email:       gf.Email,
		Date:        gf.Date,
		Message:     gf.Message,
		Tags:        gf.Tags,
		Entropy:     gf.Entropy,
		Secret:      secret.New(gf.Secret),
		Match:       gf.Match,
		lineText:    gf.Line,
	}, true
}

// Reasons SuppressReason gives.
const (
	ReasonAllowMarker   = "allow comment on the line"
	ReasonPublicKeyName = "key name says public or descriptive (public_key, siteKey)"
	ReasonImplausible   = "value check: placeholder, reference, template, hash or too weak"
	ReasonDocURL        = "documentation URL (example host or placeholder credentials)"
	ReasonLiteral       = "value check on the whole string literal (did:key:…)"
	ReasonRuleReplaced  = "rule replaced by the structural pass"
	ReasonTestVector    = "test vector: hex value under a generic key name (key) in a test file or next to vector fields"
	ReasonDecodedLine   = "found only after decoding: the broad keyword rules do not scan decoded text"
)

// ContextReason says why secretctl drops a finding that SuppressReason
// keeps, from what only the finding's file and tags show: a test vector
// (docs/scan-rules.md section 4.1), judged on lines, the file's lines, with
// the finding on lines[i] of file path file; or a broad keyword rule's
// finding in text that only appears after decoding (section 1), which
// gitleaks marks with a "decode-depth:" tag. It returns "" for neither.
func ContextReason(ruleID, match, sec, file string, lines []string, i int, tags []string) string {
	if lineRules[ruleID] {
		for _, t := range tags {
			if strings.HasPrefix(t, "decode-depth:") {
				return ReasonDecodedLine
			}
		}
	}
	if ruleID == "generic-api-key" && i >= 0 && i < len(lines) && classifyKey(genericKeyName(match, sec)) == keyGeneric {
		a := &analyzer{lines: lines, test: testPath(file)}
		if a.testVector(i, sec) {
			return ReasonTestVector
		}
	}
	return ""
}

// SuppressReason says why secretctl drops a finding that gitleaks' rule
// ruleID reports (match and secret sec on source line line), or "" when it
// keeps it: the value checks of docs/scan-rules.md applied to gitleaks' findings.
func SuppressReason(ruleID, match, sec, line string) string {
	for _, id := range disabledDefaultRules {
		if id == ruleID {
			return ReasonRuleReplaced
		}
	}
	if hasAllowMarker(line) {
		return ReasonAllowMarker
	}
	if ruleID == "generic-api-key" && !genericKeyIsSecret(match, sec) {
		return ReasonPublicKeyName
	}
	if c, ok := genericRules[ruleID]; ok {
		v := sec
		if ruleID == "curl-auth-user" {
			if i := strings.IndexByte(v, ':'); i >= 0 {
				v = v[i+1:]
			}
		}
		if ruleID == "url-credentials" || ruleID == "mysql-dsn-password" || ruleID == "connection-string-password" || ruleID == "curl-auth-user" {
			if !plausibleShortSecret(v) {
				return ReasonImplausible
			}
			if ruleID == "url-credentials" && docURL(match) {
				return ReasonDocURL
			}
		} else if !plausibleSecret(v, c, "") {
			return ReasonImplausible
		} else if lit := quotedLiteral(line, v); lit != "" && lit != v && !plausibleSecret(lit, c, "") {
			// The whole string literal is not a secret ("did:key:z6Mk…").
			return ReasonLiteral
		}
	}
	return ""
}

// quotedLiteral returns the quoted string literal of line that contains v,
// or "" when v is not inside quotes.
func quotedLiteral(line, v string) string {
	i := strings.Index(line, v)
	if i < 0 {
		return ""
	}
	start := i
	for start > 0 && !strings.ContainsRune("\"'`", rune(line[start-1])) {
		if line[start-1] == ' ' || line[start-1] == '\t' {
			return ""
		}
		start--
	}
	end := i + len(v)
	for end < len(line) && !strings.ContainsRune("\"'`", rune(line[end])) {
		if line[end] == ' ' || line[end] == '\t' {
			return ""
		}
		end++
	}
	if start == 0 || end == len(line) || line[start-1] != line[end] {
		return ""
	}
	return line[start:end]
}

// genericKeyName is the key name in front of secret sec in a
// generic-api-key match, or "" when there is none.
func genericKeyName(match, sec string) string {
	i := strings.Index(match, sec)
	if i < 0 {
		return ""
	}
	pre := strings.TrimRight(match[:i], " \t\"'`=:>,|?")
	b := len(pre)
	for b > 0 && (isWordByte(pre[b-1]) || pre[b-1] == '.' || pre[b-1] == '-') {
		b--
	}
	return pre[b:]
}

// genericKeyIsSecret checks the key name in front of a generic-api-key
// match: public_key, siteKey, publishableKey and the like are not secrets.
func genericKeyIsSecret(match, sec string) bool {
	key := genericKeyName(match, sec)
	if key == "" {
		return true
	}
	words := splitWords(key)
	for _, w := range words {
		if nonSecretQualifiers[w] || referenceWords[w] {
			return classifyKey(key) == keyPassword
		}
	}
	if len(words) > 1 && descriptiveWords[words[len(words)-1]] {
		return false
	}
	return true
}
