package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// RollbackOptions are the inputs of `secretctl rollback`.
type RollbackOptions struct {
	IO     *ui.IOStreams
	Store  func(context.Context) (store.Store, error)
	Now    func() time.Time
	Output ui.Format

	Name string
	To   string
}

func newRollbackCmd(f *Factory, runF func(context.Context, *RollbackOptions) error) *cobra.Command {
	opts := &RollbackOptions{IO: f.IO, Store: f.Store, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "rollback NAME",
		Short: "Move AWSCURRENT back to the previous version",
		Long: `Move the AWSCURRENT label back to the version labelled AWSPREVIOUS, or to
the version given with --to. The version that was current becomes AWSPREVIOUS.
No value is written: this only moves labels (UpdateSecretVersionStage).

Examples:
  secretctl rollback prod/db
  secretctl rollback prod/db --to 0b7e4c9a-1f7e-4a5e-9c55-2f0c1d2e3f4a

Exit status:
  0 rolled back; 2 no previous version, not found, marked for deletion, or a backend error.`,
		Args: exactArgs(1, "the secret NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRollback(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.To, "to", "", "version id to make current (default: the AWSPREVIOUS version)")
	return cmd
}

func runRollback(ctx context.Context, opts *RollbackOptions) error {
	out := opts.Output
	s, err := outputAndStore(ctx, out, opts.Store)
	if err != nil {
		return err
	}
	m, err := s.Describe(ctx, opts.Name)
	if err != nil {
		return storeErr("rollback", opts.Name, err)
	}
	if m.DeletedDate != nil {
		return storeErr("rollback", opts.Name, store.ErrMarkedForDeletion)
	}
	current := m.CurrentVersion()
	target := opts.To
	if target == "" {
		target = m.VersionWith(store.StagePrevious)
		if target == "" {
			return fmt.Errorf("rollback %s: no version is labelled AWSPREVIOUS; give --to VERSION_ID (see 'secretctl versions %s --include-deprecated')", opts.Name, opts.Name)
		}
	}
	if target == current {
		return fmt.Errorf("rollback %s: version %s is already AWSCURRENT", opts.Name, target)
	}
	ref, err := s.UpdateStage(ctx, opts.Name, store.StageMove{Stage: store.StageCurrent, MoveTo: target, RemoveFrom: current})
	if err != nil {
		return storeErr("rollback", opts.Name, err)
	}
	fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(fmt.Sprintf("rolled back %s: AWSCURRENT is version %s, AWSPREVIOUS is %s", m.Name, target, current)))
	if out != ui.FormatTable {
		ref.VersionID = target
		ref.Stages = []string{store.StageCurrent}
		return ui.Print(opts.IO, out, ref, nil)
	}
	return nil
}
