// Command scorecmd scores a secret-scanner JSON report against a labelled corpus.
//
// The report is a JSON array of findings with gitleaks' field names (File, StartLine, Secret,
// RuleID, Commit). Both `gitleaks ... --report-format json` and `secretctl scan --format json`
// produce it. The labels are testdata/scan/corpus/labels.json or testdata/scan/history/labels.json.
//
// A finding is a true positive when it lies in a positive's file and line span (and in its commit,
// for history labels) and its Secret overlaps the labelled secret (or its decoded form). A redacted,
// masked or empty Secret matches on the location alone. Every other finding is a false positive, counted
// once per distinct location. A positive that no finding matches is a false negative.
//
// Usage:
//
//	go run ./bench/scorecmd -labels testdata/scan/corpus/labels.json -root DIR -report report.json
//	go run ./bench/scorecmd -labels testdata/scan/corpus/labels.json -root testdata/scan/corpus -check
//	go run ./bench/scorecmd -report gitleaks.json -missed-by secretctl.json -root DIR
//
// The scorer prints locations, kinds and rule ids, never secret values.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Positive is a labelled true secret.
type Positive struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	EndLine int    `json:"end_line,omitempty"`
	Kind    string `json:"kind"`
	Secret  string `json:"secret"`
	Decoded string `json:"decoded,omitempty"`
	Commit  string `json:"commit,omitempty"`
}

// Negative is a labelled line that looks secret-ish but is not a secret.
type Negative struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	EndLine int    `json:"end_line,omitempty"`
	Kind    string `json:"kind"`
	Why     string `json:"why"`
	Commit  string `json:"commit,omitempty"`
}

// Labels is the manifest.
type Labels struct {
	Positives []Positive `json:"positives"`
	Negatives []Negative `json:"negatives"`
}

// Finding holds the report fields the scorer reads.
type Finding struct {
	File      string   `json:"File"`
	StartLine int      `json:"StartLine"`
	EndLine   int      `json:"EndLine"`
	Secret    string   `json:"Secret"`
	Match     string   `json:"Match"`
	RuleID    string   `json:"RuleID"`
	Commit    string   `json:"Commit"`
	Tags      []string `json:"Tags"`
}

type loc struct {
	commit, file string
	line         int
}

func (l loc) String() string {
	if l.commit != "" {
		return fmt.Sprintf("%.8s:%s:%d", l.commit, l.file, l.line)
	}
	return fmt.Sprintf("%s:%d", l.file, l.line)
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scorecmd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	labelsPath := fs.String("labels", "testdata/scan/corpus/labels.json", "labels manifest")
	reportPath := fs.String("report", "", "JSON report (gitleaks field names)")
	root := fs.String("root", "", "directory the report's File paths are relative to (stripped as a prefix)")
	check := fs.Bool("check", false, "verify the labels against the files under -root instead of scoring")
	name := fs.String("name", "", "tool name for the summary line")
	verbose := fs.Bool("v", false, "list false negatives and false positives")
	byKind := fs.Bool("by-kind", false, "print recall per positive kind and false positives per negative kind")
	minRecall := fs.Float64("min-recall", 0, "exit 1 when recall is below this")
	minPrecision := fs.Float64("min-precision", 0, "exit 1 when precision is below this")
	count := fs.Bool("count", false, "print the number of findings in -report and exit")
	missedBy := fs.String("missed-by", "", "list the findings of -report (gitleaks) that this report (secretctl) lacks, with the reason secretctl drops each; exit 1 on any without one")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *count {
		findings, err := readReport(*reportPath)
		if err != nil {
			fmt.Fprintln(stderr, "scorecmd:", err)
			return 2
		}
		fmt.Fprintln(stdout, len(findings))
		return 0
	}
	if *missedBy != "" {
		return missed(*reportPath, *missedBy, *root, stdout, stderr)
	}
	labels, err := readLabels(*labelsPath)
	if err != nil {
		fmt.Fprintln(stderr, "scorecmd:", err)
		return 2
	}
	if *check {
		if *root == "" {
			fmt.Fprintln(stderr, "scorecmd: -check needs -root")
			return 2
		}
		problems := checkLabels(labels, *root)
		for _, p := range problems {
			fmt.Fprintln(stdout, "label problem:", p)
		}
		if len(problems) > 0 {
			return 1
		}
		fmt.Fprintf(stdout, "labels ok: %d positives, %d negatives\n", len(labels.Positives), len(labels.Negatives))
		return 0
	}
	if *reportPath == "" {
		fmt.Fprintln(stderr, "scorecmd: -report is required")
		return 2
	}
	findings, err := readReport(*reportPath)
	if err != nil {
		fmt.Fprintln(stderr, "scorecmd:", err)
		return 2
	}
	s := score(labels, findings, *root)
	s.print(stdout, *name, *verbose, *byKind)
	if s.recall() < *minRecall || s.precision() < *minPrecision {
		return 1
	}
	return 0
}

func readLabels(path string) (*Labels, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	var l Labels
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("parse labels %s: %w", path, err)
	}
	return &l, nil
}

func readReport(path string) ([]Finding, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	var fs []Finding
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(b, &fs); err != nil {
		return nil, fmt.Errorf("parse report %s: %w", path, err)
	}
	return fs, nil
}

type result struct {
	positives []Positive
	matched   []bool
	fps       map[loc][]string // location -> rule ids
	fpKind    map[loc]string   // location -> negative kind or "unlabelled"
	findings  int
	ignored   int
	lineOnly  int
	negatives int
}

func (r *result) tp() int {
	n := 0
	for _, m := range r.matched {
		if m {
			n++
		}
	}
	return n
}

func (r *result) recall() float64 {
	if len(r.positives) == 0 {
		return 0
	}
	return float64(r.tp()) / float64(len(r.positives))
}

func (r *result) precision() float64 {
	d := r.tp() + len(r.fps)
	if d == 0 {
		return 0
	}
	return float64(r.tp()) / float64(d)
}

func (r *result) f1() float64 {
	p, rc := r.precision(), r.recall()
	if p+rc == 0 {
		return 0
	}
	return 2 * p * rc / (p + rc)
}

func normalize(file, root string, known map[string]bool) string {
	f := filepath.ToSlash(filepath.Clean(file))
	if root != "" {
		rt := filepath.ToSlash(filepath.Clean(root))
		if abs, err := filepath.Abs(root); err == nil && filepath.IsAbs(file) {
			rt = filepath.ToSlash(abs)
		}
		f = strings.TrimPrefix(strings.TrimPrefix(f, rt), "/")
	}
	f = strings.TrimPrefix(f, "./")
	if known[f] {
		return f
	}
	// fall back to the longest labelled path that is a suffix of the reported one
	best := ""
	for k := range known {
		if strings.HasSuffix(f, "/"+k) && len(k) > len(best) {
			best = k
		}
	}
	if best != "" {
		return best
	}
	return f
}

func sameCommit(label, finding string) bool {
	if label == "" {
		return true
	}
	return finding != "" && (strings.HasPrefix(finding, label) || strings.HasPrefix(label, finding))
}

func secretOverlaps(p Positive, got string) (ok, lineOnly bool) {
	if redacted(got) {
		return true, true
	}
	for _, want := range []string{p.Secret, p.Decoded} {
		if want == "" {
			continue
		}
		if strings.Contains(got, want) || strings.Contains(want, got) {
			return true, false
		}
	}
	return false, false
}

// redacted reports whether a reported secret was blanked or masked ("REDACTED", "[redacted]",
// "ab****", "abc...") so that only its location can be compared.
func redacted(s string) bool {
	return s == "" || strings.Contains(strings.ToLower(s), "redacted") ||
		strings.Contains(s, "***") || strings.HasSuffix(s, "...") || strings.HasSuffix(s, "…")
}

func within(line, start, end int) bool {
	if end < start {
		end = start
	}
	return line >= start && line <= end
}

func score(l *Labels, findings []Finding, root string) *result {
	known := map[string]bool{}
	for _, p := range l.Positives {
		known[p.File] = true
	}
	for _, n := range l.Negatives {
		known[n.File] = true
	}
	r := &result{
		positives: l.Positives,
		matched:   make([]bool, len(l.Positives)),
		fps:       map[loc][]string{},
		fpKind:    map[loc]string{},
		findings:  len(findings),
		negatives: len(l.Negatives),
	}
	for _, f := range findings {
		file := normalize(f.File, root, known)
		if file == "labels.json" {
			r.ignored++ // the manifest itself holds every labelled secret
			continue
		}
		hit := false
		for i, p := range l.Positives {
			if p.File != file || !within(f.StartLine, p.Line, p.EndLine) || !sameCommit(p.Commit, f.Commit) {
				continue
			}
			if ok, lineOnly := secretOverlaps(p, f.Secret); ok {
				if !r.matched[i] && lineOnly {
					r.lineOnly++
				}
				r.matched[i] = true
				hit = true
				break
			}
		}
		if hit {
			continue
		}
		k := loc{commit: f.Commit, file: file, line: f.StartLine}
		r.fps[k] = append(r.fps[k], f.RuleID)
		kind := "unlabelled"
		for _, n := range l.Negatives {
			if n.File == file && within(f.StartLine, n.Line, n.EndLine) && sameCommit(n.Commit, f.Commit) {
				kind = n.Kind
				break
			}
		}
		if kind == "unlabelled" {
			for _, p := range l.Positives {
				if p.File == file && within(f.StartLine, p.Line, p.EndLine) && sameCommit(p.Commit, f.Commit) {
					kind = "positive-line-other-secret"
					break
				}
			}
		}
		r.fpKind[k] = kind
	}
	return r
}

func (r *result) print(w io.Writer, name string, verbose, byKind bool) {
	if name != "" {
		name += ": "
	}
	onNeg := 0
	for _, k := range r.fpKind {
		if k != "unlabelled" && k != "positive-line-other-secret" {
			onNeg++
		}
	}
	fmt.Fprintf(w, "%slabelled %d positives, %d negatives; report has %d findings", name, len(r.positives), r.negatives, r.findings)
	if r.ignored > 0 {
		fmt.Fprintf(w, " (%d in labels.json ignored)", r.ignored)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%sTP %d  FN %d  FP %d (%d on labelled negatives, %d elsewhere)", name, r.tp(), len(r.positives)-r.tp(), len(r.fps), onNeg, len(r.fps)-onNeg)
	if r.lineOnly > 0 {
		fmt.Fprintf(w, "  [%d TP matched by location only: redacted secrets]", r.lineOnly)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%srecall %.3f  precision %.3f  F1 %.3f\n", name, r.recall(), r.precision(), r.f1())
	if byKind {
		type row struct {
			kind    string
			tp, all int
		}
		rows := map[string]*row{}
		for i, p := range r.positives {
			rw := rows[p.Kind]
			if rw == nil {
				rw = &row{kind: p.Kind}
				rows[p.Kind] = rw
			}
			rw.all++
			if r.matched[i] {
				rw.tp++
			}
		}
		keys := make([]string, 0, len(rows))
		for k := range rows {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintln(w, "recall by kind:")
		for _, k := range keys {
			fmt.Fprintf(w, "  %-28s %3d/%-3d\n", k, rows[k].tp, rows[k].all)
		}
		fpk := map[string]int{}
		for _, k := range r.fpKind {
			fpk[k]++
		}
		keys = keys[:0]
		for k := range fpk {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintln(w, "false positives by negative kind:")
		for _, k := range keys {
			fmt.Fprintf(w, "  %-28s %3d\n", k, fpk[k])
		}
	}
	if verbose {
		for i, p := range r.positives {
			if !r.matched[i] {
				fmt.Fprintf(w, "FN %s %s\n", loc{p.Commit, p.File, p.Line}, p.Kind)
			}
		}
		keys := make([]loc, 0, len(r.fps))
		for k := range r.fps {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].file != keys[j].file {
				return keys[i].file < keys[j].file
			}
			if keys[i].line != keys[j].line {
				return keys[i].line < keys[j].line
			}
			return keys[i].commit < keys[j].commit
		})
		for _, k := range keys {
			fmt.Fprintf(w, "FP %s %s [%s]\n", k, strings.Join(uniq(r.fps[k]), ","), r.fpKind[k])
		}
	}
}

func uniq(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// checkLabels verifies that every label points at an existing line and every positive's secret
// is present in its span, so line numbers cannot drift silently.
func checkLabels(l *Labels, root string) []string {
	var problems []string
	cache := map[string][]string{}
	lines := func(file string) ([]string, error) {
		if ls, ok := cache[file]; ok {
			return ls, nil
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
		if err != nil {
			return nil, err
		}
		ls := strings.Split(string(b), "\n")
		cache[file] = ls
		return ls, nil
	}
	span := func(file string, line, end int) (string, error) {
		ls, err := lines(file)
		if err != nil {
			return "", err
		}
		if end < line {
			end = line
		}
		if line < 1 || end > len(ls) {
			return "", errors.New("line out of range")
		}
		return strings.Join(ls[line-1:end], "\n"), nil
	}
	seen := map[loc]string{}
	for _, p := range l.Positives {
		k := loc{p.Commit, p.File, p.Line}
		if p.Commit != "" {
			continue // history labels are checked by running the history script
		}
		text, err := span(p.File, p.Line, p.EndLine)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s %s: %v", k, p.Kind, err))
			continue
		}
		if p.Secret == "" || !strings.Contains(text, p.Secret) {
			problems = append(problems, fmt.Sprintf("%s %s: secret not on the labelled line(s)", k, p.Kind))
		}
		if prev, dup := seen[k]; dup {
			problems = append(problems, fmt.Sprintf("%s: two positives on one line (%s, %s)", k, prev, p.Kind))
		}
		seen[k] = p.Kind
	}
	for _, n := range l.Negatives {
		k := loc{n.Commit, n.File, n.Line}
		if n.Commit != "" {
			continue
		}
		text, err := span(n.File, n.Line, n.EndLine)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s %s: %v", k, n.Kind, err))
			continue
		}
		if strings.TrimSpace(text) == "" {
			problems = append(problems, fmt.Sprintf("%s %s: negative on a blank line", k, n.Kind))
		}
		if n.Why == "" {
			problems = append(problems, fmt.Sprintf("%s %s: negative without a reason", k, n.Kind))
		}
		for _, p := range l.Positives {
			if p.File == n.File && p.Commit == n.Commit && (within(n.Line, p.Line, p.EndLine) || within(p.Line, n.Line, n.EndLine)) {
				problems = append(problems, fmt.Sprintf("%s: labelled both positive (%s) and negative (%s)", k, p.Kind, n.Kind))
			}
		}
	}
	return problems
}
