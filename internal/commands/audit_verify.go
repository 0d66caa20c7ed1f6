package commands

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/store/local"
	"github.com/secretctl/secretctl/internal/ui"
)

// AuditVerifyOptions are the inputs of `secretctl audit verify`.
type AuditVerifyOptions struct {
	IO *ui.IOStreams

	AWS    bool   // --backend aws, which has no access log to verify
	Home   string // the local store's directory
	Output ui.Format
}

func newAuditVerifyCmd(f *Factory, runF func(context.Context, *AuditVerifyOptions) error) *cobra.Command {
	opts := &AuditVerifyOptions{IO: f.IO}
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the local access log's hash chain",
		Long: `Check the local store's access log against the chain head kept in the store's
database, and name every record that was edited, deleted, inserted or
reordered, and records cut from the end.

For CloudTrail log files use 'aws cloudtrail validate-logs', which checks
the trail's signed digest files.

Examples:
  secretctl audit verify
  secretctl audit verify -o json

Exit status:
  0 the log verifies; 1 the log was changed; 2 no local store, or an error.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			cfg := f.settings()
			opts.AWS, opts.Home, opts.Output = cfg.IsAWS(), cfg.Home, ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runAuditVerify(c.Context(), opts)
		},
	}
}

func runAuditVerify(ctx context.Context, opts *AuditVerifyOptions) error {
	out := opts.Output
	if err := checkOutput(out); err != nil {
		return err
	}
	if opts.AWS {
		return usageErrorf("audit verify: checks the local store's access log; for CloudTrail log files run 'aws cloudtrail validate-logs'")
	}
	res, err := local.VerifyAudit(ctx, opts.Home)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if res.Issues == nil {
		res.Issues = []auditlog.Issue{}
	}
	if out != ui.FormatTable {
		if err := ui.Print(opts.IO, out, res, nil); err != nil {
			return err
		}
	} else {
		for _, i := range res.Issues {
			fmt.Fprintf(opts.IO.Out, "✗ %s\n", i.String())
		}
	}
	if !res.OK() {
		fmt.Fprintf(opts.IO.ErrOut, "✗ access log %s does not verify: %d issue(s)\n", filepath.Join(opts.Home, local.AuditFile), len(res.Issues))
		return ErrFindings
	}
	if out == ui.FormatTable {
		fmt.Fprintln(opts.IO.Out, opts.IO.Success(fmt.Sprintf("access log verifies: %d records, head seq %d", res.Records, res.Head.Seq)))
	}
	return nil
}
