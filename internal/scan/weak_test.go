package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWeakPassword: a password-named key holding a default password is a
// weak-password finding at SARIF level warning; the same value under other
// keys is nothing, and a strong literal stays a secret-assignment.
func TestWeakPassword(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "scan", "weak")
	res, err := Run(context.Background(), Options{Paths: []string{root}, NoGitIgnore: true, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]string{}
	for _, f := range res.Findings {
		got[f.Line] = f.RuleID
	}
	want := map[int]string{6: ruleWeak, 11: ruleWeak, 16: ruleAssignment}
	if len(got) != len(want) {
		t.Errorf("findings on lines %v, want %v", got, want)
	}
	for line, rule := range want {
		if got[line] != rule {
			t.Errorf("line %d: rule %q, want %q", line, got[line], rule)
		}
	}
	var buf bytes.Buffer
	if err := WriteReport(&buf, "sarif", res.Findings, ReportOptions{Rules: res.Rules, Version: "v1.0.0"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "Weak-fixture-Pg-71kq") {
		t.Fatal("the SARIF report holds a raw value")
	}
	var doc struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID     string `json:"id"`
						Config struct {
							Level string `json:"level"`
						} `json:"defaultConfiguration"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID string `json:"ruleId"`
				Level  string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil || len(doc.Runs) != 1 {
		t.Fatalf("sarif: %v", err)
	}
	for _, r := range doc.Runs[0].Results {
		if want := map[bool]string{true: "warning", false: "error"}[r.RuleID == ruleWeak]; r.Level != want {
			t.Errorf("result %s: level %q, want %q", r.RuleID, r.Level, want)
		}
	}
	found := false
	for _, r := range doc.Runs[0].Tool.Driver.Rules {
		if r.ID == ruleWeak {
			found = r.Config.Level == "warning"
		}
	}
	if !found {
		t.Error("the driver's weak-password rule has no defaultConfiguration level warning")
	}
}

// TestWeakPasswordAllowlist: the documented allowlist for local-development
// defaults (paths AND regexes) hides weak-password findings in compose
// files and keeps the strong literal.
func TestWeakPasswordAllowlist(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "testdata", "scan", "weak", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := `[[allowlists]]
description = "local-development defaults in compose files"
condition = "AND"
paths = ['''(?:^|/)docker-compose[\w.-]*\.ya?ml$''']
regexes = ['''^(?:postgres|guest|root|admin)$''']
`
	if err := os.WriteFile(filepath.Join(dir, ".secretctl.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Options{Paths: []string{dir}, NoGitIgnore: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].RuleID != ruleAssignment || res.Findings[0].Line != 16 {
		for _, f := range res.Findings {
			t.Logf("finding %s line %d", f.RuleID, f.Line)
		}
		t.Fatalf("%d findings, want the one secret-assignment on line 16", len(res.Findings))
	}
}
