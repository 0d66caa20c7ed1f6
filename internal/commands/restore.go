package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// RestoreOptions are the inputs of `secretctl restore`.
type RestoreOptions struct {
	IO     *ui.IOStreams
	Store  func(context.Context) (store.Store, error)
	Now    func() time.Time
	Output ui.Format

	Name string
}

func newRestoreCmd(f *Factory, runF func(context.Context, *RestoreOptions) error) *cobra.Command {
	opts := &RestoreOptions{IO: f.IO, Store: f.Store, Now: f.Now}
	return &cobra.Command{
		Use:   "restore NAME",
		Short: "Cancel a secret's scheduled deletion",
		Long: `Cancel the scheduled deletion of a secret, which becomes usable again with
all its versions.

Examples:
  secretctl restore staging/old-token

Exit status:
  0 restored; 2 not found or a backend error.`,
		Args: exactArgs(1, "the secret NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRestore(c.Context(), opts)
		},
	}
}

func runRestore(ctx context.Context, opts *RestoreOptions) error {
	out := opts.Output
	s, err := outputAndStore(ctx, out, opts.Store)
	if err != nil {
		return err
	}
	ref, err := s.Restore(ctx, opts.Name)
	if err != nil {
		return storeErr("restore", opts.Name, err)
	}
	fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success("restored "+ref.Name))
	if out != ui.FormatTable {
		return ui.Print(opts.IO, out, ref, nil)
	}
	return nil
}
