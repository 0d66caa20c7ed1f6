package commands

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/secretctl/secretctl/internal/scan"
	"github.com/secretctl/secretctl/internal/ui"
)

// ScanOptions are the inputs of `secretctl scan`.
type ScanOptions struct {
	IO      *ui.IOStreams
	Getenv  func(string) string // GOGC, read to leave a user's setting alone
	Version string              // in SARIF reports
	Output  ui.Format           // the global -o, used when --format is not given

	Paths          []string
	Git            bool
	Staged         bool
	Since          string
	LogOpts        string
	Range          string
	NoGitIgnore    bool
	MaxTargetMB    int
	MaxDecodeDepth int
	Format         string
	formatSet      bool
	ReportPaths    []string
	Rules          string
	Baseline       string
	WriteBaseline  string
	ExitCode       int
	NoRedact       bool
	// gitleaks' flag names: accepted where they mean the same, or a hint.
	glRedact  string
	glVerbose bool
}

func newScanCmd(f *Factory, runF func(context.Context, *ScanOptions) error) *cobra.Command {
	opts := &ScanOptions{IO: f.IO, Getenv: f.Getenv, Version: f.Version}
	cmd := &cobra.Command{
		Use:   "scan [PATH...]",
		Short: "Find hardcoded credentials in files, git history or stdin",
		Long: `Scan files and directories (default "."), git history (--git), staged changes
(--staged) or standard input ("-") for hardcoded credentials.

Detection runs gitleaks' default rules (200+ providers, with their
allowlists) plus secretctl's rules for secret-named keys assigned literals
in code and configuration, credentials in connection strings and URLs,
Authorization headers, Kubernetes Secret manifests and Terraform defaults.
See docs/scan-rules.md. Directory scans honour .gitignore unless
--no-git-ignore; binary files are skipped.

Extra rules: .secretctl.toml (or .gitleaks.toml) in the scanned directory, or
--rules FILE, in gitleaks' config format; they extend the defaults.
Suppress findings with "gitleaks:allow" or "secretctl:allow" on the line, a
.gitleaksignore or .secretctlignore file (fingerprints), or --baseline.

Files are named relative to the repository root (the git work tree holding
PATH; outside git, PATH itself), whatever the working directory: fingerprints,
baselines and every report agree however PATH is typed. SARIF locations are
relative to %SRCROOT%.

gitleaks' names work where they mean the same: --config FILE.toml is --rules,
--report-format is --format, --baseline-path is --baseline, --redact is the
default.

Secrets are redacted in every format unless --no-redact. Each flag can also
be set as SECRETCTL_<FLAG> (e.g. SECRETCTL_FORMAT=sarif).

Examples:
  secretctl scan
  secretctl scan src/ config/ --format json --report-path sarif=leaks.sarif
  secretctl scan --git --since 2.weeks.ago
  secretctl scan --git --range main..HEAD
  secretctl scan --staged                      # in a pre-commit hook
  git diff | secretctl scan -
  secretctl scan --write-baseline .secretctl-baseline.json
  secretctl scan --baseline .secretctl-baseline.json

Exit status:
  0  no findings
  1  findings (or the value of --exit-code)
  2  usage or runtime error`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Paths = args
			if err := applyEnvFlags(c.Flags(), c.LocalFlags(), f.Getenv); err != nil {
				return err
			}
			opts.formatSet = c.Flags().Changed("format")
			if err := gitleaksFlags(c, opts); err != nil {
				return err
			}
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runScan(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Git, "git", false, "scan git history (git log -p) of the repository at PATH (SECRETCTL_GIT)")
	fl.BoolVar(&opts.Staged, "staged", false, "scan staged changes, for a pre-commit hook (SECRETCTL_STAGED)")
	fl.StringVar(&opts.Since, "since", "", "with --git: only commits more recent than this date (SECRETCTL_SINCE)")
	fl.StringVar(&opts.LogOpts, "log-opts", "", "with --git: git log options, replacing --all (SECRETCTL_LOG_OPTS)")
	fl.StringVar(&opts.Range, "range", "", "with --git: a commit range such as main..HEAD (SECRETCTL_RANGE)")
	fl.BoolVar(&opts.NoGitIgnore, "no-git-ignore", false, "also scan files that .gitignore excludes (SECRETCTL_NO_GIT_IGNORE)")
	fl.IntVar(&opts.MaxTargetMB, "max-target-megabytes", 0, "skip files larger than this many megabytes, 0 for no limit (SECRETCTL_MAX_TARGET_MEGABYTES)")
	fl.IntVar(&opts.MaxDecodeDepth, "max-decode-depth", scan.DefaultDecodeDepth, "recursive decoding passes (base64, hex, percent), 0 for none (SECRETCTL_MAX_DECODE_DEPTH)")
	fl.StringVarP(&opts.Format, "format", "f", "table", "stdout format: table, json, sarif, junit or csv (SECRETCTL_FORMAT)")
	fl.StringArrayVarP(&opts.ReportPaths, "report-path", "r", nil, "write a report to a file: FILE or FORMAT=FILE, repeatable; \"-\" is stdout (SECRETCTL_REPORT_PATH)")
	fl.StringVar(&opts.Rules, "rules", "", "extra rules in gitleaks' TOML format (default .secretctl.toml in PATH) (SECRETCTL_RULES)")
	fl.StringVar(&opts.Baseline, "baseline", "", "suppress the findings listed in this baseline file (SECRETCTL_BASELINE)")
	fl.StringVar(&opts.WriteBaseline, "write-baseline", "", "write all current findings to this baseline file and exit 0 (SECRETCTL_WRITE_BASELINE)")
	fl.IntVar(&opts.ExitCode, "exit-code", 1, "exit status when findings are reported, 0 to 255 (SECRETCTL_EXIT_CODE)")
	fl.BoolVar(&opts.NoRedact, "no-redact", false, "show secrets in full in every format (SECRETCTL_NO_REDACT)")
	addGitleaksFlags(cmd, opts)
	// `scan --config .gitleaks.toml`, as with gitleaks: a TOML file given
	// to the global --config is taken as --rules.
	cmd.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if err := gitleaksConfig(c, opts); err != nil {
			return err
		}
		return f.loadConfig(c)
	}
	scanFormats := make([]ui.Format, len(scan.Formats))
	for i, f := range scan.Formats {
		scanFormats[i] = ui.Format(f)
	}
	setOutputFormats(cmd, scanFormats...) // -o is --format's fallback
	return cmd
}

// addGitleaksFlags adds gitleaks' names for scan flags, hidden from help:
// --report-format and --baseline-path are aliases, --redact is what scan
// does anyway, and -v/--verbose only earns a hint.
func addGitleaksFlags(cmd *cobra.Command, opts *ScanOptions) {
	fl := cmd.Flags()
	fl.StringVar(&opts.Format, "report-format", "table", "gitleaks' name for --format")
	fl.StringVar(&opts.Baseline, "baseline-path", "", "gitleaks' name for --baseline")
	fl.StringVar(&opts.glRedact, "redact", "", "gitleaks' --redact: secrets are redacted unless --no-redact")
	fl.Lookup("redact").NoOptDefVal = "100"
	fl.BoolVarP(&opts.glVerbose, "verbose", "v", false, "gitleaks' --verbose")
	for _, n := range []string{"report-format", "baseline-path", "redact", "verbose"} {
		_ = fl.MarkHidden(n)
	}
}

// gitleaksFlags checks the gitleaks-named flags: a one-line hint where
// secretctl does something else.
func gitleaksFlags(c *cobra.Command, o *ScanOptions) error {
	fl := c.Flags()
	if fl.Changed("report-format") {
		o.formatSet = true
	}
	if fl.Changed("verbose") {
		return usageErrorf("scan: -v/--verbose is gitleaks' flag: secretctl prints every finding by default; use --format json for all fields")
	}
	if fl.Changed("redact") {
		if o.NoRedact {
			return usageErrorf("scan: --redact and --no-redact cannot be combined")
		}
		if o.glRedact != "100" {
			return usageErrorf("scan: --redact=%s: secretctl does not redact by percentage; it always shows only the first and last characters (--no-redact shows all)", o.glRedact)
		}
	}
	return nil
}

// gitleaksConfig takes a global --config naming a TOML file as --rules:
// gitleaks' config format is the rules format.
func gitleaksConfig(c *cobra.Command, o *ScanOptions) error {
	fl := c.Root().PersistentFlags().Lookup("config")
	if fl == nil || !fl.Changed || !strings.EqualFold(filepath.Ext(fl.Value.String()), ".toml") {
		return nil
	}
	if o.Rules != "" {
		return usageErrorf("scan: --config %s is a rules file (gitleaks' format) and --rules is set too: give one", fl.Value.String())
	}
	o.Rules = fl.Value.String()
	if err := fl.Value.Set(""); err != nil {
		return err
	}
	fl.Changed = false
	return nil
}

// applyEnvFlags sets flags that were not given from SECRETCTL_<FLAG>.
// Only the command's own flags: the global ones are read by config.Load.
func applyEnvFlags(fs, local *pflag.FlagSet, getenv func(string) string) error {
	var err error
	fs.VisitAll(func(fl *pflag.Flag) {
		if fl.Changed || fl.Hidden || err != nil || getenv == nil || local.Lookup(fl.Name) == nil {
			return
		}
		name := "SECRETCTL_" + strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_"))
		if v := getenv(name); v != "" {
			if e := fs.Set(fl.Name, v); e != nil {
				err = usageErrorf("scan: %s: %v", name, e)
			}
		}
	})
	return err
}

type reportTarget struct {
	format, path string
	// plain is true for FILE without FORMAT=: it takes --format.
	plain bool
}

func parseReportTargets(o *ScanOptions) ([]reportTarget, error) {
	var out []reportTarget
	for _, rp := range o.ReportPaths {
		format, p := "", rp
		if i := strings.IndexByte(rp, '='); i > 0 && scan.ValidFormat(rp[:i]) {
			format, p = rp[:i], rp[i+1:]
		} else if i > 0 && !strings.ContainsAny(rp[:i], `/\.`) {
			return nil, usageErrorf("scan: --report-path %q: unknown format %q (want %s)", rp, rp[:i], strings.Join(scan.Formats, ", "))
		}
		plain := format == ""
		if format == "" {
			switch {
			case o.formatSet && o.Format != "table":
				format = o.Format
			default:
				if format = scan.FormatOf(p); format == "" {
					format = o.Format
				}
			}
		}
		if p == "" {
			return nil, usageErrorf("scan: --report-path %q: missing file", rp)
		}
		out = append(out, reportTarget{format: format, path: p, plain: plain})
	}
	return out, nil
}

func runScan(ctx context.Context, o *ScanOptions) error {
	if !o.formatSet && o.Output != ui.FormatTable {
		// -o json works too.
		o.Format = string(o.Output)
	}
	if !scan.ValidFormat(o.Format) {
		// One line on stderr, exit status 2 (no usage hint: the line says it all).
		return fmt.Errorf("scan: unknown format %q (want %s)", o.Format, strings.Join(scan.Formats, ", "))
	}
	targets, err := parseReportTargets(o)
	if err != nil {
		return err
	}
	if (o.Since != "" || o.LogOpts != "" || o.Range != "") && !o.Git {
		return usageErrorf("scan: --since, --log-opts and --range need --git")
	}
	if o.Git && o.Staged {
		return usageErrorf("scan: --git and --staged cannot be combined")
	}
	if o.ExitCode < 0 || o.ExitCode > 255 {
		return usageErrorf("scan: --exit-code %d: want 0 to 255", o.ExitCode)
	}
	if o.MaxTargetMB < 0 || o.MaxDecodeDepth < 0 {
		return usageErrorf("scan: --max-target-megabytes and --max-decode-depth must be 0 or more")
	}
	so := scan.Options{
		Git: o.Git, Staged: o.Staged, Since: o.Since, LogOpts: o.LogOpts, Range: o.Range,
		NoGitIgnore: o.NoGitIgnore, MaxTargetMB: o.MaxTargetMB, MaxDecodeDepth: o.MaxDecodeDepth,
		NoDecode:   o.MaxDecodeDepth == 0, // --max-decode-depth 0 turns decoding off
		ConfigPath: o.Rules, Baseline: o.Baseline, Log: o.IO.ErrOut,
	}
	for _, p := range o.Paths {
		if p == "-" {
			if len(o.Paths) > 1 || o.Git || o.Staged {
				return usageErrorf("scan: \"-\" (stdin) cannot be combined with paths, --git or --staged")
			}
			so.Stdin = o.IO.In
		}
	}
	if so.Stdin == nil {
		so.Paths = o.Paths
		if (o.Git || o.Staged) && len(o.Paths) > 1 {
			return usageErrorf("scan: --git and --staged take one repository path")
		}
		for _, p := range o.Paths {
			if _, err := os.Stat(p); err != nil {
				return fmt.Errorf("scan: %w", err)
			}
		}
	}
	if o.WriteBaseline != "" {
		so.Baseline = "" // a new baseline lists everything found now
	}
	if o.Getenv == nil || o.Getenv("GOGC") == "" {
		// A scan's live heap is mostly the compiled rules (about 10 MB);
		// collecting at 40% growth instead of 100% keeps peak memory near
		// it. At 20% the collector took a fifth of a history scan's CPU.
		defer debug.SetGCPercent(debug.SetGCPercent(40))
	}
	progress := o.IO.NewProgress(time.Second) // quick scans show none
	if o.IO.IsStderrTTY() {
		so.Progress = func(p scan.Progress) {
			progress.Printf("scanning: %d files, %s, %d finding(s)", p.Files, humanBytes(p.Bytes), p.Findings)
		}
	}
	res, err := scan.Run(ctx, so)
	progress.Done()
	if err != nil {
		return err
	}
	if o.WriteBaseline != "" {
		if err := writeFile(o.WriteBaseline, func(w io.Writer) error { return scan.WriteBaseline(w, res.Findings) }); err != nil {
			return fmt.Errorf("write baseline: %w", err)
		}
		fmt.Fprintln(o.IO.ErrOut, o.IO.Success(fmt.Sprintf("wrote %d finding(s) to %s", len(res.Findings), o.WriteBaseline)))
		return nil
	}
	ro := scan.ReportOptions{NoRedact: o.NoRedact, Rules: res.Rules, Version: o.Version, Root: res.Root}
	stdoutDone := false
	for _, t := range targets {
		if t.path == "-" {
			stdoutDone = true
			if err := writeScanReport(o.IO, o.IO.Out, t.format, res, ro); err != nil {
				return err
			}
			continue
		}
		if err := writeFile(t.path, func(w io.Writer) error { return writeScanReport(o.IO, w, t.format, res, ro) }); err != nil {
			return fmt.Errorf("write report %s: %w", t.path, err)
		}
	}
	// stdout gets --format unless a report file took it.
	if !stdoutDone && (len(targets) == 0 || o.formatSet && !anyPlain(targets)) {
		if err := writeScanReport(o.IO, o.IO.Out, o.Format, res, ro); err != nil {
			return err
		}
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(o.IO.ErrOut, "secretctl: %s\n", w)
	}
	for _, s := range res.Stale {
		fmt.Fprintf(o.IO.ErrOut, "secretctl: baseline entry no longer found: %s (%s line %d)\n", s.Fingerprint, s.File, s.Line)
	}
	if o.IO.IsStderrTTY() {
		fmt.Fprintf(o.IO.ErrOut, "%d finding(s) in %d file(s), %s scanned\n", len(res.Findings), res.Files, humanBytes(res.Bytes))
	}
	if len(res.Findings) == 0 {
		return nil
	}
	if o.ExitCode == 0 {
		return nil
	}
	if o.ExitCode != 1 {
		return &ExitError{Code: o.ExitCode, Err: ErrFindings}
	}
	return ErrFindings
}

func anyPlain(ts []reportTarget) bool {
	for _, t := range ts {
		if t.plain {
			return true
		}
	}
	return false
}

func writeScanReport(st *ui.IOStreams, w io.Writer, format string, res *scan.Result, ro scan.ReportOptions) error {
	if format != "table" {
		return scan.WriteReport(w, format, res.Findings, ro)
	}
	s := *st
	s.Out = w
	if w != st.Out {
		s.SetStdoutTTY(false)
	}
	t := ui.NewTable(&s)
	t.Header("RULE", "FILE", "LINE", "COL", "SECRET", "COMMIT", "FINGERPRINT")
	for _, fd := range res.Findings {
		sec := fd.Redacted
		if ro.NoRedact {
			sec = fd.Secret.RevealString()
		}
		commit := fd.Commit
		if len(commit) > 12 {
			commit = commit[:12]
		}
		if commit == "" {
			commit = "-"
		}
		t.Row(fd.RuleID, fd.File, strconv.Itoa(fd.Line), strconv.Itoa(fd.Column), sec, commit, fd.Fingerprint)
	}
	return t.Render()
}

// writeFile writes a report readable by its owner only (0600, also when it
// replaces a file): with --no-redact a report holds the values it found.
func writeFile(path string, fn func(io.Writer) error) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := fh.Chmod(0o600); err != nil {
		fh.Close()
		return err
	}
	if err := fn(fh); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
