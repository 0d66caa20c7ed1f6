// Command gendocs writes the command reference in docs/cli/ from the cobra
// command tree: `go run ./internal/tools/gendocs docs/cli`.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/secretctl/secretctl/internal/commands"
	"github.com/secretctl/secretctl/internal/ui"
)

func main() {
	dir := "docs/cli"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := run(dir); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	io, _, _, _ := ui.Test()
	root := commands.NewRootCmd(commands.NewFactory(io, "dev"))
	root.DisableAutoGenTag = true
	setDisable(root)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	link := func(name string) string { return strings.ToLower(name) }
	prepend := func(string) string { return "" }
	if err := doc.GenMarkdownTreeCustom(root, dir, prepend, link); err != nil {
		return err
	}
	// A stable index so that readers can start somewhere.
	return os.WriteFile(filepath.Join(dir, "README.md"), []byte("# Command reference\n\nGenerated from the command tree by `make docs`; do not edit by hand.\nStart at [secretctl](secretctl.md).\n"), 0o644)
}

func setDisable(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, sub := range c.Commands() {
		setDisable(sub)
	}
}
