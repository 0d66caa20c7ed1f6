package scan

import (
	_ "embed"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
)

// extraRules holds secretctl's own gitleaks-format rules: credentials in
// connection strings and URLs, and Authorization headers outside curl.
//
//go:embed rules.toml
var extraRules string

// disabledDefaultRules are default gitleaks rules that the structural pass
// replaces. kubernetes-secret-yaml reports one finding per Secret on the
// `kind:` line; the structural pass reports each data value on its own line.
var disabledDefaultRules = []string{"kubernetes-secret-yaml"}

// gitleaks' global allowlist skips gem archives with the path pattern
// \.gem$, which also matches the ~/.gem directory and so skips
// ~/.gem/credentials. The pattern is narrowed to file names with a stem.
const (
	gemArchivePath = "'''\\.gem$'''"
	gemArchiveOnly = "'''[^/]\\.gem$'''"
)

// LoadConfig builds the rule set: gitleaks' embedded defaults, secretctl's
// extra rules, then the user's file (gitleaks' config format) if path is set.
// The user's file always extends the defaults; its [extend] disabledRules
// removes rules, and a rule with an existing id overrides fields of it.
func LoadConfig(path string) (config.Config, error) {
	cfg, _, err := translate(strings.Replace(config.DefaultConfig, gemArchivePath, gemArchiveOnly, 1), "")
	if err != nil {
		return config.Config{}, fmt.Errorf("load default rules: %w", err)
	}
	extra, targeted, err := translate(extraRules, "")
	if err != nil {
		return config.Config{}, fmt.Errorf("load secretctl rules: %w", err)
	}
	merge(&cfg, extra, nil, targeted)
	for _, id := range disabledDefaultRules {
		delete(cfg.Rules, id)
	}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return config.Config{}, fmt.Errorf("read config: %w", err)
		}
		user, targeted, err := translate(string(b), path)
		if err != nil {
			return config.Config{}, fmt.Errorf("load config %s: %w", path, err)
		}
		merge(&cfg, user, user.Extend.DisabledRules, targeted)
		cfg.Path = path
	}
	cfg.OrderedRules = cfg.OrderedRules[:0]
	for id := range cfg.Rules {
		cfg.OrderedRules = append(cfg.OrderedRules, id)
	}
	sort.Strings(cfg.OrderedRules)
	return cfg, nil
}

// translate parses a gitleaks TOML config with a private viper instance
// (gitleaks' own helpers use the global one). Allowlists that target rules
// defined elsewhere (targetRules) are attached after the merge.
func translate(tomlText, path string) (config.Config, []targetedAllowlist, error) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(tomlText)); err != nil {
		return config.Config{}, nil, err
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return config.Config{}, nil, err
	}
	// Extending is done by merge, never through gitleaks' global viper.
	ext := vc.Extend
	vc.Extend = config.Extend{}
	// Allowlists that target rules of another file: keep them aside.
	var targeted []targetedAllowlist
	kept := vc.Allowlists[:0]
	for _, a := range vc.Allowlists {
		if a == nil {
			continue
		}
		if len(a.TargetRules) > 0 && !allDefined(a.TargetRules, &vc) {
			one := config.ViperConfig{Allowlists: nil}
			a2 := *a
			a2.TargetRules = nil
			one.Allowlists = append(one.Allowlists, &a2)
			c, err := one.Translate()
			if err != nil {
				return config.Config{}, nil, err
			}
			targeted = append(targeted, targetedAllowlist{rules: a.TargetRules, list: c.Allowlists})
			continue
		}
		kept = append(kept, a)
	}
	vc.Allowlists = kept
	stops := takeStopwords(&vc)
	cfg, err := safeTranslate(&vc)
	if err != nil {
		return config.Config{}, nil, err
	}
	putStopwords(&cfg, stops)
	cfg.Extend = ext
	cfg.Path = path
	return cfg, targeted, nil
}

// ruleStops are the stopwords taken out of rule allowlists before
// gitleaks validates them: by rule id, by index of the allowlist.
type ruleStops map[string]map[int][]string

// takeStopwords removes the stopwords of each rule allowlist that has
// another check as well (so that it stays valid without them). gitleaks
// builds an Aho-Corasick trie of every stopword list at 2 KB per state: 8.6
// MB for generic-api-key's, most of the scan's live memory. putStopwords
// puts them back on the translated allowlists, which then have no trie:
// gitleaks' ContainsStopWord falls back to a loop over the words, with the
// same answers, and the scan's own checks use a stopIndex.
func takeStopwords(vc *config.ViperConfig) ruleStops {
	out := ruleStops{}
	ids := map[string]int{}
	for _, r := range vc.Rules {
		ids[r.ID]++
	}
	for i := range vc.Rules {
		r := &vc.Rules[i]
		if ids[r.ID] != 1 || r.AllowList != nil {
			continue
		}
		for j, a := range r.Allowlists {
			if a == nil || len(a.StopWords) == 0 || len(a.Regexes)+len(a.Paths)+len(a.Commits) == 0 {
				continue
			}
			if out[r.ID] == nil {
				out[r.ID] = map[int][]string{}
			}
			out[r.ID][j] = a.StopWords
			a.StopWords = nil
		}
	}
	return out
}

// putStopwords sets the stopwords takeStopwords took, lower-cased and
// without repeats as gitleaks' Validate leaves them.
func putStopwords(cfg *config.Config, stops ruleStops) {
	for id, byIndex := range stops {
		r, ok := cfg.Rules[id]
		if !ok {
			continue
		}
		for j, words := range byIndex {
			if j >= len(r.Allowlists) {
				continue
			}
			seen := map[string]bool{}
			var lower []string
			for _, w := range words {
				w = strings.ToLower(w)
				if !seen[w] {
					seen[w] = true
					lower = append(lower, w)
				}
			}
			r.Allowlists[j].StopWords = lower
		}
	}
}

type targetedAllowlist struct {
	rules []string
	list  []*config.Allowlist
}

func allDefined(ids []string, vc *config.ViperConfig) bool {
	for _, id := range ids {
		found := false
		for _, r := range vc.Rules {
			if r.ID == id {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// safeTranslate turns gitleaks' regexp.MustCompile panics on a bad pattern
// into an error.
func safeTranslate(vc *config.ViperConfig) (cfg config.Config, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid rule: %v", r)
		}
	}()
	return vc.Translate()
}

// merge adds ext's rules and allowlists to base, the way gitleaks' [extend]
// does: a rule with a new id is added; an existing id keeps the base rule and
// takes ext's non-empty fields; allowlists, tags and keywords are appended.
func merge(base *config.Config, ext config.Config, disabled []string, targeted []targetedAllowlist) {
	for _, id := range disabled {
		delete(base.Rules, id)
	}
	if base.Keywords == nil {
		base.Keywords = map[string]struct{}{}
	}
	for id, r := range ext.Rules {
		cur, ok := base.Rules[id]
		if !ok {
			base.Rules[id] = r
		} else {
			if r.Description != "" {
				cur.Description = r.Description
			}
			if r.Entropy != 0 {
				cur.Entropy = r.Entropy
			}
			if r.SecretGroup != 0 {
				cur.SecretGroup = r.SecretGroup
			}
			if r.Regex != nil {
				cur.Regex = r.Regex
			}
			if r.Path != nil {
				cur.Path = r.Path
			}
			cur.Tags = append(cur.Tags, r.Tags...)
			cur.Keywords = append(cur.Keywords, r.Keywords...)
			cur.Allowlists = append(cur.Allowlists, r.Allowlists...)
			base.Rules[id] = cur
		}
		for _, k := range r.Keywords {
			base.Keywords[strings.ToLower(k)] = struct{}{}
		}
	}
	base.Allowlists = append(base.Allowlists, ext.Allowlists...)
	for _, t := range targeted {
		for _, id := range t.rules {
			if r, ok := base.Rules[id]; ok {
				r.Allowlists = append(r.Allowlists, t.list...)
				base.Rules[id] = r
			}
		}
	}
}
