package scan

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// BaselineEntry is one known finding in a baseline file. It holds the
// redacted secret only.
type BaselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	RuleID      string `json:"ruleId"`
	File        string `json:"file"`
	Line        int    `json:"line"`
	Secret      string `json:"secret"`
}

type baselineFile struct {
	Version  int             `json:"version"`
	Findings []BaselineEntry `json:"findings"`
}

type baseline struct {
	entries []BaselineEntry
	set     map[string]bool
}

func (b *baseline) has(fp string) bool { return b.set[fp] }

// loadBaseline reads a baseline; entries whose file is named as it was
// typed (absolute, or relative to a working directory) are renamed
// relative to root, so baselines of earlier versions keep working.
func loadBaseline(path, root string) (*baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	var bf baselineFile
	if err := json.Unmarshal(data, &bf); err != nil {
		return nil, fmt.Errorf("read baseline %s: not a secretctl baseline: %w", path, err)
	}
	if bf.Version != 1 {
		return nil, fmt.Errorf("read baseline %s: unsupported version %d", path, bf.Version)
	}
	b := &baseline{entries: bf.Findings, set: map[string]bool{}}
	for i := range b.entries {
		normalizeEntry(&b.entries[i], root)
		b.set[b.entries[i].Fingerprint] = true
	}
	return b, nil
}

// WriteBaseline writes findings as a baseline (JSON, secrets redacted).
// Findings with the same fingerprint (one secret in several commits) are
// written once.
func WriteBaseline(w io.Writer, findings []Finding) error {
	bf := baselineFile{Version: 1, Findings: []BaselineEntry{}}
	seen := map[string]bool{}
	for _, f := range findings {
		if seen[f.Fingerprint] {
			continue
		}
		seen[f.Fingerprint] = true
		bf.Findings = append(bf.Findings, BaselineEntry{Fingerprint: f.Fingerprint, RuleID: f.RuleID, File: f.File, Line: f.Line, Secret: f.Redacted})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(bf)
}

// ignoreSet holds .gitleaksignore / .secretctlignore entries: gitleaks
// fingerprints (file:rule:line, commit:file:rule:line) and secretctl ones
// (file:rule:hash).
type ignoreSet map[string]bool

func (s ignoreSet) match(f Finding) bool {
	if len(s) == 0 {
		return false
	}
	line := strconv.Itoa(f.Line)
	if s[f.Fingerprint] || s[f.File+":"+f.RuleID+":"+line] {
		return true
	}
	return f.Commit != "" && s[f.Commit+":"+f.File+":"+f.RuleID+":"+line]
}

func loadIgnores(o Options) (ignoreSet, error) {
	set := ignoreSet{}
	var files []string
	if o.Stdin == nil {
		for _, p := range o.Paths {
			dir := p
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				dir = filepath.Dir(p)
			}
			files = append(files, filepath.Join(dir, ".gitleaksignore"), filepath.Join(dir, ".secretctlignore"))
		}
	}
	files = append(files, o.IgnoreFiles...)
	for i, name := range files {
		fh, err := os.Open(name)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && i < len(files)-len(o.IgnoreFiles) {
				continue
			}
			return nil, fmt.Errorf("read ignore file: %w", err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			set[strings.ReplaceAll(line, "\\", "/")] = true
		}
		fh.Close()
	}
	return set, nil
}
