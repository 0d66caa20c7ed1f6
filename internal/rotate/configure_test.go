package rotate

import (
	"errors"
	"testing"
	"time"
)

func TestConfigure(t *testing.T) {
	s := openLocal(t, "")
	v := canary(t)
	mustCreate(t, s, "app/token", v, nil)
	now := time.Date(2026, 3, 14, 11, 0, 0, 0, time.UTC)
	e := &Engine{Store: s, Now: func() time.Time { return now }}

	cfg := Config{Rotator: RotatorRandom, Schedule: "rate(30 days)", Params: Params{Length: 40}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := e.Configure(ctxT(t), "app/token", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Meta.Name != "app/token" || !res.Config.EnabledAt.Equal(now) || res.LambdaDisabled {
		t.Errorf("result = %+v", res)
	}
	// The schedule counts from the secret's creation (the store's own
	// clock) or from EnabledAt, whichever is later.
	if res.NextDue == nil || res.NextDue.Before(now.AddDate(0, 0, 30)) {
		t.Errorf("next due = %v, want 30 days on", res.NextDue)
	}
	m, err := s.Describe(ctxT(t), "app/token")
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := ConfigFromMeta(m)
	if err != nil || !ok || got.Rotator != RotatorRandom || got.Schedule != "rate(30 days)" {
		t.Errorf("stored config = %+v, %v, %v", got, ok, err)
	}

	// Configuring again keeps the date rotation was first enabled.
	later := now.Add(time.Hour)
	e.Now = func() time.Time { return later }
	if res, err := e.Configure(ctxT(t), "app/token", Config{Rotator: RotatorRandom}); err != nil || !res.Config.EnabledAt.Equal(now) || res.NextDue != nil {
		t.Errorf("reconfigure on demand = %+v, %v; want EnabledAt kept and no next due", res, err)
	}

	// The lambda path needs Secrets Manager; the local store has none.
	lam := Config{Rotator: RotatorLambda, LambdaARN: "arn:aws:lambda:us-east-1:111122223333:function:rotate", Schedule: "rate(7 days)"}
	if _, err := e.Configure(ctxT(t), "app/token", lam); !errors.Is(err, ErrNoAWS) {
		t.Errorf("lambda on local = %v, want ErrNoAWS", err)
	}

	if _, err := e.Configure(ctxT(t), "app/missing", cfg); err == nil {
		t.Error("configuring a missing secret succeeded")
	}
}
