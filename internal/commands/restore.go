package commands

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/ui"
)

// RestoreOptions are the inputs of `secretctl restore`.
type RestoreOptions struct {
	F    *Factory
	Name string
}

func newRestoreCmd(f *Factory, runF func(context.Context, *RestoreOptions) error) *cobra.Command {
	opts := &RestoreOptions{F: f}
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
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRestore(c.Context(), opts)
		},
	}
}

func runRestore(ctx context.Context, opts *RestoreOptions) error {
	f := opts.F
	out, s, err := outputAndStore(ctx, f)
	if err != nil {
		return err
	}
	ref, err := s.Restore(ctx, opts.Name)
	if err != nil {
		return storeErr("restore", opts.Name, err)
	}
	fmt.Fprintln(f.IO.ErrOut, f.IO.Success("restored "+ref.Name))
	if out != ui.FormatTable {
		return ui.Print(f.IO, out, ref, nil)
	}
	return nil
}
