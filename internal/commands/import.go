package commands

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/export"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// ImportOptions are the inputs of `secretctl import`.
type ImportOptions struct {
	IO    *ui.IOStreams
	Store func(context.Context) (store.Store, error)

	Output    ui.Format
	File      string
	Format    string // dotenv | json | yaml; from the extension when empty
	To        string
	Split     bool
	Overwrite bool
}

func newImportCmd(f *Factory, runF func(context.Context, *ImportOptions) error) *cobra.Command {
	opts := &ImportOptions{IO: f.IO, Store: f.Store}
	cmd := &cobra.Command{
		Use:   "import FILE --to NAME [--format dotenv|json|yaml] [--split]",
		Short: "Store the values of a dotenv, JSON or YAML file as secrets",
		Long: `Store the keys and values of FILE as one JSON-object secret named by --to, or
with --split as one secret per key named NAME/KEY. The reverse of export:
export → import → export gives the same bytes.

The format comes from the file's extension (.env, .json, .yaml, .yml) unless
--format says. Each write carries a ClientRequestToken derived from the
content, so running import again, or retrying it, stores nothing twice. A
secret that already holds the same value is left alone; one that holds a
different value is refused, and nothing is written, unless --overwrite, which
stores a new version (the old one stays as AWSPREVIOUS).

FILE is never deleted or changed. import says whether git tracks it: a
tracked file's values are in the repository's history and need rotating.

Examples:
  secretctl import .env --to prod/app
  secretctl import config/secrets.yaml --to prod/app --split
  secretctl import .env --to prod/app --overwrite

Exit status:
  0 stored or already there; 2 a different value exists (without --overwrite),
  the file cannot be read or parsed, or a backend error.`,
		Args: exactArgs(1, "the FILE to import"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.File = args[0]
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runImport(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Format, "format", "", "file format: dotenv, json or yaml (default: from the extension)")
	fl.StringVar(&opts.To, "to", "", "the secret to store (with --split, the prefix of one secret per key)")
	fl.BoolVar(&opts.Split, "split", false, "store one secret per key, named TO/KEY")
	fl.BoolVar(&opts.Overwrite, "overwrite", false, "store a new version where a secret holds a different value")
	return cmd
}

func importFormat(file, format string) (string, error) {
	if format != "" {
		for _, f := range export.ReadFormats {
			if f == format {
				return f, nil
			}
		}
		return "", usageErrorf("import: unknown format %q (want %s)", format, strings.Join(export.ReadFormats, ", "))
	}
	base := strings.ToLower(filepath.Base(file))
	switch {
	case strings.HasSuffix(base, ".json"):
		return "json", nil
	case strings.HasSuffix(base, ".yaml"), strings.HasSuffix(base, ".yml"):
		return "yaml", nil
	case base == ".env", strings.HasPrefix(base, ".env."), strings.HasSuffix(base, ".env"), strings.HasSuffix(base, ".dotenv"):
		return "dotenv", nil
	}
	return "", usageErrorf("import: cannot tell the format of %s from its name: give --format dotenv, json or yaml", file)
}

func runImport(ctx context.Context, opts *ImportOptions) error {
	if err := checkOutput(opts.Output); err != nil {
		return err
	}
	if opts.To == "" {
		return usageErrorf("import: --to NAME is required")
	}
	format, err := importFormat(opts.File, opts.Format)
	if err != nil {
		return err
	}
	f, err := os.Open(opts.File)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	items, err := export.Read(format, f)
	f.Close()
	if err != nil {
		return &UsageError{Err: fmt.Errorf("import %s: %w", opts.File, err)}
	}
	s, err := opts.Store(ctx)
	if err != nil {
		return err
	}
	results, err := export.Import(ctx, s, items, export.ImportOptions{To: opts.To, Split: opts.Split, Overwrite: opts.Overwrite})
	for _, r := range results {
		msg := r.Action + " " + r.Name
		if r.Action == export.Unchanged {
			msg += " (already holds this value)"
		}
		fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(msg))
	}
	if err != nil {
		if errors.Is(err, export.ErrDiffers) {
			return fmt.Errorf("import: %w", err)
		}
		return storeErr("import", opts.To, err)
	}
	switch export.GitStatus(ctx, opts.File) {
	case "tracked":
		fmt.Fprintf(opts.IO.ErrOut, "secretctl: %s is tracked by git, so its values are in the repository's history: stop tracking it (git rm --cached %s), and rotate the values\n", opts.File, opts.File)
	case "untracked":
		fmt.Fprintf(opts.IO.ErrOut, "secretctl: %s is not tracked by git; it was left in place: add it to .gitignore or delete it\n", opts.File)
	default:
		fmt.Fprintf(opts.IO.ErrOut, "secretctl: %s is not in a git work tree; it was left in place\n", opts.File)
	}
	if opts.Output != ui.FormatTable {
		return ui.Print(opts.IO, opts.Output, results, nil)
	}
	return nil
}
