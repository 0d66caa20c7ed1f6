package commands

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/migrate"
	"github.com/secretctl/secretctl/internal/scan"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// MigrateOptions are the inputs of `secretctl migrate`.
type MigrateOptions struct {
	IO    *ui.IOStreams
	Store func(context.Context) (store.Store, error) // opened only with --apply

	Path       string
	To         string
	Split      bool
	RDS        bool
	Apply      bool
	Check      bool
	EnvExample string
	AllowDirty bool
	Overwrite  bool
	Rules      string
	Baseline   string
	NoGitIgn   bool
	Output     ui.Format // table | json
}

func newMigrateCmd(f *Factory, runF func(context.Context, *MigrateOptions) error) *cobra.Command {
	opts := &MigrateOptions{IO: f.IO, Store: f.Store}
	cmd := &cobra.Command{
		Use:   "migrate [PATH] [--to NAME]",
		Short: "Move hardcoded secrets into the store and rewrite the code to read them from the environment",
		Long: `Find hardcoded secrets under PATH (default ".") with the engine, rules,
baselines and allow comments of 'secretctl scan', and plan their move: for each
one the environment variable the code will read, the stored secret and key
that will hold the value, and the rewrite (or "manual", with the reason).

Without --apply nothing changes: the plan and a unified diff of every rewrite
are printed, with each removed value shown as '****'. By default every value
goes into one JSON secret NAME keyed by variable name; --split stores each as
NAME/VARIABLE. A password next to host, username, port or database keys is
reported as a database connection; --rds stores such a group in the RDS
rotation shape (engine, host, username, password, dbname, port) as
NAME/<object>, so 'secretctl rotation set' works on it.

--apply stores every value, reads each back and compares it, then rewrites the
files atomically (keeping their mode), merges the variable names into
--env-example and adds the .env files that held values to .gitignore. Files
with uncommitted changes (or outside git) are refused unless --allow-dirty, so
'git diff' is the review and 'git checkout' the undo. Reruns are idempotent: a
stored value that matches is reused, a different one is refused unless
--overwrite (which adds a version and keeps the old one as AWSPREVIOUS).

Rewrites: JavaScript/TypeScript process.env.NAME; Python os.environ["NAME"];
Go os.Getenv("NAME"); Java/Kotlin System.getenv("NAME"); Ruby
ENV.fetch("NAME"); PHP getenv('NAME'); C# Environment.GetEnvironmentVariable;
shell "${NAME}"; Makefile $(NAME); docker-compose and Spring ${NAME}; .env
and .tfvars lines are removed; Terraform var.name with a sensitive variable.
Kubernetes Secret manifests and formats without substitution are manual.
See docs/migrate.md.

Each flag can also be set as SECRETCTL_<FLAG> (e.g. SECRETCTL_TO=prod/myapp).

Examples:
  secretctl migrate --to prod/myapp                 # the plan and the diff; changes nothing
  secretctl migrate --to prod/myapp --apply
  secretctl migrate src/ --to prod/myapp --split --rds -o json
  secretctl migrate --check                         # in CI: fail while anything is hardcoded
  secretctl exec --secret prod/myapp -- node app.js

Exit status:
  0  planned or applied; with --check, nothing left to migrate
  1  with --check: something would be migrated or is left manual
  2  usage error, a conflict with a stored value, a dirty or read-only file,
     or a backend error`,
		Args: maxArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Path = "."
			if len(args) == 1 {
				opts.Path = args[0]
			}
			if err := applyEnvFlags(c.Flags(), c.LocalFlags(), f.Getenv); err != nil {
				return err
			}
			opts.Output = ui.Format(f.Output())
			if err := checkOutput(opts.Output, ui.FormatTable, ui.FormatJSON); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runMigrate(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.To, "to", "", "the secret to store the values in; required with --apply (SECRETCTL_TO)")
	fl.BoolVar(&opts.Split, "split", false, "store each value as its own secret NAME/VARIABLE (SECRETCTL_SPLIT)")
	fl.BoolVar(&opts.RDS, "rds", false, "store database connection groups in the RDS rotation shape as NAME/<object> (SECRETCTL_RDS)")
	fl.BoolVar(&opts.Apply, "apply", false, "store the values and rewrite the files (SECRETCTL_APPLY)")
	fl.BoolVar(&opts.Check, "check", false, "exit 1 if anything would be migrated or is left manual (SECRETCTL_CHECK)")
	fl.StringVar(&opts.EnvExample, "env-example", ".env.example", "file listing the variables the code reads, no values; \"\" for none (SECRETCTL_ENV_EXAMPLE)")
	fl.BoolVar(&opts.AllowDirty, "allow-dirty", false, "rewrite files with uncommitted changes or outside git (SECRETCTL_ALLOW_DIRTY)")
	fl.BoolVar(&opts.Overwrite, "overwrite", false, "replace a different stored value with a new version (SECRETCTL_OVERWRITE)")
	fl.StringVar(&opts.Rules, "rules", "", "extra scan rules in gitleaks' TOML format (default .secretctl.toml in PATH) (SECRETCTL_RULES)")
	fl.StringVar(&opts.Baseline, "baseline", "", "leave the findings listed in this scan baseline alone (SECRETCTL_BASELINE)")
	fl.BoolVar(&opts.NoGitIgn, "no-git-ignore", false, "also migrate files that .gitignore excludes (SECRETCTL_NO_GIT_IGNORE)")
	setOutputFormats(cmd, ui.FormatTable, ui.FormatJSON)
	return cmd
}

// migrateOutput is the JSON document of a run: the plan, and what --apply did.
type migrateOutput struct {
	*migrate.Plan
	DryRun  bool            `json:"dryRun"`
	Applied *migrate.Result `json:"applied,omitempty"`
}

func runMigrate(ctx context.Context, opts *MigrateOptions) error {
	to := opts.To
	switch {
	case to == "" && opts.Apply:
		return usageErrorf("migrate: --apply needs --to NAME, the secret to store the values in")
	case to == "":
		to = "NAME" // a dry run or --check names the secret in the plan only
	}
	if err := store.ValidateName(to); err != nil {
		return usageErrorf("migrate: --to %s: %v", to, err)
	}
	if opts.Apply && opts.Check {
		return usageErrorf("migrate: --apply and --check cannot be combined")
	}
	if _, err := os.Stat(opts.Path); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	so := scan.Options{ConfigPath: opts.Rules, Baseline: opts.Baseline, NoGitIgnore: opts.NoGitIgn, Log: opts.IO.ErrOut}
	findings, files, err := migrate.Find(ctx, opts.Path, so)
	if err != nil {
		return err
	}
	in := migrate.Input{Root: opts.Path, To: to, Split: opts.Split, RDS: opts.RDS, Findings: findings, Files: files, EnvExample: opts.EnvExample}
	var st store.Store
	if opts.Apply && len(findings) > 0 {
		if st, err = opts.Store(ctx); err != nil {
			return err
		}
		if in.Stored, err = migrate.Stored(ctx, st, to, opts.Split); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	plan, err := migrate.BuildPlan(in)
	if err != nil {
		return usageErrorf("migrate: %v", err)
	}
	doc := migrateOutput{Plan: plan, DryRun: !opts.Apply}
	if !opts.Apply || plan.Migrate == 0 {
		if err := printPlan(opts, doc); err != nil {
			return err
		}
		if opts.Check && plan.Pending() {
			return ErrFindings
		}
		return nil
	}
	res, aerr := migrate.Apply(ctx, plan, st, migrate.ApplyOptions{Overwrite: opts.Overwrite, AllowDirty: opts.AllowDirty})
	for _, s := range res.Secrets {
		msg := s.Outcome + " " + s.Name
		if s.Version != "" {
			msg += " (version " + s.Version + ")"
		}
		fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(msg))
	}
	for _, p := range res.Rewritten {
		fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success("rewrote "+p))
	}
	if aerr != nil {
		return fmt.Errorf("migrate: %w", aerr)
	}
	if res.EnvExample != "" {
		fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success("listed the variables in "+res.EnvExample))
	}
	if res.GitIgnore != "" {
		fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success("added "+strings.Join(plan.GitIgnore, ", ")+" to "+res.GitIgnore)+" (if tracked: git rm --cached FILE)")
	}
	doc.Applied = res
	return printPlan(opts, doc)
}

// printPlan writes the plan: JSON, or a table of moves, the manual items,
// the groups, then the diffs.
func printPlan(opts *MigrateOptions, doc migrateOutput) error {
	if opts.Output == ui.FormatJSON {
		return ui.PrintJSON(opts.IO.Out, doc)
	}
	p := doc.Plan
	w := opts.IO.Out
	if len(p.Items) == 0 {
		fmt.Fprintln(opts.IO.ErrOut, "nothing to migrate: no hardcoded secrets found")
		return nil
	}
	if doc.DryRun {
		fmt.Fprintf(w, "%d value(s) to migrate into %s, %d left manual\n", p.Migrate, p.To, p.Manual)
	} else {
		fmt.Fprintf(w, "%d value(s) migrated into %s, %d left manual\n", p.Migrate, p.To, p.Manual)
	}
	for _, it := range p.Items {
		if it.Action == migrate.ActionManual {
			continue
		}
		where := it.Secret
		if it.Key != "" {
			where += "#" + it.Key
		}
		fmt.Fprintf(w, "  %s:%d\t%s\t→ %s\t(%s, %s)\n", it.File, it.Line, it.KeyPath, it.Env, where, it.Action)
	}
	if p.Manual > 0 {
		fmt.Fprintln(w, "\nmanual:")
		for _, it := range p.Items {
			if it.Action == migrate.ActionManual {
				fmt.Fprintf(w, "  %s:%d\t%s\tread %s: %s\n", it.File, it.Line, it.KeyPath, it.Env, it.Reason)
			}
		}
	}
	for _, g := range p.Groups {
		if g.Applied {
			fmt.Fprintf(w, "\ndatabase connection %s (%s:%d): stored in the RDS rotation shape as %s\n", g.Path, g.File, g.Line, g.Secret)
		} else {
			fmt.Fprintf(w, "\ndatabase connection %s (%s:%d): %s\n", g.Path, g.File, g.Line, g.Hint)
		}
	}
	if doc.DryRun && len(p.EnvNames) > 0 && p.EnvExample != "" {
		fmt.Fprintf(w, "\n%s will list: %s\n", p.EnvExample, strings.Join(p.EnvNames, " "))
	}
	if doc.DryRun && len(p.GitIgnore) > 0 {
		fmt.Fprintf(w, ".gitignore will list: %s\n", strings.Join(p.GitIgnore, " "))
	}
	if p.Run != "" {
		fmt.Fprintf(w, "run the code with: %s\n", p.Run)
	}
	if doc.DryRun {
		// after --apply, git diff shows the same
		for _, ch := range p.Files {
			fmt.Fprintln(w)
			io.WriteString(w, ch.Diff)
		}
	}
	switch {
	case opts.Check && p.Pending():
		fmt.Fprintf(opts.IO.ErrOut, "check failed: %d value(s) would be migrated, %d left manual\n", p.Migrate, p.Manual)
	case doc.DryRun && p.Migrate > 0:
		fmt.Fprintln(opts.IO.ErrOut, "dry run: nothing was stored or changed; run with --apply to migrate")
	}
	return nil
}
