// Package commands wires secretctl's cobra commands. It holds no domain
// logic: each command parses flags into an options struct and calls a run
// function that uses only those options.
package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/config"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/text"
	"github.com/secretctl/secretctl/internal/ui"
)

// Main runs secretctl with the process's arguments and returns the exit
// status. Only main calls os.Exit.
func Main(version string) int {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	// The first Ctrl-C cancels the context; a second one kills the process
	// as usual, should something not stop in time.
	go func() { <-ctx.Done(); cancel() }()
	f := NewFactory(ui.System(), version)
	return Run(ctx, f, os.Args[1:])
}

// NewFactory returns a Factory with the production constructors.
func NewFactory(io *ui.IOStreams, version string) *Factory {
	f := &Factory{IO: io, Version: version, Now: time.Now, Getenv: os.Getenv}
	f.Store = f.openStore
	f.AWS = f.awsClients
	return f
}

// Run executes the command line args with f and returns the exit status,
// printing any error as one line on stderr.
func Run(ctx context.Context, f *Factory, args []string) int {
	root := NewRootCmd(f)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	err := root.ExecuteContext(ctx)
	f.Close()
	if err != nil && !errors.Is(err, ErrFindings) {
		printError(f, err)
	}
	return exitCode(err)
}

func printError(f *Factory, err error) {
	msg := text.OneLine(err.Error())
	if errors.Is(err, context.Canceled) {
		msg = "interrupted"
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		msg += " (see 'secretctl --help')"
	}
	fmt.Fprintf(f.IO.ErrOut, "secretctl: %s\n", msg)
	if f.Output() == "json" {
		b, _ := json.Marshal(map[string]any{"error": msg, "exitCode": exitCode(err)})
		fmt.Fprintln(f.IO.ErrOut, string(b))
	}
}

// NewRootCmd builds the command tree.
func NewRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "secretctl",
		Short: "Find hardcoded credentials, store them, rotate them and see who read them",
		Long: `secretctl finds hardcoded credentials in code and config, moves them into a
secret store (AWS Secrets Manager, or an embedded encrypted store on disk),
rotates them and shows who read them.

The embedded local backend is the default, so every command works on a fresh
machine with no cloud account. Select AWS with --backend aws.

Exit status:
  0  success
  1  findings or a failed check (scan, audit --fail-on, rotate --due)
  2  usage or runtime error`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		Version:           f.Version,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error { return f.loadConfig(cmd) },
	}
	root.SetVersionTemplate("secretctl {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.String(config.KeyBackend, string(config.BackendLocal), "secret store backend: local or aws (SECRETCTL_BACKEND)")
	pf.String(config.KeyRegion, "", "AWS region (SECRETCTL_REGION, AWS_REGION)")
	pf.String(config.KeyProfile, "", "AWS shared-config profile (SECRETCTL_PROFILE, AWS_PROFILE)")
	pf.String(config.KeyEndpointURL, "", "AWS endpoint URL, for Secrets Manager-compatible servers (SECRETCTL_ENDPOINT_URL, AWS_ENDPOINT_URL_SECRETS_MANAGER)")
	pf.StringP(config.KeyOutput, "o", "table", "output format: table, json or yaml (SECRETCTL_OUTPUT)")
	pf.Bool(config.KeyNoColor, false, "disable colour (SECRETCTL_NO_COLOR, NO_COLOR)")
	pf.String(config.KeyConfig, "", "config file (SECRETCTL_CONFIG; default $XDG_CONFIG_HOME/secretctl/config.yaml)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if c == c.Root() {
			return &UsageError{Err: err}
		}
		return &UsageError{Err: fmt.Errorf("%s: %w", cmdName(c), err)}
	})
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(commandList(f)...)
	// Unknown subcommands are usage errors too.
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
		}
		return nil
	}
	root.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	return root
}

// commandList builds the top-level commands, in the order help lists them.
// A new command adds its constructor here.
func commandList(f *Factory) []*cobra.Command {
	return []*cobra.Command{
		newAuditCmd(f, nil),
		newCheckCmd(f, nil),
		newCompletionCmd(f),
		newCreateCmd(f, nil),
		newDeleteCmd(f, nil),
		newDescribeCmd(f, nil),
		newExecCmd(f, nil),
		newExportCmd(f, nil),
		newGetCmd(f, nil),
		newImportCmd(f, nil),
		newInitCmd(f, nil),
		newK8sCmd(f, nil, nil),
		newListCmd(f, nil),
		newMigrateCmd(f, nil),
		newPolicyCmd(f, nil),
		newPutCmd(f, nil),
		newRestoreCmd(f, nil),
		newRollbackCmd(f, nil),
		newRotateCmd(f, nil),
		newRotationCmd(f),
		newScanCmd(f, nil),
		newServeCmd(f, nil),
		newTagCmd(f, nil),
		newUntagCmd(f, nil),
		newUpdateCmd(f, nil),
		newVersionCmd(f, nil),
		newVersionsCmd(f, nil),
	}
}

func (f *Factory) loadConfig(cmd *cobra.Command) error {
	c, err := config.Load(cmd.Root().PersistentFlags(), f.Getenv)
	if err != nil {
		return &UsageError{Err: err}
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(f.IO.ErrOut, "secretctl: warning: %s\n", w)
	}
	if err := checkOutput(ui.Format(c.Output), outputFormats(cmd)...); err != nil {
		return err
	}
	f.Config = c
	if c.NoColor {
		f.IO.SetColorDisabled(true)
	}
	return nil
}

// outputFormatsKey is the annotation that lists the -o formats of a
// command whose formats are not table, json and yaml.
const outputFormatsKey = "secretctl/output-formats"

// setOutputFormats declares the -o formats cmd takes, for the one check
// that the root command makes (and the run function repeats).
func setOutputFormats(cmd *cobra.Command, formats ...ui.Format) {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f)
	}
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[outputFormatsKey] = strings.Join(names, ",")
}

// outputFormats are the -o formats cmd takes: table, json and yaml unless
// it declares others. A subcommand does not inherit its parent's.
func outputFormats(cmd *cobra.Command) []ui.Format {
	a, ok := cmd.Annotations[outputFormatsKey]
	if !ok {
		return []ui.Format{ui.FormatTable, ui.FormatJSON, ui.FormatYAML}
	}
	var out []ui.Format
	for _, f := range strings.Split(a, ",") {
		out = append(out, ui.Format(f))
	}
	return out
}

// checkOutput checks an output format against what a command supports
// (table, json and yaml when allowed is empty). Every check of -o goes
// through it, so a bad value gets one wording everywhere.
func checkOutput(out ui.Format, allowed ...ui.Format) error {
	if _, err := ui.ParseFormat(string(out), allowed...); err != nil {
		return &UsageError{Err: err}
	}
	return nil
}

// cmdName is the command path without the program name: "rotation set".
func cmdName(c *cobra.Command) string {
	return strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ")
}

// outputAndStore checks the output format against the store commands'
// formats (table, json, yaml), then opens the store: the common start of
// those commands.
func outputAndStore(ctx context.Context, out ui.Format, open func(context.Context) (store.Store, error)) (store.Store, error) {
	if err := checkOutput(out); err != nil {
		return nil, err
	}
	return open(ctx)
}
