package commands

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/audit"
	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/store/local"
	"github.com/secretctl/secretctl/internal/text"
	"github.com/secretctl/secretctl/internal/ui"
)

// AuditOptions are the inputs of `secretctl audit`.
type AuditOptions struct {
	IO  *ui.IOStreams
	Now func() time.Time
	// AWSClients builds the CloudTrail client and the secret catalog of
	// one region (tests point it at a test server).
	AWSClients audit.RegionClients

	AWS    bool          // --backend aws: read CloudTrail LookupEvents
	Home   string        // the local store's directory, whose access log is read
	Local  local.Options // the local store, whose key verifies the log's chain
	Output ui.Format

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
	Timeout     time.Duration
	Endpoint    string // the configured endpoint URL, named when --timeout passes
}

// DefaultAuditTimeout bounds `audit --backend aws`: LookupEvents is paced
// at 2 requests per second and failed requests are retried with backoff,
// so an endpoint that keeps failing would otherwise keep it waiting.
const DefaultAuditTimeout = 2 * time.Minute

func newAuditCmd(f *Factory, runF func(context.Context, *AuditOptions) error) *cobra.Command {
	opts := &AuditOptions{IO: f.IO, Now: f.Now, AWSClients: f.regionClients}
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
                  paced at CloudTrail's 2 requests per second per region;
                  throttled and failed requests are retried (on a terminal,
                  the status line says so) until --timeout passes
  --from-logs P   CloudTrail log files (*.json.gz, *.json, a whole AWSLogs/
                  tree) exported from the trail's S3 bucket: any age, any size;
                  needs no backend. A *.json file may also be a saved
                  LookupEvents response or a single record. A line on stderr
                  says how many files and records were read and how many
                  the window and filters left out

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
			cfg := f.settings()
			opts.AWS, opts.Home, opts.Output = cfg.IsAWS(), cfg.Home, ui.Format(f.Output())
			opts.Endpoint = cfg.EndpointURL
			opts.Local = f.localOptions()
			opts.Regions = auditRegions(opts.Regions, cfg.Region)
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
	fl.DurationVar(&opts.Timeout, "timeout", DefaultAuditTimeout, "with --backend aws: give up when CloudTrail has not answered everything in this time (0: no limit)")
	fl.StringArrayVar(&opts.FromLogs, "from-logs", nil, "read CloudTrail log files (a file or an AWSLogs/ tree) instead of a backend (repeatable)")
	// audit's own --region (for it and its subcommands) takes several
	// regions; it shadows the global one, whose environment variable and
	// config key still apply when it is not given.
	cmd.PersistentFlags().StringArrayVar(&opts.Regions, "region", nil,
		"AWS region(s) to read, repeatable or a comma list (SECRETCTL_REGION, AWS_REGION)")
	cmd.AddCommand(newAuditStatusCmd(f, nil), newAuditVerifyCmd(f, nil))
	setOutputFormats(cmd, ui.FormatTable, ui.FormatJSON, ui.FormatYAML, ui.FormatCSV)
	return cmd
}

// auditRegions is the --region list, else the configured region
// (SECRETCTL_REGION, the config file), else the SDK's default ("").
func auditRegions(flag []string, configured string) []string {
	rs := audit.SplitList(flag)
	if len(rs) == 0 {
		rs = audit.SplitList([]string{configured})
	}
	if len(rs) == 0 {
		return []string{""}
	}
	return rs
}

// auditQuery checks the flags and turns them into a query and the
// --fail-on conditions.
func auditQuery(opts *AuditOptions) (audit.Query, []string, error) {
	var q audit.Query
	now := opts.Now().UTC()
	since, err := audit.ParseTime(opts.Since, now)
	if err != nil {
		return q, nil, usageErrorf("audit: --since: %v", err)
	}
	until := now
	if opts.Until != "" {
		if until, err = audit.ParseTime(opts.Until, now); err != nil {
			return q, nil, usageErrorf("audit: --until: %v", err)
		}
	}
	if since.IsZero() || !since.Before(until) {
		return q, nil, usageErrorf("audit: --since must be before --until")
	}
	conds, err := audit.ParseConditions(audit.SplitList(opts.FailOn))
	if err != nil {
		return q, nil, &UsageError{Err: fmt.Errorf("audit: %w", err)}
	}
	if opts.Timeout < 0 {
		return q, nil, usageErrorf("audit: --timeout must not be negative")
	}
	if opts.UnusedDays <= 0 || opts.BurstReads <= 0 || opts.BurstWindow <= 0 {
		return q, nil, usageErrorf("audit: --unused-days, --burst-reads and --burst-window must be positive")
	}
	q = audit.Query{
		Filter: audit.Filter{
			Secret: opts.Secret, Principals: audit.SplitList(opts.Principals), Events: audit.SplitList(opts.Events),
			ErrorsOnly: opts.ErrorsOnly, Since: since, Until: until,
		},
		List: !opts.Summary,
		Now:  now,
	}
	if opts.Summary || len(conds) > 0 {
		q.Summary = &audit.SummaryOptions{Since: since, Until: until, UnusedDays: opts.UnusedDays, BurstReads: opts.BurstReads, BurstWindow: opts.BurstWindow}
	}
	return q, conds, nil
}

// auditSource picks where the events come from, and the prefix its errors
// carry.
func auditSource(opts *AuditOptions, progress *ui.Progress, read *audit.LogStats) (audit.Source, string) {
	switch {
	case len(opts.FromLogs) > 0:
		return audit.TrailLogs{Roots: opts.FromLogs, Progress: func(root string, s audit.LogStats) {
			progress.Printf("%s: %d files, %d records, %d Secrets Manager events", root, s.Files, s.Records, s.Events)
		}, Done: func(_ string, s audit.LogStats) {
			read.Files += s.Files
			read.Records += s.Records
			read.Events += s.Events
		}}, "audit --from-logs"
	case opts.AWS:
		return &audit.CloudTrail{
			Regions:  opts.Regions,
			Clients:  opts.AWSClients,
			Notef:    func(format string, a ...any) { fmt.Fprintf(progress, "note: "+format+"\n", a...) },
			Progress: func(stats []audit.LookupStats) { progress.Printf("%s", lookupProgress(stats)) },
			Retry: func(r audit.RetryInfo) {
				progress.Printf("%s: LookupEvents attempt %d failed (%s); retrying in %s",
					audit.RegionLabel(r.Region), r.Attempt, text.Shorten(r.Cause, 100), r.Wait.Round(100*time.Millisecond))
			},
		}, "audit"
	default:
		return audit.LocalLog{Path: filepath.Join(opts.Home, local.AuditFile)}, "audit"
	}
}

func runAudit(ctx context.Context, opts *AuditOptions) error {
	if err := checkOutput(opts.Output, ui.FormatTable, ui.FormatJSON, ui.FormatYAML, ui.FormatCSV); err != nil {
		return err
	}
	q, conds, err := auditQuery(opts)
	if err != nil {
		return err
	}
	if opts.AWS && len(opts.FromLogs) == 0 && audit.BeyondRetention(q) {
		return usageErrorf("audit: CloudTrail LookupEvents covers the last 90 days only; for older events use --from-logs with the trail's S3 logs (see docs/audit.md)")
	}
	progress := opts.IO.NewProgress(0)
	var read audit.LogStats
	src, prefix := auditSource(opts, progress, &read)
	cctx := ctx
	if _, lookup := src.(*audit.CloudTrail); lookup && opts.Timeout > 0 {
		var cancel context.CancelFunc
		cctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	res, err := audit.Collect(cctx, src, q)
	progress.Done()
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			at := "AWS"
			if opts.Endpoint != "" {
				at = opts.Endpoint
			}
			return fmt.Errorf("%s: gave up after --timeout %s waiting for CloudTrail at %s: %w", prefix, opts.Timeout, at, err)
		}
		return fmt.Errorf("%s: %w", prefix, err)
	}
	if len(opts.FromLogs) > 0 {
		fmt.Fprintln(opts.IO.ErrOut, logsReadLine(opts, q, read, res.Counts))
	} else if !opts.AWS {
		warnUnverifiedLog(ctx, opts)
	}
	now := opts.Now()
	if res.Summary == nil {
		return printEvents(opts.IO, now, opts.Output, res.Events)
	}
	if opts.Summary {
		if err := printSummary(opts.IO, now, opts.Output, res.Summary); err != nil {
			return err
		}
	} else if err := printEvents(opts.IO, now, opts.Output, res.Events); err != nil {
		return err
	}
	if hit := audit.FailOn(res.Summary, conds); len(hit) > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "✗ audit: %s\n", describeHits(res.Summary, hit))
		return ErrFindings
	}
	if res.Summary.BaselineEvents == 0 && slices.Contains(conds, audit.CondNewPrincipal) {
		fmt.Fprintln(opts.IO.ErrOut, "note: no events in the previous window, so no principal is reported as new")
	}
	return nil
}

// logsReadLine says what --from-logs read and what the query left out, so
// that an empty result says why it is empty: "read 3 files, 120 records
// (40 Secrets Manager events); 38 outside the window (--since 7d: ...)".
func logsReadLine(opts *AuditOptions, q audit.Query, read audit.LogStats, c audit.Counts) string {
	line := fmt.Sprintf("read %s, %s (%s)", plural(read.Files, "file"), plural(int(read.Records), "record"),
		plural(int(read.Events), "Secrets Manager event"))
	var parts []string
	if c.OutsideWindow > 0 {
		w := "--since " + opts.Since
		if opts.Until != "" {
			w += " --until " + opts.Until
		}
		parts = append(parts, fmt.Sprintf("%d outside the window (%s: %s to %s)", c.OutsideWindow, w,
			q.Filter.Since.UTC().Format(time.RFC3339), q.Filter.Until.UTC().Format(time.RFC3339)))
	}
	if c.Filtered > 0 {
		parts = append(parts, fmt.Sprintf("%d not matching the other filters", c.Filtered))
	}
	if c.Duplicates > 0 {
		parts = append(parts, fmt.Sprintf("%d duplicate(s)", c.Duplicates))
	}
	if len(parts) > 0 {
		line += "; " + strings.Join(parts, ", ")
	}
	return line
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// warnUnverifiedLog says, in one line, when the local access log does not
// match its keyed chain: the records shown may have been changed.
func warnUnverifiedLog(ctx context.Context, opts *AuditOptions) {
	if opts.Local.Home == "" {
		return
	}
	v, err := local.VerifyAudit(ctx, opts.Local)
	if err != nil || v.OK() {
		return // no store yet, or it cannot be opened: the read above said so
	}
	n := 0
	for _, i := range v.Issues {
		if i.Kind != auditlog.Uncommitted {
			n++
		}
	}
	fmt.Fprintf(opts.IO.ErrOut, "warning: the access log in %s does not verify (%d issue(s)): records may have been changed; run 'secretctl audit verify'\n", opts.Local.Home, n)
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
		parts = append(parts, fmt.Sprintf("%s: %d pages, %d events, %.1f req/s", audit.RegionLabel(s.Region), s.Pages, s.Matched, rps))
	}
	return strings.Join(parts, " | ")
}

func printEvents(io *ui.IOStreams, now time.Time, out ui.Format, events []audit.Event) error {
	if out == ui.FormatCSV {
		w := csv.NewWriter(io.Out)
		_ = w.Write([]string{"time", "principal", "action", "secret", "sourceIp", "result", "region", "principalArn", "errorMessage", "eventId"})
		for _, e := range events {
			_ = w.Write([]string{e.Time.Format(time.RFC3339), e.Principal, e.Action, e.Secret, e.SourceIP, e.Result(), e.Region, e.PrincipalARN, e.ErrorMessage, e.EventID})
		}
		w.Flush()
		return w.Error()
	}
	return ui.Print(io, out, events, func(t *ui.Table) {
		t.Header("TIME", "PRINCIPAL", "ACTION", "SECRET", "SOURCE IP", "RESULT")
		for _, e := range events {
			t.Row(io.Time(e.Time, now), e.Principal, e.Action, e.Secret, e.SourceIP, e.Result())
		}
	})
}

func printSummary(io *ui.IOStreams, now time.Time, out ui.Format, sum *audit.Summary) error {
	switch out {
	case ui.FormatJSON:
		return ui.PrintJSON(io.Out, sum)
	case ui.FormatYAML:
		return ui.PrintYAML(io.Out, sum)
	case ui.FormatCSV:
		w := csv.NewWriter(io.Out)
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
	t := ui.NewTable(io)
	t.Header("SECRET", "READS", "READERS", "LAST READ", "DENIED", "FAILED", "STATUS")
	for _, s := range sum.Secrets {
		last := "-"
		if s.LastRead != nil {
			last = io.Time(*s.LastRead, now)
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
	w := io.Out
	tty := io.IsStdoutTTY()
	if tty {
		fmt.Fprintf(w, "\n%d events from %s to %s; %d in the previous window\n", sum.Events,
			sum.Since.UTC().Format(time.RFC3339), sum.Until.UTC().Format(time.RFC3339), sum.BaselineEvents)
		if len(sum.Unused) > 0 {
			fmt.Fprintf(w, "Unused (no read in %d days): %s\n", sum.UnusedDays, strings.Join(sum.Unused, ", "))
		}
		for _, n := range sum.NewPrincipals {
			fmt.Fprintf(w, "New principal: %s, first seen %s, on %s\n", n.Principal, io.Time(n.FirstSeen, now), strings.Join(n.Secrets, ", "))
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
