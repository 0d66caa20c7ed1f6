// Package scan finds hardcoded credentials. It wraps the gitleaks v8 engine
// (its detector, sources, decoders and default rules) and adds a structural
// pass for what regexes do poorly: secret-named keys assigned literals
// across languages and config formats, Kubernetes Secret manifests and
// Terraform variable defaults. Findings of both passes share one pipeline:
// allow comments, .gitleaksignore, baselines and report writers.
package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
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

	NoGitIgnore bool // scan files that .gitignore excludes
	MaxTargetMB int  // skip files larger than this (0: no limit)
	// MaxDecodeDepth is the number of recursive decoding passes (base64,
	// hex, percent); 0 means DefaultDecodeDepth. NoDecode turns decoding
	// off, whatever MaxDecodeDepth says.
	MaxDecodeDepth int
	NoDecode       bool
	MaxArchiveDep  int // nested archive depth (0: archives are not opened)

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

	// wholeFragments runs every provider rule over whole fragments, as
	// gitleaks does: the reference the windowed path is tested against.
	wholeFragments bool
	// gitleaksLog reads history through gitleaks' sources.Git instead of
	// gitlog.go's reader, for comparison.
	gitleaksLog bool
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
	// File is the path relative to the scan's Root (slash-separated), the
	// same whatever the working directory or the form of the path given.
	// Path is the file as opened (the given path joined with the file's
	// path under it), for callers that read the file; it is empty for
	// history, staged changes and standard input.
	Path    string
	Commit  string
	Author  string
	Email   string
	Date    string
	Message string
	Tags    []string
	Entropy float32
	// Secret is the raw value; Redacted shows its first and last characters.
	Secret   secret.Value
	Redacted string
	// Match is the matched text with the secret redacted.
	Match string
	// Fingerprint is file:rule:hash(secret), stable across unrelated edits;
	// file is File, relative to the Root.
	Fingerprint string
	// lineText is the source line, used for allow comments only.
	lineText string
}

// Result is what a scan found.
type Result struct {
	Findings []Finding
	// Stale are baseline entries that matched no finding in a file that was
	// scanned (never judged for staged changes or part of the history).
	Stale []BaselineEntry
	// Root is the absolute directory that File paths are relative to: the
	// git work tree holding the first path, else that path (a directory)
	// or its directory (a file). Empty for standard input.
	Root string
	// Warnings are one-line notes for the user, such as a shallow clone.
	Warnings []string
	// Suppressed counts findings hidden by the baseline or ignore files.
	Suppressed int
	Files      int64
	Bytes      int64
	// Rules is the rule set used (for SARIF's rule list).
	Rules []config.Rule
}

// DefaultDecodeDepth is the number of decoding passes when
// Options.MaxDecodeDepth is 0.
const DefaultDecodeDepth = 2

// decodeDepth is the detector's MaxDecodeDepth for o: gitleaks decodes
// while its pass count is at most that, so 0 turns decoding off.
func (o Options) decodeDepth() int {
	switch {
	case o.NoDecode:
		return 0
	case o.MaxDecodeDepth == 0:
		return DefaultDecodeDepth
	}
	return o.MaxDecodeDepth
}

func (o Options) validate() error {
	if o.Git && o.Staged {
		return errors.New("scan: --git and --staged are exclusive")
	}
	if o.MaxTargetMB < 0 || o.MaxDecodeDepth < 0 || o.MaxArchiveDep < 0 {
		return errors.New("scan: size, decode and archive limits must be 0 or more")
	}
	return nil
}

// Run scans what opts describes.
func Run(ctx context.Context, opts Options) (*Result, error) {
	setLogger(opts.Log)
	if len(opts.Paths) == 0 {
		opts.Paths = []string{"."}
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	cfgPath := configPath(opts)
	cfg, err := LoadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	roots, err := scanRoots(ctx, opts)
	if err != nil {
		return nil, err
	}
	root := ""
	if len(roots) > 0 {
		root = roots[0].dir
	}
	var base *baseline
	if opts.Baseline != "" {
		if base, err = loadBaseline(opts.Baseline, root); err != nil {
			return nil, err
		}
	}
	ignore, err := loadIgnores(opts)
	if err != nil {
		return nil, err
	}

	s := newScanner(ctx, cfg, opts, cfgPath)
	s.roots = roots
	for _, p := range []string{cfgPath, opts.Baseline} {
		if p != "" && root != "" {
			if n, ok := relTo(root, p); ok {
				s.skipPaths[n] = true
			}
		}
	}
	err = s.scan(ctx)
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = s.firstErr()
	}
	if err != nil {
		return nil, err
	}

	res := &Result{Files: s.files.Load(), Bytes: s.bytes.Load(), Rules: cfg.GetOrderedRules(), Root: root, Warnings: s.warnings}
	for i := range s.findings {
		if p, ok := s.scanned.Load(s.findings[i].File); ok {
			s.findings[i].Path, _ = p.(string)
		}
	}
	// Stale entries are judged only where a whole file was read: not for
	// staged changes or part of the history, which show only some lines.
	judge := func(file string) bool {
		if opts.Staged || opts.Git && (opts.Since != "" || opts.Range != "" || opts.LogOpts != "") {
			return false
		}
		_, ok := s.scanned.Load(file)
		return ok
	}
	// Workers and gitleaks' rule map give findings in no set order; dedupe
	// keeps the first of equals, so give it one.
	sort.Slice(s.findings, func(i, j int) bool {
		a, b := s.findings[i], s.findings[j]
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if a.EndColumn != b.EndColumn {
			return a.EndColumn < b.EndColumn
		}
		return a.Match < b.Match
	})
	res.suppress(dedupe(s.findings), ignore, base, judge)
	return res, nil
}

// configPath is the rules file to load: opts.ConfigPath, else
// .secretctl.toml then .gitleaks.toml in the scan root, unless NoConfig.
func configPath(opts Options) string {
	if opts.ConfigPath != "" || opts.NoConfig || opts.Stdin != nil {
		return opts.ConfigPath
	}
	root := opts.Paths[0]
	dir := root
	if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
		dir = filepath.Dir(root)
	}
	for _, name := range []string{".secretctl.toml", ".gitleaks.toml"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return filepath.Join(dir, name)
		}
	}
	return ""
}

// suppress adds found to r, less what the ignore files or the baseline
// hide, and lists the baseline entries that matched nothing.
func (r *Result) suppress(found []Finding, ignore ignoreSet, base *baseline, judge func(file string) bool) {
	used := map[string]bool{}
	for _, f := range found {
		if ignore.match(f) {
			r.Suppressed++
			continue
		}
		if base != nil && base.has(f.Fingerprint) {
			used[f.Fingerprint] = true
			r.Suppressed++
			continue
		}
		r.Findings = append(r.Findings, f)
	}
	if base != nil {
		for _, e := range base.entries {
			if !used[e.Fingerprint] && judge(e.File) {
				r.Stale = append(r.Stale, e)
			}
		}
	}
}

// newScanner builds the detectors and the keyword trie for cfg. The
// config and baseline files themselves (cfgPath, opts.Baseline) are not
// scanned.
func newScanner(ctx context.Context, cfg config.Config, opts Options, cfgPath string) *scanner {
	s := &scanner{cfg: cfg, opts: opts, kw: map[string]*kwUse{}}
	use := func(k string) *kwUse {
		u := s.kw[k]
		if u == nil {
			u = &kwUse{}
			s.kw[k] = u
		}
		return u
	}
	for _, k := range structKeywords {
		use(k).structural = true
	}
	s.pathCache = len(cfg.Allowlists) > 0 && !anyCommits(cfg.Allowlists)
	for _, a := range cfg.Allowlists {
		s.pathPats = append(s.pathPats, newPathPatterns(a))
	}
	mainCfg, lineCfg := splitConfig(cfg)
	s.env = newRuleEnv(cfg)
	// det is gitleaks' detector of the main rules, with decoding, for
	// whole fragments where windows do not apply (built when first needed).
	s.det = sync.OnceValue(func() *detect.Detector { return newDetector(ctx, mainCfg, opts) })
	if len(lineCfg.Rules) > 0 {
		for _, id := range sortedRuleIDs(lineCfg.Rules) {
			r := lineCfg.Rules[id]
			kws := lowerKeywords(r)
			if genericFast(&r) {
				s.lineCont = func(l string) bool { return genericMayContinue(l, kws) }
			}
			s.lines = append(s.lines, r)
			for _, k := range kws {
				u := use(k)
				u.line = append(u.line, len(s.lines)-1)
			}
		}
		// gitleaks' own detector for the line rules, where windows do not
		// apply (and as the reference in tests). Decoding is the main
		// detector's job: searching the keyword lines for encoded text a
		// second time would double its cost.
		s.lineDet = sync.OnceValue(func() *detect.Detector {
			d := newDetector(ctx, lineCfg, opts)
			d.MaxDecodeDepth = 0
			return d
		})
	}
	s.eng = newEngine(ctx, mainCfg, opts, s.env)
	s.leanDecode = true
	for _, id := range sortedRuleIDs(mainCfg.Rules) {
		r := mainCfg.Rules[id]
		if !leanRule(r) {
			s.leanDecode = false
		}
		s.mainRules = append(s.mainRules, r)
		n := len(s.mainRules) - 1
		if len(r.Keywords) == 0 {
			s.mainAlways = append(s.mainAlways, n)
		}
		for _, k := range lowerKeywords(r) {
			if !isASCII(k) {
				s.leanDecode = false
			}
			u := use(k)
			u.main = append(u.main, n)
		}
	}
	for k, rules := range s.eng.byKW {
		use(k).rules = rules
	}
	for k, rules := range s.eng.wholeByKW {
		use(k).whole = rules
	}
	// One pass of one trie over the lower-cased fragment finds the keywords
	// of the structural pass, the line rules and the windowed rules.
	all := make([]string, 0, len(s.kw))
	for k := range s.kw {
		all = append(all, k)
	}
	sort.Strings(all)
	s.trie = newACDFA(all)
	s.kwList = make([]*kwUse, len(all))
	for i, k := range all {
		s.kwList[i] = s.kw[k]
	}
	s.skipPaths = map[string]bool{}
	for _, p := range []string{cfgPath, opts.Baseline} {
		if p != "" {
			s.skipPaths[filepath.ToSlash(filepath.Clean(p))] = true
		}
	}
	return s
}

type scanner struct {
	cfg  config.Config
	opts Options
	// eng runs the provider rules on the lines around their keywords (or
	// on whole fragments); env holds the allowlists runPass applies.
	eng *engine
	env *ruleEnv
	// det is gitleaks' detector of the same rules, with decoding, for
	// whole fragments where windows do not apply and decoding passes
	// runPass cannot run (built when first needed).
	det func() *detect.Detector
	// mainRules are det's rules, for the decoding passes runPass runs
	// (when leanDecode: no composite rules or non-ASCII keywords);
	// mainAlways are those without keywords.
	mainRules  []config.Rule
	mainAlways []int
	leanDecode bool
	// lines are the broad keyword rules (generic-api-key and secretctl's
	// connection string and header rules), run over only the lines
	// holding their keywords; lineDet is gitleaks' detector for them, for
	// the same fragments as det (built when first needed).
	lines   []config.Rule
	lineDet func() *detect.Detector
	// lineCont says whether a generic-api-key match may go on past the
	// end of a line (nil without that rule): joinLines then takes the
	// lines it can reach.
	lineCont  func(string) bool
	trie      *acDFA
	kw        map[string]*kwUse
	kwList    []*kwUse        // by the trie's pattern index
	pathCache bool            // path allowlist decisions can be cached by path
	pathPats  [][]pathPattern // each global allowlist's path patterns
	allowed   sync.Map        // path -> bool
	skipPaths map[string]bool
	roots     []scanRoot
	// scanned maps the File of each file scanned to its Path ("" for
	// history and staged changes).
	scanned sync.Map

	mu       sync.Mutex
	warnings []string
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
			s.fail(fmt.Errorf("scan git: %w", ferr))
		}
		return nil
	}
	if len(f.Raw) == 0 || s.skipPaths[f.FilePath] {
		return nil
	}
	s.bytes.Add(int64(len(f.Raw)))
	inLimit := s.opts.MaxTargetMB == 0 || len(f.Raw) <= s.opts.MaxTargetMB*1_000_000
	// Bytecode and other binaries that pass gitleaks' magic-number check
	// (.pyc, .class) hold NUL bytes: the line-oriented passes skip them.
	text := strings.IndexByte(f.Raw, 0) < 0
	// A path the global allowlist skips gets no rule at all, as in
	// gitleaks' DetectContext.
	allowed := s.pathAllowed(f.FilePath, f.CommitSHA)
	structural := inLimit && text && !allowed
	lower := asciiLower(f.Raw)
	h := s.keywords(lower)
	var starts []int
	if len(h.structPos) > 0 || len(h.linePos) > 0 || len(h.rules) > 0 {
		starts = lineStarts(f.Raw)
	}
	var (
		hits  []hit
		muted map[int]bool
	)
	if structural {
		hits, muted = analyzeAt(f.Raw, lower, f.FilePath, h.structPos, starts)
	}
	if !inLimit || !text {
		h.linePos = nil
	}
	var out []Finding
	if !allowed {
		for _, gf := range s.detect(ctx, f, h, starts, inLimit) {
			if fd, ok := s.fromGitleaks(gf); ok && !muted[fd.Line-f.StartLine] {
				out = append(out, fd)
			}
		}
	}
	if structural {
		lines := splitLinesLazy(f.Raw)
		for _, h := range hits {
			if fd := fromHit(f, h, lines(h.line)); !s.findingAllowed(fd, f.CommitSHA) {
				out = append(out, fd)
			}
		}
	}
	s.record(out)
	return nil
}

// fail keeps the first error of the scan.
func (s *scanner) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

// kwUse says which passes a keyword belongs to.
type kwUse struct {
	structural bool
	line       []int // line rules (indexes in scanner.lines)
	rules      []int // windowed rules (indexes in engine.rules)
	whole      []int // whole-fragment rules (indexes in engine.whole)
	main       []int // rules of the decoding passes (scanner.mainRules)
}

// kwHits are the keywords found in a fragment: the byte offsets of the
// structural pass's keywords and of the line rules' keywords, the offsets
// of each windowed rule's keywords (by rule index), and the whole-fragment
// and line rules with a keyword in the fragment.
type kwHits struct {
	structPos, linePos []int
	rules              map[int][]int
	whole, lines       map[int]bool
}

// keywords finds the keywords of every pass in lower, the lower-cased
// fragment.
func (s *scanner) keywords(lower string) *kwHits {
	h := &kwHits{}
	s.trie.walk(lower, func(pos, pattern int) {
		u := s.kwList[pattern]
		if u.structural {
			h.structPos = append(h.structPos, pos)
		}
		if len(u.line) > 0 {
			h.linePos = append(h.linePos, pos)
			h.lines = mark(h.lines, u.line)
		}
		h.whole = mark(h.whole, u.whole)
		for _, r := range u.rules {
			if h.rules == nil {
				h.rules = map[int][]int{}
			}
			h.rules[r] = append(h.rules[r], pos)
		}
	})
	return h
}

func mark(m map[int]bool, idx []int) map[int]bool {
	for _, i := range idx {
		if m == nil {
			m = map[int]bool{}
		}
		m[i] = true
	}
	return m
}

// fromHit makes a finding of a structural hit in f; line is its source line.
func fromHit(f sources.Fragment, h hit, line string) Finding {
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
		Match:       h.key + ": " + h.secret,
		Commit:      f.CommitSHA,
		lineText:    line,
	}
	if f.CommitInfo != nil {
		fd.Author, fd.Email, fd.Date, fd.Message = f.CommitInfo.AuthorName, f.CommitInfo.AuthorEmail, f.CommitInfo.Date, f.CommitInfo.Message
	}
	return fd
}

// record redacts and fingerprints out and adds it to the scan's findings.
func (s *scanner) record(out []Finding) {
	if len(out) == 0 {
		return
	}
	for i := range out {
		finish(&out[i])
	}
	s.mu.Lock()
	s.findings = append(s.findings, out...)
	s.mu.Unlock()
	s.nfound.Add(int64(len(out)))
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
