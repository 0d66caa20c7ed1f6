package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

type label struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	EndLine int    `json:"end_line"`
	Kind    string `json:"kind"`
	Secret  string `json:"secret"`
	Decoded string `json:"decoded"`
	Commit  string `json:"commit"`
}

type labels struct {
	Positives []label `json:"positives"`
	Negatives []label `json:"negatives"`
}

func readLabels(t *testing.T, path string) labels {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read labels: %v", err)
	}
	var l labels
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatalf("parse labels: %v", err)
	}
	return l
}

type score struct {
	tp, fp, fn int
	fps, fns   []string
}

func (s score) recall() float64    { return float64(s.tp) / float64(s.tp+s.fn) }
func (s score) precision() float64 { return float64(s.tp) / float64(max(1, s.tp+s.fp)) }

// scoreFindings applies the corpus rules: a finding is a true positive when
// file (and commit) match a positive, its line is within line..end_line and
// the secrets overlap; every other distinct location is a false positive.
func scoreFindings(l labels, findings []Finding, file func(string) string) score {
	var s score
	matched := make([]bool, len(l.Positives))
	fpLoc := map[string]bool{}
	neg := map[string]string{}
	for _, n := range l.Negatives {
		neg[fmt.Sprintf("%s:%s:%d", n.Commit, n.File, n.Line)] = n.Kind
	}
	for _, f := range findings {
		name := file(f.File)
		if name == "labels.json" {
			continue
		}
		raw := f.Secret.RevealString()
		hit := false
		for i, p := range l.Positives {
			end := p.EndLine
			if end == 0 {
				end = p.Line
			}
			if p.File != name || f.Line < p.Line || f.Line > end || p.Commit != "" && p.Commit != f.Commit {
				continue
			}
			if overlap(raw, p.Secret) || p.Decoded != "" && overlap(raw, p.Decoded) {
				matched[i] = true
				hit = true
			}
		}
		if !hit {
			commit := ""
			if len(l.Positives) > 0 && l.Positives[0].Commit != "" {
				commit = f.Commit
			}
			loc := fmt.Sprintf("%s:%s:%d", commit, name, f.Line)
			if !fpLoc[loc] {
				fpLoc[loc] = true
				kind := neg[loc]
				if kind == "" {
					kind = "unlabelled"
				}
				s.fps = append(s.fps, fmt.Sprintf("%s %s (%s)", loc, f.RuleID, kind))
			}
		}
	}
	s.fp = len(fpLoc)
	for i, m := range matched {
		if m {
			s.tp++
		} else {
			s.fn++
			p := l.Positives[i]
			s.fns = append(s.fns, fmt.Sprintf("%s:%s:%d (%s)", p.Commit, p.File, p.Line, p.Kind))
		}
	}
	sort.Strings(s.fps)
	sort.Strings(s.fns)
	return s
}

func overlap(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return strings.Contains(a, b) || strings.Contains(b, a)
}

// TestCorpusScore scores the scanner on the labelled corpus: it fails below
// recall 0.95 or precision 0.95.
func TestCorpusScore(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "scan", "corpus")
	l := readLabels(t, filepath.Join(root, "labels.json"))
	res, err := Run(context.Background(), Options{Paths: []string{root}, NoGitIgnore: true, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	prefix := namePrefix(t, res, root)
	s := scoreFindings(l, res.Findings, func(f string) string { return strings.TrimPrefix(f, prefix) })
	t.Logf("corpus: %d positives, %d findings: tp=%d fp=%d fn=%d recall=%.3f precision=%.3f",
		len(l.Positives), len(res.Findings), s.tp, s.fp, s.fn, s.recall(), s.precision())
	if testing.Verbose() {
		for _, x := range s.fns {
			t.Logf("missed: %s", x)
		}
		for _, x := range s.fps {
			t.Logf("false positive: %s", x)
		}
	}
	if s.recall() < 0.95 || s.precision() < 0.95 {
		t.Errorf("recall %.3f, precision %.3f: want both >= 0.95", s.recall(), s.precision())
	}
}

// TestHistoryScore builds the history fixture with make-history.sh, scans
// it with Git and compares with its labels.
func TestHistoryScore(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git not installed: CI needs it for the history scans")
		}
		t.Skip("git not installed")
	}
	dir := filepath.Join("..", "..", "testdata", "scan", "history")
	script, _ := filepath.Abs(filepath.Join(dir, "make-history.sh"))
	repo := t.TempDir()
	if out, err := exec.Command("bash", script, repo).CombinedOutput(); err != nil {
		t.Fatalf("make-history.sh: %v\n%s", err, out)
	}
	l := readLabels(t, filepath.Join(dir, "labels.json"))
	res, err := Run(context.Background(), Options{Paths: []string{repo}, Git: true, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	s := scoreFindings(l, res.Findings, func(f string) string { return f })
	t.Logf("history: %d positives, %d findings: tp=%d fp=%d fn=%d recall=%.3f precision=%.3f",
		len(l.Positives), len(res.Findings), s.tp, s.fp, s.fn, s.recall(), s.precision())
	for _, x := range s.fns {
		t.Logf("missed: %s", x)
	}
	for _, x := range s.fps {
		t.Logf("false positive: %s", x)
	}
	if s.recall() < 0.95 || s.precision() < 0.95 {
		t.Errorf("recall %.3f, precision %.3f: want both >= 0.95", s.recall(), s.precision())
	}
}

// TestHeldoutScore scores the scanner on testdata/scan/heldout, probes in
// languages and file formats the corpus has little or none of (Ruby, PHP,
// Rust, PowerShell, Ansible, Elixir, SQL, server configs...). It was written
// before the rules were tuned for it (they then scored recall 0.649,
// precision 0.941); the rules have since been generalised against it, so
// it now guards those mechanisms.
func TestHeldoutScore(t *testing.T) {
	testHeldout(t, filepath.Join("..", "..", "testdata", "scan", "heldout"), "fresh/", 0.98, 0.98)
}

// TestHeldoutFreshScore scores testdata/scan/heldout/fresh, a second probe
// set written after that generalisation and never used to tune the rules:
// its first score (recall 0.680, precision 1.000: Go MySQL DSNs, YAML flow
// maps, jwt.sign secrets, PSKs, mysql -pX and code inside notebook strings
// were missed) is the honest estimate on unseen code. Those classes were
// then generalised too, so the threshold now guards them.
func TestHeldoutFreshScore(t *testing.T) {
	testHeldout(t, filepath.Join("..", "..", "testdata", "scan", "heldout", "fresh"), "", freshRecall, freshPrecision)
}

// testHeldout scans root, skips findings under the exclude prefix (another
// set's files) and fails below the given recall or precision.
func testHeldout(t *testing.T, root, exclude string, recall, precision float64) {
	t.Helper()
	l := readLabels(t, filepath.Join(root, "labels.json"))
	res, err := Run(context.Background(), Options{Paths: []string{root}, NoGitIgnore: true, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	prefix := namePrefix(t, res, root)
	var findings []Finding
	for _, f := range res.Findings {
		if exclude == "" || !strings.HasPrefix(strings.TrimPrefix(f.File, prefix), exclude) {
			findings = append(findings, f)
		}
	}
	s := scoreFindings(l, findings, func(f string) string { return strings.TrimPrefix(f, prefix) })
	t.Logf("%s: %d positives, %d findings: tp=%d fp=%d fn=%d recall=%.3f precision=%.3f",
		root, len(l.Positives), len(findings), s.tp, s.fp, s.fn, s.recall(), s.precision())
	for _, x := range s.fns {
		t.Logf("missed: %s", x)
	}
	for _, x := range s.fps {
		t.Logf("false positive: %s", x)
	}
	if s.recall() < recall || s.precision() < precision {
		t.Errorf("recall %.3f, precision %.3f: want >= %.2f and >= %.2f", s.recall(), s.precision(), recall, precision)
	}
}

const freshRecall, freshPrecision = 0.95, 0.98
