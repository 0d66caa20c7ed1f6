package commands

import (
	"os"
	"path/filepath"
	"testing"
)

// TestScanReportMode: report files are written 0600, a new one and one
// that existed with wider permissions alike: with --no-redact they hold
// the values found.
func TestScanReportMode(t *testing.T) {
	dir := seedApp(t, false)
	out := t.TempDir()
	fresh, old := filepath.Join(out, "new.json"), filepath.Join(out, "old.sarif")
	if err := os.WriteFile(old, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runScanCLI(t, nil, "", "scan", dir, "--no-redact", "--report-path", "json="+fresh, "--report-path", "sarif="+old)
	if r.code != 1 {
		t.Fatalf("scan: exit %d, %s", r.code, r.errOut)
	}
	for _, p := range []string{fresh, old} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := st.Mode().Perm(); m != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", filepath.Base(p), m)
		}
	}
}
