// Package scan finds hardcoded credentials. It wraps the gitleaks v8 engine
// (its detector, sources, decoders and default rules) and adds a structural
// pass for what regexes do poorly: secret-named keys assigned literals
// across languages and config formats, Kubernetes Secret manifests and
// Terraform variable defaults. Findings of both passes share one pipeline:
// allow comments, .gitleaksignore, baselines and report writers.
package scan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/cmd/scm"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/secretctl/secretctl/internal/secret"
)

// Options says what to scan and how.
type Options struct {
	// Paths are files or directories (default "."). With Git or Staged, the
	// first path is the repository.
	Paths []string
	// Git scans the history (git log -p) instead of the working tree.
	Git bool
	// Staged scans what is staged (git diff --staged): a pre-commit hook.
	Staged bool
	// Stdin, when set, is scanned instead of paths; StdinName names it in
	// findings ("stdin" by default).
	Stdin     io.Reader
	StdinName string

	LogOpts string // git log options, replacing the defaults (--all)
	Since   string // git log --since
	Range   string // a commit range such as main..HEAD

	NoGitIgnore    bool // scan files that .gitignore excludes
	MaxTargetMB    int  // skip files larger than this (0: no limit)
	MaxDecodeDepth int  // recursive decoding passes (base64, hex, percent); default 2
	MaxArchiveDep  int  // nested archive depth (0: archives are not opened)

	// ConfigPath is a gitleaks-format TOML file that extends the default
	// rules. When empty, .secretctl.toml then .gitleaks.toml in the scan root
	// are used if present; NoConfig disables that lookup.
	ConfigPath string
	NoConfig   bool

	// Baseline is a file written by WriteBaseline: findings whose
	// fingerprint it lists are suppressed.
	Baseline string
	// IgnoreFiles are extra .gitleaksignore-style files.
	IgnoreFiles []string

	// Progress, if set, is called as files are scanned (from several
	// goroutines; it must be safe for concurrent use).
	Progress func(Progress)
	// Log receives the engine's warnings (never debug output, which can
	// hold secrets). Nil discards them.
	Log io.Writer
}

// Progress is a snapshot of a running scan.
type Progress struct {
	Files    int64
	Bytes    int64
	Findings int64
}

// Finding is one detected secret.
type Finding struct {
	RuleID      string
	Description string
	File        string
	Line        int // 1-based
	Column      int // 1-based
	EndLine     int
	EndColumn   int
	Commit      string
	Author      string
	Email       string
	Date        string
	Message     string
	Tags        []string
	Entropy     float32
	// Secret is the raw value; Redacted shows its first and last characters.
	Secret   secret.Value
	Redacted string
	// Match is the matched text with the secret redacted.
	Match string
	// Fingerprint is file:rule:hash(secret), stable across unrelated edits.
	Fingerprint string
	// lineText is the source line, used for allow comments only.
	lineText string
}

// Result is what a scan found.
type Result struct {
	Findings []Finding
	// Stale are baseline entries that matched no finding.
	Stale []BaselineEntry
	// Suppressed counts findings hidden by the baseline or ignore files.
	Suppressed int
	Files      int64
	Bytes      int64
	// Rules is the rule set used (for SARIF's rule list).
	Rules []config.Rule
}

// allowMarkers on a source line suppress findings on that line.
var allowMarkers = []string{"gitleaks:allow", "secretctl:allow"}

// quiet keeps gitleaks' zerolog logger at warn or above: its debug and
// trace levels log raw secrets.
var logMu sync.Mutex

func setLogger(w io.Writer) {
	logMu.Lock()
	defer logMu.Unlock()
	if w == nil {
		logging.Logger = zerolog.Nop()
		return
	}
	logging.Logger = zerolog.New(zerolog.ConsoleWriter{Out: w, NoColor: true, PartsExclude: []string{zerolog.TimestampFieldName}}).Level(zerolog.WarnLevel)
}

// Run scans what opts describes.
func Run(ctx context.Context, opts Options) (*Result, error) {
	setLogger(opts.Log)
	if len(opts.Paths) == 0 {
		opts.Paths = []string{"."}
	}
	if opts.Git && opts.Staged {
		return nil, errors.New("scan: --git and --staged are exclusive")
	}
	root := opts.Paths[0]
	cfgPath := opts.ConfigPath
	if cfgPath == "" && !opts.NoConfig && opts.Stdin == nil {
		dir := root
		if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
			dir = filepath.Dir(root)
		}
		for _, name := range []string{".secretctl.toml", ".gitleaks.toml"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				cfgPath = filepath.Join(dir, name)
				break
			}
		}
	}
	cfg, err := LoadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	var base *baseline
	if opts.Baseline != "" {
		if base, err = loadBaseline(opts.Baseline); err != nil {
			return nil, err
		}
	}
	ignore, err := loadIgnores(opts)
	if err != nil {
		return nil, err
	}

	s := &scanner{cfg: cfg, opts: opts, structKW: map[string]bool{}, lineKW: map[string]bool{}}
	for _, k := range structKeywords {
		s.structKW[k] = true
	}
	s.pathCache = len(cfg.Allowlists) > 0 && !anyCommits(cfg.Allowlists)
	mainCfg, lineCfg := splitConfig(cfg)
	s.det = newDetector(ctx, mainCfg, opts)
	if s.det.MaxDecodeDepth > 0 {
		// For fragments with nothing that could decode (see mayDecode), a
		// twin without decoding saves the decoder's regex search.
		s.plainDet = newDetector(ctx, mainCfg, opts)
		s.plainDet.MaxDecodeDepth = -1
	}
	if len(lineCfg.Rules) > 0 {
		s.lineDet = newDetector(ctx, lineCfg, opts)
		// Decoding is the main detector's job: searching the keyword lines
		// for encoded text a second time would double its cost.
		s.lineDet.MaxDecodeDepth = -1
		for k := range lineCfg.Keywords {
			s.lineKW[k] = true
		}
	}
	// One pass of one trie finds the keywords of both the structural pass
	// and the line rules.
	all := append([]string(nil), structKeywords...)
	for k := range s.lineKW {
		if !s.structKW[k] {
			all = append(all, k)
		}
	}
	sort.Strings(all[len(structKeywords):])
	s.trie = ahocorasick.NewTrieBuilder().AddStrings(all).Build()
	s.skipPaths = map[string]bool{}
	for _, p := range []string{cfgPath, opts.Baseline} {
		if p != "" {
			s.skipPaths[filepath.ToSlash(filepath.Clean(p))] = true
		}
	}

	switch {
	case opts.Stdin != nil:
		name := opts.StdinName
		if name == "" {
			name = "stdin"
		}
		src := &sources.File{Content: opts.Stdin, MaxArchiveDepth: opts.MaxArchiveDep}
		err = src.Fragments(ctx, func(f sources.Fragment, ferr error) error {
			f.FilePath = name
			return s.fragment(ctx, f, ferr)
		})
	case opts.Git || opts.Staged:
		err = s.git(ctx, root)
	default:
		err = s.dirs(ctx)
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = s.firstErr()
	}
	if err != nil {
		return nil, err
	}

	res := &Result{Files: s.files.Load(), Bytes: s.bytes.Load(), Rules: cfg.GetOrderedRules()}
	found := dedupe(s.findings)
	used := map[string]bool{}
	for _, f := range found {
		if ignore.match(f) {
			res.Suppressed++
			continue
		}
		if base != nil && base.has(f.Fingerprint) {
			used[f.Fingerprint] = true
			res.Suppressed++
			continue
		}
		res.Findings = append(res.Findings, f)
	}
	if base != nil {
		for _, e := range base.entries {
			if !used[e.Fingerprint] {
				res.Stale = append(res.Stale, e)
			}
		}
	}
	return res, nil
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
		if lineRules[id] && len(r.Keywords) > 0 {
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
	d.MaxDecodeDepth = opts.MaxDecodeDepth
	if d.MaxDecodeDepth == 0 {
		d.MaxDecodeDepth = 2
	}
	d.MaxTargetMegaBytes = opts.MaxTargetMB
	d.MaxArchiveDepth = opts.MaxArchiveDep
	d.Verbose = false
	d.Redact = 0 // secretctl redacts its own Finding; see Redact
	return d
}

type scanner struct {
	cfg  config.Config
	opts Options
	// det runs the provider rules over whole fragments; lineDet runs the
	// broad keyword rules (generic-api-key and secretctl's connection
	// string and header rules) over only the lines holding their keywords.
	det       *detect.Detector
	plainDet  *detect.Detector
	lineDet   *detect.Detector
	trie      *ahocorasick.Trie
	structKW  map[string]bool
	lineKW    map[string]bool
	pathCache bool     // path allowlist decisions can be cached by path
	allowed   sync.Map // path -> bool
	skipPaths map[string]bool

	mu       sync.Mutex
	findings []Finding
	err      error

	files, bytes, nfound atomic.Int64
}

func (s *scanner) firstErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *scanner) progress() {
	if s.opts.Progress != nil {
		s.opts.Progress(Progress{Files: s.files.Load(), Bytes: s.bytes.Load(), Findings: s.nfound.Load()})
	}
}

// fragment runs both passes over one fragment of a file or a diff.
func (s *scanner) fragment(ctx context.Context, f sources.Fragment, ferr error) error {
	if ferr != nil {
		if f.FilePath == "" && f.CommitSHA == "" {
			// git's stderr: not a repository, a bad revision...
			s.mu.Lock()
			if s.err == nil {
				s.err = fmt.Errorf("scan git: %w", ferr)
			}
			s.mu.Unlock()
		}
		return nil
	}
	if len(f.Raw) == 0 || s.skipPaths[f.FilePath] {
		return nil
	}
	s.bytes.Add(int64(len(f.Raw)))
	var (
		out   []Finding
		hits  []hit
		muted map[int]bool
	)
	inLimit := s.opts.MaxTargetMB == 0 || len(f.Raw) <= s.opts.MaxTargetMB*1_000_000
	// Bytecode and other binaries that pass gitleaks' magic-number check
	// (.pyc, .class) hold NUL bytes: the line-oriented passes skip them.
	text := strings.IndexByte(f.Raw, 0) < 0
	structural := inLimit && text && !s.pathAllowed(f.FilePath, f.CommitSHA)
	lower := asciiLower(f.Raw)
	var structPos, linePos []int
	for _, m := range s.trie.MatchString(lower) {
		kw := m.MatchString()
		if s.structKW[kw] {
			structPos = append(structPos, int(m.Pos()))
		}
		if s.lineKW[kw] {
			linePos = append(linePos, int(m.Pos()))
		}
	}
	var starts []int
	if len(structPos) > 0 || len(linePos) > 0 {
		starts = lineStarts(f.Raw)
	}
	if structural {
		hits, muted = analyzeAt(f.Raw, lower, f.FilePath, structPos, starts)
	}
	det := s.det
	if s.plainDet != nil && !mayDecode(f.Raw) {
		det = s.plainDet
	}
	gfs := det.DetectContext(ctx, detect.Fragment(f))
	if s.lineDet != nil && inLimit && text && len(linePos) > 0 {
		gfs = append(gfs, s.detectLines(ctx, f, linePos, starts)...)
	}
	for _, gf := range gfs {
		if fd, ok := s.fromGitleaks(gf); ok && !muted[fd.Line-f.StartLine] {
			out = append(out, fd)
		}
	}
	if structural {
		lines := splitLinesLazy(f.Raw)
		for _, h := range hits {
			fd := Finding{
				RuleID:      h.rule,
				Description: ruleDescriptions[h.rule],
				File:        f.FilePath,
				Line:        f.StartLine + h.line,
				Column:      h.col,
				EndLine:     f.StartLine + h.line,
				EndColumn:   h.col + len(h.secret) - 1,
				Secret:      secret.New(h.secret),
				Entropy:     float32(entropy(h.secret)),
				Tags:        []string{"secretctl", "structural"},
				lineText:    lines(h.line),
			}
			fd.Match = h.key + ": " + h.secret
			if f.CommitInfo != nil {
				fd.Commit, fd.Author, fd.Email, fd.Date, fd.Message = f.CommitSHA, f.CommitInfo.AuthorName, f.CommitInfo.AuthorEmail, f.CommitInfo.Date, f.CommitInfo.Message
			} else {
				fd.Commit = f.CommitSHA
			}
			if s.findingAllowed(fd, f.CommitSHA) {
				continue
			}
			out = append(out, fd)
		}
	}
	for i := range out {
		finish(&out[i])
	}
	if len(out) > 0 {
		s.mu.Lock()
		s.findings = append(s.findings, out...)
		s.mu.Unlock()
		s.nfound.Add(int64(len(out)))
	}
	return nil
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

// detectLines runs the line rules over the lines of f that hold one of
// their keywords, joined into one fragment, and maps findings back to f's
// line numbers.
func (s *scanner) detectLines(ctx context.Context, f sources.Fragment, positions, starts []int) []report.Finding {
	sort.Ints(positions)
	var (
		picked []int
		b      strings.Builder
		last   = -1
	)
	for _, pos := range positions {
		i := sort.Search(len(starts), func(i int) bool { return starts[i] > pos }) - 1
		if i == last {
			continue
		}
		last = i
		end := len(f.Raw)
		if i+1 < len(starts) {
			end = starts[i+1] - 1
		}
		picked = append(picked, i)
		b.WriteString(f.Raw[starts[i]:end])
		b.WriteByte('\n')
	}
	sub := f
	sub.Raw, sub.Bytes, sub.StartLine = b.String(), nil, 0
	found := s.lineDet.DetectContext(ctx, detect.Fragment(sub))
	for i := range found {
		idx := found[i].StartLine
		if idx < 0 || idx >= len(picked) {
			continue
		}
		span := found[i].EndLine - found[i].StartLine
		found[i].StartLine = f.StartLine + picked[idx]
		found[i].EndLine = found[i].StartLine + span
	}
	return found
}

// splitLinesLazy returns a function giving line i of raw, splitting once.
func splitLinesLazy(raw string) func(int) string {
	var lines []string
	return func(i int) string {
		if lines == nil {
			lines = strings.Split(raw, "\n")
		}
		if i < 0 || i >= len(lines) {
			return ""
		}
		return lines[i]
	}
}

// genericRules are gitleaks rules whose findings also pass secretctl's value
// checks (placeholders, references, templates, hashes).
var genericRules = map[string]keyClass{"generic-api-key": keyToken, "url-credentials": keyPassword, "mysql-dsn-password": keyPassword, "connection-string-password": keyPassword, "authorization-header": keyToken, "curl-auth-header": keyToken, "curl-auth-user": keyPassword, "hashicorp-tf-password": keyPassword}

func (s *scanner) fromGitleaks(gf report.Finding) (Finding, bool) {
	for _, m := range allowMarkers {
		if strings.Contains(gf.Line, m) {
			return Finding{}, false
		}
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
	if gf.RuleID == "generic-api-key" && !genericKeyIsSecret(gf.Match, gf.Secret) {
		return Finding{}, false
	}
	if c, ok := genericRules[gf.RuleID]; ok {
		v := gf.Secret
		if gf.RuleID == "curl-auth-user" {
			if i := strings.IndexByte(v, ':'); i >= 0 {
				v = v[i+1:]
			}
		}
		if gf.RuleID == "url-credentials" || gf.RuleID == "mysql-dsn-password" || gf.RuleID == "connection-string-password" || gf.RuleID == "curl-auth-user" {
			if !plausibleShortSecret(v) || gf.RuleID == "url-credentials" && docURL(gf.Match) {
				return Finding{}, false
			}
		} else if !plausibleSecret(v, c, "") {
			return Finding{}, false
		} else if lit := quotedLiteral(gf.Line, v); lit != "" && lit != v && !plausibleSecret(lit, c, "") {
			// The whole string literal is not a secret ("did:key:z6Mk…").
			return Finding{}, false
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

// genericKeyIsSecret checks the key name in front of a generic-api-key
// match: public_key, siteKey, publishableKey and the like are not secrets.
func genericKeyIsSecret(match, sec string) bool {
	i := strings.Index(match, sec)
	if i < 0 {
		return true
	}
	pre := strings.TrimRight(match[:i], " \t\"'`=:>,|?")
	b := len(pre)
	for b > 0 && (isWordByte(pre[b-1]) || pre[b-1] == '.' || pre[b-1] == '-') {
		b--
	}
	key := pre[b:]
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

// finish redacts and fingerprints a finding.
func finish(f *Finding) {
	raw := f.Secret.RevealString()
	f.Redacted = Redact(raw)
	if raw != "" {
		f.Match = strings.ReplaceAll(f.Match, raw, f.Redacted)
	}
	f.Fingerprint = Fingerprint(f.File, f.RuleID, raw)
}

// Fingerprint is file:rule:h, h the first 16 hex digits of a SHA-256 of the
// rule and secret. No line number: an edit above a finding keeps it, a new
// secret on a known line gets a new one.
func Fingerprint(file, rule, raw string) string {
	sum := sha256.Sum256([]byte("secretctl/v1\x00" + rule + "\x00" + raw))
	return file + ":" + rule + ":" + hex.EncodeToString(sum[:8])
}

// Redact keeps the first and last characters of a secret (two of each
// from 12 characters on, one of each from 6), masking the rest.
// Short secrets are fully masked.
func Redact(raw string) string {
	r := []rune(raw)
	switch {
	case len(r) == 0:
		return ""
	case len(r) < 6:
		return "****"
	case len(r) < 12:
		return string(r[:1]) + "****" + string(r[len(r)-1:])
	default:
		return string(r[:2]) + "****" + string(r[len(r)-2:])
	}
}

// pathAllowed applies the global path and commit allowlists to the
// structural pass (gitleaks applies them to its own rules).
func (s *scanner) pathAllowed(path, commit string) bool {
	if s.pathCache {
		if v, ok := s.allowed.Load(path); ok {
			return v.(bool)
		}
		v := s.pathAllowedNoCache(path, commit)
		s.allowed.Store(path, v)
		return v
	}
	return s.pathAllowedNoCache(path, commit)
}

func anyCommits(lists []*config.Allowlist) bool {
	for _, a := range lists {
		if len(a.Commits) > 0 {
			return true
		}
	}
	return false
}

func (s *scanner) pathAllowedNoCache(path, commit string) bool {
	for _, a := range s.cfg.Allowlists {
		commitOK, _ := a.CommitAllowed(commit)
		pathOK := a.PathAllowed(path)
		if a.MatchCondition == config.AllowlistMatchAnd {
			if len(a.Regexes) > 0 || len(a.StopWords) > 0 {
				continue
			}
			ok := len(a.Commits) > 0 || len(a.Paths) > 0
			if len(a.Commits) > 0 && !commitOK || len(a.Paths) > 0 && !pathOK {
				ok = false
			}
			if ok {
				return true
			}
		} else if commitOK || pathOK {
			return true
		}
	}
	return false
}

// findingAllowed applies allow comments and the global regex and stopword
// allowlists to a structural finding.
func (s *scanner) findingAllowed(f Finding, commit string) bool {
	for _, m := range allowMarkers {
		if strings.Contains(f.lineText, m) {
			return true
		}
	}
	raw := f.Secret.RevealString()
	for _, a := range s.cfg.Allowlists {
		target := raw
		switch a.RegexTarget {
		case "match":
			target = f.Match
		case "line":
			target = f.lineText
		}
		regexOK := a.RegexAllowed(target)
		stopOK, _ := a.ContainsStopWord(raw)
		if a.MatchCondition == config.AllowlistMatchAnd {
			checks := []bool{}
			if len(a.Commits) > 0 {
				ok, _ := a.CommitAllowed(commit)
				checks = append(checks, ok)
			}
			if len(a.Paths) > 0 {
				checks = append(checks, a.PathAllowed(f.File))
			}
			if len(a.Regexes) > 0 {
				checks = append(checks, regexOK)
			}
			if len(a.StopWords) > 0 {
				checks = append(checks, stopOK)
			}
			all := len(checks) > 0
			for _, c := range checks {
				all = all && c
			}
			if all {
				return true
			}
		} else if regexOK || stopOK {
			return true
		}
	}
	return false
}

// rulePriority orders rules when several find the same secret on one line:
// provider rules first, generic ones last.
func rulePriority(id string) int {
	switch id {
	case "generic-api-key":
		return 4
	case ruleAssignment, ruleEnvPair:
		return 3
	case ruleCurlUser, "url-credentials", "mysql-dsn-password", "connection-string-password", "authorization-header", "curl-auth-header", "curl-auth-user", "hashicorp-tf-password":
		return 2
	case ruleK8sData, ruleK8sStringDat, ruleTFDefault, ruleAWSPair, rulePgpass, ruleCredCall:
		return 1
	}
	return 0
}

// dedupe drops findings whose secret overlaps a better finding on the same
// line of the same file and commit, then sorts.
func dedupe(in []Finding) []Finding {
	sort.SliceStable(in, func(i, j int) bool {
		a, b := in[i], in[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Commit != b.Commit {
			return a.Commit < b.Commit
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if decoded(a) != decoded(b) {
			return !decoded(a)
		}
		return rulePriority(a.RuleID) < rulePriority(b.RuleID)
	})
	out := in[:0]
	for i := 0; i < len(in); i++ {
		f := in[i]
		dup := false
		for k := len(out) - 1; k >= 0; k-- {
			o := out[k]
			if o.File != f.File || o.Commit != f.Commit || o.Line != f.Line {
				break
			}
			if decoded(f) {
				// A value found after decoding, on a line already reported.
				dup = true
				break
			}
			a, b := o.Secret.RevealString(), f.Secret.RevealString()
			if strings.Contains(a, b) || strings.Contains(b, a) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Commit < b.Commit
	})
	return out
}

func decoded(f Finding) bool {
	for _, t := range f.Tags {
		if strings.HasPrefix(t, "decoded:") {
			return true
		}
	}
	return false
}

// git scans history or the staged changes of the repository at root.
func (s *scanner) git(ctx context.Context, root string) error {
	if _, err := exec.LookPath("git"); err != nil {
		return fmt.Errorf("scan git: %w", err)
	}
	if out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--git-dir").CombinedOutput(); err != nil {
		return fmt.Errorf("scan git: %s is not a git repository: %s", root, strings.TrimSpace(string(out)))
	}
	var (
		cmd *sources.GitCmd
		err error
	)
	if s.opts.Staged {
		cmd, err = sources.NewGitDiffCmdContext(ctx, root, true)
	} else {
		cmd, err = sources.NewGitLogCmdContext(ctx, root, gitLogOpts(s.opts))
	}
	if err != nil {
		return fmt.Errorf("scan git: %w", err)
	}
	src := &sources.Git{
		Cmd:             cmd,
		Config:          &s.cfg,
		Remote:          &sources.RemoteInfo{Platform: scm.NoPlatform},
		Sema:            s.det.Sema,
		MaxArchiveDepth: s.opts.MaxArchiveDep,
	}
	var seen sync.Map
	return src.Fragments(ctx, func(f sources.Fragment, ferr error) error {
		if f.FilePath != "" {
			if _, loaded := seen.LoadOrStore(f.CommitSHA+"\x00"+f.FilePath, true); !loaded {
				s.files.Add(1)
				s.progress()
			}
		}
		return s.fragment(ctx, f, ferr)
	})
}

// gitLogOpts builds the git log arguments. gitleaks splits them on spaces,
// so --since values use dots ("2.weeks.ago").
func gitLogOpts(o Options) string {
	var args []string
	switch {
	case o.LogOpts != "":
		args = append(args, o.LogOpts)
	case o.Range != "":
		args = append(args, "--full-history", o.Range)
	default:
		args = append(args, "--full-history", "--all")
	}
	if o.Since != "" {
		args = append(args, "--since="+strings.ReplaceAll(strings.TrimSpace(o.Since), " ", "."))
	}
	if o.LogOpts == "" {
		args = append(args, "--diff-filter=tuxdb")
	}
	return strings.Join(args, " ")
}

// dirs scans the working tree under each path.
func (s *scanner) dirs(ctx context.Context) error {
	files := make(chan string, 256)
	workers := runtime.GOMAXPROCS(0) * 2
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 100_000)
			for p := range files {
				if ctx.Err() != nil {
					continue
				}
				s.file(ctx, p, buf)
			}
		}()
	}
	var walkErr error
	for _, root := range s.opts.Paths {
		if err := s.list(ctx, root, files); err != nil {
			walkErr = err
			break
		}
	}
	close(files)
	wg.Wait()
	return walkErr
}

// file scans one file of the working tree.
func (s *scanner) file(ctx context.Context, p string, buf []byte) {
	slash := filepath.ToSlash(p)
	if s.skipPaths[slash] || s.pathAllowedFile(slash) {
		return
	}
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
		return
	}
	if s.opts.MaxTargetMB > 0 && fi.Size() > int64(s.opts.MaxTargetMB)*1_000_000 {
		return
	}
	fh, err := os.Open(p)
	if err != nil {
		return
	}
	defer fh.Close()
	src := &sources.File{Content: fh, Path: slash, Config: &s.cfg, MaxArchiveDepth: s.opts.MaxArchiveDep, Buffer: buf}
	_ = src.Fragments(ctx, func(f sources.Fragment, ferr error) error {
		return s.fragment(ctx, f, ferr)
	})
	s.files.Add(1)
	s.progress()
}

func (s *scanner) pathAllowedFile(p string) bool { return s.pathAllowed(p, "") }
