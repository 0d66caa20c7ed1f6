package rotate

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/store"
)

func TestRandomRotationOnLocalStore(t *testing.T) {
	s := openLocal(t, "")
	old := canary(t)
	mustCreate(t, s, "app/token", old, nil)
	configure(t, s, "app/token", Config{Rotator: RotatorRandom, Params: Params{Length: 40, NoPunct: true}})
	var progress syncBuf
	e := &Engine{Store: s, Progress: &progress}
	res, err := e.Rotate(ctxT(t), "app/token")
	if err != nil {
		t.Fatalf("rotate: %v", err)
	}
	cur := mustStage(t, s, "app/token", store.StageCurrent)
	prev := mustStage(t, s, "app/token", store.StagePrevious)
	if cur.VersionID != res.VersionID || prev.Value.RevealString() != old {
		t.Fatalf("after rotation AWSCURRENT=%s (want %s), AWSPREVIOUS holds the old value: %v", cur.VersionID, res.VersionID, prev.Value.RevealString() == old)
	}
	nv := cur.Value.RevealString()
	if len(nv) != 40 || strings.ContainsAny(nv, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") {
		t.Fatalf("new value has %d characters or punctuation", len(nv))
	}
	m, _ := s.Describe(ctxT(t), "app/token")
	if p := m.VersionWith(store.StagePending); p != "" {
		t.Errorf("AWSPENDING left on %s", p)
	}
	if m.Tags[TagLastRotated] == "" || m.LastRotatedDate == nil {
		t.Errorf("rotation time not recorded: tag %q, LastRotatedDate %v", m.Tags[TagLastRotated], m.LastRotatedDate)
	}
	for _, step := range []Step{StepCreate, StepSet, StepTest, StepFinish} {
		if !strings.Contains(progress.String(), string(step)) {
			t.Errorf("progress does not mention %s:\n%s", step, progress.String())
		}
	}
	assertNoLeak(t, []string{old, nv}, progress.String())
}

func TestRandomRotationJSONField(t *testing.T) {
	s := openLocal(t, "")
	old := canary(t)
	mustCreate(t, s, "app/json", `{"user":"app","password":"`+old+`","n":12345678901234567890}`, nil)
	configure(t, s, "app/json", Config{Rotator: RotatorRandom, Params: Params{Field: "password"}})
	if _, err := (&Engine{Store: s}).Rotate(ctxT(t), "app/json"); err != nil {
		t.Fatalf("rotate: %v", err)
	}
	var obj map[string]json.RawMessage
	cur := mustStage(t, s, "app/json", store.StageCurrent)
	if err := json.Unmarshal(cur.Value.Reveal(), &obj); err != nil {
		t.Fatalf("new value is not JSON: %v", err)
	}
	if string(obj["user"]) != `"app"` || string(obj["n"]) != "12345678901234567890" {
		t.Errorf("other fields changed: user=%s n=%s", obj["user"], obj["n"])
	}
	var pw string
	_ = json.Unmarshal(obj["password"], &pw)
	if pw == old || len(pw) != 32 {
		t.Errorf("password field not replaced by a 32-character password")
	}
}

// TestResumeAfterFailureAtEachStep fails the rotation before each step and
// checks the next run finishes it with the same token.
func TestResumeAfterFailureAtEachStep(t *testing.T) {
	for _, step := range []Step{StepCreate, StepSet, StepTest, StepFinish} {
		t.Run(string(step), func(t *testing.T) {
			s := openLocal(t, "")
			old := canary(t)
			mustCreate(t, s, "app/x", old, nil)
			configure(t, s, "app/x", Config{Rotator: RotatorRandom})
			boom := errors.New("injected fault")
			var progress syncBuf
			e := &Engine{Store: s, Progress: &progress, BeforeStep: func(_ string, st Step) error {
				if st == step {
					return boom
				}
				return nil
			}}
			first, err := e.Rotate(ctxT(t), "app/x")
			if !errors.Is(err, boom) || !strings.Contains(err.Error(), string(step)) {
				t.Fatalf("rotate = %v; want the injected fault at %s", err, step)
			}
			if got := mustStage(t, s, "app/x", store.StageCurrent).Value.RevealString(); got != old {
				t.Fatalf("AWSCURRENT changed after a failed rotation")
			}
			e.BeforeStep = nil
			second, err := e.Rotate(ctxT(t), "app/x")
			if err != nil {
				t.Fatalf("second rotate: %v", err)
			}
			if second.VersionID != first.VersionID || !second.Resumed {
				t.Errorf("second run used token %s (resumed %v); want %s", second.VersionID, second.Resumed, first.VersionID)
			}
			if mustStage(t, s, "app/x", store.StageCurrent).VersionID != second.VersionID {
				t.Errorf("AWSCURRENT is not the rotation's version")
			}
			assertNoLeak(t, []string{old}, progress.String(), err2s(err))
		})
	}
}

func err2s(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestRotateNotConfigured(t *testing.T) {
	s := openLocal(t, "")
	mustCreate(t, s, "plain", canary(t), nil)
	_, err := (&Engine{Store: s}).Rotate(ctxT(t), "plain")
	if !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("rotate = %v; want ErrNotConfigured", err)
	}
}

func TestCancelClearsPending(t *testing.T) {
	s := openLocal(t, "")
	mustCreate(t, s, "app/c", canary(t), nil)
	configure(t, s, "app/c", Config{Rotator: RotatorRandom})
	e := &Engine{Store: s, BeforeStep: func(_ string, st Step) error {
		if st == StepTest {
			return errors.New("stop")
		}
		return nil
	}}
	res, _ := e.Rotate(ctxT(t), "app/c")
	m, _ := s.Describe(ctxT(t), "app/c")
	if m.VersionWith(store.StagePending) != res.VersionID {
		t.Fatalf("no stuck AWSPENDING to cancel")
	}
	st, _ := e.Statuses(ctxT(t), "app/c", e.now())
	if len(st) != 1 || st[0].Pending != res.VersionID {
		t.Fatalf("status does not show the stuck AWSPENDING: %+v", st)
	}
	got, err := e.Cancel(ctxT(t), "app/c", false)
	if err != nil || got != res.VersionID {
		t.Fatalf("cancel = %q, %v", got, err)
	}
	m, _ = s.Describe(ctxT(t), "app/c")
	if p := m.VersionWith(store.StagePending); p != "" {
		t.Fatalf("AWSPENDING still on %s", p)
	}
}

// TestCancelRefusesToLoseTheOnlyWorkingPassword: a single-user rotation
// killed after setSecret leaves only AWSPENDING working; cancel refuses
// unless forced.
func TestCancelRefusesToLoseTheOnlyWorkingPassword(t *testing.T) {
	f := newFixture(t, RotatorMySQL, SingleUser, direct)
	killAt(t, f.home, f.name, StepFinish)
	e := &Engine{Store: f.s}
	if _, err := e.Cancel(ctxT(t), f.name, false); err == nil || !strings.Contains(err.Error(), "accepts only the AWSPENDING credential") {
		t.Fatalf("cancel = %v; want a refusal", err)
	}
	if v, err := e.Cancel(ctxT(t), f.name, true); err != nil || v == "" {
		t.Fatalf("cancel --force = %q, %v", v, err)
	}
}
