package audit

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/text"
)

// Check is one line of `audit status`.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
	Fix    string `json:"fix,omitempty"` // how to make it pass, when it fails
}

// AllOK reports whether every check passed.
func AllOK(cs []Check) bool {
	for _, c := range cs {
		if !c.OK {
			return false
		}
	}
	return true
}

// trailFacts is what TrailChecks learns about one trail.
type trailFacts struct {
	trail     types.Trail
	logging   bool
	logsReads bool
	selectors string
	statusErr error
	selectErr error
}

func (t trailFacts) score() int {
	n := 0
	for _, ok := range []bool{aws.ToBool(t.trail.IsMultiRegionTrail), t.logging, t.logsReads, aws.ToBool(t.trail.LogFileValidationEnabled)} {
		if ok {
			n++
		}
	}
	return n
}

// TrailChecks answers "is audit logging on?" for the account as seen from
// region: a trail exists that logs in every region, logs management read
// events, is logging now, and has log file validation. It checks every
// trail (shadow copies of multi-region trails included) and reports on the
// best one.
func TrailChecks(ctx context.Context, api CloudTrailAPI, region string) ([]Check, error) {
	opt := func(o *cloudtrail.Options) {
		if region != "" {
			o.Region = region
		}
	}
	dt, err := api.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)}, opt)
	if err != nil {
		return nil, fmt.Errorf("describe trails: %w", err)
	}
	var best *trailFacts
	for _, tr := range dt.TrailList {
		f := trailFacts{trail: tr}
		name := aws.ToString(tr.TrailARN)
		if name == "" {
			name = aws.ToString(tr.Name)
		}
		gs, err := api.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(name)}, opt)
		if err != nil {
			f.statusErr = err
		} else {
			f.logging = aws.ToBool(gs.IsLogging)
		}
		es, err := api.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(name)}, opt)
		if err != nil {
			f.selectErr = err
		} else {
			f.logsReads, f.selectors = logsManagementReads(es)
		}
		if best == nil || f.score() > best.score() {
			f := f
			best = &f
		}
	}
	where := region
	if where == "" {
		where = "the default region"
	}
	if best == nil {
		return []Check{
			{Name: "trail exists", Detail: "no trail in " + where,
				Fix: "aws cloudtrail create-trail --name secretctl-audit --s3-bucket-name BUCKET --is-multi-region-trail --enable-log-file-validation && aws cloudtrail start-logging --name secretctl-audit"},
			{Name: "logs every region", Fix: "create a multi-region trail (see above)"},
			{Name: "logs management read events", Fix: "create a trail (see above); its default selector logs all management events"},
			{Name: "is logging", Fix: "create a trail and start logging (see above)"},
			{Name: "log file validation", Fix: "create the trail with --enable-log-file-validation"},
		}, nil
	}
	t := best.trail
	name := aws.ToString(t.Name)
	cs := []Check{{Name: "trail exists", OK: true, Detail: fmt.Sprintf("%s (home region %s)", name, aws.ToString(t.HomeRegion))}}
	c := Check{Name: "logs every region", OK: aws.ToBool(t.IsMultiRegionTrail)}
	if c.OK {
		c.Detail = "multi-region trail"
	} else {
		c.Detail = "single-region trail"
		c.Fix = "aws cloudtrail update-trail --name " + name + " --is-multi-region-trail"
	}
	cs = append(cs, c)
	c = Check{Name: "logs management read events", OK: best.logsReads, Detail: best.selectors}
	if best.selectErr != nil {
		c.Detail = "get event selectors: " + text.OneLine(best.selectErr.Error())
	}
	if !c.OK {
		c.Fix = "aws cloudtrail put-event-selectors --trail-name " + name +
			` --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'`
	}
	cs = append(cs, c)
	c = Check{Name: "is logging", OK: best.logging}
	switch {
	case best.statusErr != nil:
		c.Detail = "get trail status: " + text.OneLine(best.statusErr.Error())
	case c.OK:
		c.Detail = "logging"
	default:
		c.Detail = "logging is stopped"
	}
	if !c.OK {
		c.Fix = "aws cloudtrail start-logging --name " + name
	}
	cs = append(cs, c)
	c = Check{Name: "log file validation", OK: aws.ToBool(t.LogFileValidationEnabled)}
	if c.OK {
		c.Detail = "digest files are delivered"
	} else {
		c.Detail = "off"
		c.Fix = "aws cloudtrail update-trail --name " + name + " --enable-log-file-validation"
	}
	return append(cs, c), nil
}

// logsManagementReads reports whether a trail's selectors record
// management read events (GetSecretValue is one).
func logsManagementReads(es *cloudtrail.GetEventSelectorsOutput) (bool, string) {
	for _, s := range es.EventSelectors {
		if aws.ToBool(s.IncludeManagementEvents) && (s.ReadWriteType == types.ReadWriteTypeAll || s.ReadWriteType == types.ReadWriteTypeReadOnly) {
			return true, "management events: " + string(s.ReadWriteType)
		}
	}
	for _, a := range es.AdvancedEventSelectors {
		mgmt, readsExcluded := false, false
		for _, f := range a.FieldSelectors {
			switch aws.ToString(f.Field) {
			case "eventCategory":
				for _, v := range f.Equals {
					if v == "Management" {
						mgmt = true
					}
				}
			case "readOnly":
				for _, v := range f.Equals {
					if v == "false" {
						readsExcluded = true
					}
				}
				for _, v := range f.NotEquals {
					if v == "true" {
						readsExcluded = true
					}
				}
			case "eventSource":
				for _, v := range f.NotEquals {
					if v == SourceSecretsManager {
						readsExcluded = true
					}
				}
			}
		}
		if mgmt && !readsExcluded {
			return true, "advanced selector " + aws.ToString(a.Name) + ": management events incl. reads"
		}
	}
	if len(es.EventSelectors) == 0 && len(es.AdvancedEventSelectors) == 0 {
		return false, "no event selectors"
	}
	return false, "management read events are not selected"
}

// LocalChecks checks the local store's access log at path: that it exists
// and that its hash chain verifies (verify is local.VerifyAudit on the
// store, passed in so that this package does not link the store).
func LocalChecks(path string, verify func() (auditlog.Result, error)) []Check {
	exists := Check{Name: "access log exists", OK: true, Detail: path}
	if _, err := os.Stat(path); err != nil {
		exists.OK = false
		exists.Detail = path + ": missing"
		exists.Fix = "use the store once (e.g. 'secretctl list'); the log is created with it"
	}
	chain := Check{Name: "hash chain verifies"}
	res, err := verify()
	switch {
	case err != nil:
		chain.Detail = text.OneLine(err.Error())
		chain.Fix = "run 'secretctl audit verify' for details"
	case res.OK():
		chain.OK = true
		chain.Detail = fmt.Sprintf("%d records, head seq %d", res.Records, res.Head.Seq)
	default:
		chain.Detail = fmt.Sprintf("%d issue(s), first: %s", len(res.Issues), firstIssue(res))
		chain.Fix = "run 'secretctl audit verify' to see every edited, deleted, inserted or reordered record; restore the log from a backup"
	}
	return []Check{exists, chain}
}

func firstIssue(res auditlog.Result) string {
	for _, i := range res.Issues {
		if i.Kind != auditlog.Uncommitted {
			return i.String()
		}
	}
	return ""
}
