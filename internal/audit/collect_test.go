package audit

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// sliceSource is a Source over fixed events, for the logic of Collect.
type sliceSource struct {
	events []Event
	known  []string
	err    error
}

func (s sliceSource) Read(_ context.Context, c *Collector) error {
	for _, name := range s.known {
		c.AddKnownSecret(name, "", nil, nil)
	}
	for i := range s.events {
		e := s.events[i]
		c.Add(&e)
	}
	return s.err
}

func TestCollect(t *testing.T) {
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	ev := func(id string, ago time.Duration, secret string) Event {
		return Event{EventID: id, Time: now.Add(-ago), Secret: secret, Action: "GetSecretValue", Principal: "alice", EventSource: SourceSecretsManager}
	}
	src := sliceSource{
		events: []Event{
			ev("1", 3*time.Hour, "app/db"),
			ev("2", time.Hour, "app/db"),
			ev("2", time.Hour, "app/db"), // the same event from a second region
			ev("3", 2*time.Hour, "app/other"),
			ev("4", 30*time.Hour, "app/db"), // before the window: the baseline
		},
		known: []string{"app/db", "app/unread"},
	}
	since := now.Add(-24 * time.Hour)
	filter := Filter{Secret: "app/db", Since: since, Until: now}

	res, err := Collect(context.Background(), src, Query{Filter: filter, List: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range res.Events {
		ids = append(ids, e.EventID)
	}
	if !slices.Equal(ids, []string{"2", "1"}) || res.Summary != nil {
		t.Errorf("list: events %v, summary %v; want [2 1] newest first, deduplicated, no summary", ids, res.Summary)
	}

	sum := &SummaryOptions{Since: since, Until: now, UnusedDays: 30, BurstReads: 100, BurstWindow: time.Hour}
	res, err = Collect(context.Background(), src, Query{Filter: Filter{Since: since, Until: now}, Summary: sum, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Events) != 0 || res.Summary == nil {
		t.Fatalf("summary only: %d events, summary %v", len(res.Events), res.Summary)
	}
	if !slices.Contains(res.Summary.Unused, "app/unread") || slices.Contains(res.Summary.Unused, "app/db") {
		t.Errorf("unused = %v; want app/unread (known, never read) and not app/db", res.Summary.Unused)
	}
	if res.Summary.Events != 3 || res.Summary.BaselineEvents != 1 {
		t.Errorf("events %d, baseline %d; want 3 in the window and 1 before it (the baseline read is fetched for a summary)", res.Summary.Events, res.Summary.BaselineEvents)
	}

	boom := errors.New("boom")
	if _, err := Collect(context.Background(), sliceSource{err: boom}, Query{Filter: filter, Now: now}); !errors.Is(err, boom) {
		t.Errorf("source error = %v, want boom", err)
	}
}
