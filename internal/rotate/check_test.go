package rotate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

// TestUnsuitableValueReservesNothing: a value the rotator cannot rotate is
// refused before AWSPENDING is reserved, so the secret is not left pending
// (which would make every later `rotate --due` retry it).
func TestUnsuitableValueReservesNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   Config
		value func(pw string) string
		want  string
	}{
		{"postgres-not-json", Config{Rotator: RotatorPostgres}, func(pw string) string { return pw }, "not a JSON object"},
		{"mysql-not-json", Config{Rotator: RotatorMySQL}, func(pw string) string { return pw }, "not a JSON object"},
		{"random-field-not-json", Config{Rotator: RotatorRandom, Params: Params{Field: "password"}}, func(pw string) string { return pw }, "not a JSON object"},
		{"postgres-oracle", Config{Rotator: RotatorPostgres}, func(pw string) string {
			return `{"engine":"oracle","host":"127.0.0.1","username":"u","password":"` + pw + `"}`
		}, `engine "oracle" is not handled by the postgres rotator`},
		{"mysql-postgres-engine", Config{Rotator: RotatorMySQL}, func(pw string) string {
			return `{"engine":"postgres","host":"127.0.0.1","username":"u","password":"` + pw + `"}`
		}, `engine "postgres" is not handled by the mysql rotator`},
		{"mysql-no-password", Config{Rotator: RotatorMySQL}, func(pw string) string {
			return `{"engine":"mysql","host":"127.0.0.1","username":"u","note":"` + pw + `"}`
		}, `key "password" is missing`},
		{"postgres-alternating-no-masterarn", Config{Rotator: RotatorPostgres, Strategy: AlternatingUsers}, func(pw string) string {
			return `{"engine":"postgres","host":"127.0.0.1","username":"u","password":"` + pw + `"}`
		}, `"masterarn"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openLocal(t, "")
			pw := canary(t)
			mustCreate(t, s, "r/x", tc.value(pw), nil)
			configure(t, s, "r/x", tc.cfg)
			before, _ := s.Describe(ctxT(t), "r/x")
			var progress syncBuf
			e := &Engine{Store: s, Progress: &progress}
			_, err := e.Rotate(ctxT(t), "r/x")
			if !errors.Is(err, ErrUnsuitable) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("rotate = %v; want ErrUnsuitable mentioning %q", err, tc.want)
			}
			if strings.Contains(progress.String(), "reserved AWSPENDING") || strings.Contains(progress.String(), "starting rotation") {
				t.Errorf("the rotation started before the value was checked:\n%s", progress.String())
			}
			m, _ := s.Describe(ctxT(t), "r/x")
			if p := m.VersionWith(store.StagePending); p != "" {
				t.Errorf("AWSPENDING reserved on %s after a refused rotation", p)
			}
			if m.CurrentVersion() != before.CurrentVersion() || len(m.Versions) != len(before.Versions) {
				t.Errorf("versions changed: %v -> %v", before.Versions, m.Versions)
			}
			st, err2 := e.Statuses(ctxT(t), "r/x", time.Now())
			if err2 != nil || len(st) != 1 || st[0].Pending != "" {
				t.Errorf("status after a refused rotation: %+v, %v", st, err2)
			}
			assertNoLeak(t, []string{pw}, progress.String(), err.Error())
		})
	}
}

// TestCheckCurrent covers the check `rotation set` runs: engines each
// database rotator accepts, and a secret with no value yet.
func TestCheckCurrent(t *testing.T) {
	s := openLocal(t, "")
	ctx := ctxT(t)
	pw := canary(t)
	dbv := func(engine string) string {
		return fmt.Sprintf(`{"engine":%q,"host":"127.0.0.1","username":"u","password":%q,"masterarn":"m"}`, engine, pw)
	}
	e := &Engine{Store: s}
	for i, tc := range []struct {
		rotator, value string
		ok             bool
	}{
		{RotatorPostgres, dbv("postgres"), true},
		{RotatorPostgres, dbv("aurora-postgresql"), true},
		{RotatorPostgres, dbv("oracle"), false},
		{RotatorPostgres, dbv("mysql"), false},
		{RotatorMySQL, dbv("mysql"), true},
		{RotatorMySQL, dbv("mariadb"), true},
		{RotatorMySQL, dbv("aurora-mysql"), true},
		{RotatorMySQL, dbv("aurora-postgresql"), false},
		{RotatorMySQL, pw, false},
		{RotatorRandom, pw, true},
	} {
		name := fmt.Sprintf("c/%d", i)
		mustCreate(t, s, name, tc.value, nil)
		m, err := s.Describe(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, strategy := range []string{"", AlternatingUsers} {
			if strategy != "" && tc.rotator == RotatorRandom {
				continue
			}
			cfg := Config{Rotator: tc.rotator, Strategy: strategy}
			err := e.CheckCurrent(ctx, m, cfg)
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrUnsuitable)) {
				t.Errorf("%s %s on %s: %v; want ok=%v", tc.rotator, strategy, name, err, tc.ok)
			}
			if err != nil {
				assertNoLeak(t, []string{pw}, err.Error())
			}
		}
	}
	// No value yet: nothing to check, rotation may be configured.
	if _, err := s.Create(ctx, "c/empty", store.CreateInput{}); err != nil {
		t.Fatal(err)
	}
	m, _ := s.Describe(ctx, "c/empty")
	if err := e.CheckCurrent(ctx, m, Config{Rotator: RotatorPostgres}); err != nil {
		t.Errorf("a secret with no value: %v", err)
	}
}

// TestResumeSkipsTheCheck: an unfinished rotation resumes with its token,
// as before, even when AWSCURRENT would not pass a new rotation's check:
// the value already stored under AWSPENDING is what it finishes with.
func TestResumeSkipsTheCheck(t *testing.T) {
	s := openLocal(t, "")
	old := canary(t)
	mustCreate(t, s, "r/res", `{"password":"`+old+`"}`, nil)
	configure(t, s, "r/res", Config{Rotator: RotatorRandom, Params: Params{Field: "password"}})
	e := &Engine{Store: s, BeforeStep: func(_ string, st Step) error {
		if st == StepSet {
			return errors.New("stop")
		}
		return nil
	}}
	first, _ := e.Rotate(ctxT(t), "r/res")
	if first.VersionID == "" {
		t.Fatal("no rotation started")
	}
	// AWSCURRENT changes to something a new rotation would refuse.
	if _, err := s.Put(ctxT(t), "r/res", secret.New(old+"-plain"), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	e.BeforeStep = nil
	second, err := e.Rotate(ctxT(t), "r/res")
	if err != nil || !second.Resumed || second.VersionID != first.VersionID {
		t.Fatalf("resume = %+v, %v; want %s resumed", second, err, first.VersionID)
	}
}

// TestRotateDueFoldsMultilineErrors: PostgreSQL's connection error spans
// lines; RotateDue's result and progress keep it on one line each.
func TestRotateDueFoldsMultilineErrors(t *testing.T) {
	port, err := freePort() // nothing listens there: connection refused
	if err != nil {
		t.Fatal(err)
	}
	s := openLocal(t, "")
	pw := canary(t)
	v := fmt.Sprintf(`{"engine":"postgres","host":"127.0.0.1","port":%d,"username":"x","password":%q}`, port, pw)
	mustCreateValue(t, s, "due/pg", secret.New(v))
	created := time.Now().UTC()
	configure(t, s, "due/pg", Config{Rotator: RotatorPostgres, Schedule: "rate(1 day)", EnabledAt: created.Add(-48 * time.Hour)})
	if _, err := (Postgres{}).Connect(context.Background(), DBSecret{Host: "127.0.0.1", Port: port, Username: "x", DBName: "postgres"}); err == nil || !strings.Contains(err.Error(), "\n") {
		t.Logf("note: the driver's connection error is on one line here: %v", err)
	}
	var progress syncBuf
	now := created.Add(25 * time.Hour)
	e := &Engine{Store: s, Progress: &progress, Now: func() time.Time { return now }}
	for run := 1; run <= 2; run++ { // a fresh rotation, then the resumed one
		rs, err := e.RotateDue(ctxT(t), now)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].Error == "" {
			t.Fatalf("run %d: RotateDue = %+v; want one failure", run, rs)
		}
		if strings.ContainsAny(rs[0].Error, "\n\r\t") || !strings.Contains(rs[0].Error, "connect") {
			t.Errorf("run %d: result error is not one line: %q", run, rs[0].Error)
		}
	}
	for _, l := range strings.Split(strings.TrimSuffix(progress.String(), "\n"), "\n") {
		if !strings.HasPrefix(l, "rotate due/pg: ") || strings.Contains(l, "\t") {
			t.Errorf("progress line broken across lines: %q\nall progress:\n%s", l, progress.String())
		}
	}
	assertNoLeak(t, []string{pw}, progress.String())
}
