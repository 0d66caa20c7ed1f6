package check

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/secretctl/secretctl/internal/scan"
)

// TopFiles is how many files a failed no-hardcoded item names.
const TopFiles = 5

// NoHardcoded is the no-hardcoded item: a scan of Path finds nothing. Scan
// is the scan as `secretctl scan PATH` would run it; the scanner itself
// reads .secretctl.toml, .gitleaksignore and .secretctlignore, and
// Scan.Baseline, exactly as that command does.
type NoHardcoded struct {
	Path string // as the user typed it, for the fix
	Scan scan.Options
}

// ID returns "no-hardcoded".
func (NoHardcoded) ID() string { return IDNoHardcoded }

// Run scans and reports the count and the files with the most findings. It
// names files, lines and rules; never the values found.
func (c NoHardcoded) Run(ctx context.Context) Result {
	res, err := scan.Run(ctx, c.Scan)
	if err != nil {
		return errResult("scan "+c.Path, err, "secretctl scan "+c.Path+" (for the details)")
	}
	var ev []string
	if res.Suppressed > 0 {
		ev = append(ev, fmt.Sprintf("%d finding(s) suppressed by a baseline, .gitleaksignore/.secretctlignore or an allow comment", res.Suppressed))
	}
	if len(res.Findings) == 0 {
		return Result{Status: Pass, Summary: fmt.Sprintf("no hardcoded credentials in %d file(s)", res.Files), Evidence: ev}
	}
	type file struct {
		name  string
		lines []int
		rules map[string]bool
	}
	byFile := map[string]*file{}
	for _, f := range res.Findings {
		name := f.File
		if name == "" {
			name = f.Path
		}
		fi := byFile[name]
		if fi == nil {
			fi = &file{name: name, rules: map[string]bool{}}
			byFile[name] = fi
		}
		fi.lines = append(fi.lines, f.Line)
		fi.rules[f.RuleID] = true
	}
	files := make([]*file, 0, len(byFile))
	for _, f := range byFile {
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool {
		if len(files[i].lines) != len(files[j].lines) {
			return len(files[i].lines) > len(files[j].lines)
		}
		return files[i].name < files[j].name
	})
	var top []string
	for i, f := range files {
		if i == TopFiles {
			top = append(top, fmt.Sprintf("... and %d more file(s)", len(files)-TopFiles))
			break
		}
		sort.Ints(f.lines)
		lines := make([]string, len(f.lines))
		for i, l := range f.lines {
			lines[i] = strconv.Itoa(l)
		}
		rules := make([]string, 0, len(f.rules))
		for r := range f.rules {
			rules = append(rules, r)
		}
		sort.Strings(rules)
		top = append(top, fmt.Sprintf("%s: %d finding(s) on line %s (%s)", f.name, len(f.lines), strings.Join(lines, ", "), strings.Join(rules, ", ")))
	}
	return Result{
		Status:   Fail,
		Summary:  fmt.Sprintf("%d hardcoded credential(s) in %d file(s)", len(res.Findings), len(files)),
		Evidence: append(top, ev...),
		Fix:      fmt.Sprintf("secretctl migrate %s --to APP/NAME, then add --apply (moves the values into the store and rewrites the code)", c.Path),
	}
}
