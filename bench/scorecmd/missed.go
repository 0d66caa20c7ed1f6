package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/secretctl/secretctl/internal/scan"
)

// missed compares two reports of the same target: every finding of ref
// (gitleaks with its default rules) must have a finding of got (secretctl)
// in the same file and commit on a line of its span, or a reason that
// secretctl's value checks give for dropping it (scan.SuppressReason, or
// scan.ContextReason from the file's lines and the finding's tags). It
// prints the counts by reason and each finding without one, by location and
// rule (never the secret), and returns 1 when there is any.
func missed(refPath, gotPath, root string, stdout, stderr io.Writer) int {
	ref, err := readReport(refPath)
	if err != nil {
		fmt.Fprintln(stderr, "scorecmd:", err)
		return 2
	}
	got, err := readReport(gotPath)
	if err != nil {
		fmt.Fprintln(stderr, "scorecmd:", err)
		return 2
	}
	rel := func(f string) string {
		if root != "" {
			if r, err := filepath.Rel(root, f); err == nil && !strings.HasPrefix(r, "..") {
				return filepath.ToSlash(r)
			}
		}
		return filepath.ToSlash(f)
	}
	type key struct{ commit, file string }
	lines := map[key]map[int]bool{}
	for _, f := range got {
		k := key{f.Commit, rel(f.File)}
		if lines[k] == nil {
			lines[k] = map[int]bool{}
		}
		lines[k][f.StartLine] = true
	}
	reasons := map[string]int{}
	files := map[string][]string{}
	var unexplained []string
	found := 0
	for _, f := range ref {
		k := key{f.Commit, rel(f.File)}
		end := max(f.EndLine, f.StartLine)
		hit := false
		for l := f.StartLine; l <= end && !hit; l++ {
			hit = lines[k][l]
		}
		if hit {
			found++
			continue
		}
		line := f.Match
		if f.Commit == "" {
			line = sourceLine(filepath.Join(root, k.file), f.StartLine, f.Match)
		}
		if why := scan.SuppressReason(f.RuleID, f.Match, f.Secret, line); why != "" {
			reasons[why]++
			continue
		}
		var lines []string
		if f.Commit == "" {
			lines = fileLines(files, filepath.Join(root, k.file))
		}
		if why := scan.ContextReason(f.RuleID, f.Match, f.Secret, k.file, lines, f.StartLine-1, f.Tags); why != "" {
			reasons[why]++
			continue
		}
		where := fmt.Sprintf("%s:%d", k.file, f.StartLine)
		if k.commit != "" {
			where = fmt.Sprintf("%.8s:%s", k.commit, where)
		}
		unexplained = append(unexplained, where+" "+f.RuleID)
	}
	fmt.Fprintf(stdout, "gitleaks findings: %d, also reported by secretctl: %d\n", len(ref), found)
	whys := make([]string, 0, len(reasons))
	for w := range reasons {
		whys = append(whys, w)
	}
	sort.Strings(whys)
	for _, w := range whys {
		fmt.Fprintf(stdout, "  dropped by secretctl, %s: %d\n", w, reasons[w])
	}
	sort.Strings(unexplained)
	for _, u := range unexplained {
		fmt.Fprintln(stdout, "  MISSED (no documented reason):", u)
	}
	if len(unexplained) > 0 {
		fmt.Fprintf(stdout, "nothing-missed check: FAIL, %d unexplained\n", len(unexplained))
		return 1
	}
	fmt.Fprintln(stdout, "nothing-missed check: ok")
	return 0
}

// fileLines are the lines of the file at path (nil when it cannot be read),
// read once into cache.
func fileLines(cache map[string][]string, path string) []string {
	if l, ok := cache[path]; ok {
		return l
	}
	b, err := os.ReadFile(path)
	var l []string
	if err == nil {
		l = strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	}
	cache[path] = l
	return l
}

// sourceLine is line n of the file at path, or fallback when it cannot be read.
func sourceLine(path string, n int, fallback string) string {
	fh, err := os.Open(path)
	if err != nil {
		return fallback
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for i := 1; sc.Scan(); i++ {
		if i == n {
			return sc.Text()
		}
	}
	return fallback
}
