package commands

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/secretctl/secretctl/internal/audit"
	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/store/local"
	"github.com/secretctl/secretctl/internal/text"
	"github.com/secretctl/secretctl/internal/ui"
)

// AuditSecretsAPI is the part of Secrets Manager `audit` uses: the secret's
// ARN for a ResourceName lookup and LastAccessedDate for --summary.
type AuditSecretsAPI interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	ListSecrets(ctx context.Context, in *secretsmanager.ListSecretsInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error)
}

// AuditOptions are the inputs of `secretctl audit`.
type AuditOptions struct {
	F *Factory
	// AWSClients builds the clients for one region; nil uses the AWS
	// configuration (tests point it at a test server instead).
	AWSClients func(ctx context.Context, region string) (audit.CloudTrailAPI, AuditSecretsAPI, error)

	Secret      string
	Since       string
	Until       string
	Principals  []string
	Events      []string
	ErrorsOnly  bool
	Summary     bool
	UnusedDays  int
	BurstReads  int
	BurstWindow time.Duration
	FailOn      []string
	FromLogs    []string
	Regions     []string // --region on audit: repeatable and comma lists
}

func newAuditCmd(f *Factory, runF func(context.Context, *AuditOptions) error) *cobra.Command {
	opts := &AuditOptions{F: f}
	cmd := &cobra.Command{
		Use:   "audit [NAME]",
		Short: "Show who read or changed secrets, from the local access log or CloudTrail",
		Long: `Show who did what to which secret: time, principal, action, secret, source IP
and result, newest first. Secret values are never logged or shown.

Sources:
  local backend   the store's hash-chained access log (every operation, reads
                  and failures included)
  --backend aws   CloudTrail LookupEvents for secretsmanager.amazonaws.com in
                  --region (a comma list runs several regions), last 90 days,
                  paced at CloudTrail's 2 requests per second per region
  --from-logs P   CloudTrail log files (*.json.gz, *.json, a whole AWSLogs/
                  tree) exported from the trail's S3 bucket: any age, any size;
                  needs no backend

--summary reports, per secret, its readers and read counts, the last read,
denied attempts; secrets nobody read in --unused-days; principals seen for
the first time compared with the previous window of the same length; and
read bursts. --fail-on turns those conditions into exit status 1.

Examples:
  secretctl audit
  secretctl audit prod/payments/db --since 30d
  secretctl audit --errors-only --principal contractor-jdoe -o csv
  secretctl audit --backend aws --region us-east-1,eu-west-1 --summary
  secretctl audit --from-logs ./AWSLogs --since 2025-01-01 --summary -o json
  secretctl audit --summary --fail-on denied,unused,new-principal
  secretctl audit status
  secretctl audit verify

Exit status:
  0 shown, no --fail-on condition present; 1 a --fail-on condition is
  present; 2 invalid input or a backend error.`,
		Args: maxArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Secret = args[0]
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runAudit(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Since, "since", "7d", "start of the window: a duration back from now (7d, 12h), RFC 3339 or YYYY-MM-DD")
	fl.StringVar(&opts.Until, "until", "", "end of the window (default now), same forms as --since")
	fl.StringArrayVar(&opts.Principals, "principal", nil, "only events by this principal: user, role/NAME, role/NAME (session), ARN or access key id (repeatable, comma list)")
	fl.StringArrayVar(&opts.Events, "event", nil, "only these event names, e.g. GetSecretValue (repeatable, comma list)")
	fl.BoolVar(&opts.ErrorsOnly, "errors-only", false, "only failed calls")
	fl.BoolVar(&opts.Summary, "summary", false, "per-secret readers, unused secrets, new principals and read bursts")
	fl.IntVar(&opts.UnusedDays, "unused-days", audit.DefaultUnusedDays, "a secret nobody read in this many days is unused")
	fl.IntVar(&opts.BurstReads, "burst-reads", audit.DefaultBurstReads, "reads of one secret by one principal within --burst-window that make a burst")
	fl.DurationVar(&opts.BurstWindow, "burst-window", audit.DefaultBurstWindow, "window of a read burst")
	fl.StringSliceVar(&opts.FailOn, "fail-on", nil, "exit 1 when any of these is present: denied, unused, new-principal")
	fl.StringArrayVar(&opts.FromLogs, "from-logs", nil, "read CloudTrail log files (a file or an AWSLogs/ tree) instead of a backend (repeatable)")
	// audit's own --region (for it and its subcommands) takes several
	// regions; it shadows the global one, whose environment variable and
	// config key still apply when it is not given.
	cmd.PersistentFlags().StringArrayVar(&opts.Regions, "region", nil,
		"AWS region(s) to read, repeatable or a comma list (SECRETCTL_REGION, AWS_REGION)")
	cmd.AddCommand(newAuditStatusCmd(f, opts, nil), newAuditVerifyCmd(f, nil))
	return cmd
}

// auditPlan is the parsed form of AuditOptions.
type auditPlan struct {
	out     ui.Format
	filter  audit.Filter // what is listed / summarised
	fetch   audit.Filter // what is read (wider for --summary)
	sumOpts audit.SummaryOptions
	conds   []string
	summary bool // compute a summary (--summary or --fail-on)
	list    bool // print the events (no --summary)
}

func planAudit(opts *AuditOptions) (*auditPlan, error) {
	f := opts.F
	out, err := outputFormat(f, ui.FormatTable, ui.FormatJSON, ui.FormatYAML, ui.FormatCSV)
	if err != nil {
		return nil, err
	}
	now := f.Now().UTC()
	since, err := audit.ParseTime(opts.Since, now)
	if err != nil {
		return nil, usageErrorf("audit: --since: %v", err)
	}
	until := now
	if opts.Until != "" {
		if until, err = audit.ParseTime(opts.Until, now); err != nil {
			return nil, usageErrorf("audit: --until: %v", err)
		}
	}
	if since.IsZero() || !since.Before(until) {
		return nil, usageErrorf("audit: --since must be before --until")
	}
	conds, err := audit.ParseConditions(audit.SplitList(opts.FailOn))
	if err != nil {
		return nil, &UsageError{Err: fmt.Errorf("audit: %w", err)}
	}
	if opts.UnusedDays <= 0 || opts.BurstReads <= 0 || opts.BurstWindow <= 0 {
		return nil, usageErrorf("audit: --unused-days, --burst-reads and --burst-window must be positive")
	}
	p := &auditPlan{out: out, conds: conds, summary: opts.Summary || len(conds) > 0, list: !opts.Summary}
	p.filter = audit.Filter{
		Secret: opts.Secret, Principals: audit.SplitList(opts.Principals), Events: audit.SplitList(opts.Events),
		ErrorsOnly: opts.ErrorsOnly, Since: since, Until: until,
	}
	p.sumOpts = audit.SummaryOptions{Since: since, Until: until, UnusedDays: opts.UnusedDays, BurstReads: opts.BurstReads, BurstWindow: opts.BurstWindow}
	p.fetch = p.filter
	if p.summary {
		p.fetch.Since, _ = p.sumOpts.Window()
	}
	return p, nil
}

func runAudit(ctx context.Context, opts *AuditOptions) error {
	f := opts.F
	p, err := planAudit(opts)
	if err != nil {
		return err
	}
	c := newAuditCollector(p)
	switch {
	case len(opts.FromLogs) > 0:
		err = auditFromLogs(ctx, opts, p, c)
	case f.Config.IsAWS():
		err = auditFromAWS(ctx, opts, p, c)
	default:
		err = auditFromLocal(ctx, opts, c)
	}
	if err != nil {
		return err
	}
	if p.summary {
		sum := c.sum.Result()
		if opts.Summary {
			if err := printSummary(f, p.out, &sum); err != nil {
				return err
			}
		} else if err := printEvents(f, p.out, c.sorted()); err != nil {
			return err
		}
		if hit := audit.FailOn(&sum, p.conds); len(hit) > 0 {
			fmt.Fprintf(f.IO.ErrOut, "✗ audit: %s\n", describeHits(&sum, hit))
			return ErrFindings
		}
		if sum.BaselineEvents == 0 && slices.Contains(p.conds, audit.CondNewPrincipal) {
			fmt.Fprintln(f.IO.ErrOut, "note: no events in the previous window, so no principal is reported as new")
		}
		return nil
	}
	return printEvents(f, p.out, c.sorted())
}

func describeHits(sum *audit.Summary, hit []string) string {
	var parts []string
	for _, h := range hit {
		switch h {
		case audit.CondDenied:
			parts = append(parts, fmt.Sprintf("%d denied attempt(s)", sum.Denied))
		case audit.CondUnused:
			parts = append(parts, fmt.Sprintf("unused for %d days: %s", sum.UnusedDays, strings.Join(sum.Unused, ", ")))
		case audit.CondNewPrincipal:
			var names []string
			for _, n := range sum.NewPrincipals {
				names = append(names, n.Principal)
			}
			parts = append(parts, "new principal(s): "+strings.Join(names, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

// auditCollector dedupes events and feeds the list and the summary. It is
// not safe for concurrent use.
type auditCollector struct {
	p      *auditPlan
	dedupe *audit.Deduper
	events []audit.Event
	sum    *audit.Summarizer
	// chronological: events arrive oldest first (the local log), so
	// equal times are reversed too when sorting newest first.
	chronological bool
}

func newAuditCollector(p *auditPlan) *auditCollector {
	c := &auditCollector{p: p, dedupe: audit.NewDeduper(0)}
	if p.summary {
		c.sum = audit.NewSummarizer(p.sumOpts)
	}
	return c
}

// add takes an event that passed p.fetch.
func (c *auditCollector) add(e *audit.Event) {
	if c.dedupe.Seen(e.EventID) {
		return
	}
	if c.sum != nil {
		c.sum.Add(e)
	}
	// --summary keeps nothing per event, so its memory does not grow with
	// the number of events.
	if c.p.list && c.p.filter.Match(e) {
		e.Intern()
		c.events = append(c.events, *e)
	}
}

func (c *auditCollector) sorted() []audit.Event {
	if c.chronological { // keep the newest of equal times first
		slices.Reverse(c.events)
	}
	sort.SliceStable(c.events, func(i, j int) bool { return c.events[i].Time.After(c.events[j].Time) })
	if c.events == nil {
		return []audit.Event{}
	}
	return c.events
}

func auditFromLocal(ctx context.Context, opts *AuditOptions, c *auditCollector) error {
	path := filepath.Join(opts.F.Config.Home, local.AuditFile)
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("audit: no access log at %s (the local store records one once it is used; for AWS use --backend aws)", path)
	}
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	defer fh.Close()
	c.chronological = true
	return audit.ReadLocal(fh, func(e *audit.Event) error {
		if c.p.fetch.Match(e) {
			c.add(e)
		}
		return ctx.Err()
	})
}

func auditFromLogs(ctx context.Context, opts *AuditOptions, p *auditPlan, c *auditCollector) error {
	f := opts.F
	progress := f.IO.NewProgress(0)
	defer progress.Done()
	for _, root := range opts.FromLogs {
		_, err := audit.ReadLogs(ctx, root, audit.LogOptions{
			Sources: []string{audit.SourceSecretsManager, audit.SourceLocal},
			Progress: func(s audit.LogStats) {
				progress.Printf("%s: %d files, %d records, %d Secrets Manager events", root, s.Files, s.Records, s.Events)
			},
		}, func(batch []audit.Event) error {
			for i := range batch {
				if p.fetch.Match(&batch[i]) {
					c.add(&batch[i])
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("audit --from-logs: %w", err)
		}
	}
	return nil
}

func (opts *AuditOptions) regions() []string {
	rs := audit.SplitList(opts.Regions)
	if len(rs) == 0 {
		rs = audit.SplitList([]string{opts.F.Config.Region}) // SECRETCTL_REGION, config file
	}
	if len(rs) == 0 {
		return []string{""} // the SDK's default region chain
	}
	return rs
}

func (opts *AuditOptions) clients(ctx context.Context, region string) (audit.CloudTrailAPI, AuditSecretsAPI, error) {
	if opts.AWSClients != nil {
		return opts.AWSClients(ctx, region)
	}
	cfg := opts.F.Config
	ac, err := awsx.Load(ctx, awsx.Options{
		Region: region, Profile: cfg.Profile, EndpointURL: cfg.EndpointURL, RetryMode: cfg.RetryMode, UserAgentVersion: opts.F.Version,
	})
	if err != nil {
		return nil, nil, err
	}
	cl := awsx.NewClients(ac, cfg.EndpointURL)
	return cl.CloudTrail, cl.SecretsManager, nil
}

func auditFromAWS(ctx context.Context, opts *AuditOptions, p *auditPlan, c *auditCollector) error {
	f := opts.F
	now := f.Now().UTC()
	oldest := now.Add(-audit.LookupRetention)
	if p.filter.Since.Before(oldest) {
		return usageErrorf("audit: CloudTrail LookupEvents covers the last 90 days only; for older events use --from-logs with the trail's S3 logs (see docs/audit.md)")
	}
	if p.summary {
		// Each LookupEvents page costs half a second, so --summary reads
		// only the window and the baseline before it; whether an older
		// secret is unused comes from ListSecrets' LastAccessedDate.
		p.fetch.Since = p.filter.Since.Add(-p.filter.Until.Sub(p.filter.Since))
	}
	if p.fetch.Since.Before(oldest) {
		p.fetch.Since = oldest.Add(time.Minute)
		fmt.Fprintln(f.IO.ErrOut, "note: LookupEvents reaches back 90 days; the baseline window is cut there")
	}
	regions := opts.regions()
	progress := f.IO.NewProgress(0)
	defer progress.Done()
	var mu sync.Mutex
	stats := make([]audit.LookupStats, len(regions))
	g, gctx := errgroup.WithContext(ctx)
	for i, region := range regions {
		g.Go(func() error {
			ct, sm, err := opts.clients(gctx, region)
			if err != nil {
				return fmt.Errorf("audit: %w", awsx.Classify(err))
			}
			arn := ""
			if s := p.filter.Secret; s != "" && sm != nil && !fullARN(s) {
				out, err := sm.DescribeSecret(gctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(s)})
				if err == nil {
					arn = aws.ToString(out.ARN)
				} else { // e.g. a deleted secret: filter on the client instead
					mu.Lock()
					fmt.Fprintf(progress, "note: %s: cannot resolve %s to an ARN (%s); reading all Secrets Manager events and filtering them here\n",
						regionLabel(region), s, text.OneLine(awsx.Classify(err).Error()))
					mu.Unlock()
				}
			}
			if p.summary && sm != nil {
				if err := addKnownSecrets(gctx, sm, p.filter.Secret, c, &mu); err != nil {
					return fmt.Errorf("audit: list secrets in %s: %w", region, awsx.Classify(err))
				}
			}
			st, err := audit.Lookup(gctx, ct, audit.LookupOptions{
				Region: region, Filter: p.fetch, SecretARN: arn,
				Progress: func(s audit.LookupStats) {
					mu.Lock()
					stats[i] = s
					progress.Printf("%s", lookupProgress(stats))
					mu.Unlock()
				},
			}, func(e *audit.Event) error {
				mu.Lock()
				c.add(e)
				mu.Unlock()
				return nil
			})
			if err != nil {
				return fmt.Errorf("audit: %w", awsx.Classify(err))
			}
			mu.Lock()
			stats[i] = st
			mu.Unlock()
			return nil
		})
	}
	return g.Wait()
}

func fullARN(s string) bool {
	return audit.IsSecretARN(s) && audit.NameFromARN(s) != s[strings.Index(s, ":secret:")+len(":secret:"):]
}

func lookupProgress(stats []audit.LookupStats) string {
	var parts []string
	for _, s := range stats {
		if s.Requests == 0 {
			continue
		}
		rps := 0.0
		if s.Elapsed > 0 {
			rps = float64(s.Requests) / s.Elapsed.Seconds()
		}
		parts = append(parts, fmt.Sprintf("%s: %d pages, %d events, %.1f req/s", regionLabel(s.Region), s.Pages, s.Matched, rps))
	}
	return strings.Join(parts, " | ")
}

func regionLabel(r string) string {
	if r == "" {
		return "default region"
	}
	return r
}

// addKnownSecrets feeds every secret in the region, with its
// LastAccessedDate, into the summary, so a secret that no event names is
// still reported as unused.
func addKnownSecrets(ctx context.Context, sm AuditSecretsAPI, only string, c *auditCollector, mu *sync.Mutex) error {
	in := &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(100)}
	for {
		out, err := sm.ListSecrets(ctx, in)
		if err != nil {
			return err
		}
		mu.Lock()
		for _, s := range out.SecretList {
			name, arn := aws.ToString(s.Name), aws.ToString(s.ARN)
			if s.DeletedDate != nil {
				continue
			}
			if only != "" && !audit.MatchSecret(only, &audit.Event{Secret: name, SecretARN: arn}) {
				continue
			}
			c.sum.AddKnownSecret(name, arn, s.LastAccessedDate)
		}
		mu.Unlock()
		if aws.ToString(out.NextToken) == "" {
			return nil
		}
		in.NextToken = out.NextToken
	}
}

func printEvents(f *Factory, out ui.Format, events []audit.Event) error {
	if out == ui.FormatCSV {
		w := csv.NewWriter(f.IO.Out)
		_ = w.Write([]string{"time", "principal", "action", "secret", "sourceIp", "result", "region", "principalArn", "errorMessage", "eventId"})
		for _, e := range events {
			_ = w.Write([]string{e.Time.Format(time.RFC3339), e.Principal, e.Action, e.Secret, e.SourceIP, e.Result(), e.Region, e.PrincipalARN, e.ErrorMessage, e.EventID})
		}
		w.Flush()
		return w.Error()
	}
	now := f.Now()
	return ui.Print(f.IO, out, events, func(t *ui.Table) {
		t.Header("TIME", "PRINCIPAL", "ACTION", "SECRET", "SOURCE IP", "RESULT")
		for _, e := range events {
			t.Row(f.IO.Time(e.Time, now), e.Principal, e.Action, e.Secret, e.SourceIP, e.Result())
		}
	})
}

func printSummary(f *Factory, out ui.Format, sum *audit.Summary) error {
	now := f.Now()
	switch out {
	case ui.FormatJSON:
		return ui.PrintJSON(f.IO.Out, sum)
	case ui.FormatYAML:
		return ui.PrintYAML(f.IO.Out, sum)
	case ui.FormatCSV:
		w := csv.NewWriter(f.IO.Out)
		_ = w.Write([]string{"secret", "reads", "readers", "lastRead", "lastReader", "denied", "failed", "unused", "newPrincipals", "bursts"})
		for _, s := range sum.Secrets {
			last := ""
			if s.LastRead != nil {
				last = s.LastRead.UTC().Format(time.RFC3339)
			}
			_ = w.Write([]string{s.Secret, strconv.Itoa(s.Reads), readersCell(s.Readers, 0), last, s.LastReader,
				strconv.Itoa(s.Denied), strconv.Itoa(s.Failed), strconv.FormatBool(s.Unused),
				strings.Join(newPrincipalsFor(sum, s.Secret), " "), strconv.Itoa(burstsFor(sum, s.Secret))})
		}
		w.Flush()
		return w.Error()
	}
	t := ui.NewTable(f.IO)
	t.Header("SECRET", "READS", "READERS", "LAST READ", "DENIED", "FAILED", "STATUS")
	for _, s := range sum.Secrets {
		last := "-"
		if s.LastRead != nil {
			last = f.IO.Time(*s.LastRead, now)
		}
		status := "-"
		switch {
		case s.Deleted:
			status = "deleted"
		case s.Unused:
			status = fmt.Sprintf("unused %dd", sum.UnusedDays)
		}
		t.Row(s.Secret, strconv.Itoa(s.Reads), readersCell(s.Readers, 3), last, strconv.Itoa(s.Denied), strconv.Itoa(s.Failed), status)
	}
	if err := t.Render(); err != nil {
		return err
	}
	w := f.IO.Out
	tty := f.IO.IsStdoutTTY()
	if tty {
		fmt.Fprintf(w, "\n%d events from %s to %s; %d in the previous window\n", sum.Events,
			sum.Since.UTC().Format(time.RFC3339), sum.Until.UTC().Format(time.RFC3339), sum.BaselineEvents)
		if len(sum.Unused) > 0 {
			fmt.Fprintf(w, "Unused (no read in %d days): %s\n", sum.UnusedDays, strings.Join(sum.Unused, ", "))
		}
		for _, n := range sum.NewPrincipals {
			fmt.Fprintf(w, "New principal: %s, first seen %s, on %s\n", n.Principal, f.IO.Time(n.FirstSeen, now), strings.Join(n.Secrets, ", "))
		}
		for _, b := range sum.Bursts {
			fmt.Fprintf(w, "Read burst: %s read %s %d times from %s\n", b.Principal, b.Secret, b.Reads, b.Start.UTC().Format(time.RFC3339))
		}
		return nil
	}
	for _, n := range sum.NewPrincipals {
		fmt.Fprintf(w, "new-principal\t%s\t%s\t%s\n", n.Principal, n.FirstSeen.UTC().Format(time.RFC3339), strings.Join(n.Secrets, ","))
	}
	for _, b := range sum.Bursts {
		fmt.Fprintf(w, "burst\t%s\t%s\t%s\t%d\n", b.Secret, b.Principal, b.Start.UTC().Format(time.RFC3339), b.Reads)
	}
	return nil
}

func readersCell(rs []audit.ReaderCount, max int) string {
	var parts []string
	for i, r := range rs {
		if max > 0 && i == max {
			parts = append(parts, fmt.Sprintf("+%d more", len(rs)-max))
			break
		}
		parts = append(parts, fmt.Sprintf("%s×%d", r.Principal, r.Reads))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func newPrincipalsFor(sum *audit.Summary, secret string) []string {
	var out []string
	for _, n := range sum.NewPrincipals {
		for _, s := range n.Secrets {
			if s == secret {
				out = append(out, n.Principal)
			}
		}
	}
	return out
}

func burstsFor(sum *audit.Summary, secret string) int {
	n := 0
	for _, b := range sum.Bursts {
		if b.Secret == secret {
			n++
		}
	}
	return n
}

// AuditStatusOptions are the inputs of `secretctl audit status`.
type AuditStatusOptions struct {
	F          *Factory
	Audit      *AuditOptions // the parent's --region values
	AWSClients func(ctx context.Context, region string) (audit.CloudTrailAPI, AuditSecretsAPI, error)
}

type regionChecks struct {
	Region string        `json:"region"`
	Checks []audit.Check `json:"checks"`
}

func newAuditStatusCmd(f *Factory, parent *AuditOptions, runF func(context.Context, *AuditStatusOptions) error) *cobra.Command {
	opts := &AuditStatusOptions{F: f, Audit: parent}
	return &cobra.Command{
		Use:   "status",
		Short: "Check that audit logging is on",
		Long: `Check that audit logging is on, each check with ✓ or ✗ and a fix.

local backend: the access log exists and its hash chain verifies.
--backend aws: in each --region, a trail exists that logs in every region,
records management read events (GetSecretValue is one), is logging now, and
has log file validation (DescribeTrails, GetEventSelectors, GetTrailStatus).

Examples:
  secretctl audit status
  secretctl audit status --backend aws --region us-east-1,eu-west-1 -o json

Exit status:
  0 every check passed; 1 a check failed; 2 invalid input or a backend error.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runAuditStatus(c.Context(), opts)
		},
	}
}

func runAuditStatus(ctx context.Context, opts *AuditStatusOptions) error {
	f := opts.F
	out, err := outputFormat(f)
	if err != nil {
		return err
	}
	var results []regionChecks
	if f.Config.IsAWS() {
		ao := &AuditOptions{F: f, AWSClients: opts.AWSClients}
		if opts.Audit != nil {
			ao.Regions = opts.Audit.Regions
		}
		for _, region := range ao.regions() {
			ct, _, err := ao.clients(ctx, region)
			if err != nil {
				return fmt.Errorf("audit status: %w", awsx.Classify(err))
			}
			cs, err := audit.TrailChecks(ctx, ct, region)
			if err != nil {
				return fmt.Errorf("audit status: %w", awsx.Classify(err))
			}
			results = append(results, regionChecks{Region: region, Checks: cs})
		}
	} else {
		results = append(results, regionChecks{Region: "local", Checks: localChecks(ctx, f.localOptions())})
	}
	ok := true
	for _, r := range results {
		ok = ok && audit.AllOK(r.Checks)
	}
	if out != ui.FormatTable {
		if err := ui.Print(f.IO, out, results, nil); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			if len(results) > 1 || r.Region != "local" {
				fmt.Fprintf(f.IO.Out, "%s:\n", regionLabel(r.Region))
			}
			for _, c := range r.Checks {
				mark := "✓"
				if !c.OK {
					mark = "✗"
				}
				line := mark + " " + c.Name
				if c.Detail != "" {
					line += ": " + c.Detail
				}
				fmt.Fprintln(f.IO.Out, line)
				if !c.OK && c.Fix != "" {
					fmt.Fprintf(f.IO.Out, "    fix: %s\n", c.Fix)
				}
			}
		}
	}
	if !ok {
		return ErrFindings
	}
	return nil
}

func localChecks(ctx context.Context, o local.Options) []audit.Check {
	path := filepath.Join(o.Home, local.AuditFile)
	exists := audit.Check{Name: "access log exists", OK: true, Detail: path}
	if _, err := os.Stat(path); err != nil {
		exists.OK = false
		exists.Detail = path + ": missing"
		exists.Fix = "use the store once (e.g. 'secretctl list'); the log is created with it"
	}
	chain := audit.Check{Name: "hash chain verifies"}
	res, err := local.VerifyAudit(ctx, o)
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
	return []audit.Check{exists, chain}
}

func firstIssue(res auditlog.Result) string {
	for _, i := range res.Issues {
		if i.Kind != auditlog.Uncommitted {
			return i.String()
		}
	}
	return ""
}

// AuditVerifyOptions are the inputs of `secretctl audit verify`.
type AuditVerifyOptions struct {
	F *Factory

	ExpectHead string // SEQ:HASH from an earlier verify, kept outside the store
}

func newAuditVerifyCmd(f *Factory, runF func(context.Context, *AuditVerifyOptions) error) *cobra.Command {
	opts := &AuditVerifyOptions{F: f}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the local store's records and its access log's chain",
		Long: `Check the local store's tamper evidence, with its key: every secret's record
against its MAC (labels, tags, rotation settings, deletion date, versions), and
the access log's keyed chain against the head kept in the store's database.
Every record that fails is named, and every log record that was edited,
deleted, inserted or reordered, and records cut from the end.

It prints the chain head (SEQ:HASH). A restore of an older copy of both
store.db and audit.log is consistent in itself; keep the head somewhere the
store's owner cannot rewrite (a CI variable, a ticket) and pass it back with
--expect-head: the check then also fails when the chain no longer continues
from it.

For CloudTrail log files use 'aws cloudtrail validate-logs', which checks
the trail's signed digest files.

Examples:
  secretctl audit verify
  secretctl audit verify --expect-head 42:9f2c...
  secretctl audit verify -o json

Exit status:
  0 the store verifies; 1 a record or the log was changed, or the chain does
  not continue from --expect-head; 2 no local store, or an error.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := applyEnvFlags(c.Flags(), c.LocalFlags(), f.Getenv); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runAuditVerify(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.ExpectHead, "expect-head", "", "a chain head (SEQ:HASH) printed by an earlier verify: fail unless the chain continues from it (SECRETCTL_EXPECT_HEAD)")
	return cmd
}

// auditVerifyResult is the JSON of `audit verify`: the log's result (records,
// head, issues, as before) and the records' check.
type auditVerifyResult struct {
	auditlog.Result
	Secrets      int                 `json:"secrets"`
	SecretIssues []local.RecordIssue `json:"secretIssues"`
	SetIssue     string              `json:"setIssue,omitempty"`
	HeadIssue    string              `json:"headIssue,omitempty"`
}

func runAuditVerify(ctx context.Context, opts *AuditVerifyOptions) error {
	f := opts.F
	out, err := outputFormat(f)
	if err != nil {
		return err
	}
	if f.Config.IsAWS() {
		return usageErrorf("audit verify: checks the local store; for CloudTrail log files run 'aws cloudtrail validate-logs'")
	}
	var expect *auditlog.Head
	if opts.ExpectHead != "" {
		h, err := auditlog.ParseHead(opts.ExpectHead)
		if err != nil {
			return usageErrorf("audit verify: --expect-head: %v", err)
		}
		expect = &h
	}
	rep, err := local.Verify(ctx, f.localOptions(), expect)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if rep.Upgraded {
		fmt.Fprintf(f.IO.ErrOut, "secretctl: upgraded the local store in %s to format 2: records and the access log are now authenticated\n", f.Config.Home)
	}
	res := auditVerifyResult{Result: rep.Audit, Secrets: rep.Secrets, SecretIssues: rep.Records, SetIssue: rep.SetIssue, HeadIssue: rep.HeadIssue}
	if res.Issues == nil {
		res.Issues = []auditlog.Issue{}
	}
	if out != ui.FormatTable {
		if err := ui.Print(f.IO, out, res, nil); err != nil {
			return err
		}
	} else {
		for _, r := range rep.Records {
			fmt.Fprintf(f.IO.Out, "✗ secret %s: record changed outside secretctl\n", r.Name)
		}
		if rep.SetIssue != "" {
			fmt.Fprintf(f.IO.Out, "✗ records: %s\n", rep.SetIssue)
		}
		for _, i := range res.Issues {
			fmt.Fprintf(f.IO.Out, "✗ %s\n", i.String())
		}
		if rep.HeadIssue != "" {
			fmt.Fprintf(f.IO.Out, "✗ expected head %s: %s\n", expect, rep.HeadIssue)
		}
	}
	if !rep.OK() {
		n := len(rep.Records) + len(res.Issues)
		for _, is := range []string{rep.SetIssue, rep.HeadIssue} {
			if is != "" {
				n++
			}
		}
		fmt.Fprintf(f.IO.ErrOut, "✗ local store %s does not verify: %d issue(s)\n", f.Config.Home, n)
		return ErrFindings
	}
	if out == ui.FormatTable {
		fmt.Fprintln(f.IO.Out, f.IO.Success(fmt.Sprintf("local store verifies: %d secrets, %d access log records", rep.Secrets, res.Records)))
		fmt.Fprintf(f.IO.Out, "head %s\n", res.Head)
	}
	return nil
}
