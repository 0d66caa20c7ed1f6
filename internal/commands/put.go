package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// PutOptions are the inputs of `secretctl put`.
type PutOptions struct {
	IO     *ui.IOStreams
	Store  func(context.Context) (store.Store, error)
	Now    func() time.Time
	Getenv func(string) string // --from-env reads the environment through it
	Output ui.Format

	Name   string
	Value  valueSource
	Stages []string
	Token  string
}

func newPutCmd(f *Factory, runF func(context.Context, *PutOptions) error) *cobra.Command {
	opts := &PutOptions{IO: f.IO, Store: f.Store, Now: f.Now, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "put NAME",
		Short: "Write a new version of a secret",
		Long: `Write a new version of a secret. It becomes AWSCURRENT and the version that
was current becomes AWSPREVIOUS, unless --stage names other labels (for
example AWSPENDING), which are then moved to the new version and AWSCURRENT
stays where it is.

The value comes from a no-echo prompt on a terminal, else stdin, or
--from-file, --from-env or --generate.

Examples:
  secretctl put prod/db/password
  printf %s "$NEW" | secretctl put prod/api-key
  secretctl put prod/api-key --generate --stage AWSPENDING

Exit status:
  0 written; 2 invalid input, not found, marked for deletion, or a backend error.`,
		Args: exactArgs(1, "the secret NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runPut(c.Context(), opts)
		},
	}
	addValueFlags(cmd, &opts.Value)
	cmd.Flags().StringArrayVar(&opts.Stages, "stage", nil, "staging label for the new version (repeatable; default AWSCURRENT)")
	cmd.Flags().StringVar(&opts.Token, "idempotency-key", "", "ClientRequestToken (32-64 characters): a retry with the same key and value writes nothing new")
	return cmd
}

func runPut(ctx context.Context, opts *PutOptions) error {
	out := opts.Output
	if err := checkOutput(out); err != nil {
		return err
	}
	val, err := opts.Value.read(ctx, opts.IO, opts.Getenv, opts.Name, false)
	if err != nil {
		return err
	}
	s, err := opts.Store(ctx)
	if err != nil {
		return err
	}
	ref, err := s.Put(ctx, opts.Name, val, store.PutOptions{Token: opts.Token, Stages: opts.Stages})
	if err != nil {
		return storeErr("put", opts.Name, err)
	}
	fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(fmt.Sprintf("stored %s (version %s, %s)", ref.Name, ref.VersionID, strings.Join(ref.Stages, ", "))))
	if out != ui.FormatTable {
		return ui.Print(opts.IO, out, ref, nil)
	}
	return nil
}
