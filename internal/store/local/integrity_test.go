package local_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite"

	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/local"
)

var itActor = local.Actor{UserName: "tester", PrincipalID: "1000", Host: "testhost", UserAgent: "secretctl/test"}

func itOpen(t *testing.T, home string, now time.Time) *local.Store {
	t.Helper()
	s, err := local.Open(t.Context(), local.Options{Home: home, Actor: itActor, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rawDB opens store.db the way someone without the key would: plain SQL.
func rawDB(t *testing.T, home string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(home, local.DBFile)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// editRecord changes the JSON record of the named secret in place, and
// keeps the row's deleted_at column in step with it as a careful forger
// would.
func editRecord(t *testing.T, db *sql.DB, name string, change func(m map[string]any)) {
	t.Helper()
	var b []byte
	if err := db.QueryRow(`SELECT record FROM secrets WHERE name = ?`, name).Scan(&b); err != nil {
		t.Fatalf("read record of %s: %v", name, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var del any
	if d, ok := m["deleted"].(string); ok {
		tm, err := time.Parse(time.RFC3339Nano, d)
		if err != nil {
			t.Fatal(err)
		}
		del = tm.UnixNano()
	}
	if _, err := db.Exec(`UPDATE secrets SET record = ?, deleted_at = ? WHERE name = ?`, b, del, name); err != nil {
		t.Fatal(err)
	}
}

func versions(m map[string]any) []map[string]any {
	var out []map[string]any
	for _, v := range m["versions"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

func hasStage(v map[string]any, stage string) bool {
	st, _ := v["stages"].([]any)
	return slices.Contains(st, any(stage))
}

// fixture is a store with four secrets: rotated has three versions, tagged
// has tags and a rotation configuration, deleted is scheduled for
// deletion, and other is never touched.
type fixture struct {
	home   string
	now    time.Time
	values map[string][]secret.Value // per secret, oldest version first
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := t.Context()
	f := fixture{home: t.TempDir(), now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), values: map[string][]secret.Value{}}
	s := itOpen(t, f.home, f.now)
	val := func() secret.Value { return secret.New("integrity-canary-" + uuid.NewString()) }
	for _, name := range []string{"app/rotated", "app/tagged", "app/deleted", "app/other"} {
		v := val()
		in := store.CreateInput{Value: v}
		if name == "app/tagged" {
			in.Tags = map[string]string{"team": "payments", "secretctl:rotator": "random", "secretctl:schedule": "rate(30 days)"}
		}
		if _, err := s.Create(ctx, name, in); err != nil {
			t.Fatal(err)
		}
		f.values[name] = []secret.Value{v}
	}
	for range 2 {
		v := val()
		if _, err := s.Put(ctx, "app/rotated", v, store.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		f.values["app/rotated"] = append(f.values["app/rotated"], v)
	}
	if _, _, err := s.Delete(ctx, "app/deleted", store.DeleteOptions{RecoveryDays: 7}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return f
}

// current is the value the fixture's secret serves.
func (f fixture) current(name string) secret.Value {
	vs := f.values[name]
	return vs[len(vs)-1]
}

// TestTamperedRecords edits store.db without the key in each way the
// integrity check is there for: the next read of that secret is an
// integrity error naming it, Verify names it too, and every other secret
// still reads.
func TestTamperedRecords(t *testing.T) {
	cases := []struct {
		name    string
		victims []string
		tamper  func(t *testing.T, db *sql.DB)
	}{
		{"move AWSCURRENT to an older version", []string{"app/rotated"}, func(t *testing.T, db *sql.DB) {
			editRecord(t, db, "app/rotated", func(m map[string]any) {
				vs := versions(m)
				for _, v := range vs {
					v["stages"] = []any{}
				}
				vs[0]["stages"] = []any{store.StageCurrent}
			})
		}},
		{"remove a deletion date", []string{"app/deleted"}, func(t *testing.T, db *sql.DB) {
			editRecord(t, db, "app/deleted", func(m map[string]any) { delete(m, "deleted") })
		}},
		{"clear only the deletion column", []string{"app/deleted"}, func(t *testing.T, db *sql.DB) {
			if _, err := db.Exec(`UPDATE secrets SET deleted_at = NULL WHERE name = 'app/deleted'`); err != nil {
				t.Fatal(err)
			}
		}},
		{"change a tag", []string{"app/tagged"}, func(t *testing.T, db *sql.DB) {
			editRecord(t, db, "app/tagged", func(m map[string]any) { m["tags"].(map[string]any)["team"] = "mallory" })
		}},
		{"turn off rotation", []string{"app/tagged"}, func(t *testing.T, db *sql.DB) {
			editRecord(t, db, "app/tagged", func(m map[string]any) {
				delete(m["tags"].(map[string]any), "secretctl:rotator")
				delete(m["tags"].(map[string]any), "secretctl:schedule")
			})
		}},
		{"swap two secrets' records", []string{"app/rotated", "app/tagged"}, func(t *testing.T, db *sql.DB) {
			type rec struct{ record, mac []byte }
			get := func(name string) rec {
				var r rec
				if err := db.QueryRow(`SELECT record, mac FROM secrets WHERE name = ?`, name).Scan(&r.record, &r.mac); err != nil {
					t.Fatal(err)
				}
				return r
			}
			a, b := get("app/rotated"), get("app/tagged")
			for name, r := range map[string]rec{"app/rotated": b, "app/tagged": a} {
				if _, err := db.Exec(`UPDATE secrets SET record = ?, mac = ? WHERE name = ?`, r.record, r.mac, name); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"delete a version row", []string{"app/rotated"}, func(t *testing.T, db *sql.DB) {
			// A secret's versions are entries of its record's version list:
			// drop the previous version, leaving AWSCURRENT in place.
			editRecord(t, db, "app/rotated", func(m map[string]any) {
				vs := m["versions"].([]any)
				m["versions"] = slices.DeleteFunc(vs, func(v any) bool { return hasStage(v.(map[string]any), store.StagePrevious) })
			})
		}},
		{"set a past deletion date so the next operation purges it", []string{"app/other"}, func(t *testing.T, db *sql.DB) {
			if _, err := db.Exec(`UPDATE secrets SET deleted_at = 1 WHERE name = 'app/other'`); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tc.tamper(t, rawDB(t, f.home))
			s := itOpen(t, f.home, f.now.Add(time.Hour))
			ctx := t.Context()
			var texts []string
			for _, name := range tc.victims {
				_, err := s.Get(ctx, name, store.GetOptions{})
				checkIntegrityErr(t, "Get", name, err)
				_, err = s.Describe(ctx, name)
				checkIntegrityErr(t, "Describe", name, err)
				_, err = s.Versions(ctx, name, true)
				checkIntegrityErr(t, "Versions", name, err)
				_, err = s.Put(ctx, name, secret.New("integrity-canary-"+uuid.NewString()), store.PutOptions{})
				checkIntegrityErr(t, "Put", name, err)
				if err != nil {
					texts = append(texts, err.Error())
				}
			}
			for name := range f.values {
				if slices.Contains(tc.victims, name) {
					continue
				}
				if name == "app/deleted" {
					if m, err := s.Describe(ctx, name); err != nil || m.DeletedDate == nil {
						t.Errorf("untouched %s: Describe = %+v, %v; want it still scheduled for deletion", name, m, err)
					}
					continue
				}
				got, err := s.Get(ctx, name, store.GetOptions{})
				if err != nil || !got.Value.Equal(f.current(name)) {
					t.Errorf("untouched %s: Get = %v; want its current value", name, err)
				}
			}
			rep, err := s.Verify(ctx, nil)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			var bad []string
			for _, ri := range rep.Records {
				bad = append(bad, ri.Name)
				texts = append(texts, ri.Detail)
			}
			slices.Sort(bad)
			want := slices.Sorted(slices.Values(tc.victims))
			if !slices.Equal(bad, want) || rep.Secrets != 4 || rep.OK() {
				t.Errorf("Verify: %d secrets, bad %v, OK %v; want 4, %v, false", rep.Secrets, bad, rep.OK(), want)
			}
			if !rep.Audit.OK() {
				t.Errorf("the audit log does not verify: %v", rep.Audit.Issues)
			}
			for _, vs := range f.values {
				for _, v := range vs {
					for _, text := range texts {
						if strings.Contains(text, string(v.Reveal())) {
							t.Fatalf("a secret value is in an error: %s", text)
						}
					}
				}
			}
		})
	}
}

func checkIntegrityErr(t *testing.T, op, name string, err error) {
	t.Helper()
	if !errors.Is(err, local.ErrIntegrity) || !strings.Contains(err.Error(), "secret "+name+" ") || strings.Contains(err.Error(), "\n") {
		t.Errorf("%s of tampered %s = %v; want one line, an integrity error naming it", op, name, err)
	}
}

// TestUntamperedVerifies: a store used normally verifies, and Verify
// writes no audit record.
func TestUntamperedVerifies(t *testing.T) {
	f := newFixture(t)
	s := itOpen(t, f.home, f.now)
	head, err := s.AuditHead(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Verify(t.Context(), nil)
	if err != nil || !rep.OK() || rep.Secrets != 4 || rep.Audit.Records != int(head.Seq) {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
	if after, _ := s.AuditHead(t.Context()); after != head {
		t.Errorf("Verify moved the audit head from %+v to %+v", head, after)
	}
	if _, err := local.Verify(t.Context(), local.Options{Home: t.TempDir()}, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Verify of an empty directory = %v; want ErrNotFound and no store created", err)
	}
}

// TestForgedAuditHead forges the last audit record and the head in the
// database, recomputed with plain SHA-256 the way format 1 chained them:
// without the key the forgery does not verify.
func TestForgedAuditHead(t *testing.T) {
	f := newFixture(t)
	logPath := filepath.Join(f.home, local.AuditFile)
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(raw, []byte("\n"))
	lines = lines[:len(lines)-1] // the empty tail after the last newline
	last := len(lines) - 1
	var m map[string]any
	if err := json.Unmarshal(lines[last], &m); err != nil {
		t.Fatal(err)
	}
	m["eventName"] = "ListSecrets" // hide the DeleteSecret
	delete(m, "hash")
	b, _ := json.Marshal(m)
	h, err := auditlog.Hash(b) // the plain SHA-256 of the canonical record
	if err != nil {
		t.Fatal(err)
	}
	m["hash"] = h
	b, _ = json.Marshal(m)
	lines[last] = append(b, '\n')
	forged := bytes.Join(lines, nil)
	if err := os.WriteFile(logPath, forged, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB(t, f.home).Exec(`UPDATE audit_head SET hash = ?, offset = ?`, h, len(forged)); err != nil {
		t.Fatal(err)
	}

	res, err := local.VerifyAudit(t.Context(), local.Options{Home: f.home, Actor: itActor})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || len(res.Issues) != 1 || res.Issues[0].Kind != auditlog.Edited || res.Issues[0].Line != last+1 {
		t.Errorf("issues = %v; want the forged record at line %d edited", res.Issues, last+1)
	}
	// The forged record is consistent the old way: its plain SHA-256 is the
	// hash it carries and the head names it. Only the key catches it.
	if h2, err := auditlog.Hash(lines[last]); err != nil || h2 != h || res.Head.Hash != h {
		t.Errorf("the forgery is not consistent under plain SHA-256 (%v); the test forges it wrongly", err)
	}
}

// TestSettingsTamper: the store-wide settings (format, where the chain
// became keyed) carry a MAC too.
func TestSettingsTamper(t *testing.T) {
	f := newFixture(t)
	if _, err := rawDB(t, f.home).Exec(`UPDATE store_settings SET v = '{"format":2,"auditLegacySeq":99,"auditLegacyHash":"00"}' WHERE k = 'integrity'`); err != nil {
		t.Fatal(err)
	}
	s := itOpen(t, f.home, f.now)
	if _, err := s.Get(t.Context(), "app/other", store.GetOptions{}); !errors.Is(err, local.ErrIntegrity) || !strings.Contains(err.Error(), "settings") {
		t.Errorf("Get after the settings were changed = %v; want an integrity error about the settings", err)
	}
}

// copyDir copies a fixture directory, since opening a store may upgrade it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, d.Name()), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func userVersion(t *testing.T, home string) int {
	t.Helper()
	var v int
	if err := rawDB(t, home).QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestUpgradeFormat1 opens a store written by the format-1 release
// (testdata/format1, see its README): the first operation upgrades it in
// place, every secret reads as before, and it then verifies, its unkeyed
// log included.
func TestUpgradeFormat1(t *testing.T) {
	home := copyDir(t, filepath.Join("testdata", "format1"))
	if v := userVersion(t, home); v != 0 {
		t.Fatalf("fixture user_version %d, want 0 (format 1)", v)
	}
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) // before app/old's deletion date
	s := itOpen(t, home, now)
	ctx := t.Context()
	if s.Upgraded() {
		t.Error("Open upgraded the store; the first operation, which has the key, should")
	}
	got, err := s.Get(ctx, "app/db", store.GetOptions{})
	if err != nil || got.Value.Reveal() == nil || string(got.Value.Reveal()) != "format1-canary-db-v3" {
		t.Fatalf("Get app/db = %v (value ok: %v)", err, err == nil && string(got.Value.Reveal()) == "format1-canary-db-v3")
	}
	if !s.Upgraded() || userVersion(t, home) != 2 {
		t.Fatalf("after the first operation: upgraded %v, user_version %d; want true, 2", s.Upgraded(), userVersion(t, home))
	}
	prev, err := s.Get(ctx, "app/db", store.GetOptions{Stage: store.StagePrevious})
	if err != nil || string(prev.Value.Reveal()) != "format1-canary-db-v2" {
		t.Errorf("Get app/db AWSPREVIOUS = %v", err)
	}
	if vs, err := s.Versions(ctx, "app/db", true); err != nil || len(vs) != 3 {
		t.Errorf("Versions app/db = %d, %v; want 3", len(vs), err)
	}
	bin, err := s.Get(ctx, "app/bin", store.GetOptions{})
	if err != nil || !bin.Value.IsBinary() || string(bin.Value.Reveal()) != "format1-canary-bin-v1" {
		t.Errorf("Get app/bin = %v", err)
	}
	m, err := s.Describe(ctx, "app/api")
	if err != nil || m.Tags["team"] != "web" || m.Tags["secretctl:rotator"] != "random" {
		t.Errorf("Describe app/api = %+v, %v; want its tags and rotation configuration", m.Tags, err)
	}
	if m, err := s.Describe(ctx, "app/old"); err != nil || m.DeletedDate == nil {
		t.Errorf("Describe app/old = %+v, %v; want it scheduled for deletion", m, err)
	}
	list, err := s.List(ctx, store.ListOptions{IncludeDeleted: true})
	if err != nil || len(list) != 4 {
		t.Errorf("List = %d secrets, %v; want 4", len(list), err)
	}
	rep, err := s.Verify(ctx, nil)
	if err != nil || !rep.OK() || rep.Secrets != 4 {
		t.Fatalf("Verify after the upgrade = %+v, %v", rep, err)
	}
	if rep.Audit.Records <= 18 {
		t.Errorf("%d audit records; want the fixture's 18 and the new ones", rep.Audit.Records)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Once: a second open finds format 2 and upgrades nothing.
	s2 := itOpen(t, home, now)
	if _, err := s2.Get(ctx, "app/api", store.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	if s2.Upgraded() {
		t.Error("a format-2 store was upgraded again")
	}
	s2.Close()

	// The unkeyed part of the log is pinned by the upgrade: rewriting one of
	// its records and re-hashing the unkeyed chain after it, the old way,
	// is caught.
	logPath := filepath.Join(home, local.AuditFile)
	raw, _ := os.ReadFile(logPath)
	lines := bytes.SplitAfter(raw, []byte("\n"))
	prevHash := ""
	for i := 2; i < 18; i++ { // records seq 3 to 18
		var rec map[string]any
		json.Unmarshal(lines[i], &rec)
		if i == 2 {
			rec["userName"] = "mallory"
		} else {
			rec["prevHash"] = prevHash
		}
		delete(rec, "hash")
		b, _ := json.Marshal(rec)
		prevHash, _ = auditlog.Hash(b)
		rec["hash"] = prevHash
		b, _ = json.Marshal(rec)
		lines[i] = append(b, '\n')
	}
	os.WriteFile(logPath, bytes.Join(lines, nil), 0o600)
	res, err := local.VerifyAudit(ctx, local.Options{Home: home, Actor: itActor})
	if err != nil || res.OK() {
		t.Errorf("VerifyAudit of a re-hashed unkeyed prefix = %v, %v; want issues", res.Issues, err)
	}
}

// TestFormat1ReleaseRefuses runs what the format-1 release does when it
// opens a store (its schema statements, then the read of its key mode, in
// one transaction) against a format-2 store: it fails with the refusal in
// its error, and store.db is unchanged.
func TestFormat1ReleaseRefuses(t *testing.T) {
	f := newFixture(t)
	dbPath := filepath.Join(f.home, local.DBFile)
	db := rawDB(t, f.home)
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	const format1Schema = `
CREATE TABLE IF NOT EXISTS settings (k TEXT PRIMARY KEY, v BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS secrets (
	arn        TEXT PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	deleted_at INTEGER,
	record     BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS secrets_deleted ON secrets (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS audit_head (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	seq    INTEGER NOT NULL,
	hash   TEXT NOT NULL,
	offset INTEGER NOT NULL
);`
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, format1Schema); err != nil {
		t.Fatalf("the format-1 schema statements fail: %v; they are no-ops and the read of the key mode should refuse", err)
	}
	var mode string
	err = tx.QueryRowContext(ctx, `SELECT v FROM settings WHERE k = 'mode'`).Scan(&mode)
	tx.Rollback()
	if err == nil || !strings.Contains(err.Error(), "this store has format 2: upgrade secretctl to open it") {
		t.Errorf("format-1 read of the key mode = %q, %v; want the refusal", mode, err)
	}
	db.Close()
	after, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("store.db changed")
	}
	// This release, in turn, refuses a store of a format it does not know,
	// before writing anything.
	if _, err := rawDB(t, f.home).Exec(`PRAGMA user_version = 3`); err != nil {
		t.Fatal(err)
	}
	if _, err := local.Open(ctx, local.Options{Home: f.home, Actor: itActor}); err == nil || !strings.Contains(err.Error(), "has format 3") {
		t.Errorf("Open of a format-3 store = %v; want a refusal", err)
	}
}

// TestExpectHead restores an older copy of both store.db and audit.log: in
// itself the copy verifies, and only the head kept from a later verify
// shows the rollback.
func TestExpectHead(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	backup := copyDir(t, f.home) // closed store: no -wal left behind
	s := itOpen(t, f.home, f.now)
	if _, err := s.Put(ctx, "app/rotated", secret.New("integrity-canary-"+uuid.NewString()), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Verify(ctx, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
	kept, err := auditlog.ParseHead(rep.Audit.Head.String())
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := s.Verify(ctx, &kept); err != nil || !rep.OK() {
		t.Errorf("Verify against its own head = %+v, %v", rep.HeadIssue, err)
	}
	if _, err := s.Describe(ctx, "app/other"); err != nil { // the chain moves on from the kept head
		t.Fatal(err)
	}
	if rep, err := s.Verify(ctx, &kept); err != nil || !rep.OK() {
		t.Errorf("Verify after more operations = %q, %v; want the chain to continue from the kept head", rep.HeadIssue, err)
	}
	s.Close()

	for _, name := range []string{local.DBFile, local.AuditFile} {
		b, err := os.ReadFile(filepath.Join(backup, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(f.home, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(filepath.Join(f.home, local.DBFile+"-wal"))
	os.Remove(filepath.Join(f.home, local.DBFile+"-shm"))
	rep, err = local.Verify(ctx, local.Options{Home: f.home, Actor: itActor}, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("the restored copy in itself = %+v, %v; want it consistent", rep, err)
	}
	rep, err = local.Verify(ctx, local.Options{Home: f.home, Actor: itActor}, &kept)
	if err != nil || rep.OK() || !strings.Contains(rep.HeadIssue, "older copy") {
		t.Errorf("the restored copy against the kept head = %q, %v; want the rollback reported", rep.HeadIssue, err)
	}
	forged := kept
	forged.Hash = strings.Repeat("ab", 32)
	forged.Seq = 3
	if rep, err := local.Verify(ctx, local.Options{Home: f.home, Actor: itActor}, &forged); err != nil || !strings.Contains(rep.HeadIssue, "replaced") {
		t.Errorf("against a head whose record differs = %q, %v; want the replaced history reported", rep.HeadIssue, err)
	}
	if _, err := auditlog.ParseHead("12:nothex"); err == nil {
		t.Error("ParseHead accepted a malformed head")
	}
}

// TestRowSetTamper: rows that are genuine on their own but not the set
// secretctl last wrote (a secret's row removed, or put back from an older
// copy of store.db, with or without the digest that went with it) are
// caught by Verify.
func TestRowSetTamper(t *testing.T) {
	type snapshot struct{ record, mac []byte }
	grab := func(t *testing.T, db *sql.DB, name string) snapshot {
		var s snapshot
		if err := db.QueryRow(`SELECT record, mac FROM secrets WHERE name = ?`, name).Scan(&s.record, &s.mac); err != nil {
			t.Fatal(err)
		}
		return s
	}
	settings := func(t *testing.T, db *sql.DB) map[string]string {
		out := map[string]string{}
		rows, err := db.Query(`SELECT k, v FROM store_settings WHERE k LIKE 'rows_digest%'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var k, v string
			rows.Scan(&k, &v)
			out[k] = v
		}
		return out
	}
	cases := []struct {
		name     string
		withSets bool // put the older digest back too
		tamper   func(t *testing.T, db *sql.DB, old snapshot, oldSet map[string]string)
	}{
		{"remove a secret's row", false, func(t *testing.T, db *sql.DB, _ snapshot, _ map[string]string) {
			if _, err := db.Exec(`DELETE FROM secrets WHERE name = 'app/other'`); err != nil {
				t.Fatal(err)
			}
		}},
		{"put an older row back", false, func(t *testing.T, db *sql.DB, old snapshot, _ map[string]string) {
			if _, err := db.Exec(`UPDATE secrets SET record = ?, mac = ? WHERE name = 'app/rotated'`, old.record, old.mac); err != nil {
				t.Fatal(err)
			}
		}},
		{"put an older row and its digest back", true, func(t *testing.T, db *sql.DB, old snapshot, oldSet map[string]string) {
			if _, err := db.Exec(`UPDATE secrets SET record = ?, mac = ? WHERE name = 'app/rotated'`, old.record, old.mac); err != nil {
				t.Fatal(err)
			}
			for k, v := range oldSet {
				if _, err := db.Exec(`UPDATE store_settings SET v = ? WHERE k = ?`, v, k); err != nil {
					t.Fatal(err)
				}
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			db := rawDB(t, f.home)
			old, oldSet := grab(t, db, "app/rotated"), settings(t, db)
			s := itOpen(t, f.home, f.now)
			if _, err := s.Put(t.Context(), "app/rotated", secret.New("integrity-canary-"+uuid.NewString()), store.PutOptions{}); err != nil {
				t.Fatal(err)
			}
			s.Close()
			tc.tamper(t, db, old, oldSet)
			s = itOpen(t, f.home, f.now)
			rep, err := s.Verify(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() || rep.SetIssue == "" || len(rep.Records) != 0 {
				t.Errorf("Verify = set issue %q, records %v, OK %v; want the set reported, no single record", rep.SetIssue, rep.Records, rep.OK())
			}
			// An operation keeps the mismatch: the digest is updated, not rebuilt.
			if _, err := s.Describe(t.Context(), "app/tagged"); err != nil {
				t.Fatal(err)
			}
			if rep, _ := s.Verify(t.Context(), nil); rep.SetIssue == "" {
				t.Error("the set mismatch vanished after an operation")
			}
		})
	}
}
