package rotate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/secretctl/secretctl/internal/store"
)

// Configured is what Configure did.
type Configured struct {
	Meta   store.Meta // the secret, as it was before
	Config Config     // what it rotates with now (EnabledAt set for client-side rotators)
	// LambdaDisabled: AWS's own rotation was on and has been turned off,
	// because only one rotator may own a secret.
	LambdaDisabled bool
	// NextDue is when the next client-side rotation is due; nil on demand
	// only, and for lambda rotations (AWS schedules those).
	NextDue *time.Time
}

// Configure sets how the secret id rotates; cfg must be valid (see
// Config.Validate).
//
// The lambda rotator is handed to Secrets Manager (RotateSecret with the
// schedule as RotationRules), and any client-side configuration is taken off
// the secret. A client-side rotator is first checked against the current
// value (the error wraps ErrUnsuitable when the rotator cannot rotate it),
// then kept in the reserved tags; a Lambda rotation that was on is turned
// off. Store errors are returned as they are.
func (e *Engine) Configure(ctx context.Context, id string, cfg Config) (Configured, error) {
	meta, err := e.Store.Describe(ctx, id)
	if err != nil {
		return Configured{}, err
	}
	res := Configured{Meta: meta, Config: cfg}
	if cfg.Rotator == RotatorLambda {
		return res, e.configureLambda(ctx, meta, cfg)
	}
	// Refuse a value the rotator cannot rotate now, not at the first
	// rotation. A secret with no value yet is accepted.
	if err := e.CheckCurrent(ctx, meta, cfg); err != nil {
		return res, err
	}
	// Keep when rotation was first enabled; it is the schedule's base until
	// the first rotation.
	res.Config.EnabledAt = e.now()
	if old, _, _ := ConfigFromMeta(meta); !old.EnabledAt.IsZero() {
		res.Config.EnabledAt = old.EnabledAt
	}
	if e.AWS != nil && meta.RotationEnabled != nil && *meta.RotationEnabled {
		if err := DisableLambda(ctx, e.AWS, meta.ARN); err != nil {
			return res, err
		}
		res.LambdaDisabled = true
	}
	set, unset := res.Config.Tags()
	if err := e.Store.Tag(ctx, meta.ARN, set); err != nil {
		return res, err
	}
	if len(unset) > 0 {
		if err := e.Store.Untag(ctx, meta.ARN, unset); err != nil {
			return res, err
		}
	}
	if m, err := e.Store.Describe(ctx, meta.ARN); err == nil {
		if st, ok, _ := e.StatusOf(ctx, m, e.now()); ok {
			res.NextDue = st.NextDue
		}
	}
	return res, nil
}

// ErrNoAWS is returned when a lambda rotation is configured on an engine
// with no Secrets Manager client (the local backend).
var ErrNoAWS = errors.New("the lambda rotator needs AWS Secrets Manager")

func (e *Engine) configureLambda(ctx context.Context, meta store.Meta, cfg Config) error {
	if e.AWS == nil {
		return ErrNoAWS
	}
	var sched Schedule
	if cfg.Schedule != "" {
		var err error
		if sched, err = ParseSchedule(cfg.Schedule, cfg.Window); err != nil {
			return fmt.Errorf("schedule %q: %w", cfg.Schedule, err)
		}
	}
	if err := ConfigureLambda(ctx, e.AWS, meta.ARN, cfg.LambdaARN, sched); err != nil {
		return err
	}
	return e.Store.Untag(ctx, meta.ARN, configTags)
}
