package commands

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/audit"
	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/store/local"
	"github.com/secretctl/secretctl/internal/ui"
)

// AuditStatusOptions are the inputs of `secretctl audit status`.
type AuditStatusOptions struct {
	IO *ui.IOStreams
	// AWSClients builds the CloudTrail client of one region.
	AWSClients audit.RegionClients

	AWS     bool          // --backend aws: check the trails
	Local   local.Options // the local store
	Output  ui.Format
	Regions []string // audit's --region
}

type regionChecks struct {
	Region string        `json:"region"`
	Checks []audit.Check `json:"checks"`
}

func newAuditStatusCmd(f *Factory, runF func(context.Context, *AuditStatusOptions) error) *cobra.Command {
	opts := &AuditStatusOptions{IO: f.IO, AWSClients: f.regionClients}
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
			cfg := f.settings()
			opts.AWS, opts.Local, opts.Output = cfg.IsAWS(), f.localOptions(), ui.Format(f.Output())
			regions, _ := c.Flags().GetStringArray("region") // the parent's persistent flag
			opts.Regions = auditRegions(regions, cfg.Region)
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runAuditStatus(c.Context(), opts)
		},
	}
}

func runAuditStatus(ctx context.Context, opts *AuditStatusOptions) error {
	out := opts.Output
	if err := checkOutput(out); err != nil {
		return err
	}
	var results []regionChecks
	if opts.AWS {
		for _, region := range opts.Regions {
			ct, _, err := opts.AWSClients(ctx, region)
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
		results = append(results, regionChecks{Region: "local", Checks: audit.LocalChecks(filepath.Join(opts.Local.Home, local.AuditFile),
			func() (auditlog.Result, error) { return local.VerifyAudit(ctx, opts.Local) })})
	}
	ok := true
	for _, r := range results {
		ok = ok && audit.AllOK(r.Checks)
	}
	if out != ui.FormatTable {
		if err := ui.Print(opts.IO, out, results, nil); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			if len(results) > 1 || r.Region != "local" {
				fmt.Fprintf(opts.IO.Out, "%s:\n", audit.RegionLabel(r.Region))
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
				fmt.Fprintln(opts.IO.Out, line)
				if !c.OK && c.Fix != "" {
					fmt.Fprintf(opts.IO.Out, "    fix: %s\n", c.Fix)
				}
			}
		}
	}
	if !ok {
		return ErrFindings
	}
	return nil
}
