package scan

// Allowlists: allow comments, and the config's global path, commit, regex
// and stopword allowlists applied to the structural pass.

import (
	"strings"

	"github.com/zricethezav/gitleaks/v8/config"
)

// allowMarkers on a source line suppress findings on that line.
var allowMarkers = []string{"gitleaks:allow", "secretctl:allow"}

func hasAllowMarker(line string) bool {
	for _, m := range allowMarkers {
		if strings.Contains(line, m) {
			return true
		}
	}
	return false
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
	return commitOrPathAllowedBy(s.cfg.Allowlists, commit, func(i int) bool { return pathMatches(s.pathPats[i], path) })
}

// findingAllowed applies allow comments and the global regex and stopword
// allowlists to a structural finding.
func (s *scanner) findingAllowed(f Finding, commit string) bool {
	if hasAllowMarker(f.lineText) {
		return true
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

func (s *scanner) pathAllowedFile(p string) bool { return s.pathAllowed(p, "") }
