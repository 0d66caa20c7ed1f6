package check

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/secretctl/secretctl/internal/rotate"
	"github.com/secretctl/secretctl/internal/store"
)

// Rotation is the rotation item: every secret under Prefix has rotation
// configured, none is overdue, and none has an unfinished rotation (an
// AWSPENDING version that is not current). It reads the status `rotation
// status` prints (rotate.Engine.StatusOf).
type Rotation struct {
	Engine func(context.Context) (*rotate.Engine, error)
	Prefix string
	Now    func() time.Time
}

// ID returns "rotation".
func (Rotation) ID() string { return IDRotation }

// Run computes each secret's rotation status.
func (c Rotation) Run(ctx context.Context) Result {
	e, err := c.Engine(ctx)
	if err != nil {
		return errResult("cannot reach the store", err, "")
	}
	metas, err := e.Store.List(ctx, store.ListOptions{Prefix: c.Prefix})
	if err != nil {
		return errResult("list secrets", err, "")
	}
	if len(metas) == 0 {
		return Result{Status: Skip, Summary: "no secrets under " + orDefault(c.Prefix, "the store") + " to check"}
	}
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	r := Result{Status: Pass}
	var none, overdue, pending, broken []string
	for _, m := range metas {
		st, ok, err := e.StatusOf(ctx, m, now)
		switch {
		case err != nil:
			broken = append(broken, m.Name)
			r.Evidence = append(r.Evidence, fmt.Sprintf("%s: %s", m.Name, errName(err)))
			continue
		case !ok:
			none = append(none, m.Name)
			r.Evidence = append(r.Evidence, m.Name+": no rotation configured")
			continue
		}
		line := fmt.Sprintf("%s: %s", m.Name, st.Rotator)
		if st.Schedule != "" {
			line += ", " + st.Schedule
		}
		if st.NextRotation != nil {
			line += ", next by " + st.NextRotation.UTC().Format(time.RFC3339)
		}
		switch {
		case st.Error != "":
			broken = append(broken, m.Name)
			line += ": " + st.Error
		case st.Pending != "":
			pending = append(pending, m.Name)
			line += ": unfinished rotation, AWSPENDING on " + st.Pending
		case st.Overdue:
			overdue = append(overdue, m.Name)
			line += ": overdue"
		case st.Schedule == "" && st.ScheduledBy == "secretctl":
			line += " (no schedule: rotated by hand)"
		case st.Due:
			line += ": due now"
		}
		r.Evidence = append(r.Evidence, line)
	}
	var parts, fixes []string
	add := func(names []string, what, fix string) {
		if len(names) == 0 {
			return
		}
		r.Status = Fail
		parts = append(parts, fmt.Sprintf("%d %s: %s", len(names), what, shortList(names, 5)))
		fixes = append(fixes, fix)
	}
	add(none, "without rotation", "secretctl rotation set NAME --rotator random --every 30d")
	add(overdue, "overdue", "secretctl rotate --due (or secretctl rotate NAME)")
	add(pending, "with an unfinished rotation (AWSPENDING)", "secretctl rotate NAME resumes it; secretctl rotation cancel NAME clears it")
	add(broken, "with a broken rotation setting", "secretctl rotation status NAME, then secretctl rotation set NAME ...")
	if r.Status == Pass {
		r.Summary = fmt.Sprintf("%d secret(s) rotate, none overdue or unfinished", len(metas))
	} else {
		r.Summary = strings.Join(parts, "; ")
		r.Fix = strings.Join(fixes, "; ")
	}
	return r
}
