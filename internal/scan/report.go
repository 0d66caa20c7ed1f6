package scan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/report"
)

// FormatTable is the human table. The CLI writes it (it needs a terminal's
// styles); WriteReport writes every other format.
const FormatTable = "table"

// Formats are the formats of a scan's output: FormatTable, then the report
// formats WriteReport writes.
var Formats = []string{FormatTable, "json", "sarif", "junit", "csv"}

// ValidFormat reports whether format is one of Formats.
func ValidFormat(format string) bool { return slices.Contains(Formats, format) }

// FormatOf returns the format that a report file's extension names
// (.json, .sarif, .xml for junit, .csv), or "" for any other.
func FormatOf(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return "json"
	case ".sarif":
		return "sarif"
	case ".xml":
		return "junit"
	case ".csv":
		return "csv"
	}
	return ""
}

// ReportOptions tune WriteReport.
type ReportOptions struct {
	// NoRedact writes raw secrets. Off by default.
	NoRedact bool
	// Rules lists the rule set in SARIF's tool.driver.rules.
	Rules []config.Rule
	// Version is secretctl's version, for SARIF.
	Version string
	// Root is the directory that finding paths are relative to (Result.Root),
	// given in SARIF as the %SRCROOT% base of every artifact location.
	Root string
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// WriteReport writes findings in format (json, sarif, junit or csv) with
// gitleaks' report writers. Secrets are redacted unless o.NoRedact.
func WriteReport(w io.Writer, format string, findings []Finding, o ReportOptions) error {
	gf := make([]report.Finding, len(findings))
	for i, f := range findings {
		gf[i] = toGitleaks(f, o.NoRedact)
	}
	switch format {
	case "json":
		return (&report.JsonReporter{}).Write(nopCloser{w}, gf)
	case "junit":
		return (&report.JunitReporter{}).Write(nopCloser{w}, gf)
	case "csv":
		return (&report.CsvReporter{}).Write(nopCloser{w}, gf)
	case "sarif":
		var buf bytes.Buffer
		if err := (&report.SarifReporter{OrderedRules: sarifRules(o.Rules)}).Write(nopCloser{&buf}, gf); err != nil {
			return err
		}
		return fixSarif(w, buf.Bytes(), findings, o.Version, o.Root)
	}
	return fmt.Errorf("unknown report format %q (want %s)", format, strings.Join(Formats[1:], ", "))
}

func toGitleaks(f Finding, noRedact bool) report.Finding {
	s, match := f.Redacted, f.Match
	if noRedact {
		s = f.Secret.RevealString()
		match = strings.ReplaceAll(match, f.Redacted, s)
	}
	return report.Finding{
		RuleID: f.RuleID, Description: f.Description,
		StartLine: f.Line, EndLine: f.EndLine, StartColumn: f.Column, EndColumn: f.EndColumn,
		Match: match, Secret: s, File: f.File, Commit: f.Commit,
		Entropy: f.Entropy, Author: f.Author, Email: f.Email, Date: f.Date, Message: f.Message,
		Tags: f.Tags, Fingerprint: f.Fingerprint,
	}
}

// sarifRules adds the structural pass's rules to the rule list.
func sarifRules(rules []config.Rule) []config.Rule {
	out := append([]config.Rule(nil), rules...)
	ids := make([]string, 0, len(ruleDescriptions))
	for id := range ruleDescriptions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		out = append(out, config.Rule{RuleID: id, Description: ruleDescriptions[id]})
	}
	return out
}

// sarifLevel is the SARIF level of a rule's results: "warning" for weak
// and default passwords (a finding to review, often a local-development
// default), "error" for every other secret.
func sarifLevel(ruleID string) string {
	if ruleID == ruleWeak {
		return "warning"
	}
	return "error"
}

// fixSarif adjusts gitleaks' SARIF for GitHub code scanning: secretctl as
// the driver, regions starting at line and column 1 or later, and a stable
// partial fingerprint per result (empty ones dropped), and artifact URIs
// relative to %SRCROOT% (the scan root), the way code scanning resolves
// them against the checkout.
func fixSarif(w io.Writer, raw []byte, findings []Finding, version, root string) error {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	doc["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json"
	runs, _ := doc["runs"].([]any)
	for _, r := range runs {
		run, _ := r.(map[string]any)
		tool, _ := run["tool"].(map[string]any)
		driver, _ := tool["driver"].(map[string]any)
		driver["name"] = "secretctl"
		rules, _ := driver["rules"].([]any)
		for _, r := range rules {
			if rm, _ := r.(map[string]any); rm != nil {
				if id, _ := rm["id"].(string); sarifLevel(id) != "error" {
					rm["defaultConfiguration"] = map[string]any{"level": sarifLevel(id)}
				}
			}
		}
		driver["informationUri"] = "https://github.com/secretctl/secretctl"
		if version == "" {
			version = "dev"
		}
		driver["version"] = version
		driver["semanticVersion"] = strings.TrimPrefix(version, "v")
		if root != "" {
			u := url.URL{Scheme: "file", Path: filepath.ToSlash(root)}
			if !strings.HasSuffix(u.Path, "/") {
				u.Path += "/"
			}
			if !strings.HasPrefix(u.Path, "/") {
				u.Path = "/" + u.Path // a Windows drive: file:///C:/...
			}
			run["originalUriBaseIds"] = map[string]any{sarifRootID: map[string]any{"uri": u.String()}}
		}
		results, _ := run["results"].([]any)
		for i, res := range results {
			rm, _ := res.(map[string]any)
			id, _ := rm["ruleId"].(string)
			rm["level"] = sarifLevel(id)
			if i < len(findings) {
				pf := map[string]any{"secretctl/v1": findings[i].Fingerprint}
				if old, ok := rm["partialFingerprints"].(map[string]any); ok {
					for k, v := range old {
						if s, _ := v.(string); s != "" {
							pf[k] = s
						}
					}
				}
				rm["partialFingerprints"] = pf
			}
			locs, _ := rm["locations"].([]any)
			for _, l := range locs {
				lm, _ := l.(map[string]any)
				pl, _ := lm["physicalLocation"].(map[string]any)
				if al, ok := pl["artifactLocation"].(map[string]any); ok {
					if u, _ := al["uri"].(string); u != "" {
						al["uri"] = strings.TrimPrefix(u, "./")
						if root != "" {
							al["uriBaseId"] = sarifRootID
						}
					}
				}
				reg, _ := pl["region"].(map[string]any)
				if reg == nil {
					continue
				}
				sl := num(reg["startLine"])
				if sl < 1 {
					sl = 1
				}
				reg["startLine"] = sl
				if el := num(reg["endLine"]); el < sl {
					reg["endLine"] = sl
				}
				sc := num(reg["startColumn"])
				if sc < 1 {
					sc = 1
				}
				reg["startColumn"] = sc
				if ec := num(reg["endColumn"]); ec <= sc && num(reg["endLine"]) == sl {
					reg["endColumn"] = sc + 1
				} else if ec < 1 {
					reg["endColumn"] = 1
				}
			}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(doc)
}

// sarifRootID names the scan root in SARIF artifact locations.
const sarifRootID = "%SRCROOT%"

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}
