package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/rotate"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/text"
	"github.com/secretctl/secretctl/internal/ui"
)

// RotateOptions are the inputs of `secretctl rotate`.
type RotateOptions struct {
	IO    *ui.IOStreams
	Store func(context.Context) (store.Store, error)
	Now   func() time.Time
	// AWS gives the AWS clients; nil on the local backend.
	AWS    func(context.Context) (*AWSClients, error)
	Output ui.Format

	Name    string
	Due     bool
	Timeout time.Duration
}

func newRotateCmd(f *Factory, runF func(context.Context, *RotateOptions) error) *cobra.Command {
	opts := &RotateOptions{IO: f.IO, Store: f.Store, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "rotate NAME | --due",
		Short: "Rotate a secret now, or every secret that is due",
		Long: `Rotate a secret with the rotator set by 'secretctl rotation set'.

Client-side rotators run the Secrets Manager rotation protocol here:
createSecret (the new value goes to AWSPENDING), setSecret (apply it to the
database), testSecret (log in with it), finishSecret (AWSCURRENT moves to it
and AWSPREVIOUS keeps the old one). Every step can be repeated safely: a
rotation interrupted at any point (an error, Ctrl-C, a killed process) is
resumed with the same version by the next 'secretctl rotate'.

The lambda rotator (--backend aws) calls RotateSecret, then follows the
rotation with DescribeSecret until AWSCURRENT moves, the rotation fails (the
reason comes from CloudTrail when it has it), or --timeout passes.

--due rotates every secret whose schedule says it is due, or that has an
unfinished rotation; run it from cron or a Kubernetes CronJob. A failure does
not stop the others. Lambda rotations are left to AWS's own schedule.

Progress goes to stderr; no value is ever printed.

Examples:
  secretctl rotate prod/db
  secretctl rotate --due
  secretctl --backend aws rotate prod/db --timeout 10m

Exit status:
  0 rotated (or nothing due); 1 --due and at least one rotation failed;
  2 the rotation failed, usage error, or a backend error.`,
		Args: maxArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Name = args[0]
			}
			switch {
			case opts.Due && opts.Name != "":
				return usageErrorf("rotate: give either a secret NAME or --due, not both")
			case !opts.Due && opts.Name == "":
				return usageErrorf("rotate: give a secret NAME or --due")
			}
			if opts.Timeout <= 0 {
				return usageErrorf("rotate: --timeout must be positive")
			}
			opts.AWS, opts.Output = f.awsIfConfigured(), ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRotate(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Due, "due", false, "rotate every secret that is due")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 5*time.Minute, "lambda: how long to follow the rotation")
	return cmd
}

func runRotate(ctx context.Context, opts *RotateOptions) error {
	format := opts.Output
	if err := checkOutput(format); err != nil {
		return err
	}
	// The engine's step lines go through the progress helper, which keeps
	// them apart from any status line on a terminal.
	progress := opts.IO.NewProgress(0)
	defer progress.Done()
	e, err := newEngine(ctx, opts.Store, opts.AWS, progress, opts.Now)
	if err != nil {
		return err
	}
	e.Timeout = opts.Timeout
	if !opts.Due {
		res, err := e.Rotate(ctx, opts.Name)
		if err != nil {
			return err
		}
		fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(fmt.Sprintf("rotated %s: AWSCURRENT is version %s", res.Name, res.VersionID)))
		if format != ui.FormatTable {
			return ui.Print(opts.IO, format, res, nil)
		}
		return nil
	}
	results, err := e.RotateDue(ctx, opts.Now().UTC())
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range results {
		if r.Error != "" {
			failed++
		}
	}
	if results == nil {
		results = []rotate.Result{}
	}
	if err := ui.Print(opts.IO, format, results, func(t *ui.Table) {
		t.Header("NAME", "ROTATOR", "VERSION", "RESULT")
		for _, r := range results {
			res := "rotated"
			if r.Resumed {
				res = "rotated (resumed)"
			}
			if r.Error != "" {
				res = "failed: " + text.OneLine(r.Error)
			}
			t.Row(r.Name, r.Rotator, r.VersionID, res)
		}
	}); err != nil {
		return err
	}
	switch {
	case failed > 0:
		fmt.Fprintf(opts.IO.ErrOut, "secretctl: %d of %d due rotations failed\n", failed, len(results))
		return ErrFindings
	case len(results) == 0:
		fmt.Fprintln(opts.IO.ErrOut, "nothing is due")
	default:
		fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(fmt.Sprintf("rotated %d secret(s)", len(results))))
	}
	return nil
}
