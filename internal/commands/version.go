package commands

import (
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

func newVersionCmd(f *Factory) *cobra.Command {
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
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := outputFormat(f)
			if err != nil {
				return err
			}
			v := versionOutput{Version: f.Version, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
			if out != ui.FormatTable {
				return ui.Print(f.IO, out, v, nil)
			}
			_, err = fmt.Fprintf(f.IO.Out, "secretctl %s (%s, %s)\n", v.Version, v.Go, v.Platform)
			return err
		},
	}
}
