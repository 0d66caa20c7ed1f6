package commands

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/environ"
	"github.com/secretctl/secretctl/internal/process"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// ExecOptions are the inputs of `secretctl exec`.
type ExecOptions struct {
	IO      *ui.IOStreams
	Store   func(context.Context) (store.Store, error)
	Environ func() []string // the caller's environment; os.Environ
	Close   func()          // releases the store before the process is replaced

	Secrets   []string // --secret specs
	EnvFiles  []string
	Stage     string
	VersionID string
	Override  bool
	Pristine  bool
	Keep      []string
	Mask      bool
	Command   []string
}

func newExecCmd(f *Factory, runF func(context.Context, *ExecOptions) error) *cobra.Command {
	opts := &ExecOptions{IO: f.IO, Store: f.Store, Environ: os.Environ, Close: f.Close}
	cmd := &cobra.Command{
		Use:   "exec [flags] -- COMMAND [ARGS...]",
		Short: "Run a command with secrets in its environment",
		Long: `Run COMMAND with secrets as environment variables.

--secret NAME maps a secret to variables: a JSON object gives one variable per
top-level key (a key that is already an upper-case environment name, such as
DB_PASSWORD, is kept; any other is upper-snake-cased: apiKey → API_KEY), any
other value one variable named after the last path segment (prod/api/key →
KEY). --secret NAME=VAR names the variable, --secret NAME#KEY=VAR takes one
field, and --secret PREFIX/ takes every secret under a prefix. --stage and
--version-id select a version, as in get.

--env-file FILE reads dotenv lines whose values are literals or references:
secretctl://NAME, secretctl://NAME#KEY, secretctl://NAME?stage=AWSPREVIOUS.
A line with an empty value (KEY=, as in the .env.example that migrate writes)
declares a variable that must be set, by a secret or the environment.

A variable that is already set is not overwritten: one line on stderr names
it, and --override replaces it. --pristine starts from an empty environment,
plus the variables named by --keep.

Nothing runs unless everything is found: a missing secret, key or required
variable stops exec with status 2 and one line naming what is missing.

The command replaces secretctl (exec), so it gets signals directly and its
exit status is the exit status. With --mask it runs as a child instead,
its stdout and stderr pass through a line-buffered filter that replaces every
injected value (of 4 bytes or more) with <NAME>, INT, TERM, HUP and QUIT are
forwarded, and its exit status (or 128+N when signal N killed it) is passed
through.

Examples:
  secretctl exec --secret prod/database/credentials --secret prod/api/key -- node server.js
  secretctl exec --secret prod/db#password=PGPASSWORD -- psql -h db.internal
  secretctl exec --env-file .env.refs --pristine --keep PATH --keep HOME -- ./app
  secretctl exec --mask --secret prod/app/ -- ./run-tests.sh

Exit status:
  the command's own; 2 when a secret, key or variable is missing, the command
  cannot be started, or the backend fails (nothing is started then).`,
		Args: minArgs(1, "the COMMAND to run (after --)"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Command = args
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runExec(c.Context(), opts)
		},
	}
	cmd.Flags().SetInterspersed(false) // flags after COMMAND belong to it
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.Secrets, "secret", nil, "secret to inject: NAME, NAME=VAR, NAME#KEY, NAME#KEY=VAR or PREFIX/ (repeatable)")
	fl.StringArrayVar(&opts.EnvFiles, "env-file", nil, "dotenv file of literals and secretctl:// references (repeatable)")
	fl.StringVar(&opts.Stage, "stage", "", "read the --secret versions with this staging label")
	fl.StringVar(&opts.VersionID, "version-id", "", "read this version of the --secret secrets")
	fl.BoolVar(&opts.Override, "override", false, "replace variables that are already set")
	fl.BoolVar(&opts.Pristine, "pristine", false, "start from an empty environment (plus --keep)")
	fl.StringArrayVar(&opts.Keep, "keep", nil, "with --pristine, keep this variable of the caller's (repeatable)")
	fl.BoolVar(&opts.Mask, "mask", false, "run as a child and replace injected values in its output with <NAME>")
	return cmd
}

// childExit carries the command's exit status; ErrFindings keeps Run from
// printing anything for it.
func childExit(code int) error {
	if code == 0 {
		return nil
	}
	return &ExitError{Code: code, Err: fmt.Errorf("command exited with status %d: %w", code, ErrFindings)}
}

// resolveEnv turns --secret specs and env files into variables: the part
// exec and export share.
func resolveEnv(ctx context.Context, getStore func(context.Context) (store.Store, error), specs, envFiles []string, o store.GetOptions) (environ.Set, error) {
	var src environ.Source
	for _, a := range specs {
		sp, err := environ.ParseSpec(a)
		if err != nil {
			return environ.Set{}, &UsageError{Err: err}
		}
		sp.GetOptions = o
		src.Specs = append(src.Specs, sp)
	}
	for _, path := range envFiles {
		f, err := os.Open(path)
		if err != nil {
			return environ.Set{}, fmt.Errorf("read env file: %w", err)
		}
		entries, err := environ.ParseDotenv(f)
		f.Close()
		if err != nil {
			return environ.Set{}, &UsageError{Err: fmt.Errorf("env file %s: %w", path, err)}
		}
		for _, e := range entries {
			src.Entries = append(src.Entries, environ.FileEntry{File: path, Entry: e})
		}
	}
	s, err := getStore(ctx)
	if err != nil {
		return environ.Set{}, err
	}
	set, err := environ.Resolve(ctx, s, src)
	if err != nil {
		return environ.Set{}, resolveErr(err)
	}
	return set, nil
}

func resolveErr(err error) error {
	var me *environ.MissingError
	if errors.As(err, &me) {
		return err
	}
	return storeErr("read secrets", "", err)
}

func runExec(ctx context.Context, opts *ExecOptions) error {
	if len(opts.Secrets) == 0 && len(opts.EnvFiles) == 0 {
		return usageErrorf("exec: nothing to inject: give --secret or --env-file")
	}
	if len(opts.Keep) > 0 && !opts.Pristine {
		return usageErrorf("exec: --keep only makes sense with --pristine")
	}
	for _, k := range opts.Keep {
		if !environ.Valid(k) {
			return usageErrorf("exec: --keep %q is not a variable name", k)
		}
	}
	set, err := resolveEnv(ctx, opts.Store, opts.Secrets, opts.EnvFiles, store.GetOptions{Stage: opts.Stage, VersionID: opts.VersionID})
	if err != nil {
		return err
	}
	env, kept, injected, err := environ.Merge(opts.Environ(), set, environ.MergeOptions{Override: opts.Override, Pristine: opts.Pristine, Keep: opts.Keep})
	if err != nil {
		return err
	}
	for _, k := range kept {
		fmt.Fprintf(opts.IO.ErrOut, "secretctl: %s is already set; keeping its value (--override replaces it)\n", k)
	}
	// Find the command before anything else, so a typo fails with status
	// 2 like any other missing piece, and never after a partial start.
	if _, err := process.LookPath(opts.Command[0], env); err != nil {
		return err
	}
	if !opts.Mask {
		opts.Close()
		return process.Exec(opts.Command, env)
	}
	stdout := process.NewMasker(opts.IO.Out, injected)
	stderr := process.NewMasker(opts.IO.ErrOut, injected)
	code, err := process.Run(ctx, opts.Command, process.Options{Env: env, Stdin: opts.IO.In, Stdout: stdout, Stderr: stderr})
	err = errors.Join(err, stdout.Close(), stderr.Close())
	if err != nil {
		return fmt.Errorf("run %s: %w", opts.Command[0], err)
	}
	return childExit(code)
}
