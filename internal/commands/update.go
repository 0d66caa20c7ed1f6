package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/config"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// UpdateOptions are the inputs of `secretctl update`.
type UpdateOptions struct {
	IO      *ui.IOStreams
	Store   func(context.Context) (store.Store, error)
	Now     func() time.Time
	Output  ui.Format
	Backend config.Backend

	Name        string
	Description *string
	KmsKeyID    *string
}

func newUpdateCmd(f *Factory, runF func(context.Context, *UpdateOptions) error) *cobra.Command {
	opts := &UpdateOptions{IO: f.IO, Store: f.Store, Now: f.Now}
	var desc, kms string
	cmd := &cobra.Command{
		Use:   "update NAME",
		Short: "Change a secret's description or KMS key",
		Long: `Change a secret's metadata. To write a new value use 'secretctl put'.

Examples:
  secretctl update prod/db --description "orders database, app user"
  secretctl update prod/db --kms-key-id alias/payments --backend aws

Exit status:
  0 updated; 2 nothing to change, not found, marked for deletion, or a backend error.`,
		Args: exactArgs(1, "the secret NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			if c.Flags().Changed("description") {
				opts.Description = &desc
			}
			if c.Flags().Changed("kms-key-id") {
				opts.KmsKeyID = &kms
			}
			if opts.Description == nil && opts.KmsKeyID == nil {
				return usageErrorf("update %s: nothing to change: give --description or --kms-key-id", opts.Name)
			}
			opts.Output, opts.Backend = ui.Format(f.Output()), f.settings().Backend
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runUpdate(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&desc, "description", "", "new description")
	cmd.Flags().StringVar(&kms, "kms-key-id", "", "new KMS key (AWS; empty for aws/secretsmanager)")
	return cmd
}

func runUpdate(ctx context.Context, opts *UpdateOptions) error {
	if opts.KmsKeyID != nil && opts.Backend == config.BackendLocal {
		return errLocalKMS("update", opts.Name)
	}
	out := opts.Output
	s, err := outputAndStore(ctx, out, opts.Store)
	if err != nil {
		return err
	}
	ref, err := s.Update(ctx, opts.Name, store.UpdateInput{Description: opts.Description, KmsKeyID: opts.KmsKeyID})
	if err != nil {
		return storeErr("update", opts.Name, err)
	}
	fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success("updated "+ref.Name))
	if out != ui.FormatTable {
		return ui.Print(opts.IO, out, ref, nil)
	}
	return nil
}

// errLocalKMS refuses --kms-key-id on the local backend, which would only
// store the name of a key it never uses.
func errLocalKMS(verb, name string) error {
	return usageErrorf("%s %s: --kms-key-id is for the aws backend: the local store encrypts values with its own key, not with KMS", verb, name)
}
