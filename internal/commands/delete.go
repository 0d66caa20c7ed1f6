package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// DeleteOptions are the inputs of `secretctl delete`.
type DeleteOptions struct {
	IO     *ui.IOStreams
	Store  func(context.Context) (store.Store, error)
	Now    func() time.Time
	Output ui.Format

	Name         string
	RecoveryDays int
	Force        bool
}

func newDeleteCmd(f *Factory, runF func(context.Context, *DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{IO: f.IO, Store: f.Store, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Schedule a secret's deletion (or delete it now with --force)",
		Long: `Schedule a secret's deletion after a recovery window of 7 to 30 days (30 by
default). Until then reads and writes fail with "marked for deletion",
describe still works, the name cannot be reused, and 'secretctl restore'
cancels the deletion. --force deletes at once, with no recovery.

Examples:
  secretctl delete staging/old-token
  secretctl delete staging/old-token --recovery-days 7
  secretctl delete staging/old-token --force

Exit status:
  0 deleted or scheduled; 2 invalid window, not found, already scheduled, or a backend error.`,
		Args: exactArgs(1, "the secret NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			if opts.Force && c.Flags().Changed("recovery-days") {
				return usageErrorf("delete: give either --recovery-days or --force, not both")
			}
			if !opts.Force {
				// 0 would mean the default to the store; as a flag value it is a mistake.
				o := store.DeleteOptions{RecoveryDays: opts.RecoveryDays}
				if err := o.Validate(); err != nil || opts.RecoveryDays == 0 {
					return usageErrorf("delete: --recovery-days is %d to %d, not %d", store.MinRecovery, store.MaxRecovery, opts.RecoveryDays)
				}
			}
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runDelete(c.Context(), opts)
		},
	}
	cmd.Flags().IntVar(&opts.RecoveryDays, "recovery-days", store.DefaultRecovery, "days before the deletion is final (7-30)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "delete now, with no recovery window")
	return cmd
}

type deleteOutput struct {
	ARN          string     `json:"arn"`
	Name         string     `json:"name"`
	DeletionDate *time.Time `json:"deletionDate,omitempty"`
}

func runDelete(ctx context.Context, opts *DeleteOptions) error {
	out := opts.Output
	s, err := outputAndStore(ctx, out, opts.Store)
	if err != nil {
		return err
	}
	o := store.DeleteOptions{RecoveryDays: opts.RecoveryDays, Force: opts.Force}
	if o.Force {
		o.RecoveryDays = 0
	}
	ref, when, err := s.Delete(ctx, opts.Name, o)
	if err != nil {
		return storeErr("delete", opts.Name, err)
	}
	res := deleteOutput{ARN: ref.ARN, Name: ref.Name}
	if opts.Force {
		fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success("deleted "+ref.Name+" with no recovery window"))
	} else {
		w := when.UTC()
		res.DeletionDate = &w
		fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(fmt.Sprintf("%s will be deleted on %s; 'secretctl restore %s' cancels this", ref.Name, w.Format(time.RFC3339), ref.Name)))
	}
	if out != ui.FormatTable {
		return ui.Print(opts.IO, out, res, nil)
	}
	return nil
}
