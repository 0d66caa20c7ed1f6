// Package check is the security checklist behind `secretctl check`: a set
// of independent items (no hardcoded credentials, secrets stored, encrypted,
// Kubernetes Secrets present, External Secrets synced, audit logging,
// rotation), each reporting pass, fail, warn or skip with its evidence and
// the command that fixes it.
//
// The package is neutral: it knows nothing of flags or terminals. Each item
// is a Check built from the components it inspects (a scan.Options, a store,
// a Kubernetes client, ...), and Run runs a list of them in order. The
// command decides which items apply and prints the results.
package check

import (
	"context"
	"fmt"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/text"
)

// Status is an item's outcome.
type Status string

// The statuses, from best to worst (Skip sorts apart: it says nothing).
const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip"
)

// The ids of the items, in the order the checklist runs them.
const (
	IDNoHardcoded = "no-hardcoded"
	IDStored      = "stored"
	IDEncrypted   = "encrypted"
	IDK8sSecrets  = "k8s-secrets" // secretctl:allow (an item id, not a value)
	IDESOSynced   = "eso-synced"
	IDAudit       = "audit"
	IDRotation    = "rotation"
)

// IDs lists every item id in checklist order.
var IDs = []string{IDNoHardcoded, IDStored, IDEncrypted, IDK8sSecrets, IDESOSynced, IDAudit, IDRotation}

// Result is what one item found. Evidence lines and Summary carry names,
// paths, counts and modes, never a secret value.
type Result struct {
	ID       string   `json:"id"`
	Status   Status   `json:"status"`
	Summary  string   `json:"summary"`
	Evidence []string `json:"evidence"`
	Fix      string   `json:"fix,omitempty"` // the command or step that makes the item pass
}

// Check is one item of the checklist.
type Check interface {
	ID() string
	Run(ctx context.Context) Result
}

// Func is a Check made of a function.
type Func struct {
	Name string
	F    func(ctx context.Context) Result
}

// ID returns the item's id.
func (f Func) ID() string { return f.Name }

// Run runs the function.
func (f Func) Run(ctx context.Context) Result { return f.F(ctx) }

// Skipped is a Check that does not apply, with the reason.
func Skipped(id, reason string) Check {
	return Func{Name: id, F: func(context.Context) Result {
		return Result{Status: Skip, Summary: reason}
	}}
}

// Run runs the checks in order and returns one result each, in the same
// order. A check's result always carries its ID and a non-nil Evidence. Once
// ctx is done the remaining checks are skipped.
func Run(ctx context.Context, checks []Check) []Result {
	out := make([]Result, 0, len(checks))
	for _, c := range checks {
		var r Result
		if err := ctx.Err(); err != nil {
			r = Result{Status: Skip, Summary: "not run: " + err.Error()}
		} else {
			r = c.Run(ctx)
		}
		r.ID = c.ID()
		if r.Status == "" {
			r.Status = Fail
			r.Summary = "the check reported no status"
		}
		if r.Evidence == nil {
			r.Evidence = []string{}
		}
		out = append(out, r)
	}
	return out
}

// Failed reports whether any result fails, or, with strict, warns.
func Failed(rs []Result, strict bool) bool {
	for _, r := range rs {
		if r.Status == Fail || strict && r.Status == Warn {
			return true
		}
	}
	return false
}

// Counts tallies the results by status.
func Counts(rs []Result) map[Status]int {
	m := map[Status]int{Pass: 0, Warn: 0, Fail: 0, Skip: 0}
	for _, r := range rs {
		m[r.Status]++
	}
	return m
}

// errResult is a failed item whose check could not be made.
func errResult(what string, err error, fix string) Result {
	return Result{Status: Fail, Summary: fmt.Sprintf("%s: %s", what, text.OneLine(awsx.Classify(err).Error())), Fix: fix}
}

// worst combines statuses: fail over warn over pass.
func worst(a, b Status) Status {
	rank := map[Status]int{Skip: 0, Pass: 1, Warn: 2, Fail: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}
