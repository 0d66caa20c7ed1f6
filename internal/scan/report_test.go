package scan

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"
)

func unitFindings(t *testing.T) *Result {
	t.Helper()
	root := filepath.Join("..", "..", "testdata", "scan", "unit")
	res, err := Run(context.Background(), Options{Paths: []string{root}, NoGitIgnore: true, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) < 10 {
		t.Fatalf("only %d findings in the unit fixtures", len(res.Findings))
	}
	return res
}

// TestReportsRedact: no format carries a raw secret unless NoRedact.
func TestReportsRedact(t *testing.T) {
	res := unitFindings(t)
	for _, format := range Formats {
		if format == FormatTable {
			continue // the CLI's
		}
		var buf bytes.Buffer
		if err := WriteReport(&buf, format, res.Findings, ReportOptions{Rules: res.Rules}); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		for _, f := range res.Findings {
			assertNoLeak(t, f.Secret.RevealString(), buf.String())
		}
		buf.Reset()
		if err := WriteReport(&buf, format, res.Findings[:1], ReportOptions{NoRedact: true}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), res.Findings[0].Secret.RevealString()) {
			t.Errorf("%s with NoRedact: raw secret missing", format)
		}
	}
	var buf bytes.Buffer
	if err := WriteBaseline(&buf, res.Findings); err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		assertNoLeak(t, f.Secret.RevealString(), buf.String())
	}
	for _, format := range []string{"yaml", FormatTable} {
		if err := WriteReport(&buf, format, nil, ReportOptions{}); err == nil {
			t.Errorf("WriteReport %s: want an error", format)
		}
	}
}

func TestReportFormatsParse(t *testing.T) {
	res := unitFindings(t)
	var js, junit, cs bytes.Buffer
	if err := WriteReport(&js, "json", res.Findings, ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	var arr []map[string]any
	if err := json.Unmarshal(js.Bytes(), &arr); err != nil || len(arr) != len(res.Findings) {
		t.Fatalf("json: %v, %d items", err, len(arr))
	}
	for _, k := range []string{"RuleID", "File", "StartLine", "Secret", "Fingerprint", "Entropy", "Commit"} {
		if _, ok := arr[0][k]; !ok {
			t.Errorf("json finding lacks %s", k)
		}
	}
	if err := WriteReport(&junit, "junit", res.Findings, ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Suites []struct {
			Failures string `xml:"failures,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(junit.Bytes(), &suites); err != nil || len(suites.Suites) != 1 {
		t.Fatalf("junit: %v", err)
	}
	if err := WriteReport(&cs, "csv", res.Findings, ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&cs).ReadAll()
	if err != nil || len(rows) != len(res.Findings)+1 {
		t.Fatalf("csv: %v, %d rows", err, len(rows))
	}
}

// TestSARIFValid checks the SARIF 2.1.0 output against the constraints of
// the schema that GitHub code scanning enforces (no JSON-schema library is
// in the module graph): version, $schema, tool.driver name and rules,
// results with ruleId, message.text, an artifact URI, startLine >= 1 and
// partial fingerprints.
func TestSARIFValid(t *testing.T) {
	res := unitFindings(t)
	for _, findings := range [][]Finding{res.Findings, nil} {
		var buf bytes.Buffer
		if err := WriteReport(&buf, "sarif", findings, ReportOptions{Rules: res.Rules, Version: "v1.2.3"}); err != nil {
			t.Fatal(err)
		}
		validateSARIF(t, buf.Bytes(), len(findings))
	}
}

func validateSARIF(t *testing.T, raw []byte, n int) {
	t.Helper()
	var doc struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name            string `json:"name"`
					SemanticVersion string `json:"semanticVersion"`
					Rules           []struct {
						ID               string `json:"id"`
						ShortDescription struct {
							Text string `json:"text"`
						} `json:"shortDescription"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
							EndLine     int `json:"endLine"`
							EndColumn   int `json:"endColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("sarif is not valid JSON of the expected shape: %v", err)
	}
	if doc.Version != "2.1.0" || !strings.Contains(doc.Schema, "sarif") || len(doc.Runs) != 1 {
		t.Fatalf("sarif header: version %q schema %q runs %d", doc.Version, doc.Schema, len(doc.Runs))
	}
	run := doc.Runs[0]
	if run.Tool.Driver.Name != "secretctl" || run.Tool.Driver.SemanticVersion != "1.2.3" {
		t.Errorf("driver = %q %q", run.Tool.Driver.Name, run.Tool.Driver.SemanticVersion)
	}
	ruleIDs := map[string]bool{}
	for _, r := range run.Tool.Driver.Rules {
		if r.ID == "" || ruleIDs[r.ID] {
			t.Errorf("rule id %q empty or repeated", r.ID)
		}
		ruleIDs[r.ID] = true
	}
	if len(run.Results) != n {
		t.Fatalf("results = %d, want %d", len(run.Results), n)
	}
	levels := map[string]bool{"": true, "none": true, "note": true, "warning": true, "error": true}
	for _, r := range run.Results {
		if r.RuleID == "" || !ruleIDs[r.RuleID] {
			t.Errorf("result ruleId %q not among the driver's rules", r.RuleID)
		}
		if !levels[r.Level] || r.Message.Text == "" || len(r.Locations) == 0 {
			t.Errorf("result %s: level %q message %q locations %d", r.RuleID, r.Level, r.Message.Text, len(r.Locations))
		}
		for _, l := range r.Locations {
			reg := l.PhysicalLocation.Region
			if l.PhysicalLocation.ArtifactLocation.URI == "" || reg.StartLine < 1 || reg.StartColumn < 1 || reg.EndLine < reg.StartLine || reg.EndColumn < 1 {
				t.Errorf("result %s: bad location %+v", r.RuleID, l)
			}
		}
		if r.PartialFingerprints["secretctl/v1"] == "" {
			t.Errorf("result %s: no partial fingerprint", r.RuleID)
		}
		for k, v := range r.PartialFingerprints {
			if v == "" {
				t.Errorf("result %s: empty partial fingerprint %q", r.RuleID, k)
			}
		}
	}
}

func TestFormatOf(t *testing.T) {
	for path, want := range map[string]string{
		"leaks.json": "json", "out/leaks.SARIF": "sarif", "junit.xml": "junit", "l.csv": "csv",
		"leaks.txt": "", "leaks": "",
	} {
		if got := FormatOf(path); got != want {
			t.Errorf("FormatOf(%q) = %q, want %q", path, got, want)
		}
		if want != "" && !ValidFormat(want) {
			t.Errorf("ValidFormat(%q) = false", want)
		}
	}
	if ValidFormat("yaml") || !ValidFormat(FormatTable) {
		t.Error("ValidFormat: yaml valid or table invalid")
	}
}
