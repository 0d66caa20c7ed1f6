package audit

import (
	"reflect"
	"testing"
	"time"
)

func ev(t time.Time, principal, action, secret, code string) *Event {
	e := &Event{Time: t, Principal: principal, Action: action, Secret: secret, ErrorCode: code, ReadOnly: action == "GetSecretValue" || action == "DescribeSecret"}
	return e
}

func TestSummarizer(t *testing.T) {
	until := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	since := until.AddDate(0, 0, -7)
	day := 24 * time.Hour
	s := NewSummarizer(SummaryOptions{Since: since, Until: until, UnusedDays: 30, BurstReads: 3, BurstWindow: time.Minute})

	// Baseline week: alice reads db.
	s.Add(ev(since.Add(-2*day), "alice", "GetSecretValue", "db", ""))
	// 20 days ago: a read of "api" (outside the window, inside unused-days).
	s.Add(ev(until.Add(-20*day), "alice", "GetSecretValue", "api", ""))
	// 60 days ago: the only read of "old" (outside unused-days).
	s.Add(ev(until.Add(-60*day), "alice", "GetSecretValue", "old", ""))
	// Window.
	s.Add(ev(since.Add(day), "alice", "GetSecretValue", "db", ""))
	s.Add(ev(since.Add(day), "bob", "GetSecretValue", "db", ""))
	s.Add(ev(since.Add(2*day), "bob", "GetSecretValue", "db", ""))
	s.Add(ev(since.Add(3*day), "mallory", "GetSecretValue", "db", "AccessDenied"))
	s.Add(ev(since.Add(3*day), "alice", "CreateSecret", "unread", ""))
	s.Add(ev(since.Add(3*day), "alice", "PutSecretValue", "db", ""))
	s.Add(ev(since.Add(4*day), "alice", "GetSecretValue", "gone", ""))
	s.Add(ev(since.Add(4*day).Add(time.Hour), "alice", "DeleteSecret", "gone", ""))
	s.Add(ev(since.Add(5*day), "alice", "GetSecretValue", "nope", "ResourceNotFoundException"))
	// A burst: 3 reads by ci in one minute, and 2 in the next (no burst).
	b0 := since.Add(6 * day).Truncate(time.Minute)
	for i := range 3 {
		s.Add(ev(b0.Add(time.Duration(i)*time.Second), "ci", "GetSecretValue", "api", ""))
	}
	for i := range 2 {
		s.Add(ev(b0.Add(time.Minute+time.Duration(i)*time.Second), "ci", "GetSecretValue", "api", ""))
	}
	// After until: ignored.
	s.Add(ev(until.Add(time.Hour), "eve", "GetSecretValue", "db", ""))
	// A secret known from ListSecrets, accessed 10 days ago per Secrets Manager.
	tenDays := until.Add(-10 * day)
	s.AddKnownSecret("console-only", "arn:x", nil, &tenDays)
	s.AddKnownSecret("never", "arn:y", nil, nil)
	// Created 14 minutes before until, per the catalog: too young to be unused.
	fresh := until.Add(-14 * time.Minute)
	s.AddKnownSecret("fresh", "arn:z", &fresh, nil)
	// Created 40 days ago and never read since: unused.
	aged := until.Add(-40 * day)
	s.AddKnownSecret("aged", "arn:w", &aged, nil)

	sum := s.Result()
	by := map[string]SecretSummary{}
	for _, ss := range sum.Secrets {
		by[ss.Secret] = ss
	}
	db := by["db"]
	if db.Reads != 3 || db.Denied != 1 || db.Failed != 1 || db.Writes != 1 {
		t.Errorf("db counts: %+v", db)
	}
	if want := []ReaderCount{{"bob", 2}, {"alice", 1}}; !reflect.DeepEqual(db.Readers, want) {
		t.Errorf("db readers = %v, want %v", db.Readers, want)
	}
	if db.LastRead == nil || !db.LastRead.Equal(since.Add(2*day)) || db.LastReader != "bob" {
		t.Errorf("db last read = %v by %q", db.LastRead, db.LastReader)
	}
	// "nope" only failed; "unread" was created 4 days ago and "fresh" 14
	// minutes ago, inside the 30 unused days.
	if want := []string{"aged", "never", "old"}; !reflect.DeepEqual(sum.Unused, want) {
		t.Errorf("unused = %v, want %v", sum.Unused, want)
	}
	if !by["gone"].Deleted || by["gone"].Unused {
		t.Errorf("deleted secret: %+v", by["gone"])
	}
	if sum.Denied != 1 {
		t.Errorf("denied = %d", sum.Denied)
	}
	var newp []string
	for _, n := range sum.NewPrincipals {
		newp = append(newp, n.Principal)
	}
	if want := []string{"bob", "ci", "mallory"}; !reflect.DeepEqual(newp, want) {
		t.Errorf("new principals = %v, want %v", newp, want)
	}
	if want := []Burst{{Secret: "api", Principal: "ci", Start: b0, Reads: 3}}; !reflect.DeepEqual(sum.Bursts, want) {
		t.Errorf("bursts = %+v, want %+v", sum.Bursts, want)
	}
	if sum.BaselineEvents != 1 {
		t.Errorf("baseline events = %d, want 1", sum.BaselineEvents)
	}

	if got := FailOn(&sum, []string{CondNewPrincipal, CondDenied, CondUnused}); !reflect.DeepEqual(got, []string{CondNewPrincipal, CondDenied, CondUnused}) {
		t.Errorf("FailOn = %v", got)
	}
	clean := Summary{}
	if got := FailOn(&clean, Conditions); got != nil {
		t.Errorf("FailOn(clean) = %v", got)
	}
	if _, err := ParseConditions([]string{"denied", "bogus"}); err == nil {
		t.Error("ParseConditions accepted bogus")
	}
}

func TestSummarizerNoBaselineNoNewPrincipals(t *testing.T) {
	until := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s := NewSummarizer(SummaryOptions{Since: until.Add(-time.Hour), Until: until})
	s.Add(ev(until.Add(-time.Minute), "alice", "GetSecretValue", "db", ""))
	if sum := s.Result(); len(sum.NewPrincipals) != 0 || sum.BaselineEvents != 0 {
		t.Fatalf("with an empty baseline nobody is new: %+v", sum.NewPrincipals)
	}
}

func TestSummaryWindow(t *testing.T) {
	until := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	o := SummaryOptions{Since: until.AddDate(0, 0, -7), Until: until, UnusedDays: 90}
	if start, _ := o.Window(); !start.Equal(until.AddDate(0, 0, -90)) {
		t.Errorf("start = %v", start)
	}
	o.UnusedDays = 3
	if start, _ := o.Window(); !start.Equal(until.AddDate(0, 0, -14)) {
		t.Errorf("start = %v", start)
	}
}

// TestSummarizerBoundedBuckets: burst counters are folded as time moves on,
// so a long stream does not keep one counter per minute.
func TestSummarizerBoundedBuckets(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewSummarizer(SummaryOptions{Since: start, Until: start.AddDate(1, 0, 0), BurstReads: 1000, BurstWindow: time.Minute})
	for i := range 300_000 {
		s.Add(ev(start.Add(time.Duration(i)*30*time.Second), "ci", "GetSecretValue", "db", ""))
	}
	if n := len(s.buckets); n > 65536/2+120 {
		t.Fatalf("%d burst buckets kept", n)
	}
	if sum := s.Result(); sum.Secrets[0].Reads != 300_000 || len(sum.Bursts) != 0 {
		t.Fatalf("reads %d bursts %d", sum.Secrets[0].Reads, len(sum.Bursts))
	}
}
