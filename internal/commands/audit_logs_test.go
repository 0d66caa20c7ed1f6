package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditFromLogsSaysWhatItRead: --from-logs says on stderr how many
// files and records it read and how many the window left out, so an empty
// result is explained; a saved LookupEvents response and a file holding one
// record are read as well as a trail log file.
func TestAuditFromLogsSaysWhatItRead(t *testing.T) {
	cli := newTestCLI(t)
	tree := filepath.Join(auditFixtures, "logfile")
	win := []string{"--since", "2025-03-01", "--until", "2025-04-01"}

	// The default --since 7d, against logs a year old: nothing shown, and
	// the reason given.
	r := cli.mustRun("", "audit", "--from-logs", tree)
	if r.out != "" {
		t.Fatalf("stdout %q", r.out)
	}
	if !strings.Contains(r.errOut, "read 1 file, 3 records (3 Secrets Manager events); 3 outside the window (--since 7d: 2026-03-07T11:20:00Z to 2026-03-14T11:20:00Z)") {
		t.Errorf("stderr %q", r.errOut)
	}
	r = cli.mustRun("", append([]string{"audit", "--from-logs", tree, "--errors-only"}, win...)...)
	if !strings.Contains(r.errOut, "read 1 file, 3 records (3 Secrets Manager events); 2 not matching the other filters") || len(auditRows(r.out)) != 1 {
		t.Errorf("--errors-only: stdout %q, stderr %q", r.out, r.errOut)
	}

	// A saved LookupEvents response.
	r = cli.mustRun("", append([]string{"audit", "--from-logs", filepath.Join(auditFixtures, "lookupevents-response.json")}, win...)...)
	rows := auditRows(r.out)
	if len(rows) != 4 || !strings.Contains(r.errOut, "read 1 file, 4 records (4 Secrets Manager events)") {
		t.Fatalf("LookupEvents response: stdout %q, stderr %q", r.out, r.errOut)
	}
	if got := strings.Join(rows[3][1:], "\t"); got != "role/payments-api-task (ecs-task-7d1e)\tGetSecretValue\tprod/payments/db\t10.20.3.17\tOK" {
		t.Errorf("oldest row %q", got)
	}

	// One record in a file of its own, pretty-printed.
	r = cli.mustRun("", append([]string{"audit", "--from-logs", filepath.Join(auditFixtures, "02-getsecretvalue-accessdenied.json")}, win...)...)
	rows = auditRows(r.out)
	if len(rows) != 1 || strings.Join(rows[0][1:], "\t") != "contractor-jdoe\tGetSecretValue\tprod/payments/db\t203.0.113.77\tAccessDenied" {
		t.Fatalf("single record: stdout %q, stderr %q", r.out, r.errOut)
	}

	// Every shape in one tree: the same events, each shown once.
	dir := t.TempDir()
	for _, f := range []string{"lookupevents-response.json", "01-getsecretvalue-success.json", "05-deletesecret.json"} {
		b, err := os.ReadFile(filepath.Join(auditFixtures, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r = cli.mustRun("", append([]string{"audit", "--from-logs", dir, "--from-logs", tree}, win...)...)
	if len(auditRows(r.out)) != 5 || !strings.Contains(r.errOut, "read 4 files, 9 records (9 Secrets Manager events); 4 duplicate(s)") {
		t.Fatalf("mixed: stdout %q, stderr %q", r.out, r.errOut)
	}
}
