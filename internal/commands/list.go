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

// ListOptions are the inputs of `secretctl list`.
type ListOptions struct {
	IO     *ui.IOStreams
	Store  func(context.Context) (store.Store, error)
	Now    func() time.Time
	Output ui.Format

	Prefix         string
	Tags           []string
	IncludeDeleted bool
}

func newListCmd(f *Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IO, Store: f.Store, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "list [PREFIX]",
		Aliases: []string{"ls"},
		Short:   "List secrets (metadata only, never values)",
		Long: `List secrets whose names start with PREFIX (case-sensitive). Only metadata is
shown, never a value.

Examples:
  secretctl list
  secretctl list prod/ --tag team=payments
  secretctl list --include-deleted -o json

Exit status:
  0 listed (even if empty); 2 invalid input or a backend error.`,
		Args: maxArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Prefix = args[0]
			}
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runList(c.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Tags, "tag", nil, "only secrets with this tag key=value (repeatable)")
	cmd.Flags().BoolVar(&opts.IncludeDeleted, "include-deleted", false, "include secrets scheduled for deletion")
	return cmd
}

func runList(ctx context.Context, opts *ListOptions) error {
	out := opts.Output
	if err := checkOutput(out); err != nil {
		return err
	}
	tags, err := parseTags(opts.Tags)
	if err != nil {
		return err
	}
	s, err := opts.Store(ctx)
	if err != nil {
		return err
	}
	metas, err := s.List(ctx, store.ListOptions{Prefix: opts.Prefix, Tags: tags, IncludeDeleted: opts.IncludeDeleted})
	if err != nil {
		return storeErr("list", opts.Prefix, err)
	}
	if metas == nil {
		metas = []store.Meta{}
	}
	if len(metas) == 0 && out == ui.FormatTable && opts.IO.IsStdoutTTY() {
		// Piped, an empty list prints nothing, and JSON prints [].
		fmt.Fprintln(opts.IO.ErrOut, noSecrets(opts.Prefix, opts.Tags))
		return nil
	}
	now := opts.Now()
	return ui.Print(opts.IO, out, metas, func(t *ui.Table) {
		t.Header("NAME", "DESCRIPTION", "LAST CHANGED", "STATUS")
		for _, m := range metas {
			status := "active"
			if m.DeletedDate != nil {
				status = "deletion scheduled " + opts.IO.Time(*m.DeletedDate, now)
			}
			t.Row(m.Name, m.Description, opts.IO.Time(changed(m), now), status)
		}
	})
}

// noSecrets says that a listing is empty, naming what was asked for.
func noSecrets(prefix string, tags []string) string {
	msg := "no secrets"
	if prefix != "" {
		msg += fmt.Sprintf(" under %q", prefix)
	}
	if len(tags) > 0 {
		msg += " tagged " + strings.Join(tags, ", ")
	}
	return msg
}

func changed(m store.Meta) time.Time {
	if m.LastChangedDate != nil {
		return *m.LastChangedDate
	}
	return m.CreatedDate
}
