package commands

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/config"
	"github.com/secretctl/secretctl/internal/store/local"
	"github.com/secretctl/secretctl/internal/ui"
)

// InitOptions are the inputs of `secretctl init`.
type InitOptions struct {
	IO     *ui.IOStreams
	Output ui.Format

	Backend config.Backend
	Local   local.Options // where and how the local store is created
}

func newInitCmd(f *Factory, runF func(context.Context, *InitOptions) error) *cobra.Command {
	opts := &InitOptions{IO: f.IO}
	return &cobra.Command{
		Use:   "init",
		Short: "Create the local store and its key",
		Long: `Create the embedded local store under SECRETCTL_HOME (default
$XDG_DATA_HOME/secretctl) and its key. The first command that uses the store
does this too; init does it explicitly, for scripts and images.

The store's data key is sealed with an age identity kept in key.txt (or
SECRETCTL_KEY_FILE), or with SECRETCTL_PASSPHRASE when that is set. Back the
key up: losing it loses the data.

Examples:
  secretctl init
  SECRETCTL_HOME=/srv/secrets SECRETCTL_PASSPHRASE=... secretctl init

For an existing store, init checks its key: a key file that is missing, or
that does not open the store, is an error (the data cannot be read without
it); init never makes a new key for an existing store. -o json prints home,
keyFile and created.

Exit status:
  0 created, or already there with its key; 2 the key is missing or wrong, or
  another error.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Backend, opts.Local = f.settings().Backend, f.localOptions()
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runInit(c.Context(), opts)
		},
	}
}

// initOutput is what init -o json prints.
type initOutput struct {
	Home    string `json:"home"`
	KeyFile string `json:"keyFile,omitempty"` // empty for a store sealed with a passphrase
	Created bool   `json:"created"`
}

func runInit(ctx context.Context, opts *InitOptions) error {
	if opts.Backend != config.BackendLocal {
		return usageErrorf("init: only the local backend has a store to create (the backend is %s)", opts.Backend)
	}
	out := opts.Output
	if err := checkOutput(out); err != nil {
		return err
	}
	created, keyPath, err := local.Init(ctx, opts.Local)
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if out != ui.FormatTable {
		return ui.Print(opts.IO, out, initOutput{Home: opts.Local.Home, KeyFile: keyPath, Created: created}, nil)
	}
	where := "sealed with SECRETCTL_PASSPHRASE"
	if keyPath != "" {
		where = "key " + keyPath
	}
	if !created {
		fmt.Fprintf(opts.IO.ErrOut, "the local store in %s already exists (%s)\n", opts.Local.Home, where)
		return nil
	}
	fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(fmt.Sprintf("created the local store in %s (%s); back the key up: losing it loses the data", opts.Local.Home, where)))
	return nil
}
