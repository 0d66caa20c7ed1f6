package rotate

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

func TestStatusAndRotateDue(t *testing.T) {
	s := openLocal(t, "")
	ctx := ctxT(t)
	created := time.Now().UTC()
	for _, n := range []string{"due/a", "due/b", "due/fail", "later", "manual"} {
		mustCreate(t, s, n, canary(t), nil)
	}
	enabled := created.Add(-48 * time.Hour)
	for _, n := range []string{"due/a", "due/b", "due/fail"} {
		configure(t, s, n, Config{Rotator: RotatorRandom, Schedule: "rate(1 day)", EnabledAt: enabled})
	}
	// "later" was written just now, which counts as a rotation.
	configure(t, s, "later", Config{Rotator: RotatorRandom, Schedule: "rate(30 days)", Window: "2h", EnabledAt: enabled})
	configure(t, s, "manual", Config{Rotator: RotatorRandom})

	now := created.Add(25 * time.Hour) // past the first window of a daily schedule
	e := &Engine{Store: s, NewRotator: func(c Config) (Rotator, error) { return NewRotator(c) }}
	sts, err := e.Statuses(ctx, "", now)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Status{}
	for _, st := range sts {
		byName[st.Name] = st
	}
	if len(sts) != 5 {
		t.Fatalf("status lists %d secrets, want 5", len(sts))
	}
	if a := byName["due/a"]; !a.Due || a.Schedule != "rate(1 day)" || a.NextDue == nil {
		t.Errorf("due/a: %+v", a)
	}
	l := byName["later"]
	wantStart := time.Date(created.Year(), created.Month(), created.Day()+30, 0, 0, 0, 0, time.UTC)
	if l.Due || l.NextDue == nil || !l.NextDue.Equal(wantStart) || !l.NextRotation.Equal(wantStart.Add(2*time.Hour)) {
		t.Errorf("later: due=%v next=%v..%v; want %v", l.Due, l.NextDue, l.NextRotation, wantStart)
	}
	if m := byName["manual"]; m.Due || m.NextDue != nil {
		t.Errorf("manual: %+v", m)
	}

	names := []string{}
	rs, err := (&Engine{Store: s, Now: func() time.Time { return now }, NewRotator: pickByCurrent(s, "due/fail")}).RotateDue(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, r := range rs {
		names = append(names, r.Name)
		if r.Error != "" {
			failed++
			if r.Name != "due/fail" {
				t.Errorf("%s failed: %s", r.Name, r.Error)
			}
		}
	}
	if len(rs) != 3 || failed != 1 {
		t.Fatalf("RotateDue rotated %v with %d failures; want due/a, due/b, due/fail with 1 failure", names, failed)
	}
	// Rotated secrets are no longer due; the failed one still is.
	sts, _ = e.Statuses(ctx, "", now)
	for _, st := range sts {
		if want := st.Name == "due/fail"; st.Due != want {
			t.Errorf("after RotateDue %s due=%v, want %v", st.Name, st.Due, want)
		}
	}
}

// pickByCurrent fails the rotation of one secret, recognised by its value.
func pickByCurrent(s store.Store, name string) func(Config) (Rotator, error) {
	v, _ := s.Get(context.Background(), name, store.GetOptions{})
	return func(c Config) (Rotator, error) {
		return &valueSwitch{bad: v.Value}, nil
	}
}

type valueSwitch struct {
	Random
	bad secret.Value
}

func (r *valueSwitch) Set(ctx context.Context, req *Request) error {
	if req.Current.Equal(r.bad) {
		return errors.New("target refused")
	}
	return nil
}

// TestRotateDueFinishesOnDemandPending: a secret without a schedule whose
// rotation stopped half way is due, so `rotate --due` finishes it.
func TestRotateDueFinishesOnDemandPending(t *testing.T) {
	s := openLocal(t, "")
	mustCreate(t, s, "ondemand/stuck", canary(t), nil)
	configure(t, s, "ondemand/stuck", Config{Rotator: RotatorRandom})
	stop := &Engine{Store: s, BeforeStep: func(_ string, st Step) error {
		if st == StepTest {
			return errors.New("stop")
		}
		return nil
	}}
	first, _ := stop.Rotate(ctxT(t), "ondemand/stuck")
	m, _ := s.Describe(ctxT(t), "ondemand/stuck")
	if m.VersionWith(store.StagePending) != first.VersionID {
		t.Fatalf("no stuck AWSPENDING")
	}
	e := &Engine{Store: s}
	sts, err := e.Statuses(ctxT(t), "ondemand/stuck", e.now())
	if err != nil || len(sts) != 1 || !sts[0].Due {
		t.Fatalf("status of a stuck on-demand rotation = %+v, %v; want due", sts, err)
	}
	rs, err := e.RotateDue(ctxT(t), e.now())
	if err != nil || len(rs) != 1 || rs[0].Error != "" || rs[0].VersionID != first.VersionID {
		t.Fatalf("RotateDue = %+v, %v; want the stuck rotation %s finished", rs, err, first.VersionID)
	}
	if mustStage(t, s, "ondemand/stuck", store.StageCurrent).VersionID != first.VersionID {
		t.Errorf("AWSCURRENT is not the finished rotation's version")
	}
}
