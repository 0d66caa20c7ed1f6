package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/text"
)

var (
	_ Source = LocalLog{}
	_ Source = TrailLogs{}
	_ Source = (*CloudTrail)(nil)
)

// LocalLog reads the local store's access log, the file at Path.
type LocalLog struct {
	Path string
}

// Read implements Source.
func (l LocalLog) Read(ctx context.Context, c *Collector) error {
	fh, err := os.Open(l.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no access log at %s (the local store records one once it is used; for AWS use --backend aws)", l.Path)
	}
	if err != nil {
		return err
	}
	defer fh.Close()
	c.chronological = true
	if c.Summarizing() {
		// The whole file is read anyway: let the summary see every secret
		// the log names, so one created long ago and never read since is
		// reported as unused rather than not at all.
		c.setFetchSince(time.Time{})
	}
	return ReadLocal(fh, func(e *Event) error {
		c.Add(e)
		return ctx.Err()
	})
}

// TrailLogs reads CloudTrail log files: each root is a file or a tree such
// as an AWSLogs/ directory synced from the trail's S3 bucket.
type TrailLogs struct {
	Roots []string
	// Progress, if set, receives running totals for one root.
	Progress func(root string, s LogStats)
	// Done, if set, receives the totals of each root once it is read.
	Done func(root string, s LogStats)
}

// Read implements Source.
func (l TrailLogs) Read(ctx context.Context, c *Collector) error {
	for _, root := range l.Roots {
		o := LogOptions{Sources: []string{SourceSecretsManager, SourceLocal}}
		if l.Progress != nil {
			o.Progress = func(s LogStats) { l.Progress(root, s) }
		}
		st, err := ReadLogs(ctx, root, o, func(batch []Event) error {
			for i := range batch {
				c.Add(&batch[i])
			}
			return nil
		})
		if err != nil {
			return err
		}
		if l.Done != nil {
			l.Done(root, st)
		}
	}
	return nil
}

// Catalog is the part of a secret store the CloudTrail source uses: a
// secret's ARN, for a LookupEvents ResourceName, and every secret with its
// LastAccessedDate, for the summary. awssm.Store implements it.
type Catalog interface {
	Describe(ctx context.Context, id string) (store.Meta, error)
	List(ctx context.Context, o store.ListOptions) ([]store.Meta, error)
}

// RegionClients builds the clients for one region ("" is the SDK's
// default region chain). A nil Catalog skips the ARN lookup and the known
// secrets.
type RegionClients func(ctx context.Context, region string) (CloudTrailAPI, Catalog, error)

// CloudTrail reads CloudTrail LookupEvents in each region at once, paced at
// the API's rate per region.
type CloudTrail struct {
	Regions []string // "" is the SDK's default region
	Clients RegionClients
	// Notef, if set, receives notes for the user (a baseline cut at the
	// retention limit, a name that did not resolve to an ARN).
	Notef func(format string, a ...any)
	// Progress, if set, receives the running totals of every region.
	Progress func([]LookupStats)
	// Retry, if set, hears of each failed request about to be tried again.
	Retry func(RetryInfo)
}

// Read implements Source. A query window that starts before LookupEvents'
// retention (see BeyondRetention) reads what is left of it.
func (ct *CloudTrail) Read(ctx context.Context, c *Collector) error {
	q := c.Query()
	oldest := q.Now.UTC().Add(-LookupRetention)
	if c.Summarizing() {
		// Each LookupEvents page costs half a second, so a summary reads
		// only the window and the baseline before it; whether an older
		// secret is unused comes from the catalog's LastAccessedDate.
		c.setFetchSince(q.Filter.Since.Add(-q.Filter.Until.Sub(q.Filter.Since)))
	}
	if c.Fetch().Since.Before(oldest) {
		c.setFetchSince(oldest.Add(time.Minute))
		ct.note("LookupEvents reaches back 90 days; the baseline window is cut there")
	}
	regions := ct.Regions
	if len(regions) == 0 {
		regions = []string{""}
	}
	var mu sync.Mutex
	stats := make([]LookupStats, len(regions))
	g, gctx := errgroup.WithContext(ctx)
	for i, region := range regions {
		g.Go(func() error {
			api, cat, err := ct.Clients(gctx, region)
			if err != nil {
				return awsx.Classify(err)
			}
			arn := ""
			if s := q.Filter.Secret; s != "" && cat != nil && !fullARN(s) {
				m, err := cat.Describe(gctx, s)
				if err == nil {
					arn = m.ARN
				} else { // e.g. a deleted secret: filter on the client instead
					ct.note("%s: cannot resolve %s to an ARN (%s); reading all Secrets Manager events and filtering them here",
						RegionLabel(region), s, text.OneLine(awsx.Classify(err).Error()))
				}
			}
			if c.Summarizing() && cat != nil {
				if err := addKnownSecrets(gctx, cat, q.Filter.Secret, c); err != nil {
					return fmt.Errorf("list secrets in %s: %w", region, awsx.Classify(err))
				}
			}
			st, err := Lookup(gctx, api, LookupOptions{
				Region: region, Filter: c.Fetch(), SecretARN: arn, Retry: ct.Retry,
				Progress: func(s LookupStats) {
					mu.Lock()
					defer mu.Unlock()
					stats[i] = s
					if ct.Progress != nil {
						ct.Progress(stats)
					}
				},
			}, func(e *Event) error {
				c.Add(e)
				return nil
			})
			if err != nil {
				return awsx.Classify(err)
			}
			mu.Lock()
			stats[i] = st
			mu.Unlock()
			return nil
		})
	}
	return g.Wait()
}

// BeyondRetention reports whether q's window starts before the oldest
// event LookupEvents returns.
func BeyondRetention(q Query) bool {
	return q.Filter.Since.Before(q.Now.UTC().Add(-LookupRetention))
}

func (ct *CloudTrail) note(format string, a ...any) {
	if ct.Notef != nil {
		ct.Notef(format, a...)
	}
}

// addKnownSecrets feeds every live secret in the catalog (those matching
// only, when set) into the summary.
func addKnownSecrets(ctx context.Context, cat Catalog, only string, c *Collector) error {
	metas, err := cat.List(ctx, store.ListOptions{})
	if err != nil {
		return err
	}
	for _, m := range metas {
		if m.DeletedDate != nil {
			continue
		}
		if only != "" && !MatchSecret(only, &Event{Secret: m.Name, SecretARN: m.ARN}) {
			continue
		}
		c.AddKnownSecret(m.Name, m.ARN, &m.CreatedDate, m.LastAccessedDate)
	}
	return nil
}

// fullARN reports whether s is a secret ARN with its six-character suffix,
// which LookupEvents takes as a ResourceName as it is.
func fullARN(s string) bool {
	return IsSecretARN(s) && NameFromARN(s) != s[strings.Index(s, ":secret:")+len(":secret:"):]
}

// RegionLabel names a region in messages: "" is the default region.
func RegionLabel(r string) string {
	if r == "" {
		return "default region"
	}
	return r
}
