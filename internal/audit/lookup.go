package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/time/rate"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/text"
)

// CloudTrailAPI is the part of the CloudTrail client audit uses;
// *cloudtrail.Client satisfies it.
type CloudTrailAPI interface {
	LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
	DescribeTrails(ctx context.Context, in *cloudtrail.DescribeTrailsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(ctx context.Context, in *cloudtrail.GetTrailStatusInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(ctx context.Context, in *cloudtrail.GetEventSelectorsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
}

// LookupEvents limits, from the CloudTrail documentation.
const (
	// LookupRate is the documented LookupEvents quota: 2 requests per
	// second per account and region. It cannot be raised.
	LookupRate = 2
	// LookupRetention is how far back LookupEvents reaches.
	LookupRetention = 90 * 24 * time.Hour
	// lookupInterval paces requests 4% below the quota, so that network
	// jitter never lets the service see three requests within one second.
	lookupInterval = 520 * time.Millisecond
)

// NewLookupLimiter returns the token bucket that paces LookupEvents in one
// account and region: one token every 520 ms (just under 2/s), burst 1.
// Share one limiter between all lookups against the same region.
func NewLookupLimiter() *rate.Limiter { return rate.NewLimiter(rate.Every(lookupInterval), 1) }

// Backoff is the wait after a throttled request: exponential from Base,
// capped at Max, with full jitter; after Retries throttles in a row the
// lookup fails.
type Backoff struct {
	Base, Max time.Duration
	Retries   int
}

// DefaultBackoff follows the SDK's standard retryer (cap 20 s) but keeps
// trying much longer, since a throttled audit should slow down, not fail.
var DefaultBackoff = Backoff{Base: time.Second, Max: 20 * time.Second, Retries: 12}

func (b Backoff) wait(attempt int) time.Duration {
	d := b.Base << min(attempt, 16)
	if d <= 0 || d > b.Max {
		d = b.Max
	}
	return d/2 + rand.N(d/2+1)
}

// LookupOptions describes one LookupEvents scan of one region.
type LookupOptions struct {
	Region     string
	Filter     Filter        // applied client-side to every event; Since/Until are the time window
	SecretARN  string        // the secret's ARN when Filter.Secret names one (for ResourceName)
	Limiter    *rate.Limiter // nil: NewLookupLimiter()
	Backoff    Backoff       // zero: DefaultBackoff
	MaxResults int32         // page size; 0: 50, the API maximum
	Progress   func(LookupStats)
	// Retry, if set, is called before each wait for a failed request that
	// is tried again (a throttle, a 5xx, a broken connection).
	Retry func(RetryInfo)
	// Sleep waits d or until ctx ends; nil uses a timer. Tests leave it nil.
	Sleep func(ctx context.Context, d time.Duration) error
}

// LookupStats counts the work of a lookup.
type LookupStats struct {
	Region    string        `json:"region"`
	Attribute string        `json:"attribute"` // "ResourceName=arn:..."
	Requests  int           `json:"requests"`
	Pages     int           `json:"pages"`
	Throttled int           `json:"throttled"`
	Retried   int           `json:"retried"` // transient errors (5xx, broken connections) retried
	Events    int           `json:"events"`  // events received
	Matched   int           `json:"matched"` // events that passed the filter
	Elapsed   time.Duration `json:"elapsed"`
}

// RetryInfo describes a failed LookupEvents request about to be tried
// again.
type RetryInfo struct {
	Region  string
	Attempt int           // the attempt that failed, from 1
	Wait    time.Duration // the wait before the next attempt
	Cause   string        // the failure, one line
}

// ChooseAttribute picks the single most selective lookup attribute for f:
// the secret's ARN as ResourceName, then an access key id, a user name, one
// event name, and otherwise the Secrets Manager event source. The rest of
// the filter is applied client-side.
func ChooseAttribute(f Filter, secretARN string) types.LookupAttribute {
	attr := func(k types.LookupAttributeKey, v string) types.LookupAttribute {
		return types.LookupAttribute{AttributeKey: k, AttributeValue: aws.String(v)}
	}
	if secretARN == "" && IsSecretARN(f.Secret) && NameFromARN(f.Secret) != afterSecret(f.Secret) {
		secretARN = f.Secret // a complete ARN, random suffix included
	}
	if secretARN != "" {
		return attr(types.LookupAttributeKeyResourceName, secretARN)
	}
	if len(f.Principals) == 1 {
		p := f.Principals[0]
		if accessKeyRE.MatchString(p) {
			return attr(types.LookupAttributeKeyAccessKeyId, p)
		}
		if u := lookupUsername(p); u != "" {
			return attr(types.LookupAttributeKeyUsername, u)
		}
	}
	if len(f.Events) == 1 {
		return attr(types.LookupAttributeKeyEventName, f.Events[0])
	}
	return attr(types.LookupAttributeKeyEventSource, SourceSecretsManager)
}

var accessKeyRE = regexp.MustCompile(`^(AKIA|ASIA)[A-Z0-9]{12,124}$`)

func afterSecret(arn string) string {
	if i := strings.Index(arn, ":secret:"); i >= 0 {
		return arn[i+len(":secret:"):]
	}
	return arn
}

// lookupUsername maps a --principal value to what LookupEvents calls the
// Username: an IAM user's name, or an assumed role's session name. A bare
// role ("role/app-task") has no Username, so it returns "".
func lookupUsername(p string) string {
	switch {
	case strings.HasPrefix(p, "arn:aws:iam::") && strings.Contains(p, ":user/"):
		return lastSegment(p)
	case strings.HasPrefix(p, "arn:aws:sts::") && strings.Contains(p, ":assumed-role/"):
		return lastSegment(p)
	case strings.HasPrefix(p, "role/"):
		if i := strings.Index(p, " ("); i > 0 && strings.HasSuffix(p, ")") {
			return p[i+2 : len(p)-1]
		}
		return ""
	case strings.HasPrefix(p, "arn:"), strings.Contains(p, " "):
		return ""
	}
	return p
}

// Lookup pages through LookupEvents for one region and calls fn with every
// event that passes o.Filter. Each request waits for a token of o.Limiter;
// a ThrottlingException waits o.Backoff and tries the same request again
// (the SDK's own retries are turned off for this call so that attempts do
// not multiply). The NextToken is reused only with identical parameters.
func Lookup(ctx context.Context, api CloudTrailAPI, o LookupOptions, fn func(*Event) error) (LookupStats, error) {
	start := time.Now()
	if o.Limiter == nil {
		o.Limiter = NewLookupLimiter()
	}
	if o.Backoff == (Backoff{}) {
		o.Backoff = DefaultBackoff
	}
	if o.MaxResults <= 0 || o.MaxResults > 50 {
		o.MaxResults = 50
	}
	sleep := o.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	attr := ChooseAttribute(o.Filter, o.SecretARN)
	st := LookupStats{Region: o.Region, Attribute: string(attr.AttributeKey) + "=" + aws.ToString(attr.AttributeValue)}
	in := &cloudtrail.LookupEventsInput{
		LookupAttributes: []types.LookupAttribute{attr},
		MaxResults:       aws.Int32(o.MaxResults),
	}
	if !o.Filter.Since.IsZero() {
		in.StartTime = aws.Time(o.Filter.Since)
	}
	if !o.Filter.Until.IsZero() {
		in.EndTime = aws.Time(o.Filter.Until)
	}
	noSDKRetry := func(co *cloudtrail.Options) {
		co.Retryer = retry.AddWithMaxAttempts(co.Retryer, 1)
		if o.Region != "" {
			co.Region = o.Region
		}
	}
	throttles := 0
	var lastErr error // the last failure retried, for the error when ctx ends
	stop := func(err error) (LookupStats, error) {
		st.Elapsed = time.Since(start)
		switch {
		case ctx.Err() != nil && lastErr != nil:
			return st, fmt.Errorf("look up CloudTrail events in %s: %w after %d attempt(s); the last failed with: %s",
				regionName(o.Region), ctx.Err(), throttles+1, failure(lastErr))
		case ctx.Err() != nil:
			return st, fmt.Errorf("look up CloudTrail events in %s: %w after %d page(s)", regionName(o.Region), ctx.Err(), st.Pages)
		}
		return st, err
	}
	for {
		if err := o.Limiter.Wait(ctx); err != nil {
			if ctx.Err() == nil { // the wait would pass the deadline: give up now
				<-ctx.Done()
			}
			return stop(err)
		}
		st.Requests++
		out, err := api.LookupEvents(ctx, in, noSDKRetry)
		if err != nil {
			if ctx.Err() != nil {
				return stop(err)
			}
			// The SDK's retries are off for this call, so retry here what it
			// would retry (throttles, 5xx, broken connections), paced.
			if (awsx.IsThrottle(err) || isTransient(err)) && throttles < o.Backoff.Retries {
				if awsx.IsThrottle(err) {
					st.Throttled++
				} else {
					st.Retried++
				}
				lastErr = err
				wait := o.Backoff.wait(throttles)
				if o.Retry != nil {
					o.Retry(RetryInfo{Region: o.Region, Attempt: throttles + 1, Wait: wait, Cause: failure(err)})
				}
				if err := sleep(ctx, wait); err != nil {
					return stop(err)
				}
				throttles++
				continue
			}
			st.Elapsed = time.Since(start)
			return st, fmt.Errorf("look up CloudTrail events in %s: %w", regionName(o.Region), err)
		}
		lastErr = nil
		throttles = 0
		st.Pages++
		for i := range out.Events {
			st.Events++
			e, err := EventFromLookup(&out.Events[i])
			if err != nil {
				return st, fmt.Errorf("look up CloudTrail events in %s: %w", regionName(o.Region), err)
			}
			if e.Region == "" {
				e.Region = o.Region
			}
			if e.EventSource != SourceSecretsManager || !o.Filter.Match(&e) {
				continue
			}
			st.Matched++
			if err := fn(&e); err != nil {
				return st, err
			}
		}
		st.Elapsed = time.Since(start)
		if o.Progress != nil {
			o.Progress(st)
		}
		if aws.ToString(out.NextToken) == "" {
			return st, nil
		}
		in.NextToken = out.NextToken
	}
}

// failure describes a failed request in one line, with its HTTP status.
func failure(err error) string {
	s := text.OneLine(awsx.Classify(err).Error())
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && !strings.Contains(s, "HTTP ") {
		s += fmt.Sprintf(" (HTTP %d)", re.HTTPStatusCode())
	}
	return s
}

func regionName(r string) string {
	if r == "" {
		return "the default region"
	}
	return r
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// isTransient reports whether the SDK's standard retryer would retry err
// for a reason other than throttling.
func isTransient(err error) bool {
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

// EventFromLookup normalises one LookupEvents item: it parses the
// CloudTrailEvent string (the full record) and fills what the record lacks
// from the wrapper's fields.
func EventFromLookup(le *types.Event) (Event, error) {
	var rec Record
	if s := aws.ToString(le.CloudTrailEvent); s != "" {
		if err := json.Unmarshal([]byte(s), &rec); err != nil {
			return Event{}, fmt.Errorf("parse event %s: %w", aws.ToString(le.EventId), err)
		}
	}
	if rec.EventID == "" {
		rec.EventID = aws.ToString(le.EventId)
	}
	if rec.EventName == "" {
		rec.EventName = aws.ToString(le.EventName)
	}
	if rec.EventSource == "" {
		rec.EventSource = aws.ToString(le.EventSource)
	}
	if rec.EventTime.IsZero() && le.EventTime != nil {
		rec.EventTime = *le.EventTime
	}
	if rec.UserIdentity.AccessKeyID == "" {
		rec.UserIdentity.AccessKeyID = aws.ToString(le.AccessKeyId)
	}
	if len(rec.Resources) == 0 {
		for _, r := range le.Resources {
			rec.Resources = append(rec.Resources, resource{ARN: aws.ToString(r.ResourceName), Type: aws.ToString(r.ResourceType)})
		}
	}
	if aws.ToString(le.ReadOnly) == "true" {
		rec.ReadOnly = true
	}
	e := EventFromRecord(&rec)
	if e.UserName == "" {
		e.UserName = aws.ToString(le.Username)
	}
	return e, nil
}
