// Package rotate rotates secrets with the Secrets Manager rotation protocol
// (createSecret → setSecret → testSecret → finishSecret), run by secretctl
// itself against any store.Store, or by AWS through the secret's rotation
// Lambda. Each step is idempotent and guarded as the AWS templates guard
// theirs, so an interrupted rotation resumes with the same token.
package rotate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/text"
)

// Step is one step of the rotation protocol.
type Step string

// The four steps, in order, named as Secrets Manager names them.
const (
	StepCreate Step = "createSecret"
	StepSet    Step = "setSecret"
	StepTest   Step = "testSecret"
	StepFinish Step = "finishSecret"
)

// ErrNotConfigured is returned for a secret with no rotation configured.
var ErrNotConfigured = errors.New("rotation is not configured")

// ErrUnsuitable is wrapped by the error for an AWSCURRENT value that the
// configured rotator cannot rotate (not JSON, a missing key, another
// database engine). It is found before anything is changed.
var ErrUnsuitable = errors.New("cannot be rotated")

// Rotator applies a new value to the thing a secret unlocks. Each method
// must be idempotent: the engine calls them again when a rotation resumes.
type Rotator interface {
	// Create builds the new value from r.Current.
	Create(ctx context.Context, r *Request) (secret.Value, error)
	// Set makes r.Pending valid on the target (a no-op when it already is).
	Set(ctx context.Context, r *Request) error
	// Test proves r.Pending works, without changing anything.
	Test(ctx context.Context, r *Request) error
}

// Checker is implemented by rotators that can tell, before a rotation
// starts, whether they can rotate a value: its shape, not the target.
type Checker interface {
	// Check explains why current (AWSCURRENT) cannot be rotated; the error
	// never quotes the value.
	Check(current secret.Value) error
}

// Reverter is implemented by rotators whose Set invalidates the current
// value (single-user database rotation). The engine calls Revert when a
// rotation fails after Set, so AWSCURRENT keeps working.
type Reverter interface {
	// Revert reports whether it had to restore anything.
	Revert(ctx context.Context, r *Request) (bool, error)
}

// Request is what a Rotator works with. Values never appear in errors.
type Request struct {
	Name    string
	Token   string
	Config  Config
	Current secret.Value // AWSCURRENT
	Pending secret.Value // AWSPENDING, set once createSecret has run

	st store.Store
	lg func(format string, a ...any)
}

// Previous returns the AWSPREVIOUS value (store.ErrNotFound if none).
func (r *Request) Previous(ctx context.Context) (secret.Value, error) {
	s, err := r.st.Get(ctx, r.Name, store.GetOptions{Stage: store.StagePrevious})
	if err != nil {
		return secret.Value{}, err
	}
	return s.Value, nil
}

// Lookup returns the AWSCURRENT value of another secret (a master secret).
func (r *Request) Lookup(ctx context.Context, id string) (secret.Value, error) {
	s, err := r.st.Get(ctx, id, store.GetOptions{})
	if err != nil {
		return secret.Value{}, fmt.Errorf("read master secret %s: %w", id, err)
	}
	return s.Value, nil
}

// Logf reports progress (never a value).
func (r *Request) Logf(format string, a ...any) {
	if r.lg != nil {
		r.lg(format, a...)
	}
}

// Engine runs rotations.
type Engine struct {
	Store store.Store
	// NewRotator builds the rotator for a configuration; nil means NewRotator.
	NewRotator func(Config) (Rotator, error)
	// AWS runs the lambda rotator (nil: lambda rotation is unavailable).
	AWS AWSAPI
	// CloudTrail, when set, is asked for the reason of a failed Lambda rotation.
	CloudTrail CloudTrailAPI
	// Progress receives one line per step (stderr in the CLI); may be nil.
	Progress io.Writer
	Now      func() time.Time
	// BeforeStep, when set, runs before each step; an error aborts the
	// rotation there. A test seam for fault injection.
	BeforeStep func(name string, step Step) error
	// PollInterval and Timeout govern following a Lambda rotation.
	PollInterval time.Duration
	Timeout      time.Duration
}

// Result describes one rotation.
type Result struct {
	ARN       string `json:"arn,omitempty"`
	Name      string `json:"name"`
	Rotator   string `json:"rotator"`
	VersionID string `json:"versionId,omitempty"`
	Resumed   bool   `json:"resumed,omitempty"`
	Error     string `json:"error,omitempty"`
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

// logf writes one progress line; an error text inside it (a driver's
// message can span lines) is folded onto that line.
func (e *Engine) logf(name string, format string, a ...any) {
	if e.Progress != nil {
		fmt.Fprintf(e.Progress, "rotate %s: %s\n", name, text.OneLine(fmt.Sprintf(format, a...)))
	}
}

func (e *Engine) rotator(c Config) (Rotator, error) {
	if e.NewRotator != nil {
		return e.NewRotator(c)
	}
	return NewRotator(c)
}

func (e *Engine) hook(name string, s Step) error {
	if e.BeforeStep != nil {
		return e.BeforeStep(name, s)
	}
	return nil
}

// Rotate rotates one secret now with its configured rotator.
func (e *Engine) Rotate(ctx context.Context, name string) (Result, error) {
	res := Result{Name: name}
	meta, err := e.Store.Describe(ctx, name)
	if err != nil {
		return res, fmt.Errorf("rotate %s: %w", name, err)
	}
	res.ARN, res.Name = meta.ARN, meta.Name
	cfg, ok, err := ConfigFromMeta(meta)
	if err != nil {
		return res, err
	}
	if !ok {
		return res, fmt.Errorf("rotate %s: %w (run `secretctl rotation set %s --rotator ...`)", meta.Name, ErrNotConfigured, meta.Name)
	}
	res.Rotator = cfg.Rotator
	if cfg.Rotator == RotatorLambda {
		return e.rotateLambda(ctx, meta, res)
	}
	rot, err := e.rotator(cfg)
	if err != nil {
		return res, fmt.Errorf("rotate %s: %w", meta.Name, err)
	}
	return e.run(ctx, meta, cfg, rot, res)
}

// resumeToken picks the rotation's token: the AWSPENDING version when it is
// not AWSCURRENT (an unfinished rotation), else a new one.
func resumeToken(m store.Meta) (string, bool) {
	if p := m.VersionWith(store.StagePending); p != "" && p != m.CurrentVersion() {
		return p, true
	}
	return uuid.NewString(), false
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func (e *Engine) run(ctx context.Context, meta store.Meta, cfg Config, rot Rotator, res Result) (Result, error) {
	name := meta.Name
	cur := meta.CurrentVersion()
	if cur == "" {
		return res, fmt.Errorf("rotate %s: the secret has no AWSCURRENT version to rotate from", name)
	}
	token, resumed := resumeToken(meta)
	curSec, err := e.Store.Get(ctx, name, store.GetOptions{VersionID: cur})
	if err != nil {
		return res, fmt.Errorf("rotate %s: read AWSCURRENT: %w", name, err)
	}
	if !resumed {
		// Refuse a value the rotator cannot handle before reserving
		// AWSPENDING: a reservation would make every later `rotate --due`
		// retry it.
		if err := checkWith(rot, cfg, curSec.Value); err != nil {
			return res, fmt.Errorf("rotate %s: %w (nothing was changed)", name, err)
		}
	}
	res.VersionID, res.Resumed = token, resumed
	if resumed {
		e.logf(name, "resuming the unfinished rotation %s", short(token))
	} else {
		e.logf(name, "starting rotation %s (%s)", short(token), describeRotator(cfg))
		e.reserve(ctx, meta, token)
	}
	lg := func(format string, a ...any) { e.logf(name, format, a...) }
	req := &Request{Name: name, Token: token, Config: cfg, Current: curSec.Value, st: e.Store, lg: lg}

	// createSecret: reuse the pending value if it exists, else make and store it.
	if err := e.hook(name, StepCreate); err != nil {
		return res, stepErr(name, StepCreate, err)
	}
	pend, err := e.Store.Get(ctx, name, store.GetOptions{VersionID: token, Stage: store.StagePending})
	switch {
	case err == nil:
		req.Pending = pend.Value
		lg("%s: AWSPENDING %s already holds the new value", StepCreate, short(token))
	case errors.Is(err, store.ErrNotFound):
		v, err := rot.Create(ctx, req)
		if err != nil {
			return res, stepErr(name, StepCreate, err)
		}
		if _, err := e.Store.Put(ctx, name, v, store.PutOptions{Token: token, Stages: []string{store.StagePending}}); err != nil {
			return res, stepErr(name, StepCreate, fmt.Errorf("store AWSPENDING: %w", err))
		}
		req.Pending = v
		lg("%s: stored the new value as AWSPENDING %s", StepCreate, short(token))
	default:
		return res, stepErr(name, StepCreate, fmt.Errorf("read AWSPENDING: %w", err))
	}

	// setSecret
	if err := e.hook(name, StepSet); err != nil {
		return res, stepErr(name, StepSet, err)
	}
	if err := rot.Set(ctx, req); err != nil {
		// Set may have changed the password before failing (Ctrl-C after
		// the statement ran): put the current one back if only the new one
		// works. Revert does nothing when AWSCURRENT still logs in.
		if rv, ok := rot.(Reverter); ok {
			_ = e.revert(ctx, req, rv)
		}
		return res, stepErr(name, StepSet, err)
	}
	lg("%s: done", StepSet)

	// From here on a single-user target accepts only the pending value, so a
	// failure puts the current one back.
	fail := func(step Step, err error) (Result, error) {
		err = stepErr(name, step, err)
		if rv, ok := rot.(Reverter); ok {
			if rerr := e.revert(ctx, req, rv); rerr != nil {
				return res, fmt.Errorf("%w; restoring the AWSCURRENT credential also failed: %v (run `secretctl rotate %s` to finish with the same token)", err, rerr, name)
			}
		}
		return res, err
	}

	// testSecret
	if err := e.hook(name, StepTest); err != nil {
		return fail(StepTest, err)
	}
	if err := rot.Test(ctx, req); err != nil {
		return fail(StepTest, err)
	}
	lg("%s: the new value works", StepTest)

	// finishSecret
	if err := e.hook(name, StepFinish); err != nil {
		return fail(StepFinish, err)
	}
	if err := e.finish(ctx, name, token); err != nil {
		return fail(StepFinish, err)
	}
	lg("%s: AWSCURRENT is now %s; AWSPREVIOUS holds the old value", StepFinish, short(token))
	return res, nil
}

// reserve attaches AWSPENDING to the new token before any value exists, as
// RotateSecret does, so a rotation killed even before createSecret resumes
// with the same token. A backend that refuses a label on a version with no
// value (AWS, outside RotateSecret) is fine: nothing has been done yet.
func (e *Engine) reserve(ctx context.Context, meta store.Meta, token string) {
	mv := store.StageMove{Stage: store.StagePending, MoveTo: token, RemoveFrom: meta.VersionWith(store.StagePending)}
	if _, err := e.Store.UpdateStage(ctx, meta.Name, mv); err == nil {
		e.logf(meta.Name, "reserved AWSPENDING for %s", short(token))
	}
}

// finish moves AWSCURRENT to token (AWSPREVIOUS follows), clears AWSPENDING
// and records the rotation time.
func (e *Engine) finish(ctx context.Context, name, token string) error {
	m, err := e.Store.Describe(ctx, name)
	if err != nil {
		return err
	}
	if cur := m.CurrentVersion(); cur != token {
		if _, err := e.Store.UpdateStage(ctx, name, store.StageMove{Stage: store.StageCurrent, MoveTo: token, RemoveFrom: cur}); err != nil {
			return fmt.Errorf("move AWSCURRENT: %w", err)
		}
	}
	// The rotation is complete; what follows is tidying up. AWSPENDING on the
	// current version is legal, but clearing it keeps `rotation status` clear.
	if slices.Contains(m.Versions[token], store.StagePending) || m.VersionWith(store.StagePending) == token {
		if _, err := e.Store.UpdateStage(ctx, name, store.StageMove{Stage: store.StagePending, RemoveFrom: token}); err != nil {
			e.logf(name, "warning: could not clear AWSPENDING: %v", err)
		}
	}
	if err := e.Store.Tag(ctx, name, map[string]string{TagLastRotated: e.now().Format(time.RFC3339)}); err != nil {
		e.logf(name, "warning: could not record the rotation time: %v", err)
	}
	return nil
}

// revert puts the current credential back after a failure past setSecret,
// unless AWSCURRENT already moved (a finish that failed after succeeding).
func (e *Engine) revert(ctx context.Context, req *Request, rv Reverter) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	m, err := e.Store.Describe(ctx, req.Name)
	if err != nil {
		return err
	}
	if m.CurrentVersion() == req.Token {
		return nil
	}
	restored, err := rv.Revert(ctx, req)
	if err != nil || !restored {
		return err
	}
	e.logf(req.Name, "the target accepts the AWSCURRENT credential again; AWSPENDING %s is kept for the next run", short(req.Token))
	return nil
}

func stepErr(name string, s Step, err error) error {
	return fmt.Errorf("rotate %s: %s: %w", name, s, err)
}

func describeRotator(c Config) string {
	if c.Strategy != "" {
		return c.Rotator + ", " + c.Strategy
	}
	return c.Rotator
}

// Cancel abandons a rotation in progress and clears AWSPENDING. It returns
// the id of the version that held AWSPENDING ("" if none). Unless force is
// set it refuses when AWSCURRENT no longer works but AWSPENDING does (a
// single-user rotation killed after setSecret): finishing is the fix then.
func (e *Engine) Cancel(ctx context.Context, name string, force bool) (string, error) {
	m, err := e.Store.Describe(ctx, name)
	if err != nil {
		return "", fmt.Errorf("cancel rotation of %s: %w", name, err)
	}
	cfg, ok, _ := ConfigFromMeta(m)
	if ok && cfg.Rotator == RotatorLambda {
		if e.AWS == nil {
			return "", fmt.Errorf("cancel rotation of %s: the lambda rotator needs --backend aws", m.Name)
		}
		return e.cancelLambda(ctx, m)
	}
	pend := m.VersionWith(store.StagePending)
	if pend == "" || pend == m.CurrentVersion() {
		e.logf(m.Name, "no rotation in progress")
		return "", nil
	}
	if ok && cfg.Rotator != RotatorLambda && !force {
		if err := e.checkCancel(ctx, m, cfg, pend); err != nil {
			return "", err
		}
	}
	if _, err := e.Store.UpdateStage(ctx, name, store.StageMove{Stage: store.StagePending, RemoveFrom: pend}); err != nil {
		return "", fmt.Errorf("cancel rotation of %s: clear AWSPENDING: %w", m.Name, err)
	}
	e.logf(m.Name, "cleared AWSPENDING from %s", short(pend))
	return pend, nil
}

func (e *Engine) checkCancel(ctx context.Context, m store.Meta, cfg Config, pend string) error {
	rot, err := e.rotator(cfg)
	if err != nil {
		return err
	}
	if _, ok := rot.(Reverter); !ok {
		return nil
	}
	cur, err := e.Store.Get(ctx, m.Name, store.GetOptions{Stage: store.StageCurrent})
	if err != nil {
		return fmt.Errorf("cancel rotation of %s: %w", m.Name, err)
	}
	if rot.Test(ctx, &Request{Name: m.Name, Config: cfg, Current: cur.Value, Pending: cur.Value, st: e.Store}) == nil {
		return nil
	}
	p, err := e.Store.Get(ctx, m.Name, store.GetOptions{VersionID: pend})
	if err != nil {
		return nil // nothing usable pending: clearing it loses nothing
	}
	if rot.Test(ctx, &Request{Name: m.Name, Config: cfg, Current: cur.Value, Pending: p.Value, st: e.Store}) == nil {
		return fmt.Errorf("cancel rotation of %s: the target accepts only the AWSPENDING credential now; run `secretctl rotate %s` to finish the rotation (or cancel with --force)", m.Name, m.Name)
	}
	return nil
}

// CheckCurrent reports whether the rotator of cfg can rotate the secret's
// AWSCURRENT value; a secret with no value yet passes. The error wraps
// ErrUnsuitable when the value is the problem, and never quotes it.
func (e *Engine) CheckCurrent(ctx context.Context, meta store.Meta, cfg Config) error {
	if cfg.Rotator == RotatorLambda || meta.CurrentVersion() == "" {
		return nil
	}
	rot, err := e.rotator(cfg)
	if err != nil {
		return err
	}
	if _, ok := rot.(Checker); !ok {
		return nil
	}
	cur, err := e.Store.Get(ctx, meta.Name, store.GetOptions{VersionID: meta.CurrentVersion()})
	if err != nil {
		return fmt.Errorf("read AWSCURRENT of %s: %w", meta.Name, err)
	}
	return checkWith(rot, cfg, cur.Value)
}

func checkWith(rot Rotator, cfg Config, v secret.Value) error {
	ck, ok := rot.(Checker)
	if !ok {
		return nil
	}
	if err := ck.Check(v); err != nil {
		return fmt.Errorf("the AWSCURRENT value %w with the %s rotator: %w", ErrUnsuitable, cfg.Rotator, err)
	}
	return nil
}

// NewRotator returns the rotator for c.
func NewRotator(c Config) (Rotator, error) {
	switch c.Rotator {
	case RotatorRandom:
		return &Random{Params: c.Params}, nil
	case RotatorPostgres:
		return &Database{Driver: Postgres{}, Alternating: c.Strategy == AlternatingUsers, Params: c.Params}, nil
	case RotatorMySQL:
		return &Database{Driver: MySQL{}, Alternating: c.Strategy == AlternatingUsers, Params: c.Params}, nil
	case RotatorLambda:
		return nil, errors.New("the lambda rotator runs in AWS, not in secretctl")
	}
	return nil, fmt.Errorf("unknown rotator %q (want %s)", c.Rotator, strings.Join(Rotators, ", "))
}
