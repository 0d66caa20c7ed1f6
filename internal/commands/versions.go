package commands

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// VersionsOptions are the inputs of `secretctl versions`.
type VersionsOptions struct {
	IO     *ui.IOStreams
	Store  func(context.Context) (store.Store, error)
	Now    func() time.Time
	Output ui.Format

	Name              string
	IncludeDeprecated bool
}

func newVersionsCmd(f *Factory, runF func(context.Context, *VersionsOptions) error) *cobra.Command {
	opts := &VersionsOptions{IO: f.IO, Store: f.Store, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "versions NAME",
		Short: "List a secret's versions and their staging labels",
		Long: `List a secret's versions, newest first, with their staging labels and dates.
Versions with no label are deprecated and shown only with --include-deprecated.

Examples:
  secretctl versions prod/db
  secretctl versions prod/db --include-deprecated -o json

Exit status:
  0 listed; 2 not found or a backend error.`,
		Args: exactArgs(1, "the secret NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runVersions(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.IncludeDeprecated, "include-deprecated", false, "include versions with no staging label")
	return cmd
}

func runVersions(ctx context.Context, opts *VersionsOptions) error {
	out := opts.Output
	s, err := outputAndStore(ctx, out, opts.Store)
	if err != nil {
		return err
	}
	vs, err := s.Versions(ctx, opts.Name, opts.IncludeDeprecated)
	if err != nil {
		return storeErr("versions", opts.Name, err)
	}
	if vs == nil {
		vs = []store.Version{}
	}
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].CreatedDate.After(vs[j].CreatedDate) })
	now := opts.Now()
	return ui.Print(opts.IO, out, vs, func(t *ui.Table) {
		t.Header("VERSION ID", "STAGES", "CREATED")
		for _, v := range vs {
			stages := strings.Join(v.Stages, ",")
			if stages == "" {
				stages = "-"
			}
			t.Row(v.VersionID, stages, opts.IO.Time(v.CreatedDate, now))
		}
	})
}
