package audit

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"
)

// Query says what an audit lists or summarises.
type Query struct {
	Filter Filter // the events listed, and summarised
	// Summary, when set, computes a Summary over Filter's window and the
	// baseline window before it.
	Summary *SummaryOptions
	// List keeps the events that match Filter (`audit` without --summary).
	List bool
	// Now is the time the query is made (CloudTrail's retention counts
	// back from it).
	Now time.Time
}

// Result is what Collect gathered.
type Result struct {
	Events  []Event  // newest first; empty (not nil) unless Query.List is off
	Summary *Summary // nil without Query.Summary
	Counts  Counts   // what happened to the events the source read
}

// Counts says what became of the events a source read, so that an empty
// result can say why it is empty.
type Counts struct {
	Read          int `json:"read"`          // events the source passed on
	Duplicates    int `json:"duplicates"`    // the same event id seen again
	OutsideWindow int `json:"outsideWindow"` // not within --since/--until
	Filtered      int `json:"filtered"`      // in the window, but not the secret, principal, event or result asked for
}

// A Source reads events into a Collector: the local access log
// (LocalLog), CloudTrail log files (LogFiles) or CloudTrail LookupEvents
// (CloudTrail).
type Source interface {
	Read(ctx context.Context, c *Collector) error
}

// Collect reads src for q: events are deduplicated on their id, then
// listed, summarised or both.
func Collect(ctx context.Context, src Source, q Query) (Result, error) {
	c := newCollector(q)
	if err := src.Read(ctx, c); err != nil {
		return Result{}, err
	}
	res := Result{Events: c.sorted(), Counts: c.counts}
	if c.sum != nil {
		sum := c.sum.Result()
		res.Summary = &sum
	}
	return res, nil
}

// Collector takes the events a Source reads. Its methods are safe for
// concurrent use, so a source may read several regions at once.
type Collector struct {
	q      Query
	fetch  Filter // what is read: Filter, widened to the summary's baseline
	mu     sync.Mutex
	seen   *Deduper
	list   []Event
	sum    *Summarizer
	counts Counts
	// chronological: events arrive oldest first (the local log), so
	// equal times are reversed too when sorting newest first.
	chronological bool
}

func newCollector(q Query) *Collector {
	c := &Collector{q: q, fetch: q.Filter, seen: NewDeduper(0)}
	if q.Summary != nil {
		c.sum = NewSummarizer(*q.Summary)
		c.fetch.Since, _ = q.Summary.Window()
	}
	return c
}

// Fetch is the filter a source reads with: the query's filter, with Since
// moved back to the start of the summary's baseline window.
func (c *Collector) Fetch() Filter {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fetch
}

// Summarizing reports whether the query computes a summary.
func (c *Collector) Summarizing() bool { return c.sum != nil }

// Query is the query being collected.
func (c *Collector) Query() Query { return c.q }

// setFetchSince narrows what a source reads (CloudTrail reads less than a
// log file can hold).
func (c *Collector) setFetchSince(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fetch.Since = t
}

// Add takes one event; events that do not match Fetch are dropped.
func (c *Collector) Add(e *Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts.Read++
	if !c.fetch.Match(e) {
		c.count(e)
		return
	}
	if c.seen.Seen(e.EventID) {
		c.counts.Duplicates++
		return
	}
	if !c.q.Filter.Match(e) {
		c.count(e)
	}
	if c.sum != nil {
		c.sum.Add(e)
	}
	// --summary keeps nothing per event, so its memory does not grow with
	// the number of events.
	if c.q.List && c.q.Filter.Match(e) {
		e.Intern()
		c.list = append(c.list, *e)
	}
}

// count records why e does not match the query's filter.
func (c *Collector) count(e *Event) {
	f := c.q.Filter
	if (!f.Since.IsZero() && e.Time.Before(f.Since)) || (!f.Until.IsZero() && e.Time.After(f.Until)) {
		c.counts.OutsideWindow++
	} else {
		c.counts.Filtered++
	}
}

// AddKnownSecret tells the summary about a secret that exists, with the
// creation date and LastAccessedDate its store reports, so that a secret no event names is
// still reported as unused.
func (c *Collector) AddKnownSecret(name, arn string, created, lastAccessed *time.Time) {
	if c.sum == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sum.AddKnownSecret(name, arn, created, lastAccessed)
}

func (c *Collector) sorted() []Event {
	if c.chronological { // keep the newest of equal times first
		slices.Reverse(c.list)
	}
	sort.SliceStable(c.list, func(i, j int) bool { return c.list[i].Time.After(c.list[j].Time) })
	if c.list == nil {
		return []Event{}
	}
	return c.list
}
