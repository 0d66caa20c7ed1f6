package rotate

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/text"
)

// Status is one row of `rotation status`.
type Status struct {
	Name         string     `json:"name"`
	Rotator      string     `json:"rotator"`
	Strategy     string     `json:"strategy,omitempty"`
	Schedule     string     `json:"schedule,omitempty"`
	Window       string     `json:"window,omitempty"`
	LastRotated  *time.Time `json:"lastRotated,omitempty"`
	NextDue      *time.Time `json:"nextDue,omitempty"`          // the next window opens
	NextRotation *time.Time `json:"nextRotationDate,omitempty"` // the window closes
	Due          bool       `json:"due"`
	Overdue      bool       `json:"overdue"`
	Pending      string     `json:"pendingVersionId,omitempty"` // an unfinished rotation's AWSPENDING
	ScheduledBy  string     `json:"scheduledBy"`                // secretctl or aws
	Error        string     `json:"error,omitempty"`
}

// StatusOf computes a secret's rotation status at now. ok is false when the
// secret has no rotation configured.
func (e *Engine) StatusOf(ctx context.Context, m store.Meta, now time.Time) (Status, bool, error) {
	cfg, ok, err := ConfigFromMeta(m)
	if !ok {
		return Status{}, false, err
	}
	st := Status{Name: m.Name, Rotator: cfg.Rotator, Strategy: cfg.Strategy, Schedule: cfg.Schedule, Window: cfg.Window, ScheduledBy: "secretctl"}
	if err != nil {
		st.Error = text.OneLine(err.Error())
		return st, true, nil
	}
	if p := m.VersionWith(store.StagePending); p != "" && p != m.CurrentVersion() {
		st.Pending = p
		// An unfinished rotation is due whatever the schedule, even with none.
		st.Due = true
	}
	last := latest(cfg.LastRotated, m.LastRotatedDate)
	if !last.IsZero() {
		st.LastRotated = &last
	}
	if cfg.Rotator == RotatorLambda {
		// AWS schedules Lambda rotation itself.
		st.ScheduledBy = "aws"
		st.NextRotation = m.NextRotationDate
		if m.NextRotationDate != nil && now.After(*m.NextRotationDate) {
			st.Overdue = true
		}
		return st, true, nil
	}
	if cfg.Schedule == "" {
		return st, true, nil
	}
	sched, err := ParseSchedule(cfg.Schedule, cfg.Window)
	if err != nil {
		st.Error = text.OneLine(err.Error())
		return st, true, nil
	}
	// The base is the last rotation, or a later manual change of the value
	// (which counts as a rotation), or when rotation was configured.
	base := latest(last, cfg.EnabledAt)
	if vs, err := e.Store.Versions(ctx, m.Name, false); err == nil {
		for _, v := range vs {
			if slices.Contains(v.Stages, store.StageCurrent) {
				base = latest(base, v.CreatedDate)
			}
		}
	}
	if base.IsZero() {
		base = m.CreatedDate
	}
	start, end, err := sched.Next(base)
	if err != nil {
		st.Error = text.OneLine(err.Error())
		return st, true, nil
	}
	st.NextDue, st.NextRotation = &start, &end
	st.Due = st.Due || !now.Before(start)
	st.Overdue = now.After(end)
	return st, true, nil
}

func latest(a time.Time, b ...any) time.Time {
	for _, x := range b {
		var t time.Time
		switch v := x.(type) {
		case time.Time:
			t = v
		case *time.Time:
			if v != nil {
				t = *v
			}
		}
		if t.After(a) {
			a = t
		}
	}
	return a.UTC()
}

// Statuses lists the rotation status of every secret with rotation
// configured (or just name, when given), sorted by name.
func (e *Engine) Statuses(ctx context.Context, name string, now time.Time) ([]Status, error) {
	var metas []store.Meta
	if name != "" {
		m, err := e.Store.Describe(ctx, name)
		if err != nil {
			return nil, err
		}
		metas = []store.Meta{m}
	} else {
		ms, err := e.Store.List(ctx, store.ListOptions{})
		if err != nil {
			return nil, fmt.Errorf("list secrets: %w", err)
		}
		metas = ms
	}
	var out []Status
	for _, m := range metas {
		st, ok, err := e.StatusOf(ctx, m, now)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, st)
		} else if name != "" {
			return nil, ErrNotConfigured
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// RotateDue rotates every secret whose rotation secretctl schedules and
// that is due (or has an unfinished rotation). A failure does not stop the
// others; the results carry each error.
func (e *Engine) RotateDue(ctx context.Context, now time.Time) ([]Result, error) {
	sts, err := e.Statuses(ctx, "", now)
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, st := range sts {
		if st.ScheduledBy != "secretctl" || !st.Due {
			continue
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		res, err := e.Rotate(ctx, st.Name)
		if err != nil {
			res.Error = text.OneLine(err.Error())
			e.logf(st.Name, "failed: %s", res.Error)
		}
		out = append(out, res)
	}
	return out, nil
}
