package check

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/secretctl/secretctl/internal/audit"
	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/local"
)

// LocalAudit is the audit item on the local backend: the access log exists
// and its keyed hash chain verifies (audit.LocalChecks, which `audit status`
// prints too).
type LocalAudit struct {
	Local local.Options
}

// ID returns "audit".
func (LocalAudit) ID() string { return IDAudit }

// Run verifies the chain.
func (c LocalAudit) Run(ctx context.Context) Result {
	verify := func() (auditlog.Result, error) { return local.VerifyAudit(ctx, c.Local) }
	r := fromAuditChecks("", audit.LocalChecks(filepath.Join(c.Local.Home, local.AuditFile), verify))
	if r.Status == Pass {
		r.Summary = "the local access log's hash chain verifies"
	}
	return r
}

// AWSAudit is the audit item on AWS: in each region, the trail checks of
// `audit status` (audit.TrailChecks), and Secrets Manager records
// LastAccessedDate on the secrets under Prefix.
type AWSAudit struct {
	Regions []string
	// Trails gives the CloudTrail client of a region.
	Trails func(ctx context.Context, region string) (audit.CloudTrailAPI, error)
	Store  func(context.Context) (store.Store, error)
	Prefix string
}

// ID returns "audit".
func (AWSAudit) ID() string { return IDAudit }

// Run checks the trails, then the secrets' LastAccessedDate.
func (c AWSAudit) Run(ctx context.Context) Result {
	r := Result{Status: Pass}
	var fails []string
	regions := c.Regions
	if len(regions) == 0 {
		regions = []string{""}
	}
	for _, region := range regions {
		ct, err := c.Trails(ctx, region)
		if err != nil {
			return errResult("cloudtrail in "+audit.RegionLabel(region), err, "")
		}
		cs, err := audit.TrailChecks(ctx, ct, region)
		if err != nil {
			return errResult("audit status in "+audit.RegionLabel(region), err, "secretctl audit status --backend aws")
		}
		label := ""
		if len(regions) > 1 || region != "" {
			label = audit.RegionLabel(region)
		}
		one := fromAuditChecks(label, cs)
		r.Status = worst(r.Status, one.Status)
		r.Evidence = append(r.Evidence, one.Evidence...)
		if one.Status != Pass {
			fails = append(fails, one.Summary)
			if r.Fix == "" {
				r.Fix = one.Fix
			}
		}
	}
	s, err := c.Store(ctx)
	if err != nil {
		return errResult("cannot reach AWS Secrets Manager", err, "")
	}
	metas, err := s.List(ctx, store.ListOptions{Prefix: c.Prefix})
	if err != nil {
		return errResult("list secrets", err, "")
	}
	var never []string
	for _, m := range metas {
		if m.LastAccessedDate == nil {
			never = append(never, m.Name)
		}
	}
	switch {
	case len(metas) == 0:
		r.Evidence = append(r.Evidence, "LastAccessedDate: no secrets under "+orDefault(c.Prefix, "the account"))
	case len(never) == len(metas):
		r.Status = worst(r.Status, Warn)
		fails = append(fails, fmt.Sprintf("no secret under %s has a LastAccessedDate", orDefault(c.Prefix, "the account")))
		r.Evidence = append(r.Evidence, "LastAccessedDate: none recorded (never read since created, or reads do not reach Secrets Manager)")
		if r.Fix == "" {
			r.Fix = "read the secrets through Secrets Manager (secretctl exec, ESO), then check again; Secrets Manager records the date of the last read, to the day"
		}
	default:
		r.Evidence = append(r.Evidence, fmt.Sprintf("LastAccessedDate: recorded on %d of %d secret(s)", len(metas)-len(never), len(metas)))
		if len(never) > 0 {
			r.Evidence = append(r.Evidence, "never read: "+shortList(never, 5))
		}
	}
	if r.Status == Pass {
		r.Summary = "CloudTrail logs Secrets Manager reads, and LastAccessedDate is recorded"
	} else {
		r.Summary = strings.Join(fails, "; ")
	}
	return r
}

// fromAuditChecks turns `audit status` checks into one result: a failed
// check fails the item, with the first failure's fix.
func fromAuditChecks(label string, cs []audit.Check) Result {
	r := Result{Status: Pass}
	var failed []string
	for _, c := range cs {
		line := c.Name
		if label != "" {
			line = label + ": " + line
		}
		if c.Detail != "" {
			line += ": " + c.Detail
		}
		if !c.OK {
			line += " (failed)"
			r.Status = Fail
			failed = append(failed, c.Name)
			if r.Fix == "" {
				r.Fix = c.Fix
			}
		}
		r.Evidence = append(r.Evidence, line)
	}
	if r.Status == Fail {
		where := ""
		if label != "" {
			where = label + ": "
		}
		r.Summary = where + "audit logging check(s) failed: " + strings.Join(failed, ", ")
	}
	return r
}
