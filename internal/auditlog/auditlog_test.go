package auditlog_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/local"
)

var actor = local.Actor{UserName: "alice", PrincipalID: "1001", Host: "box", UserAgent: "secretctl/1.2.3"}

var fixedNow = time.Date(2026, 3, 14, 11, 20, 3, 500, time.UTC)

func openStore(t *testing.T, home string) *local.Store {
	t.Helper()
	s, err := local.Open(t.Context(), local.Options{Home: home, Actor: actor, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func readAll(t *testing.T, path string) []auditlog.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []auditlog.Record
	if err := auditlog.Read(f, func(r auditlog.Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestRecordsFromOperations runs real operations, failures included, and
// checks the records they leave.
func TestRecordsFromOperations(t *testing.T) {
	home := t.TempDir()
	s := openStore(t, home)
	ctx := t.Context()
	v1 := secret.New("audit-canary-" + uuid.NewString())
	v2 := secret.New("audit-canary-" + uuid.NewString())
	t1, t2 := uuid.NewString(), uuid.NewString()

	ref, err := s.Create(ctx, "prod/db", store.CreateInput{Value: v1, Token: t1, Description: "db"})
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		event, code string
		readOnly    bool
		run         func() error
	}
	steps := []step{
		{"GetSecretValue", "", true, func() error { _, err := s.Get(ctx, "prod/db", store.GetOptions{}); return err }},
		{"GetSecretValue", "ResourceNotFoundException", true, func() error { _, err := s.Get(ctx, "prod/missing", store.GetOptions{}); return err }},
		{"PutSecretValue", "", false, func() error { _, err := s.Put(ctx, "prod/db", v2, store.PutOptions{Token: t2}); return err }},
		{"PutSecretValue", "ResourceExistsException", false, func() error { _, err := s.Put(ctx, "prod/db", v1, store.PutOptions{Token: t2}); return err }},
		{"DescribeSecret", "", true, func() error { _, err := s.Describe(ctx, ref.ARN); return err }},
		{"ListSecrets", "", true, func() error { _, err := s.List(ctx, store.ListOptions{Prefix: "prod/"}); return err }},
		{"ListSecretVersionIds", "", true, func() error { _, err := s.Versions(ctx, "prod/db", true); return err }},
		{"UpdateSecretVersionStage", "InvalidParameterException", false, func() error {
			_, err := s.UpdateStage(ctx, "prod/db", store.StageMove{Stage: store.StageCurrent, MoveTo: t1})
			return err
		}},
		{"UpdateSecretVersionStage", "", false, func() error {
			_, err := s.UpdateStage(ctx, "prod/db", store.StageMove{Stage: store.StageCurrent, MoveTo: t1, RemoveFrom: t2})
			return err
		}},
		{"UpdateSecret", "", false, func() error {
			_, err := s.Update(ctx, "prod/db", store.UpdateInput{Description: new("primary")})
			return err
		}},
		{"TagResource", "", false, func() error { return s.Tag(ctx, "prod/db", map[string]string{"env": "prod"}) }},
		{"UntagResource", "", false, func() error { return s.Untag(ctx, "prod/db", []string{"env"}) }},
		{"DeleteSecret", "InvalidParameterException", false, func() error {
			_, _, err := s.Delete(ctx, "prod/db", store.DeleteOptions{RecoveryDays: 3})
			return err
		}},
		{"DeleteSecret", "", false, func() error { _, _, err := s.Delete(ctx, "prod/db", store.DeleteOptions{RecoveryDays: 7}); return err }},
		{"GetSecretValue", "InvalidRequestException", true, func() error { _, err := s.Get(ctx, "prod/db", store.GetOptions{}); return err }},
		{"RestoreSecret", "", false, func() error { _, err := s.Restore(ctx, "prod/db"); return err }},
		{"DeleteSecret", "", false, func() error { _, _, err := s.Delete(ctx, "prod/db", store.DeleteOptions{Force: true}); return err }},
	}
	for i, st := range steps {
		err := st.run()
		if (err != nil) != (st.code != "") {
			t.Fatalf("step %d %s: error %v, want code %q", i, st.event, err, st.code)
		}
	}

	raw, err := os.ReadFile(s.AuditLogPath())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []secret.Value{v1, v2} {
		if bytes.Contains(raw, v.Reveal()) {
			t.Fatal("a secret value is in the audit log")
		}
	}
	if !bytes.Contains(raw, []byte(`"eventTime":"2026-03-14T11:20:03Z"`)) {
		t.Errorf("eventTime is not RFC 3339 UTC to the second:\n%s", raw[:min(len(raw), 400)])
	}
	if st, _ := os.Stat(s.AuditLogPath()); st.Mode().Perm() != 0o600 {
		t.Errorf("audit.log mode %v, want 0600", st.Mode().Perm())
	}

	recs := readAll(t, s.AuditLogPath())
	if len(recs) != 1+len(steps) {
		t.Fatalf("%d records, want %d (one per operation)", len(recs), 1+len(steps))
	}
	create := recs[0]
	if create.EventName != "CreateSecret" || create.ErrorCode != "" || create.ReadOnly ||
		create.ResponseElements["arn"] != ref.ARN || create.ResponseElements["versionId"] != t1 ||
		create.RequestParameters["name"] != "prod/db" || create.RequestParameters["clientRequestToken"] != t1 {
		t.Errorf("CreateSecret record = %+v", create)
	}
	seen := map[string]bool{}
	for i, st := range steps {
		r := recs[i+1]
		if r.EventName != st.event || r.ErrorCode != st.code || r.ReadOnly != st.readOnly {
			t.Errorf("record %d = %s code %q readOnly %v; want %s %q %v", i+2, r.EventName, r.ErrorCode, r.ReadOnly, st.event, st.code, st.readOnly)
		}
		if st.code != "" && r.ErrorMessage == "" {
			t.Errorf("record %d: failure without errorMessage", i+2)
		}
		if st.code == "" && !st.readOnly && r.ResponseElements["arn"] != ref.ARN {
			t.Errorf("record %d %s: responseElements %v lack the ARN", i+2, r.EventName, r.ResponseElements)
		}
		if st.readOnly && r.ResponseElements != nil {
			t.Errorf("record %d %s: a read has responseElements %v", i+2, r.EventName, r.ResponseElements)
		}
		if seen[r.EventID] {
			t.Errorf("record %d: eventID %s repeats", i+2, r.EventID)
		}
		seen[r.EventID] = true
	}
	for i, r := range recs {
		if r.Seq != uint64(i+1) || r.EventVersion != "1.09" || r.EventSource != "secretctl.local" || r.EventType != "AwsApiCall" ||
			r.UserIdentity != (auditlog.UserIdentity{Type: "LocalUser", UserName: "alice", PrincipalID: "1001", Host: "box"}) ||
			r.UserAgent != "secretctl/1.2.3" || r.SourceIPAddress != "box" || !r.EventTime.Equal(fixedNow.Truncate(time.Second)) {
			t.Errorf("record %d common fields = %+v", i+1, r)
		}
		if r.EventName != "ListSecrets" && r.ErrorCode != "ResourceNotFoundException" &&
			!slices.Equal(r.Resources, []auditlog.Resource{{ARN: ref.ARN, Type: "AWS::SecretsManager::Secret"}}) {
			t.Errorf("record %d %s resources = %v", i+1, r.EventName, r.Resources)
		}
	}
	if got := recs[2].SecretID(); got != "prod/missing" {
		t.Errorf("failed Get secretId = %q", got)
	}
	if p := recs[14].RequestParameters; p["recoveryWindowInDays"] != float64(7) {
		t.Errorf("DeleteSecret requestParameters = %v", p)
	}

	res, err := local.VerifyAudit(ctx, local.Options{Home: home})
	if err != nil || !res.OK() || len(res.Issues) != 0 || res.Records != len(recs) {
		t.Errorf("VerifyAudit = %+v, %v", res, err)
	}
	head, err := s.AuditHead(ctx)
	if err != nil || head.Seq != uint64(len(recs)) || head.Hash != recs[len(recs)-1].Hash || head.Offset != int64(len(raw)) {
		t.Errorf("AuditHead = %+v, %v", head, err)
	}
}

// buildLog makes a store with 8 records and returns its home and the lines.
func buildLog(t *testing.T) (string, [][]byte) {
	t.Helper()
	home := t.TempDir()
	s := openStore(t, home)
	ctx := t.Context()
	if _, err := s.Create(ctx, "app/one", store.CreateInput{Value: secret.New("tamper-canary-" + uuid.NewString())}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := s.Get(ctx, "app/one", store.GetOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Describe(ctx, "app/one"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Get(ctx, "app/absent", store.GetOptions{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	s.Close()
	return home, lines(t, home)
}

func lines(t *testing.T, home string) [][]byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(home, local.AuditFile))
	if err != nil {
		t.Fatal(err)
	}
	ls := bytes.SplitAfter(raw, []byte("\n"))
	return ls[:len(ls)-1] // the file ends with a newline
}

func writeLines(t *testing.T, home string, ls [][]byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(home, local.AuditFile), bytes.Join(ls, nil), 0o600); err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, home string) auditlog.Result {
	t.Helper()
	res, err := local.VerifyAudit(t.Context(), local.Options{Home: home, Actor: actor})
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	return res
}

// rehash recomputes a line's hash after a change, as a forger would.
func rehash(t *testing.T, line []byte, change func(map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	b, _ := json.Marshal(m)
	h, err := auditlog.Hash(b)
	if err != nil {
		t.Fatal(err)
	}
	m["hash"] = h
	b, _ = json.Marshal(m)
	return append(b, '\n')
}

func TestTamperDetected(t *testing.T) {
	type want struct {
		kind auditlog.IssueKind
		line int
		seq  uint64
	}
	cases := []struct {
		name   string
		tamper func(ls [][]byte) [][]byte
		want   []want
	}{
		{"untouched", func(ls [][]byte) [][]byte { return ls }, nil},
		{"edit a field", func(ls [][]byte) [][]byte {
			ls[2] = bytes.Replace(ls[2], []byte(`"userName":"alice"`), []byte(`"userName":"mallory"`), 1)
			return ls
		}, []want{{auditlog.Edited, 3, 3}}},
		{"edit the error code away", func(ls [][]byte) [][]byte {
			ls[7] = bytes.Replace(ls[7], []byte(`"errorCode":"ResourceNotFoundException",`), nil, 1)
			return ls
		}, []want{{auditlog.Edited, 8, 8}}},
		{"add a field by hand", func(ls [][]byte) [][]byte {
			ls[1] = bytes.Replace(ls[1], []byte(`{`), []byte(`{"note":"x",`), 1)
			return ls
		}, []want{{auditlog.Edited, 2, 2}}},
		{"edit and re-hash", func(ls [][]byte) [][]byte {
			ls[3] = rehash(t, ls[3], func(m map[string]any) { m["eventName"] = "ListSecrets" })
			return ls
		}, []want{{auditlog.Edited, 4, 4}}},
		{"delete a line", func(ls [][]byte) [][]byte {
			return slices.Delete(ls, 3, 4)
		}, []want{{auditlog.Deleted, 4, 4}}},
		{"delete two lines", func(ls [][]byte) [][]byte {
			return slices.Delete(ls, 1, 3)
		}, []want{{auditlog.Deleted, 2, 2}}},
		{"insert a forged line", func(ls [][]byte) [][]byte {
			forged := rehash(t, ls[2], func(m map[string]any) { m["eventID"] = uuid.NewString(); m["eventName"] = "DeleteSecret" })
			return slices.Insert(ls, 3, forged)
		}, []want{{auditlog.Inserted, 4, 3}}},
		{"insert a copy of a line", func(ls [][]byte) [][]byte {
			return slices.Insert(ls, 5, slices.Clone(ls[1]))
		}, []want{{auditlog.Inserted, 6, 2}}},
		{"swap two lines", func(ls [][]byte) [][]byte {
			ls[3], ls[4] = ls[4], ls[3]
			return ls
		}, []want{{auditlog.Reordered, 5, 4}}},
		{"truncate the tail", func(ls [][]byte) [][]byte {
			return ls[:len(ls)-2]
		}, []want{{auditlog.Truncated, 0, 7}}},
		{"empty the file", func(ls [][]byte) [][]byte {
			return nil
		}, []want{{auditlog.Truncated, 0, 1}}},
		{"a line of garbage", func(ls [][]byte) [][]byte {
			return slices.Insert(ls, 2, []byte("not json\n"))
		}, []want{{auditlog.Malformed, 3, 0}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			home, ls := buildLog(t)
			if len(ls) != 8 {
				t.Fatalf("%d lines, want 8", len(ls))
			}
			writeLines(t, home, tc.tamper(ls))
			res := verify(t, home)
			var got []want
			for _, is := range res.Issues {
				got = append(got, want{is.Kind, is.Line, is.Seq})
				if is.Detail == "" {
					t.Errorf("issue %v has no detail", is)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("issues = %v, want %v", res.Issues, tc.want)
			}
			if res.OK() != (len(tc.want) == 0) {
				t.Errorf("OK() = %v with issues %v", res.OK(), res.Issues)
			}
		})
	}
}

// TestUncommittedTail: a record written but not committed (a crash before
// COMMIT) is reported but is not tampering, and the next write drops it.
func TestUncommittedTail(t *testing.T) {
	home, ls := buildLog(t)
	s := openStore(t, home)
	head, err := s.AuditHead(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	_, line, err := auditlog.Seal(auditlog.Record{EventName: "GetSecretValue", EventTime: fixedNow}, head, auditlog.Chain{})
	if err != nil {
		t.Fatal(err)
	}
	writeLines(t, home, append(ls, line))
	res := verify(t, home)
	if !res.OK() || len(res.Issues) != 1 || res.Issues[0].Kind != auditlog.Uncommitted || res.Issues[0].Line != 9 {
		t.Fatalf("issues = %v, want one uncommitted record at line 9", res.Issues)
	}
	if _, err := s.Describe(t.Context(), "app/one"); err != nil {
		t.Fatal(err)
	}
	res = verify(t, home)
	if len(res.Issues) != 0 || res.Records != 9 {
		t.Errorf("after the next write: %d records, issues %v; want 9 and none", res.Records, res.Issues)
	}
	recs := readAll(t, s.AuditLogPath())
	if recs[8].EventName != "DescribeSecret" {
		t.Errorf("record 9 is %s, want the Describe that replaced the uncommitted one", recs[8].EventName)
	}

	// Half a record (a write cut short by a power loss) is dropped the same way.
	head, _ = s.AuditHead(t.Context())
	_, line, _ = auditlog.Seal(auditlog.Record{EventName: "GetSecretValue", EventTime: fixedNow}, head, auditlog.Chain{})
	writeLines(t, home, append(lines(t, home), line[:len(line)/2]))
	if res = verify(t, home); !res.OK() || len(res.Issues) != 1 || res.Issues[0].Kind != auditlog.Uncommitted {
		t.Errorf("issues with half a record at the end = %v; want one uncommitted", res.Issues)
	}
	if _, err := s.Describe(t.Context(), "app/one"); err != nil {
		t.Fatal(err)
	}
	if res = verify(t, home); len(res.Issues) != 0 || res.Records != 10 {
		t.Errorf("after the next write: %d records, issues %v; want 10 and none", res.Records, res.Issues)
	}
}

func TestReadStopsOnError(t *testing.T) {
	_, ls := buildLog(t)
	stop := errors.New("stop")
	n := 0
	err := auditlog.Read(bytes.NewReader(bytes.Join(ls, nil)), func(r auditlog.Record) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("Read = %v after %d records", err, n)
	}
	err = auditlog.Read(strings.NewReader("{}\nnot json\n"), func(auditlog.Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("Read of a bad line = %v; want an error naming line 2", err)
	}
}

// TestWriteAfterTamper: a write after a hand edit that changed the file's
// length keeps the evidence instead of cutting the file at the committed
// length.
func TestWriteAfterTamper(t *testing.T) {
	home, ls := buildLog(t)
	ls[2] = bytes.Replace(ls[2], []byte(`"userName":"alice"`), []byte(`"userName":"mallory-the-longer"`), 1)
	writeLines(t, home, ls)
	s := openStore(t, home)
	if _, err := s.Describe(t.Context(), "app/one"); err != nil {
		t.Fatal(err)
	}
	res := verify(t, home)
	if len(res.Issues) != 1 || res.Issues[0].Kind != auditlog.Edited || res.Issues[0].Line != 3 || res.Records != 9 {
		t.Errorf("after a write: %d records, issues %v; want 9 and the edit at line 3", res.Records, res.Issues)
	}

	// A cut that leaves no newline at the end: the next record starts a new line.
	home, ls = buildLog(t)
	ls[7] = ls[7][:len(ls[7])/2]
	writeLines(t, home, ls)
	s = openStore(t, home)
	if _, err := s.Describe(t.Context(), "app/one"); err != nil {
		t.Fatal(err)
	}
	res = verify(t, home)
	var kinds []auditlog.IssueKind
	for _, is := range res.Issues {
		kinds = append(kinds, is.Kind)
	}
	if !slices.Equal(kinds, []auditlog.IssueKind{auditlog.Malformed, auditlog.Deleted}) || res.Records != 8 {
		t.Errorf("after a cut and a write: %d records, issues %v; want the cut line malformed and seq 8 deleted", res.Records, res.Issues)
	}
}

// TestAppendAll: records appended as a group chain exactly as if appended
// one by one, in one write, and the result verifies against the new head.
func TestAppendAll(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := auditlog.Chain{Key: []byte("0123456789abcdef0123456789abcdef")}
	_, head, err := auditlog.Append(f, auditlog.EmptyHead(), auditlog.Record{EventName: "CreateSecret", EventTime: fixedNow}, c)
	if err != nil {
		t.Fatal(err)
	}
	recs := []auditlog.Record{{EventName: "GetSecretValue", EventTime: fixedNow}, {EventName: "GetSecretValue", EventTime: fixedNow}, {EventName: "DescribeSecret", EventTime: fixedNow}}
	sealed, next, err := auditlog.AppendAll(f, head, recs, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(sealed) != 3 || sealed[0].Seq != 2 || sealed[2].Seq != 4 || sealed[1].PrevHash != sealed[0].Hash || next.Seq != 4 || next.Hash != sealed[2].Hash {
		t.Fatalf("sealed %+v, head %+v", sealed, next)
	}
	if st, _ := f.Stat(); st.Size() != next.Offset {
		t.Errorf("file is %d bytes, head says %d", st.Size(), next.Offset)
	}
	res, err := auditlog.Verify(mustOpen(t, path), next, c)
	if err != nil || !res.OK() || res.Records != 4 {
		t.Errorf("Verify: %+v, %v", res, err)
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
