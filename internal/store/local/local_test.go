package local

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/secret"

	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/storetest"
)

func openTest(t *testing.T, home string) *Store {
	t.Helper()
	return openWith(t, Options{Home: home})
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTest(t, t.TempDir()) }, storetest.Caps{})
}

func TestMain(m *testing.M) {
	scryptWorkFactor = 10 // keep passphrase tests fast; production uses age's default
	os.Exit(m.Run())
}

var testActor = Actor{UserName: "tester", PrincipalID: "1000", Host: "testhost", UserAgent: "secretctl/test"}

func openWith(t *testing.T, o Options) *Store {
	t.Helper()
	if o.Actor == (Actor{}) {
		o.Actor = testActor
	}
	s, err := Open(t.Context(), o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func canary(t *testing.T) secret.Value {
	t.Helper()
	return secret.New("local-canary-" + uuid.NewString())
}

func auditRecords(t *testing.T, s *Store) []auditlog.Record {
	t.Helper()
	f, err := os.Open(s.AuditLogPath())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []auditlog.Record
	if err := auditlog.Read(f, func(r auditlog.Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatalf("Read: %v", err)
	}
	return out
}

func TestCreatedAndInit(t *testing.T) {
	home := filepath.Join(t.TempDir(), "store")
	created, keyPath, err := Init(t.Context(), Options{Home: home, Actor: testActor})
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	if !created || keyPath != filepath.Join(home, KeyFile) {
		t.Errorf("Init = %v %q; want true and the key path", created, keyPath)
	}
	created, _, err = Init(t.Context(), Options{Home: home, Actor: testActor})
	if err != nil || created {
		t.Errorf("second Init = %v, %v; want false, nil", created, err)
	}
	s := openWith(t, Options{Home: home})
	if c, kp := s.Created(); c || kp != keyPath {
		t.Errorf("Created() on an existing store = %v %q", c, kp)
	}
	for _, p := range []string{filepath.Join(home, DBFile), keyPath} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, st.Mode().Perm())
		}
	}
	if _, err := s.Create(t.Context(), "modes", store.CreateInput{Value: canary(t)}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(home)
	for _, e := range entries {
		info, _ := e.Info()
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v, want no group/other access", e.Name(), info.Mode().Perm())
		}
	}
	if st, _ := os.Stat(home); st.Mode().Perm() != 0o700 {
		t.Errorf("home has mode %v, want 0700", st.Mode().Perm())
	}
}

func TestWrongKeyFile(t *testing.T) {
	home := t.TempDir()
	v := canary(t)
	s := openWith(t, Options{Home: home})
	if _, err := s.Create(t.Context(), "app/key", store.CreateInput{Value: v}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Another identity in the key file: every operation fails cleanly, since
	// records are authenticated with keys derived from the data key, and
	// none is logged: the chain is keyed too, so nothing is appended.
	before := len(auditRecords(t, s))
	other := filepath.Join(t.TempDir(), "other.txt")
	if _, _, err := loadOrCreateIdentity(other); err != nil {
		t.Fatal(err)
	}
	s2 := openWith(t, Options{Home: home, KeyFile: other})
	_, err := s2.Get(t.Context(), "app/key", store.GetOptions{})
	if !errors.Is(err, store.ErrDecryption) || !strings.Contains(err.Error(), "cannot unlock the local store: wrong passphrase or key file") {
		t.Fatalf("Get with the wrong key = %v; want ErrDecryption with the unlock message", err)
	}
	_, err = s2.Put(t.Context(), "app/key", canary(t), store.PutOptions{})
	if !errors.Is(err, store.ErrDecryption) {
		t.Errorf("Put with the wrong key = %v; want ErrDecryption", err)
	}
	if _, err := s2.Describe(t.Context(), "app/key"); !errors.Is(err, store.ErrDecryption) {
		t.Errorf("Describe with the wrong key = %v; want ErrDecryption", err)
	}
	if n := len(auditRecords(t, s2)); n != before {
		t.Errorf("%d audit records after the wrong-key calls, want %d (none appended)", n, before)
	}

	// A missing key file.
	s3 := openWith(t, Options{Home: home, KeyFile: filepath.Join(t.TempDir(), "absent.txt")})
	_, err = s3.Get(t.Context(), "app/key", store.GetOptions{})
	if !errors.Is(err, store.ErrDecryption) || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Get with a missing key file = %v", err)
	}

	// The right key again.
	s4 := openWith(t, Options{Home: home})
	got, err := s4.Get(t.Context(), "app/key", store.GetOptions{})
	if err != nil || !got.Value.Equal(v) {
		t.Errorf("Get with the right key = %v", err)
	}
	if res, err := s4.VerifyAudit(t.Context()); err != nil || !res.OK() {
		t.Errorf("VerifyAudit = %+v, %v", res, err)
	}
}

func TestPassphrase(t *testing.T) {
	home := t.TempDir()
	v := canary(t)
	s := openWith(t, Options{Home: home, Passphrase: "correct horse"})
	if c, kp := s.Created(); !c || kp != "" {
		t.Errorf("Created() = %v %q; want true and no key file", c, kp)
	}
	if _, err := s.Create(t.Context(), "pp", store.CreateInput{Value: v}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(home, KeyFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("passphrase mode wrote a key file: %v", err)
	}
	for _, pass := range []string{"wrong horse", ""} {
		s := openWith(t, Options{Home: home, Passphrase: pass})
		_, err := s.Get(t.Context(), "pp", store.GetOptions{})
		if !errors.Is(err, store.ErrDecryption) {
			t.Errorf("Get with passphrase %q = %v; want ErrDecryption", pass, err)
		}
		assertNoLeak(t, v, err.Error())
	}
	s = openWith(t, Options{Home: home, Passphrase: "correct horse"})
	got, err := s.Get(t.Context(), "pp", store.GetOptions{})
	if err != nil || !got.Value.Equal(v) {
		t.Errorf("Get with the right passphrase: %v", err)
	}
}

func assertNoLeak(t *testing.T, v secret.Value, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, v.RevealString()) {
			t.Errorf("the canary value leaked into %q", s)
		}
	}
}

// TestNoPlaintextOnDisk writes canaries and looks for them in every file of
// the home, while the WAL is live and after close.
func TestNoPlaintextOnDisk(t *testing.T) {
	home := t.TempDir()
	s := openWith(t, Options{Home: home})
	v1, v2 := canary(t), canary(t)
	bin := secret.NewBytes([]byte("binary-canary-"+uuid.NewString()), true)
	ctx := t.Context()
	if _, err := s.Create(ctx, "disk/one", store.CreateInput{Value: v1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "disk/one", v2, store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "disk/bin", store.CreateInput{Value: bin}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "disk/one", store.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Put(ctx, "disk/one", v1, store.PutOptions{Token: "short"}) // a failing write with a value
	if err == nil {
		t.Fatal("Put with a short token succeeded")
	}
	grep := func(when string) {
		t.Helper()
		entries, err := os.ReadDir(home)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(home, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			n++
			for _, v := range []secret.Value{v1, v2, bin} {
				if bytes.Contains(b, v.Reveal()) {
					t.Errorf("%s: a value is in plaintext in %s", when, e.Name())
				}
			}
		}
		if n < 3 {
			t.Errorf("%s: only %d files to check", when, n)
		}
	}
	if _, err := os.Stat(filepath.Join(home, DBFile+"-wal")); err != nil {
		t.Errorf("no WAL file while open: %v", err)
	}
	grep("while open")
	s.Close()
	grep("after close")
}

func TestPendingWithoutValue(t *testing.T) {
	now := time.Date(2026, 3, 14, 11, 20, 3, 0, time.UTC)
	s := openWith(t, Options{Home: t.TempDir(), Now: func() time.Time { return now }})
	ctx := t.Context()
	v1, v2 := canary(t), canary(t)
	t1, t2 := uuid.NewString(), uuid.NewString()
	if _, err := s.Create(ctx, "rot", store.CreateInput{Value: v1, Token: t1}); err != nil {
		t.Fatal(err)
	}
	// What RotateSecret does: reserve AWSPENDING on a version with no value.
	if _, err := s.UpdateStage(ctx, "rot", store.StageMove{Stage: store.StagePending, MoveTo: t2}); err != nil {
		t.Fatalf("UpdateStage AWSPENDING onto a new token: %v", err)
	}
	if m, _ := s.Describe(ctx, "rot"); m.VersionWith(store.StagePending) != t2 {
		t.Errorf("Describe after reserving = %v", m.Versions)
	}
	_, err := s.Get(ctx, "rot", store.GetOptions{Stage: store.StagePending})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get AWSPENDING with no value = %v; want ErrNotFound", err)
	}
	_, err = s.UpdateStage(ctx, "rot", store.StageMove{Stage: store.StageCurrent, MoveTo: t2, RemoveFrom: t1})
	if !errors.Is(err, store.ErrInvalidRequest) {
		t.Errorf("moving AWSCURRENT onto a valueless version = %v; want ErrInvalidRequest", err)
	}
	ref, err := s.Put(ctx, "rot", v2, store.PutOptions{Token: t2, Stages: []string{store.StagePending}})
	if err != nil || ref.VersionID != t2 {
		t.Fatalf("Put into the reserved version = %+v, %v", ref, err)
	}
	got, err := s.Get(ctx, "rot", store.GetOptions{Stage: store.StagePending})
	if err != nil || !got.Value.Equal(v2) {
		t.Fatalf("Get AWSPENDING = %v", err)
	}
	// Finishing the rotation.
	now = now.Add(time.Hour)
	if _, err := s.UpdateStage(ctx, "rot", store.StageMove{Stage: store.StageCurrent, MoveTo: t2, RemoveFrom: t1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateStage(ctx, "rot", store.StageMove{Stage: store.StagePending, RemoveFrom: t2}); err != nil {
		t.Fatal(err)
	}
	m, err := s.Describe(ctx, "rot")
	if err != nil {
		t.Fatal(err)
	}
	if m.CurrentVersion() != t2 || m.VersionWith(store.StagePrevious) != t1 || m.VersionWith(store.StagePending) != "" {
		t.Errorf("after the rotation, versions = %v", m.Versions)
	}
	if m.LastRotatedDate == nil || !m.LastRotatedDate.Equal(now) {
		t.Errorf("LastRotatedDate = %v, want %v", m.LastRotatedDate, now)
	}
	// A reserved version that loses its label disappears.
	t3 := uuid.NewString()
	if _, err := s.UpdateStage(ctx, "rot", store.StageMove{Stage: store.StagePending, MoveTo: t3}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateStage(ctx, "rot", store.StageMove{Stage: store.StagePending, RemoveFrom: t3}); err != nil {
		t.Fatal(err)
	}
	vs, _ := s.Versions(ctx, "rot", true)
	for _, v := range vs {
		if v.VersionID == t3 {
			t.Errorf("an abandoned valueless version is still listed")
		}
	}
}

func TestAccessAndPurgeDates(t *testing.T) {
	now := time.Date(2026, 3, 14, 11, 20, 3, 0, time.UTC)
	s := openWith(t, Options{Home: t.TempDir(), Now: func() time.Time { return now }})
	ctx := t.Context()
	if _, err := s.Create(ctx, "dates", store.CreateInput{Value: canary(t)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "dates", store.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	m, _ := s.Describe(ctx, "dates")
	if want := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC); m.LastAccessedDate == nil || !m.LastAccessedDate.Equal(want) {
		t.Errorf("LastAccessedDate = %v, want %v", m.LastAccessedDate, want)
	}
	_, when, err := s.Delete(ctx, "dates", store.DeleteOptions{RecoveryDays: 7})
	if err != nil || !when.Equal(now.Add(7*24*time.Hour)) {
		t.Fatalf("Delete = %v, %v", when, err)
	}
	now = now.Add(7*24*time.Hour + time.Second)
	if _, err := s.Describe(ctx, "dates"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Describe after the recovery window = %v; want ErrNotFound", err)
	}
	if _, err := s.Create(ctx, "dates", store.CreateInput{Value: canary(t)}); err != nil {
		t.Errorf("Create after the purge: %v", err)
	}
}

func TestLabelLimit(t *testing.T) {
	s := openWith(t, Options{Home: t.TempDir()})
	ctx := t.Context()
	tok := uuid.NewString()
	if _, err := s.Create(ctx, "labels", store.CreateInput{Value: canary(t), Token: tok}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < store.MaxLabels; i++ { // AWSCURRENT plus 19
		if _, err := s.UpdateStage(ctx, "labels", store.StageMove{Stage: fmt.Sprintf("l%d", i), MoveTo: tok}); err != nil {
			t.Fatalf("label %d: %v", i, err)
		}
	}
	_, err := s.UpdateStage(ctx, "labels", store.StageMove{Stage: "one-too-many", MoveTo: tok})
	if !errors.Is(err, store.ErrLimitExceeded) {
		t.Errorf("the 21st label = %v; want ErrLimitExceeded", err)
	}
}

func TestCiphertextBoundToVersion(t *testing.T) {
	s := openWith(t, Options{Home: t.TempDir()})
	ctx := t.Context()
	t1, t2 := uuid.NewString(), uuid.NewString()
	if _, err := s.Create(ctx, "bound", store.CreateInput{Value: canary(t), Token: t1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "bound", canary(t), store.PutOptions{Token: t2}); err != nil {
		t.Fatal(err)
	}
	// Swap the two ciphertexts behind the store's back.
	var b []byte
	if err := s.db.QueryRow(`SELECT record FROM secrets WHERE name = 'bound'`).Scan(&b); err != nil {
		t.Fatal(err)
	}
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	r.Versions[0].Sealed, r.Versions[1].Sealed = r.Versions[1].Sealed, r.Versions[0].Sealed
	b, _ = json.Marshal(&r)
	if _, err := s.db.Exec(`UPDATE secrets SET record = ? WHERE name = 'bound'`, b); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "bound", store.GetOptions{}); !errors.Is(err, store.ErrDecryption) {
		t.Errorf("Get of a ciphertext moved to another version = %v; want ErrDecryption", err)
	}
}

func TestUnlock(t *testing.T) {
	home := t.TempDir()
	openWith(t, Options{Home: home}).Close()
	if err := openWith(t, Options{Home: home}).Unlock(); err != nil {
		t.Errorf("Unlock with the right key: %v", err)
	}
	other := filepath.Join(t.TempDir(), "other.txt")
	if _, _, err := loadOrCreateIdentity(other); err != nil {
		t.Fatal(err)
	}
	if err := openWith(t, Options{Home: home, KeyFile: other}).Unlock(); !errors.Is(err, store.ErrDecryption) {
		t.Errorf("Unlock with another key = %v; want ErrDecryption", err)
	}
}

func TestCreateRetrySameToken(t *testing.T) {
	s := openWith(t, Options{Home: t.TempDir()})
	ctx := t.Context()
	v := canary(t)
	tok := uuid.NewString()
	first, err := s.Create(ctx, "retry", store.CreateInput{Value: v, Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Create(ctx, "retry", store.CreateInput{Value: v, Token: tok})
	if err != nil || again.ARN != first.ARN || again.VersionID != tok {
		t.Errorf("Create repeated with the same token and value = %+v, %v; want the same secret", again, err)
	}
	_, err = s.Create(ctx, "retry", store.CreateInput{Value: canary(t), Token: tok})
	if !errors.Is(err, store.ErrExists) {
		t.Errorf("Create with the same token and another value = %v; want ErrExists", err)
	}
}

func BenchmarkPut(b *testing.B) {
	// The clock moves an hour per call so deprecated versions age and are
	// pruned past 100, as they would be at a sustainable write rate.
	now := time.Now()
	tick := func() time.Time { now = now.Add(time.Hour); return now }
	s, err := Open(b.Context(), Options{Home: b.TempDir(), Actor: testActor, Now: tick})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Create(b.Context(), "bench", store.CreateInput{Value: secret.New("v0")}); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		if _, err := s.Put(b.Context(), "bench", secret.New(fmt.Sprintf("value-%d", i)), store.PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	s, err := Open(b.Context(), Options{Home: b.TempDir(), Actor: testActor})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Create(b.Context(), "bench", store.CreateInput{Value: secret.New("v0")}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Get(b.Context(), "bench", store.GetOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
