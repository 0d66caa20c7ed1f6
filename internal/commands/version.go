package commands

import (
	"context"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/ui"
)

type versionOutput struct {
	Version  string `json:"version"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// VersionOptions are the inputs of `secretctl version`.
type VersionOptions struct {
	IO *ui.IOStreams

	Version string
	Output  ui.Format
}

func newVersionCmd(f *Factory, runF func(context.Context, *VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: f.IO, Version: f.Version}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Long: `Print secretctl's version, the Go version it was built with and the platform.

Examples:
  secretctl version
  secretctl version -o json

Exit status:
  0 always, but 2 for bad arguments.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runVersion(c.Context(), opts)
		},
	}
}

func runVersion(_ context.Context, opts *VersionOptions) error {
	if err := checkOutput(opts.Output); err != nil {
		return err
	}
	v := versionOutput{Version: opts.Version, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if opts.Output != ui.FormatTable {
		return ui.Print(opts.IO, opts.Output, v, nil)
	}
	_, err := fmt.Fprintf(opts.IO.Out, "secretctl %s (%s, %s)\n", v.Version, v.Go, v.Platform)
	return err
}
