package audit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"

	"github.com/secretctl/secretctl/internal/audit"
	"github.com/secretctl/secretctl/internal/audit/audittest"
)

const paymentsARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/payments/db-Xk3p9Q"

// newClient is the real SDK CloudTrail client pointed at the test server.
func newClient(url string) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDAUDITTEST", "audit-test-secret", ""),
	}, func(o *cloudtrail.Options) { o.BaseEndpoint = aws.String(url) })
}

var window = audit.Filter{
	Since: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
	Until: time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC),
}

func TestChooseAttribute(t *testing.T) {
	tests := []struct {
		name string
		f    audit.Filter
		arn  string
		key  types.LookupAttributeKey
		val  string
	}{
		{"nothing", audit.Filter{}, "", types.LookupAttributeKeyEventSource, audit.SourceSecretsManager},
		{"resolved secret wins", audit.Filter{Secret: "prod/payments/db", Principals: []string{"AKIAEXAMPLEKEYID0003"}, Events: []string{"GetSecretValue"}}, paymentsARN, types.LookupAttributeKeyResourceName, paymentsARN},
		{"full ARN given", audit.Filter{Secret: paymentsARN}, "", types.LookupAttributeKeyResourceName, paymentsARN},
		{"unresolved name", audit.Filter{Secret: "prod/payments/db", Events: []string{"GetSecretValue"}}, "", types.LookupAttributeKeyEventName, "GetSecretValue"},
		{"access key", audit.Filter{Principals: []string{"AKIAEXAMPLEKEYID0003"}, Events: []string{"GetSecretValue"}}, "", types.LookupAttributeKeyAccessKeyId, "AKIAEXAMPLEKEYID0003"},
		{"user", audit.Filter{Principals: []string{"contractor-jdoe"}, Events: []string{"GetSecretValue"}}, "", types.LookupAttributeKeyUsername, "contractor-jdoe"},
		{"user ARN", audit.Filter{Principals: []string{"arn:aws:iam::111122223333:user/contractor-jdoe"}}, "", types.LookupAttributeKeyUsername, "contractor-jdoe"},
		{"role session", audit.Filter{Principals: []string{"role/payments-api-task (ecs-task-7d1e)"}}, "", types.LookupAttributeKeyUsername, "ecs-task-7d1e"},
		{"bare role has no Username", audit.Filter{Principals: []string{"role/payments-api-task"}, Events: []string{"GetSecretValue"}}, "", types.LookupAttributeKeyEventName, "GetSecretValue"},
		{"two principals", audit.Filter{Principals: []string{"a", "b"}}, "", types.LookupAttributeKeyEventSource, audit.SourceSecretsManager},
		{"two events", audit.Filter{Events: []string{"GetSecretValue", "PutSecretValue"}}, "", types.LookupAttributeKeyEventSource, audit.SourceSecretsManager},
	}
	for _, tt := range tests {
		a := audit.ChooseAttribute(tt.f, tt.arn)
		if a.AttributeKey != tt.key || aws.ToString(a.AttributeValue) != tt.val {
			t.Errorf("%s: %s=%s, want %s=%s", tt.name, a.AttributeKey, aws.ToString(a.AttributeValue), tt.key, tt.val)
		}
	}
}

// TestLookupPagesFixtures: every page is read, each event is parsed from its
// CloudTrailEvent string, and the request carries exactly one attribute.
func TestLookupPagesFixtures(t *testing.T) {
	srv := audittest.New(t)
	recs := audittest.Fixtures(t, fixtures)
	srv.Records = audittest.Clone(recs, 23, time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC), time.Hour)
	srv.PageSize = 5
	var got []audit.Event
	st, err := audit.Lookup(context.Background(), newClient(srv.URL), audit.LookupOptions{Region: "us-east-1", Filter: window},
		func(e *audit.Event) error { got = append(got, *e); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 23 || st.Pages != 5 || st.Requests != 5+st.Retried || st.Matched != 23 {
		t.Fatalf("%d events, stats %+v", len(got), st)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Time.After(got[i-1].Time) {
			t.Fatal("events not newest first")
		}
	}
	denied := 0
	for _, e := range got {
		if e.Denied() {
			denied++
			if e.Principal != "contractor-jdoe" || e.UserName != "contractor-jdoe" {
				t.Errorf("denied event principal: %+v", e)
			}
		}
		if e.Secret != "prod/payments/db" || e.Region != "us-east-1" {
			t.Errorf("event: %+v", e)
		}
	}
	if denied != 4 { // shape 02 at indexes 1, 7, 13, 19
		t.Errorf("denied = %d, want 4", denied)
	}
	for _, r := range srv.Requests() {
		attrs := r.Body["LookupAttributes"].([]any)
		if len(attrs) != 1 || attrs[0].(map[string]any)["AttributeKey"] != "EventSource" {
			t.Errorf("request attributes %v", attrs)
		}
		if r.Body["StartTime"] == nil || r.Body["EndTime"] == nil || r.Body["MaxResults"] != float64(50) {
			t.Errorf("request body %v", r.Body)
		}
	}
}

// TestLookupClientSideFilter: the server filters on the one attribute, the
// client on the rest (other services, other events, errors-only).
func TestLookupClientSideFilter(t *testing.T) {
	srv := audittest.New(t)
	recs := audittest.Fixtures(t, fixtures)
	// An STS event by the same user: LookupEvents by Username returns it.
	sts := map[string]any{
		"eventTime": "2025-03-14T11:03:00Z", "eventSource": "sts.amazonaws.com", "eventName": "GetCallerIdentity",
		"eventID": "sts-1", "readOnly": true,
		"userIdentity": map[string]any{"type": "IAMUser", "userName": "contractor-jdoe", "arn": "arn:aws:iam::111122223333:user/contractor-jdoe"},
	}
	srv.Records = append(recs, sts)
	f := window
	f.Principals = []string{"contractor-jdoe"}
	f.ErrorsOnly = true
	var got []audit.Event
	st, err := audit.Lookup(context.Background(), newClient(srv.URL), audit.LookupOptions{Filter: f},
		func(e *audit.Event) error { got = append(got, *e); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Attribute != "Username=contractor-jdoe" || st.Events != 2 || len(got) != 1 || got[0].Result() != "AccessDenied" {
		t.Fatalf("stats %+v, events %+v", st, got)
	}

	// By secret ARN: ResourceName, and the name-only denied record has no
	// resource, so it is not returned (a LookupEvents limit, documented).
	f = window
	f.Secret = "prod/payments/db"
	got = nil
	st, err = audit.Lookup(context.Background(), newClient(srv.URL), audit.LookupOptions{Filter: f, SecretARN: paymentsARN},
		func(e *audit.Event) error { got = append(got, *e); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Attribute != "ResourceName="+paymentsARN || len(got) != 5 {
		t.Fatalf("stats %+v, %d events", st, len(got))
	}
}

// TestLookupPacingAndThrottling: against a server that throttles every
// third request, the scan completes, no second holds more than two requests
// (as the server measured them), and throttled requests are retried with
// the same NextToken.
func TestLookupPacingAndThrottling(t *testing.T) {
	srv := audittest.New(t)
	srv.Records = audittest.Clone(audittest.Fixtures(t, fixtures), 40, time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC), time.Minute)
	srv.PageSize = 8
	srv.ThrottleEvery = 3
	var got []audit.Event
	st, err := audit.Lookup(context.Background(), newClient(srv.URL), audit.LookupOptions{
		Filter:  window,
		Backoff: audit.Backoff{Base: 50 * time.Millisecond, Max: 200 * time.Millisecond, Retries: 5},
	}, func(e *audit.Event) error { got = append(got, *e); return nil })
	if err != nil {
		t.Fatalf("throttled lookup failed: %v", err)
	}
	if len(got) != 40 || st.Pages != 5 {
		t.Fatalf("%d events, stats %+v", len(got), st)
	}
	reqs := srv.Requests()
	if st.Throttled == 0 || st.Requests != len(reqs) || st.Requests != st.Pages+st.Throttled+st.Retried {
		t.Fatalf("stats %+v, server saw %d requests", st, len(reqs))
	}
	// One request every 1/LookupRate seconds can land LookupRate+1 within
	// one second of arrival times when the first is delayed (a loaded
	// machine); without pacing it would be every page at once.
	if n := srv.MaxPerSecond(audittest.LookupEvents); n > audit.LookupRate+1 {
		t.Fatalf("server saw %d LookupEvents requests within one second, more than %d", n, audit.LookupRate+1)
	}
	// The SDK did not retry on its own: each throttled request is followed
	// by exactly one request with the same token.
	for i, r := range reqs {
		if r.Status == 400 && i+1 < len(reqs) && reqs[i+1].Body["NextToken"] != r.Body["NextToken"] {
			t.Fatalf("request %d: retry changed the token", i)
		}
	}
}

func TestLookupRetriesServerErrors(t *testing.T) {
	srv := audittest.New(t)
	srv.Records = audittest.Clone(audittest.Fixtures(t, fixtures), 12, time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC), time.Minute)
	srv.PageSize = 4
	srv.FailEvery = 2
	n := 0
	st, err := audit.Lookup(context.Background(), newClient(srv.URL), audit.LookupOptions{
		Filter: window, Backoff: audit.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond, Retries: 3},
	}, func(*audit.Event) error { n++; return nil })
	// Two of the requests answer 500 and are retried; under load a broken
	// connection can add a retry, which must still be counted.
	if err != nil || n != 12 || st.Pages != 3 || st.Retried < 2 || st.Requests != st.Pages+st.Retried || st.Throttled != 0 {
		t.Fatalf("err %v, %d events, stats %+v", err, n, st)
	}
}

func TestLookupGivesUpAfterRetriesAndReportsErrors(t *testing.T) {
	srv := audittest.New(t)
	srv.Records = audittest.Fixtures(t, fixtures)
	srv.ThrottleEvery = 1
	_, err := audit.Lookup(context.Background(), newClient(srv.URL), audit.LookupOptions{
		Filter: window, Backoff: audit.Backoff{Base: time.Millisecond, Max: time.Millisecond, Retries: 2},
	}, func(*audit.Event) error { return nil })
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ThrottlingException" || len(srv.Requests()) != 3 {
		t.Fatalf("err = %v after %d requests", err, len(srv.Requests()))
	}
	// A time range the server rejects is an error, not retried.
	srv2 := audittest.New(t)
	bad := audit.Filter{Since: window.Until, Until: window.Since}
	_, err = audit.Lookup(context.Background(), newClient(srv2.URL), audit.LookupOptions{Filter: bad}, func(*audit.Event) error { return nil })
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidTimeRangeException" || len(srv2.Requests()) != 1 {
		t.Fatalf("err = %v", err)
	}
}

func TestTrailChecks(t *testing.T) {
	tests := []struct {
		name   string
		trails []audittest.Trail
		ok     []bool
	}{
		{"none", nil, []bool{false, false, false, false, false}},
		{"good", []audittest.Trail{{Name: "org", HomeRegion: "us-east-1", MultiRegion: true, Validation: true, Logging: true, ReadWriteType: "All", IncludeManagementEvents: true}}, []bool{true, true, true, true, true}},
		{"write only, stopped, single region, no validation", []audittest.Trail{{Name: "w", HomeRegion: "us-east-1", ReadWriteType: "WriteOnly", IncludeManagementEvents: true}}, []bool{true, false, false, false, false}},
		{"best of two", []audittest.Trail{
			{Name: "w", HomeRegion: "us-east-1", ReadWriteType: "WriteOnly", IncludeManagementEvents: true},
			{Name: "r", HomeRegion: "eu-west-1", MultiRegion: true, Logging: true, ReadWriteType: "ReadOnly", IncludeManagementEvents: true},
		}, []bool{true, true, true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := audittest.New(t)
			srv.Trails = tt.trails
			cs, err := audit.TrailChecks(context.Background(), newClient(srv.URL), "us-east-1")
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != len(tt.ok) {
				t.Fatalf("%d checks", len(cs))
			}
			for i, c := range cs {
				if c.OK != tt.ok[i] {
					t.Errorf("%s: ok=%v, want %v (%s)", c.Name, c.OK, tt.ok[i], c.Detail)
				}
				if !c.OK && c.Fix == "" {
					t.Errorf("%s: no fix hint", c.Name)
				}
			}
			if audit.AllOK(cs) != (tt.name == "good") {
				t.Errorf("AllOK = %v", audit.AllOK(cs))
			}
			if tt.trails != nil {
				seen := map[string]bool{}
				for _, r := range srv.Requests() {
					seen[r.Target] = true
				}
				for _, target := range []string{audittest.DescribeTrails, audittest.GetTrailStatus, audittest.GetEventSelect} {
					if !seen[target] {
						t.Errorf("%s not called", target)
					}
				}
			}
		})
	}
}
