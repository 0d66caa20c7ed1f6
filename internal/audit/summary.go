package audit

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Defaults of the summary.
const (
	DefaultUnusedDays  = 90
	DefaultBurstReads  = 100
	DefaultBurstWindow = 5 * time.Minute
)

// SummaryOptions sets the windows of a summary.
type SummaryOptions struct {
	Since, Until time.Time     // the window reported on; events before Since are the baseline
	UnusedDays   int           // a secret is unused when nobody read it in the UnusedDays before Until
	BurstReads   int           // a burst is at least BurstReads reads of one secret by one principal ...
	BurstWindow  time.Duration // ... within one aligned window of this length
}

// Window returns the time range a summary needs events from: the
// reported window, the baseline window of the same length before it (for
// new principals) and the unused-days window.
func (o SummaryOptions) Window() (start, end time.Time) {
	start = o.Since.Add(-o.Until.Sub(o.Since))
	if o.UnusedDays > 0 {
		if u := o.Until.AddDate(0, 0, -o.UnusedDays); u.Before(start) {
			start = u
		}
	}
	return start, o.Until
}

// Summary is the result of a Summarizer.
type Summary struct {
	Since          time.Time       `json:"since"`
	Until          time.Time       `json:"until"`
	Events         int             `json:"events"`         // events in the window
	BaselineEvents int             `json:"baselineEvents"` // events in the window before, for new principals
	Secrets        []SecretSummary `json:"secrets"`
	Unused         []string        `json:"unused"` // secrets nobody read in UnusedDays
	UnusedDays     int             `json:"unusedDays"`
	NewPrincipals  []NewPrincipal  `json:"newPrincipals"` // empty when the baseline has no events
	Bursts         []Burst         `json:"bursts"`
	Denied         int             `json:"denied"` // denied attempts in the window
}

// SecretSummary is what happened to one secret in the window.
type SecretSummary struct {
	Secret           string        `json:"secret"`
	ARN              string        `json:"arn,omitempty"`
	Reads            int           `json:"reads"`
	Readers          []ReaderCount `json:"readers"`
	LastRead         *time.Time    `json:"lastRead,omitempty"` // last successful read seen in any fetched event
	LastReader       string        `json:"lastReader,omitempty"`
	Writes           int           `json:"writes"`
	Denied           int           `json:"denied"`
	Failed           int           `json:"failed"` // failed calls, denied ones included
	LastAccessedDate *time.Time    `json:"lastAccessedDate,omitempty"`
	Unused           bool          `json:"unused"`
	Deleted          bool          `json:"deleted,omitempty"`
}

// ReaderCount is one principal's successful reads of a secret.
type ReaderCount struct {
	Principal string `json:"principal"`
	Reads     int    `json:"reads"`
}

// NewPrincipal is a principal seen in the window and not in the one before.
type NewPrincipal struct {
	Principal string    `json:"principal"`
	ARN       string    `json:"arn,omitempty"`
	FirstSeen time.Time `json:"firstSeen"`
	Secrets   []string  `json:"secrets"`
}

// Burst is a run of reads of one secret by one principal.
type Burst struct {
	Secret    string    `json:"secret"`
	Principal string    `json:"principal"`
	Start     time.Time `json:"start"`
	Reads     int       `json:"reads"`
}

type secretAgg struct {
	arn               string
	reads             int
	readers           map[string]int
	lastRead          time.Time
	lastReader        string
	writes, den, fail int
	lastAccessed      *time.Time
	lifecycle         time.Time // time of the last successful create/delete/restore
	deleted           bool
	created           time.Time // when it was created, if an event or the catalog says
	known             bool      // seen in a successful call or listed: it exists (or existed)
}

type principalAgg struct {
	arn       string
	firstSeen time.Time
	baseline  bool
	inWindow  bool
	secrets   map[string]bool
}

type burstKey struct {
	secret, principal string
	start             int64
}

// Summarizer builds a Summary from a stream of events in any order. Its
// memory grows with the number of distinct secrets and principals, not
// with the number of events (burst counters older than an hour behind the
// newest event are folded away).
type Summarizer struct {
	o          SummaryOptions
	secrets    map[string]*secretAgg
	principals map[string]*principalAgg
	buckets    map[burstKey]int
	bursts     map[burstKey]int
	newest     time.Time
	adds       int
	events     int
	baseline   int
}

// NewSummarizer returns a Summarizer; zero options take the defaults.
func NewSummarizer(o SummaryOptions) *Summarizer {
	if o.UnusedDays <= 0 {
		o.UnusedDays = DefaultUnusedDays
	}
	if o.BurstReads <= 0 {
		o.BurstReads = DefaultBurstReads
	}
	if o.BurstWindow <= 0 {
		o.BurstWindow = DefaultBurstWindow
	}
	return &Summarizer{
		o: o, secrets: map[string]*secretAgg{}, principals: map[string]*principalAgg{},
		buckets: map[burstKey]int{}, bursts: map[burstKey]int{},
	}
}

func (s *Summarizer) secret(name string) *secretAgg {
	a := s.secrets[name]
	if a == nil {
		a = &secretAgg{readers: map[string]int{}}
		s.secrets[name] = a
	}
	return a
}

// AddKnownSecret adds a secret that exists even if no event names it, with
// the LastAccessedDate Secrets Manager reports (nil if unknown).
func (s *Summarizer) AddKnownSecret(name, arn string, created, lastAccessed *time.Time) {
	a := s.secret(name)
	a.known = true
	if created != nil && !created.IsZero() && created.After(a.created) {
		a.created = created.UTC()
	}
	if a.arn == "" {
		a.arn = arn
	}
	if lastAccessed != nil {
		t := lastAccessed.UTC()
		a.lastAccessed = &t
	}
}

// Add takes one event. Events after Until are ignored.
func (s *Summarizer) Add(e *Event) {
	if !s.o.Until.IsZero() && e.Time.After(s.o.Until) {
		return
	}
	inWindow := s.o.Since.IsZero() || !e.Time.Before(s.o.Since)
	if inWindow {
		s.events++
	} else if !e.Time.Before(s.o.Since.Add(-s.o.Until.Sub(s.o.Since))) {
		s.baseline++
	}

	if e.Principal != "" {
		p := s.principals[e.Principal]
		if p == nil {
			p = &principalAgg{arn: e.PrincipalARN, secrets: map[string]bool{}}
			s.principals[e.Principal] = p
		}
		if inWindow {
			if !p.inWindow || e.Time.Before(p.firstSeen) {
				p.firstSeen = e.Time
			}
			p.inWindow = true
			if e.Secret != "" && len(p.secrets) < 20 {
				p.secrets[e.Secret] = true
			}
		} else {
			p.baseline = true
		}
	}

	if e.Secret == "" {
		return
	}
	a := s.secret(e.Secret)
	if a.arn == "" {
		a.arn = e.SecretARN
	}
	if !e.Failed() {
		a.known = true
		switch e.Action {
		case "CreateSecret", "RestoreSecret", "DeleteSecret":
			if !e.Time.Before(a.lifecycle) {
				a.lifecycle = e.Time
				a.deleted = e.Action == "DeleteSecret"
			}
			if e.Action == "CreateSecret" && e.Time.After(a.created) {
				a.created = e.Time
			}
		}
	}
	if e.IsRead() && !e.Failed() && e.Time.After(a.lastRead) {
		a.lastRead, a.lastReader = e.Time, e.Principal
	}
	if !inWindow {
		return
	}
	switch {
	case e.Failed():
		a.fail++
		if e.Denied() {
			a.den++
		}
	case e.IsRead():
		a.reads++
		a.readers[e.Principal]++
		s.countBurst(e)
	case !e.ReadOnly:
		a.writes++
	}
}

func (s *Summarizer) countBurst(e *Event) {
	w := int64(s.o.BurstWindow)
	k := burstKey{e.Secret, e.Principal, e.Time.UnixNano() / w * w}
	s.buckets[k]++
	if e.Time.After(s.newest) {
		s.newest = e.Time
	}
	if s.adds++; s.adds%65536 == 0 {
		s.foldBuckets(s.newest.Add(-time.Hour).UnixNano())
	}
}

// foldBuckets keeps the bursts among buckets that start before cutoff and
// drops those buckets.
func (s *Summarizer) foldBuckets(cutoff int64) {
	for k, n := range s.buckets {
		if k.start < cutoff {
			if n >= s.o.BurstReads && n > s.bursts[k] {
				s.bursts[k] = n
			}
			delete(s.buckets, k)
		}
	}
}

// Result returns the summary. It can be called once.
func (s *Summarizer) Result() Summary {
	s.foldBuckets(1<<63 - 1)
	sum := Summary{
		Since: s.o.Since, Until: s.o.Until, Events: s.events, BaselineEvents: s.baseline,
		UnusedDays: s.o.UnusedDays, Secrets: []SecretSummary{}, Unused: []string{},
		NewPrincipals: []NewPrincipal{}, Bursts: []Burst{},
	}
	cutoff := s.o.Until.AddDate(0, 0, -s.o.UnusedDays)
	for name, a := range s.secrets {
		ss := SecretSummary{
			Secret: name, ARN: a.arn, Reads: a.reads, Writes: a.writes, Denied: a.den, Failed: a.fail,
			LastAccessedDate: a.lastAccessed, LastReader: a.lastReader, Deleted: a.deleted, Readers: []ReaderCount{},
		}
		if !a.lastRead.IsZero() {
			t := a.lastRead
			ss.LastRead = &t
		}
		for p, n := range a.readers {
			ss.Readers = append(ss.Readers, ReaderCount{p, n})
		}
		sort.Slice(ss.Readers, func(i, j int) bool {
			if ss.Readers[i].Reads != ss.Readers[j].Reads {
				return ss.Readers[i].Reads > ss.Readers[j].Reads
			}
			return ss.Readers[i].Principal < ss.Readers[j].Principal
		})
		readRecently := !a.lastRead.IsZero() && !a.lastRead.Before(cutoff)
		accessedRecently := a.lastAccessed != nil && !a.lastAccessed.Before(cutoff.Truncate(24*time.Hour))
		// A name only failed calls used (a typo, a secret never created) is
		// not a secret, so it cannot be unused.
		// A secret younger than the unused-days window has not had the
		// time to be unused.
		young := a.created.After(cutoff)
		ss.Unused = a.known && !a.deleted && !young && !readRecently && !accessedRecently
		if ss.Unused {
			sum.Unused = append(sum.Unused, name)
		}
		sum.Denied += a.den
		sum.Secrets = append(sum.Secrets, ss)
	}
	sort.Slice(sum.Secrets, func(i, j int) bool { return sum.Secrets[i].Secret < sum.Secrets[j].Secret })
	sort.Strings(sum.Unused)

	if s.baseline > 0 {
		for name, p := range s.principals {
			if p.inWindow && !p.baseline {
				np := NewPrincipal{Principal: name, ARN: p.arn, FirstSeen: p.firstSeen, Secrets: []string{}}
				for sec := range p.secrets {
					np.Secrets = append(np.Secrets, sec)
				}
				sort.Strings(np.Secrets)
				sum.NewPrincipals = append(sum.NewPrincipals, np)
			}
		}
	}
	sort.Slice(sum.NewPrincipals, func(i, j int) bool { return sum.NewPrincipals[i].Principal < sum.NewPrincipals[j].Principal })

	for k, n := range s.bursts {
		sum.Bursts = append(sum.Bursts, Burst{Secret: k.secret, Principal: k.principal, Start: time.Unix(0, k.start).UTC(), Reads: n})
	}
	sort.Slice(sum.Bursts, func(i, j int) bool {
		if !sum.Bursts[i].Start.Equal(sum.Bursts[j].Start) {
			return sum.Bursts[i].Start.Before(sum.Bursts[j].Start)
		}
		return sum.Bursts[i].Secret+sum.Bursts[i].Principal < sum.Bursts[j].Secret+sum.Bursts[j].Principal
	})
	return sum
}

// Fail-on conditions.
const (
	CondDenied       = "denied"
	CondUnused       = "unused"
	CondNewPrincipal = "new-principal"
)

// Conditions lists the --fail-on names.
var Conditions = []string{CondDenied, CondUnused, CondNewPrincipal}

// ParseConditions checks --fail-on names.
func ParseConditions(names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if !containsFold(Conditions, n) {
			return nil, fmt.Errorf("invalid --fail-on condition %q: want %s", n, strings.Join(Conditions, ", "))
		}
		out = append(out, n)
	}
	return out, nil
}

// FailOn returns the named conditions present in sum, in the order given.
func FailOn(sum *Summary, conds []string) []string {
	var hit []string
	for _, c := range conds {
		switch c {
		case CondDenied:
			if sum.Denied > 0 {
				hit = append(hit, c)
			}
		case CondUnused:
			if len(sum.Unused) > 0 {
				hit = append(hit, c)
			}
		case CondNewPrincipal:
			if len(sum.NewPrincipals) > 0 {
				hit = append(hit, c)
			}
		}
	}
	return hit
}
