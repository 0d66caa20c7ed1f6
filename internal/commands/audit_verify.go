package commands

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/store/local"
	"github.com/secretctl/secretctl/internal/ui"
)

// AuditVerifyOptions are the inputs of `secretctl audit verify`.
type AuditVerifyOptions struct {
	IO *ui.IOStreams

	AWS    bool          // --backend aws, which has no local store to verify
	Local  local.Options // the local store, opened with its key
	Output ui.Format

	ExpectHead string // SEQ:HASH from an earlier verify, kept outside the store
}

func newAuditVerifyCmd(f *Factory, runF func(context.Context, *AuditVerifyOptions) error) *cobra.Command {
	opts := &AuditVerifyOptions{IO: f.IO}
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
			opts.AWS, opts.Local, opts.Output = f.settings().IsAWS(), f.localOptions(), ui.Format(f.Output())
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
	out := opts.Output
	if err := checkOutput(out); err != nil {
		return err
	}
	if opts.AWS {
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
	rep, err := local.Verify(ctx, opts.Local, expect)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if rep.Upgraded {
		fmt.Fprintf(opts.IO.ErrOut, "secretctl: upgraded the local store in %s to format 2: records and the access log are now authenticated\n", opts.Local.Home)
	}
	res := auditVerifyResult{Result: rep.Audit, Secrets: rep.Secrets, SecretIssues: rep.Records, SetIssue: rep.SetIssue, HeadIssue: rep.HeadIssue}
	if res.Issues == nil {
		res.Issues = []auditlog.Issue{}
	}
	if out != ui.FormatTable {
		if err := ui.Print(opts.IO, out, res, nil); err != nil {
			return err
		}
	} else {
		for _, r := range rep.Records {
			fmt.Fprintf(opts.IO.Out, "✗ secret %s: record changed outside secretctl\n", r.Name)
		}
		if rep.SetIssue != "" {
			fmt.Fprintf(opts.IO.Out, "✗ records: %s\n", rep.SetIssue)
		}
		for _, i := range res.Issues {
			fmt.Fprintf(opts.IO.Out, "✗ %s\n", i.String())
		}
		if rep.HeadIssue != "" {
			fmt.Fprintf(opts.IO.Out, "✗ expected head %s: %s\n", expect, rep.HeadIssue)
		}
	}
	if !rep.OK() {
		n := len(rep.Records) + len(res.Issues)
		for _, is := range []string{rep.SetIssue, rep.HeadIssue} {
			if is != "" {
				n++
			}
		}
		fmt.Fprintf(opts.IO.ErrOut, "✗ local store %s does not verify: %d issue(s)\n", opts.Local.Home, n)
		return ErrFindings
	}
	if out == ui.FormatTable {
		fmt.Fprintln(opts.IO.Out, opts.IO.Success(fmt.Sprintf("local store verifies: %d secrets, %d access log records", rep.Secrets, res.Records)))
		fmt.Fprintf(opts.IO.Out, "head %s\n", res.Head)
	}
	return nil
}
