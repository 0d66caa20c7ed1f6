package audit_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/audit"
	"github.com/secretctl/secretctl/internal/audit/audittest"
)

const fixtures = "../../testdata/audit"

func readAll(t *testing.T, root string, o audit.LogOptions) ([]audit.Event, audit.LogStats) {
	t.Helper()
	var got []audit.Event
	st, err := audit.ReadLogs(context.Background(), root, o, func(b []audit.Event) error {
		got = append(got, b...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, st
}

func TestReadLogsFixtureTree(t *testing.T) {
	got, st := readAll(t, filepath.Join(fixtures, "logfile"), audit.LogOptions{})
	// The fixture log file holds records 01 to 03.
	if st.Files != 1 || st.Records != 3 || st.Events != 3 || len(got) != 3 {
		t.Fatalf("stats %+v, %d events", st, len(got))
	}
	byAction := map[string][]audit.Event{}
	for _, e := range got {
		byAction[e.Action] = append(byAction[e.Action], e)
	}
	gsv := byAction["GetSecretValue"]
	if len(gsv) != 2 {
		t.Fatalf("GetSecretValue events: %+v", gsv)
	}
	sort.Slice(gsv, func(i, j int) bool { return gsv[i].Time.Before(gsv[j].Time) })
	if gsv[0].Principal != "role/payments-api-task (ecs-task-7d1e)" || gsv[0].Result() != "OK" {
		t.Errorf("successful read: %+v", gsv[0])
	}
	if gsv[1].Principal != "contractor-jdoe" || gsv[1].Result() != "AccessDenied" || !gsv[1].Denied() {
		t.Errorf("denied read: %+v", gsv[1])
	}
	for _, e := range got {
		if e.Secret != "prod/payments/db" {
			t.Errorf("%s: secret %q", e.Action, e.Secret)
		}
	}
}

func TestReadLogsPlainJSONAndSingleFile(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(fixtures, "logfile-pretty.json")) // pretty-printed, not gzip
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "x.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := readAll(t, p, audit.LogOptions{}); len(got) != 3 {
		t.Fatalf("single .json file: %d events", len(got))
	}
	// A file with other keys around Records, and a non-log JSON file.
	odd := `{"Other":{"a":[1,2]},"Records":[` + strings.TrimSpace(mustRead(t, "01-getsecretvalue-success.json")) + `],"Tail":null}`
	if err := os.WriteFile(filepath.Join(dir, "odd.json"), []byte(odd), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.json"), []byte(`["not", "a", "log"]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, st := readAll(t, dir, audit.LogOptions{}); len(got) != 4 || st.Files != 3 {
		t.Fatalf("dir: %d events, %+v", len(got), st)
	}
	// A truncated file is an error naming the file.
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"Records":[{"eventID":`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = audit.ReadLogs(context.Background(), dir, audit.LogOptions{}, func([]audit.Event) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Fatalf("truncated file: err = %v", err)
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadLogsGeneratedTree reads a tree of many files with both workers,
// skips other services and the digest file, and (with the dedupe the
// command uses) drops the repeated records.
func TestReadLogsGeneratedTree(t *testing.T) {
	dir := t.TempDir()
	ts, err := audittest.GenerateTree(dir, fixtures, 150, 120)
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2, 4} {
		got, st := readAll(t, dir, audit.LogOptions{Workers: workers})
		if st.Files != ts.Files || st.Records != int64(ts.Records) {
			t.Fatalf("workers %d: stats %+v, tree %+v", workers, st, ts)
		}
		d := audit.NewDeduper(0)
		distinct, denied, arns := 0, 0, 0
		for i := range got {
			e := &got[i]
			if e.EventSource != audit.SourceSecretsManager {
				t.Fatalf("other service leaked: %+v", e)
			}
			if d.Seen(e.EventID) {
				continue
			}
			distinct++
			if e.Denied() {
				denied++
			}
			if e.Action == "PutSecretValue" && e.SecretARN != "" {
				arns++
			}
		}
		if distinct != ts.SMEvents || denied != ts.Denied || len(got) != ts.SMEvents+ts.Duplicates {
			t.Fatalf("workers %d: %d events, %d distinct (want %d), %d denied (want %d)", workers, len(got), distinct, ts.SMEvents, denied, ts.Denied)
		}
		if arns == 0 {
			t.Fatal("no PutSecretValue ARN read (arn and aRN records)")
		}
	}
}

func TestReadLogsStopsOnCallbackError(t *testing.T) {
	dir := t.TempDir()
	if _, err := audittest.GenerateTree(dir, fixtures, 20, 600); err != nil {
		t.Fatal(err)
	}
	calls := 0
	_, err := audit.ReadLogs(context.Background(), dir, audit.LogOptions{}, func([]audit.Event) error {
		calls++
		return context.Canceled
	})
	if err != context.Canceled || calls != 1 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
	if _, err := audit.ReadLogs(context.Background(), filepath.Join(dir, "missing"), audit.LogOptions{}, nil); err == nil {
		t.Fatal("missing path: no error")
	}
}
