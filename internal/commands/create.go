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

// CreateOptions are the inputs of `secretctl create`.
type CreateOptions struct {
	IO      *ui.IOStreams
	Store   func(context.Context) (store.Store, error)
	Now     func() time.Time
	Getenv  func(string) string // --from-env reads the environment through it
	Output  ui.Format
	Backend config.Backend

	Name        string
	Value       valueSource
	Description string
	Tags        []string
	KmsKeyID    string
	Token       string
}

func newCreateCmd(f *Factory, runF func(context.Context, *CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{IO: f.IO, Store: f.Store, Now: f.Now, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a secret",
		Long: `Create a secret and its first version, labelled AWSCURRENT.

The value comes from a no-echo prompt on a terminal, else from stdin, or from
--from-file, --from-env or --generate. There is no flag that takes the value
itself, because flags end up in shell history and in ps. With nothing on stdin
the secret is created with no value; 'secretctl put' adds the first version.

Examples:
  secretctl create prod/db/password            # prompts without echo
  printf %s "$TOKEN" | secretctl create ci/token --description "CI deploy token"
  secretctl create prod/api-key --generate --length 40 --exclude-punctuation
  secretctl create prod/tls-key --from-file key.pem --tag team=payments

Exit status:
  0 created; 2 invalid input, the name exists or is scheduled for deletion, or a backend error.`,
		Args: exactArgs(1, "the secret NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.Output, opts.Backend = ui.Format(f.Output()), f.settings().Backend
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runCreate(c.Context(), opts)
		},
	}
	addValueFlags(cmd, &opts.Value)
	cmd.Flags().StringVar(&opts.Description, "description", "", "description (at most 2048 characters; never put secrets in it)")
	cmd.Flags().StringArrayVar(&opts.Tags, "tag", nil, "tag key=value (repeatable)")
	cmd.Flags().StringVar(&opts.KmsKeyID, "kms-key-id", "", "KMS key id, ARN or alias to encrypt with (AWS)")
	cmd.Flags().StringVar(&opts.Token, "idempotency-key", "", "ClientRequestToken (32-64 characters): a retry with the same key and value creates nothing new")
	return cmd
}

func runCreate(ctx context.Context, opts *CreateOptions) error {
	out := opts.Output
	if err := checkOutput(out); err != nil {
		return err
	}
	if err := store.ValidateName(opts.Name); err != nil {
		return storeErr("create", opts.Name, err)
	}
	if opts.KmsKeyID != "" && opts.Backend == config.BackendLocal {
		return errLocalKMS("create", opts.Name)
	}
	tags, err := parseTags(opts.Tags)
	if err != nil {
		return err
	}
	val, err := opts.Value.read(ctx, opts.IO, opts.Getenv, opts.Name, true)
	if err != nil {
		return err
	}
	s, err := opts.Store(ctx)
	if err != nil {
		return err
	}
	ref, err := s.Create(ctx, opts.Name, store.CreateInput{
		Value: val, Token: opts.Token, Description: opts.Description, KmsKeyID: opts.KmsKeyID, Tags: tags,
	})
	if err != nil {
		return storeErr("create", opts.Name, err)
	}
	msg := "created " + ref.Name
	if ref.VersionID != "" {
		msg += " (version " + ref.VersionID + ")"
	} else {
		msg += " with no value"
	}
	fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(msg))
	if out != ui.FormatTable {
		return ui.Print(opts.IO, out, ref, nil)
	}
	return nil
}
