package commands

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/audit"
	"github.com/secretctl/secretctl/internal/audit/audittest"
	"github.com/secretctl/secretctl/internal/store/local"
	"github.com/secretctl/secretctl/internal/ui"
)

const auditFixtures = "../../testdata/audit"

// auditRows parses piped table output: one tab-separated row a line.
func auditRows(out string) [][]string {
	var rows [][]string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" {
			rows = append(rows, strings.Split(l, "\t"))
		}
	}
	return rows
}

// TestAuditLocalEndToEnd: real operations through the CLI on the local
// store produce records that `audit` shows with the right principal and
// result; --summary names the unread secret; verify passes, then fails once
// the log is edited by hand.
func TestAuditLocalEndToEnd(t *testing.T) {
	cli := newTestCLI(t)
	value := canary(t)
	var outs []string
	keep := func(r result) result { outs = append(outs, r.out, r.errOut); return r }
	keep(cli.mustRun(value, "create", "app/db"))
	keep(cli.mustRun(value+"-2", "create", "app/unread"))
	cli.now = cli.now.AddDate(0, 0, 100) // app/unread is now older than the 90 unused days
	keep(cli.mustRun(value+"-4", "create", "app/fresh"))
	cli.mustRun("", "get", "app/db") // prints the value: that is its job
	cli.mustRun("", "get", "app/db")
	keep(cli.mustRun(value+"-3", "put", "app/db"))
	if r := keep(cli.run("", "get", "app/missing")); r.code != 2 {
		t.Fatalf("get of a missing secret: exit %d", r.code)
	}

	actor := local.CurrentActor("test")
	principal := actor.UserName
	if actor.Host != "" {
		principal += "@" + actor.Host
	}

	r := keep(cli.mustRun("", "audit"))
	rows := auditRows(r.out)
	var gets, failed, creates, puts int
	for _, row := range rows {
		if len(row) != 6 {
			t.Fatalf("row %q: want 6 columns", row)
		}
		if row[1] != principal {
			t.Errorf("principal %q, want %q", row[1], principal)
		}
		switch {
		case row[2] == "GetSecretValue" && row[3] == "app/db" && row[5] == "OK":
			gets++
		case row[2] == "GetSecretValue" && row[3] == "app/missing" && row[5] == "ResourceNotFoundException":
			failed++
		case row[2] == "CreateSecret" && row[5] == "OK":
			creates++
		case row[2] == "PutSecretValue" && row[3] == "app/db" && row[5] == "OK":
			puts++
		}
	}
	// The first two creates are 100 days old, outside the default --since 7d.
	if gets != 2 || failed != 1 || creates != 1 || puts != 1 {
		t.Fatalf("audit rows: %d reads, %d failed reads, %d creates, %d puts:\n%s", gets, failed, creates, puts, r.out)
	}
	if rows[0][3] != "app/missing" || rows[len(rows)-1][2] != "CreateSecret" {
		t.Errorf("not newest first:\n%s", r.out)
	}
	if _, err := time.Parse(time.RFC3339, rows[0][0]); err != nil {
		t.Errorf("piped time %q is not RFC 3339", rows[0][0])
	}

	// JSON, filters.
	r = keep(cli.mustRun("", "audit", "app/db", "--event", "GetSecretValue", "-o", "json"))
	var evs []audit.Event
	if err := json.Unmarshal([]byte(r.out), &evs); err != nil {
		t.Fatalf("json: %v\n%s", err, r.out)
	}
	if len(evs) != 2 || evs[0].UserAgent != "secretctl/test" || evs[0].PrincipalType != "LocalUser" || evs[0].EventID == "" {
		t.Fatalf("json events: %+v", evs)
	}
	r = keep(cli.mustRun("", "audit", "--errors-only", "--principal", actor.UserName))
	if rows := auditRows(r.out); len(rows) != 1 || rows[0][3] != "app/missing" {
		t.Fatalf("--errors-only: %q", r.out)
	}

	// Summary: app/unread is named; the guard fails on it.
	r = keep(cli.mustRun("", "audit", "--summary", "-o", "json"))
	var sum audit.Summary
	if err := json.Unmarshal([]byte(r.out), &sum); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(sum.Unused, "app/unread") || slices.Contains(sum.Unused, "app/db") || slices.Contains(sum.Unused, "app/missing") || slices.Contains(sum.Unused, "app/fresh") {
		t.Fatalf("unused = %v", sum.Unused)
	}
	r = keep(cli.mustRun("", "audit", "--summary"))
	if !strings.Contains(r.out, "app/unread") {
		t.Fatalf("summary table: %s", r.out)
	}
	r = keep(cli.run("", "audit", "--summary", "--fail-on", "unused"))
	if r.code != 1 || !strings.Contains(r.errOut, "app/unread") || strings.Contains(r.errOut, "app/fresh") {
		t.Fatalf("--fail-on unused: exit %d, stderr %q", r.code, r.errOut)
	}
	if r = keep(cli.run("", "audit", "--fail-on", "denied")); r.code != 0 {
		t.Fatalf("--fail-on denied with no denial: exit %d %s", r.code, r.errOut)
	}

	// Verify and status pass.
	r = keep(cli.mustRun("", "audit", "verify"))
	if !strings.Contains(r.out, "verifies") {
		t.Fatalf("verify: %q", r.out)
	}
	r = keep(cli.mustRun("", "audit", "status"))
	if strings.Count(r.out, "✓") != 2 {
		t.Fatalf("status: %q", r.out)
	}

	logPath := filepath.Join(cli.home, local.AuditFile)
	logBytes, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(logBytes))
	assertNoLeak(t, value, outs...)

	// Edit one record by hand: a read becomes a describe.
	edited := bytes.Replace(logBytes, []byte(`"eventName":"GetSecretValue"`), []byte(`"eventName":"DescribeSecret"`), 1)
	if bytes.Equal(edited, logBytes) {
		t.Fatal("no GetSecretValue record to edit")
	}
	if err := os.WriteFile(logPath, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	r = cli.run("", "audit", "verify")
	if r.code != 1 || !strings.Contains(r.out, "edited") {
		t.Fatalf("verify after edit: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	if r = cli.run("", "audit", "status"); r.code != 1 || !strings.Contains(r.out, "✗ hash chain verifies") || !strings.Contains(r.out, "fix:") {
		t.Fatalf("status after edit: exit %d\n%s", r.code, r.out)
	}
	// audit still lists the records, but says in one line they are not to be trusted.
	r = cli.run("", "audit")
	if r.code != 0 || strings.Count(r.errOut, "\n") != 1 || !strings.Contains(r.errOut, "does not verify") || !strings.Contains(r.errOut, "audit verify") {
		t.Fatalf("audit after edit: exit %d, stderr %q; want 0 and one warning line", r.code, r.errOut)
	}
}

// TestAuditVerifyTampering: each way of tampering with the log is detected
// and named.
func TestAuditVerifyTampering(t *testing.T) {
	cli := newTestCLI(t)
	value := canary(t)
	cli.mustRun(value, "create", "t/a")
	for range 3 {
		cli.mustRun("", "get", "t/a")
	}
	logPath := filepath.Join(cli.home, local.AuditFile)
	orig, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(orig), "\n"), "\n")
	if len(lines) < 4 {
		t.Fatalf("log has %d records", len(lines))
	}
	join := func(ls ...string) string {
		s := strings.Join(ls, "")
		if !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		return s
	}
	tests := []struct{ name, log, want string }{
		{"edited", strings.Replace(string(orig), `"eventName":"GetSecretValue"`, `"eventName":"ListSecrets"`, 1), "edited"},
		{"deleted", join(append(append([]string{}, lines[:1]...), lines[2:]...)...), "deleted"},
		{"inserted", join(lines[0], lines[1], lines[1], strings.Join(lines[2:], "")), "inserted"},
		{"reordered", join(lines[0], lines[2], lines[1], strings.Join(lines[3:], "")), "reordered"},
		{"truncated", join(lines[:len(lines)-1]...), "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(logPath, []byte(tt.log), 0o600); err != nil {
				t.Fatal(err)
			}
			r := cli.run("", "audit", "verify")
			if r.code != 1 || !strings.Contains(r.out, tt.want) {
				t.Fatalf("exit %d, want 1 and %q in\n%s%s", r.code, tt.want, r.out, r.errOut)
			}
			r = cli.run("", "audit", "verify", "-o", "json")
			var res struct {
				Issues []struct{ Kind string } `json:"issues"`
			}
			if err := json.Unmarshal([]byte(r.out), &res); err != nil || r.code != 1 || len(res.Issues) == 0 {
				t.Fatalf("json: exit %d %v %s", r.code, err, r.out)
			}
			assertNoLeak(t, value, r.out, r.errOut)
		})
	}
	if err := os.WriteFile(logPath, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	cli.mustRun("", "audit", "verify")
}

func TestAuditFromLogs(t *testing.T) {
	cli := newTestCLI(t)
	tree := filepath.Join(auditFixtures, "logfile")
	win := []string{"--since", "2025-03-01", "--until", "2025-04-01"}
	r := cli.mustRun("", append([]string{"audit", "--from-logs", tree}, win...)...)
	rows := auditRows(r.out)
	if len(rows) != 3 {
		t.Fatalf("rows:\n%s", r.out)
	}
	want := map[string]bool{
		"role/secretctl-operator (alice@example.com)\tPutSecretValue\tprod/payments/db\t198.51.100.24\tOK": true,
		"contractor-jdoe\tGetSecretValue\tprod/payments/db\t203.0.113.77\tAccessDenied":                    true,
		"role/payments-api-task (ecs-task-7d1e)\tGetSecretValue\tprod/payments/db\t10.20.3.17\tOK":         true,
	}
	for _, row := range rows {
		if !want[strings.Join(row[1:], "\t")] {
			t.Errorf("unexpected row %q", row)
		}
	}
	if _, err := os.Stat(filepath.Join(cli.home, local.DBFile)); err == nil {
		t.Error("--from-logs opened the local store")
	}

	r = cli.mustRun("", append([]string{"audit", "--from-logs", tree, "--errors-only", "-o", "csv"}, win...)...)
	recs, err := csv.NewReader(strings.NewReader(r.out)).ReadAll()
	if err != nil || len(recs) != 2 || recs[0][0] != "time" || recs[1][5] != "AccessDenied" || !strings.Contains(recs[1][8], "not authorized") {
		t.Fatalf("csv: %v\n%s", err, r.out)
	}

	r = cli.run("", append([]string{"audit", "--from-logs", tree, "--summary", "--fail-on", "denied", "-o", "json"}, win...)...)
	var sum audit.Summary
	if err := json.Unmarshal([]byte(r.out), &sum); err != nil || r.code != 1 {
		t.Fatalf("exit %d %v\n%s", r.code, err, r.out)
	}
	if sum.Denied != 1 || len(sum.Secrets) != 1 || sum.Secrets[0].Reads != 1 || sum.Secrets[0].Readers[0].Principal != "role/payments-api-task (ecs-task-7d1e)" {
		t.Fatalf("summary: %+v", sum)
	}

	// A generated tree of many files.
	dir := t.TempDir()
	ts, err := audittest.GenerateTree(dir, auditFixtures, 120, 100)
	if err != nil {
		t.Fatal(err)
	}
	r = cli.mustRun("", "audit", "--from-logs", dir, "--since", "2024-12-01", "--until", "2025-02-01", "-o", "json")
	var evs []audit.Event
	if err := json.Unmarshal([]byte(r.out), &evs); err != nil {
		t.Fatal(err)
	}
	if len(evs) != ts.SMEvents { // duplicates removed
		t.Fatalf("%d events, want %d distinct", len(evs), ts.SMEvents)
	}
}

func TestAuditUsageErrors(t *testing.T) {
	cli := newTestCLI(t)
	for _, args := range [][]string{
		{"audit", "--since", "yesterday"},
		{"audit", "--since", "1d", "--until", "2d"},
		{"audit", "--fail-on", "bogus"},
		{"audit", "-o", "xml"},
		{"audit", "a", "b"},
		{"audit", "status", "x"},
	} {
		if r := cli.run("", args...); r.code != 2 || !strings.HasPrefix(r.errOut, "secretctl: ") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.errOut)
		}
	}
	cli.env["SECRETCTL_BACKEND"] = "aws"
	if r := cli.run("", "audit", "verify"); r.code != 2 || !strings.Contains(r.errOut, "validate-logs") {
		t.Errorf("verify on aws: exit %d %q", r.code, r.errOut)
	}
	if r := cli.run("", "audit", "--since", "120d"); r.code != 2 || !strings.Contains(r.errOut, "--from-logs") {
		t.Errorf("120 days on aws: exit %d %q", r.code, r.errOut)
	}
}

// awsAuditCLI points the real SDK, configured as in production, at a fake
// CloudTrail/Secrets Manager server.
func awsAuditCLI(t *testing.T, srv *audittest.Server, regions string) *testCLI {
	awsEnv(t, "AKIDAUDITTEST", "audit-test-secret")
	cli := newTestCLI(t)
	cli.env["SECRETCTL_BACKEND"] = "aws"
	cli.env["SECRETCTL_REGION"] = regions
	cli.env["SECRETCTL_ENDPOINT_URL"] = srv.URL
	return cli
}

func TestAuditAWSLookupEvents(t *testing.T) {
	srv := audittest.New(t)
	cli := awsAuditCLI(t, srv, "us-east-1,eu-west-1")
	arn := "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/payments/db-Xk3p9Q"
	srv.Secrets = []audittest.Secret{{Name: "prod/payments/db", ARN: arn}, {Name: "prod/never-read", ARN: arn + "x"}}
	srv.Records = audittest.Clone(audittest.Fixtures(t, auditFixtures), 24, cli.now.Add(-time.Hour), 10*time.Minute)
	srv.PageSize = 10
	srv.ThrottleEvery = 4

	r := cli.mustRun("", "audit", "-o", "json")
	var evs []audit.Event
	if err := json.Unmarshal([]byte(r.out), &evs); err != nil {
		t.Fatal(err)
	}
	// Both regions answered with the same events: deduplicated on eventID.
	if len(evs) != 24 {
		t.Fatalf("%d events, want 24", len(evs))
	}
	lookups := 0
	for _, req := range srv.Requests() {
		if req.Target == audittest.LookupEvents {
			lookups++
		}
	}
	if lookups < 6 { // 3 pages per region, plus throttled retries
		t.Fatalf("%d LookupEvents requests", lookups)
	}
	// Two regions share one test server; each is paced on its own. A
	// limiter that sends one request every 1/LookupRate seconds can land
	// LookupRate+1 of them within one second of arrival times when the
	// first is delayed (a loaded machine), so that is the bound per region.
	if n := srv.MaxPerSecond(audittest.LookupEvents); n > 2*(audit.LookupRate+1) {
		t.Fatalf("%d requests in one second", n)
	}

	// --region on the command line: repeatable, and it beats SECRETCTL_REGION.
	before0 := len(srv.Requests())
	cli.mustRun("", "audit", "--region", "ap-south-1", "--region", "sa-east-1,ca-central-1", "--event", "PutSecretValue")
	regions := map[string]bool{}
	for _, req := range srv.Requests()[before0:] {
		if req.Target == audittest.LookupEvents {
			regions[req.Region] = true
		}
	}
	if len(regions) != 3 || !regions["ap-south-1"] || !regions["sa-east-1"] || !regions["ca-central-1"] {
		t.Fatalf("regions signed: %v", regions)
	}

	// A secret name resolves to its ARN: the lookup uses ResourceName.
	before := len(srv.Requests())
	r = cli.mustRun("", "audit", "prod/payments/db", "--errors-only")
	sawResource := false
	for _, req := range srv.Requests()[before:] {
		if req.Target != audittest.LookupEvents {
			continue
		}
		a := req.Body["LookupAttributes"].([]any)[0].(map[string]any)
		if a["AttributeKey"] == "ResourceName" && a["AttributeValue"] == arn {
			sawResource = true
		}
	}
	if !sawResource {
		t.Fatal("no ResourceName lookup for the secret")
	}
	for _, row := range auditRows(r.out) {
		if row[5] == "OK" {
			t.Errorf("--errors-only row %q", row)
		}
	}

	// A name DescribeSecret does not know (deleted): a notice, then the
	// event source is scanned and the name filtered on the client.
	r = cli.mustRun("", "audit", "prod/gone", "--region", "us-east-1")
	if !strings.Contains(r.errOut, "cannot resolve prod/gone") || r.out != "" {
		t.Fatalf("unknown secret: %q %q", r.out, r.errOut)
	}

	// Summary: ListSecrets adds the secret nobody read.
	r = cli.run("", "audit", "--summary", "--fail-on", "unused", "--region", "us-east-1")
	if r.code != 1 || !strings.Contains(r.out, "prod/never-read") || strings.Contains(r.errOut, "prod/payments/db") {
		t.Fatalf("summary: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
}

func TestAuditAWSStatus(t *testing.T) {
	srv := audittest.New(t)
	cli := awsAuditCLI(t, srv, "us-east-1")
	srv.Trails = []audittest.Trail{{Name: "org", HomeRegion: "us-east-1", MultiRegion: true, Validation: true, Logging: true, ReadWriteType: "All", IncludeManagementEvents: true}}
	r := cli.mustRun("", "audit", "status")
	if strings.Count(r.out, "✓") != 5 || strings.Contains(r.out, "✗") {
		t.Fatalf("status:\n%s", r.out)
	}
	srv.Trails[0].Logging = false
	srv.Trails[0].ReadWriteType = "WriteOnly"
	r = cli.run("", "audit", "status", "-o", "json")
	var res []struct {
		Region string        `json:"region"`
		Checks []audit.Check `json:"checks"`
	}
	if err := json.Unmarshal([]byte(r.out), &res); err != nil || r.code != 1 || len(res) != 1 {
		t.Fatalf("exit %d %v\n%s", r.code, err, r.out)
	}
	failed := map[string]string{}
	for _, c := range res[0].Checks {
		if !c.OK {
			failed[c.Name] = c.Fix
		}
	}
	if len(failed) != 2 || !strings.Contains(failed["is logging"], "start-logging") || !strings.Contains(failed["logs management read events"], "ReadWriteType") {
		t.Fatalf("failed checks: %v", failed)
	}
}

// TestAuditProgressOnTTY: a progress line goes to stderr on a TTY only,
// and stdout carries only data.
func TestAuditProgressOnTTY(t *testing.T) {
	for _, tty := range []bool{false, true} {
		io, _, out, errOut := ui.Test()
		io.SetStderrTTY(tty)
		f := NewFactory(io, "test")
		env := testEnv{"SECRETCTL_HOME": t.TempDir(), "HOME": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir()}
		f.Getenv = env.get
		code := Run(context.Background(), f, []string{"audit", "--from-logs", filepath.Join(auditFixtures, "logfile"), "--since", "2025-03-01", "--until", "2025-04-01"})
		if code != 0 || len(auditRows(out.String())) != 3 {
			t.Fatalf("tty=%v: exit %d\n%s", tty, code, out.String())
		}
		// The status line rewrites itself ("\r", erase line); the line that
		// says what was read is permanent and shown either way.
		if got := strings.Contains(errOut.String(), "\r\033[K"); got != tty {
			t.Errorf("tty=%v: progress shown = %v (%q)", tty, got, errOut.String())
		}
		if strings.Contains(out.String(), "\r") {
			t.Errorf("progress on stdout: %q", out.String())
		}
	}
}

// TestAuditVerifyRecords: a record changed in store.db without the key is
// an integrity error on the next read of that secret (exit 2, one line,
// naming it), `audit verify` names it (exit 1), other secrets still read,
// and --expect-head catches a chain that no longer continues from a head
// kept earlier.
func TestAuditVerifyRecords(t *testing.T) {
	cli := newTestCLI(t)
	a, b := canary(t), canary(t)
	cli.mustRun(a, "create", "t/a", "--tag", "team=payments")
	cli.mustRun(b, "create", "t/b")
	r := cli.mustRun("", "audit", "verify")
	m := regexp.MustCompile(`(?m)^head (\d+:[0-9a-f]{64})$`).FindStringSubmatch(r.out)
	if m == nil || !strings.Contains(r.out, "2 secrets") {
		t.Fatalf("verify prints no head: %q", r.out)
	}
	kept := m[1]
	cli.mustRun("", "audit", "verify", "--expect-head", kept)
	if r := cli.run("", "audit", "verify", "--expect-head", "1:nothex"); r.code != 2 {
		t.Errorf("a malformed --expect-head: exit %d", r.code)
	}
	if r := cli.run("", "audit", "verify", "--expect-head", "999:"+strings.Repeat("0", 64)); r.code != 1 || !strings.Contains(r.out, "expected head") {
		t.Errorf("--expect-head beyond the chain: exit %d\n%s", r.code, r.out)
	}

	db, err := sql.Open("sqlite", filepath.Join(cli.home, local.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	var rec []byte
	if err := db.QueryRow(`SELECT record FROM secrets WHERE name = 't/a'`).Scan(&rec); err != nil {
		t.Fatal(err)
	}
	rec = bytes.Replace(rec, []byte(`"team":"payments"`), []byte(`"team":"mallory"`), 1)
	if _, err := db.Exec(`UPDATE secrets SET record = ? WHERE name = 't/a'`, rec); err != nil {
		t.Fatal(err)
	}
	db.Close()

	r = cli.run("", "get", "t/a")
	if r.code != 2 || !strings.Contains(r.errOut, "integrity check failed") || !strings.Contains(r.errOut, "t/a") || strings.Count(strings.TrimSpace(r.errOut), "\n") != 0 || r.out != "" {
		t.Errorf("get of the changed record: exit %d, stdout %q, stderr %q; want exit 2 and one line naming it", r.code, r.out, r.errOut)
	}
	if got := cli.mustRun("", "get", "t/b"); strings.TrimSpace(got.out) != b {
		t.Error("the untouched secret no longer reads")
	}
	r = cli.run("", "audit", "verify")
	if r.code != 1 || !strings.Contains(r.out, "✗ secret t/a") || strings.Contains(r.out, "t/b") {
		t.Errorf("verify after the change: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	r = cli.run("", "audit", "verify", "-o", "json")
	var res struct {
		Secrets      int `json:"secrets"`
		SecretIssues []struct {
			Name string `json:"name"`
		} `json:"secretIssues"`
	}
	if err := json.Unmarshal([]byte(r.out), &res); err != nil || r.code != 1 || res.Secrets != 2 || len(res.SecretIssues) != 1 || res.SecretIssues[0].Name != "t/a" {
		t.Errorf("json: exit %d %v %s", r.code, err, r.out)
	}
	assertNoLeak(t, a, r.out, r.errOut)

	// Removing the bad row hides no evidence: the set of records no longer
	// matches the one last written.
	db, err = sql.Open("sqlite", filepath.Join(cli.home, local.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM secrets WHERE name = 't/a'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if r = cli.run("", "audit", "verify"); r.code != 1 || !strings.Contains(r.out, "✗ records:") || strings.Contains(r.out, "✗ secret") {
		t.Errorf("verify after a row was removed: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
}

// TestFormat1StoreUpgrades: a store written by the format-1 release is
// upgraded by the first command, which says so once.
func TestFormat1StoreUpgrades(t *testing.T) {
	cli := newTestCLI(t)
	src := filepath.Join("..", "store", "local", "testdata", "format1")
	if err := os.MkdirAll(cli.home, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{local.DBFile, local.KeyFile, local.AuditFile} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cli.home, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cli.now = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	r := cli.mustRun("", "get", "app/db")
	if strings.TrimSpace(r.out) != "format1-canary-db-v3" || !strings.Contains(r.errOut, "upgraded the local store") {
		t.Fatalf("first get: stdout %q, stderr %q", r.out, r.errOut)
	}
	if r := cli.mustRun("", "audit", "verify"); strings.Contains(r.errOut, "upgraded") || !strings.Contains(r.out, "4 secrets") {
		t.Errorf("verify after the upgrade: %q %q", r.out, r.errOut)
	}
}
