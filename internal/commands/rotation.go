package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/rotate"
	"github.com/secretctl/secretctl/internal/text"
	"github.com/secretctl/secretctl/internal/ui"
)

func newRotationCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rotation",
		Short: "Configure, inspect and cancel secret rotation",
		Long: `Configure how a secret rotates (rotation set), see what is due (rotation
status) and abandon a rotation in progress (rotation cancel). Run a rotation
with 'secretctl rotate'.

Examples:
  secretctl rotation set prod/db --rotator postgres --strategy alternating-users --every 30d
  secretctl rotation status
  secretctl rotation cancel prod/db

Exit status:
  0 success; 2 usage or runtime error.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("rotation: unknown subcommand %q (want set, status or cancel)", args[0])
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error { return c.Help() },
	}
	cmd.AddCommand(newRotationSetCmd(f, nil), newRotationStatusCmd(f, nil), newRotationCancelCmd(f, nil))
	return cmd
}

// newEngine builds a rotation engine on the configured backend. On AWS it
// also gets the Secrets Manager client, for Lambda rotation.
func newEngine(ctx context.Context, f *Factory) (*rotate.Engine, error) {
	s, err := f.Store(ctx)
	if err != nil {
		return nil, err
	}
	e := &rotate.Engine{Store: s, Progress: f.IO.ErrOut, Now: f.Now}
	if f.Config.IsAWS() {
		c, err := f.AWS(ctx)
		if err != nil {
			return nil, err
		}
		e.AWS, e.CloudTrail = c.SecretsManager, c.CloudTrail
	}
	return e, nil
}

// RotationSetOptions are the inputs of `secretctl rotation set`.
type RotationSetOptions struct {
	Name     string
	Rotator  string
	Strategy string
	Every    string
	Schedule string
	Window   string
	Lambda   string

	Length       int
	ExcludeChars string
	ExcludeSet   bool // --exclude-chars was given (an empty set is meaningful)
	NoPunct      bool
	NoNumbers    bool
	NoUpper      bool
	NoLower      bool
	Space        bool
	AnyType      bool
	Field        string
}

// config turns the flags into a validated rotate.Config.
func (o *RotationSetOptions) config() (rotate.Config, error) {
	if o.Every != "" && o.Schedule != "" {
		return rotate.Config{}, usageErrorf("rotation set: give --every or --schedule, not both")
	}
	sched := o.Schedule
	if o.Every != "" {
		s, err := rotate.ParseEvery(o.Every)
		if err != nil {
			return rotate.Config{}, usageErrorf("rotation set: --every: %v", err)
		}
		sched = s
	}
	c := rotate.Config{
		Rotator: o.Rotator, Strategy: o.Strategy, Schedule: sched, Window: o.Window, LambdaARN: o.Lambda,
		Params: rotate.Params{Length: o.Length, NoPunct: o.NoPunct, NoNumbers: o.NoNumbers, NoUpper: o.NoUpper,
			NoLower: o.NoLower, Space: o.Space, AnyType: o.AnyType, Field: o.Field},
	}
	if o.ExcludeSet {
		ex := o.ExcludeChars
		c.Params.Exclude = &ex
	}
	if err := c.Validate(); err != nil {
		return c, usageErrorf("rotation set: %v", err)
	}
	return c, nil
}

func newRotationSetCmd(f *Factory, runF func(context.Context, *RotationSetOptions) error) *cobra.Command {
	opts := &RotationSetOptions{}
	cmd := &cobra.Command{
		Use:   "set NAME --rotator random|postgres|mysql|lambda",
		Short: "Configure how a secret rotates",
		Long: `Configure a secret's rotation.

Client-side rotators (random, postgres, mysql) run inside secretctl, against
either backend. Their configuration is kept in reserved tags on the secret
(secretctl:rotator, secretctl:strategy, secretctl:schedule, secretctl:window,
secretctl:params), so it moves with the secret. 'secretctl rotate --due'
rotates them when their schedule says so.

  random    a new random password, with GetRandomPassword's options; for a
            JSON value, --field names the key to rotate
  postgres  PostgreSQL; the value is the JSON of AWS's RDS rotation templates
            (engine, host, port, username, password, dbname, masterarn)
  mysql     MySQL and MariaDB, same JSON
  lambda    AWS-managed (--backend aws): RotateSecret with --lambda ARN and
            the schedule as RotationRules; AWS then rotates on schedule

Strategies (postgres, mysql): single-user (default: the user changes its own
password) or alternating-users (user and user_clone take turns; the user in
"masterarn" creates and updates them).

The schedule is --every 30d / 12h, or --schedule "rate(N days|hours)" or
"cron(0 H DOM MON DOW *)" as in Secrets Manager (UTC, at least 4 hours apart),
with an optional --window (1h..24h) in which the rotation happens.

Examples:
  secretctl rotation set app/api-key --rotator random --every 30d --exclude-punctuation
  secretctl rotation set app/config --rotator random --field password --schedule "cron(0 4 ? * SUN *)" --window 2h
  secretctl rotation set prod/db --rotator postgres --strategy alternating-users --every 7d
  secretctl --backend aws rotation set prod/db --rotator lambda --lambda arn:aws:lambda:eu-west-1:111122223333:function:rotate-db --every 30d

Exit status:
  0 configured; 2 invalid flags, secret not found, or a backend error.`,
		Args: exactArgs(1, "the secret NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.ExcludeSet = c.Flags().Changed("exclude-chars")
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRotationSet(c.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Rotator, "rotator", "", "random, postgres, mysql or lambda (required)")
	fl.StringVar(&opts.Strategy, "strategy", "", "postgres/mysql: single-user (default) or alternating-users")
	fl.StringVar(&opts.Every, "every", "", "rotate every N days or hours: 30d, 12h")
	fl.StringVar(&opts.Schedule, "schedule", "", `a Secrets Manager schedule: "rate(30 days)", "cron(0 4 ? * SUN *)"`)
	fl.StringVar(&opts.Window, "window", "", "how long the rotation window stays open: 1h to 24h")
	fl.StringVar(&opts.Lambda, "lambda", "", "lambda: the rotation function's ARN")
	fl.IntVar(&opts.Length, "length", 0, "password length (default 32)")
	fl.StringVar(&opts.ExcludeChars, "exclude-chars", "", `characters never used (default: none for random, :/@"'\ for postgres, /@"'\ for mysql)`)
	fl.BoolVar(&opts.NoPunct, "exclude-punctuation", false, "no punctuation in the password")
	fl.BoolVar(&opts.NoNumbers, "exclude-numbers", false, "no digits in the password")
	fl.BoolVar(&opts.NoUpper, "exclude-uppercase", false, "no uppercase letters in the password")
	fl.BoolVar(&opts.NoLower, "exclude-lowercase", false, "no lowercase letters in the password")
	fl.BoolVar(&opts.Space, "include-space", false, "allow spaces in the password")
	fl.BoolVar(&opts.AnyType, "no-require-each-type", false, "do not require one character of each included type")
	fl.StringVar(&opts.Field, "field", "", "random: the JSON field to rotate")
	return cmd
}

func runRotationSet(ctx context.Context, f *Factory, opts *RotationSetOptions) error {
	if opts.Rotator == "" {
		return usageErrorf("rotation set: --rotator is required (%s)", strings.Join(rotate.Rotators, ", "))
	}
	cfg, err := opts.config()
	if err != nil {
		return err
	}
	onAWS := f.Config.IsAWS()
	if cfg.Rotator == rotate.RotatorLambda && !onAWS {
		return usageErrorf("rotation set: the lambda rotator needs --backend aws")
	}
	e, err := newEngine(ctx, f)
	if err != nil {
		return err
	}
	meta, err := e.Store.Describe(ctx, opts.Name)
	if err != nil {
		return storeErr("rotation set", opts.Name, err)
	}
	reserved := []string{rotate.TagRotator, rotate.TagStrategy, rotate.TagSchedule, rotate.TagWindow, rotate.TagParams}
	if cfg.Rotator == rotate.RotatorLambda {
		sched, _ := rotate.ParseSchedule(cfg.Schedule, cfg.Window)
		if cfg.Schedule == "" {
			sched = rotate.Schedule{}
		}
		if err := rotate.ConfigureLambda(ctx, e.AWS, meta.ARN, cfg.LambdaARN, sched); err != nil {
			return err
		}
		if err := e.Store.Untag(ctx, meta.ARN, reserved); err != nil {
			return storeErr("rotation set", opts.Name, err)
		}
		fmt.Fprintln(f.IO.ErrOut, f.IO.Success(fmt.Sprintf("%s rotates with %s (%s); AWS runs it on schedule, 'secretctl rotate %s' runs it now", meta.Name, cfg.LambdaARN, orNone(cfg.Schedule), meta.Name)))
		return nil
	}
	// Refuse a value the rotator cannot rotate now, not at the first
	// rotation. A secret with no value yet is accepted.
	if err := e.CheckCurrent(ctx, meta, cfg); err != nil {
		if errors.Is(err, rotate.ErrUnsuitable) {
			return usageErrorf("rotation set: %s: %s", meta.Name, text.OneLine(err.Error()))
		}
		return storeErr("rotation set", opts.Name, err)
	}
	// Keep when rotation was first enabled; it is the schedule's base until
	// the first rotation.
	cfg.EnabledAt = f.Now().UTC()
	if old, _, _ := rotate.ConfigFromMeta(meta); !old.EnabledAt.IsZero() {
		cfg.EnabledAt = old.EnabledAt
	}
	if onAWS && meta.RotationEnabled != nil && *meta.RotationEnabled && e.AWS != nil {
		// Only one rotator may own the secret: turn AWS's schedule off.
		if err := rotate.DisableLambda(ctx, e.AWS, meta.ARN); err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "secretctl: turned off the Lambda rotation of %s; secretctl rotates it from now on\n", meta.Name)
	}
	set, unset := cfg.Tags()
	if err := e.Store.Tag(ctx, meta.ARN, set); err != nil {
		return storeErr("rotation set", opts.Name, err)
	}
	if len(unset) > 0 {
		if err := e.Store.Untag(ctx, meta.ARN, unset); err != nil {
			return storeErr("rotation set", opts.Name, err)
		}
	}
	msg := fmt.Sprintf("%s rotates with %s", meta.Name, cfg.Rotator)
	if cfg.Strategy != "" {
		msg += " (" + cfg.Strategy + ")"
	}
	if m, err := e.Store.Describe(ctx, meta.ARN); err == nil {
		if st, ok, _ := e.StatusOf(ctx, m, f.Now().UTC()); ok && st.NextDue != nil {
			msg += ", " + cfg.Schedule
			if cfg.Window != "" {
				msg += " (window " + cfg.Window + ")"
			}
			msg += "; next due " + st.NextDue.Format(time.RFC3339)
		}
	}
	if cfg.Schedule == "" {
		msg += ", on demand only ('secretctl rotate " + meta.Name + "')"
	}
	fmt.Fprintln(f.IO.ErrOut, f.IO.Success(msg))
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "no schedule"
	}
	return s
}

// RotationStatusOptions are the inputs of `secretctl rotation status`.
type RotationStatusOptions struct {
	Name string
}

func newRotationStatusCmd(f *Factory, runF func(context.Context, *RotationStatusOptions) error) *cobra.Command {
	opts := &RotationStatusOptions{}
	return &cobra.Command{
		Use:   "status [NAME]",
		Short: "Show rotation schedules, what is due and stuck rotations",
		Long: `Show every secret with rotation configured (or just NAME): its rotator and
schedule, when it last rotated, when the next rotation window opens, whether
it is overdue, and the version of an unfinished rotation (a stuck AWSPENDING),
which the next 'secretctl rotate' resumes or 'secretctl rotation cancel' clears.

Lambda rotations are scheduled by AWS; their next date is AWS's
NextRotationDate.

Examples:
  secretctl rotation status
  secretctl rotation status prod/db -o json

Exit status:
  0 success; 2 not found, rotation not configured for NAME, or a backend error.`,
		Args: maxArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Name = args[0]
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRotationStatus(c.Context(), f, opts)
		},
	}
}

func runRotationStatus(ctx context.Context, f *Factory, opts *RotationStatusOptions) error {
	format, err := outputFormat(f, ui.FormatTable, ui.FormatJSON, ui.FormatYAML)
	if err != nil {
		return err
	}
	e, err := newEngine(ctx, f)
	if err != nil {
		return err
	}
	now := f.Now().UTC()
	sts, err := e.Statuses(ctx, opts.Name, now)
	if err != nil {
		if opts.Name == "" {
			return err
		}
		return storeErr("rotation status", opts.Name, err)
	}
	if sts == nil {
		sts = []rotate.Status{}
	}
	if format == ui.FormatTable && len(sts) == 0 {
		fmt.Fprintln(f.IO.ErrOut, "no secret has rotation configured (see 'secretctl rotation set --help')")
		return nil
	}
	t := func(p *time.Time) string {
		if p == nil {
			return "-"
		}
		return f.IO.Time(*p, now)
	}
	return ui.Print(f.IO, format, sts, func(tb *ui.Table) {
		tb.Header("NAME", "ROTATOR", "SCHEDULE", "LAST ROTATED", "NEXT DUE", "OVERDUE", "PENDING")
		for _, s := range sts {
			rot := s.Rotator
			if s.Strategy != "" {
				rot += "/" + s.Strategy
			}
			sched := s.Schedule
			if sched == "" {
				sched = "on demand"
			}
			if s.Window != "" {
				sched += " +" + s.Window
			}
			next := t(s.NextDue)
			if s.ScheduledBy == "aws" {
				next = t(s.NextRotation) + " (aws)"
			}
			overdue := "no"
			if s.Overdue {
				overdue = "yes"
			}
			pending := "-"
			if s.Pending != "" {
				pending = s.Pending
			}
			if s.Error != "" {
				pending = "error: " + s.Error
			}
			tb.Row(s.Name, rot, sched, t(s.LastRotated), next, overdue, pending)
		}
	})
}

// RotationCancelOptions are the inputs of `secretctl rotation cancel`.
type RotationCancelOptions struct {
	Name  string
	Force bool
}

func newRotationCancelCmd(f *Factory, runF func(context.Context, *RotationCancelOptions) error) *cobra.Command {
	opts := &RotationCancelOptions{}
	cmd := &cobra.Command{
		Use:   "cancel NAME",
		Short: "Abandon a rotation in progress and clear AWSPENDING",
		Long: `Abandon an unfinished rotation: take AWSPENDING off its version, so the next
'secretctl rotate' starts afresh. AWSCURRENT is not touched.

For a Lambda rotation (--backend aws) this calls CancelRotateSecret first,
which also turns automatic rotation off until the next 'rotation set'.

A single-user database rotation interrupted after setSecret has already
changed the password: only AWSPENDING logs in. cancel refuses then, because
finishing ('secretctl rotate NAME') is the fix; --force clears it anyway.

Examples:
  secretctl rotation cancel prod/db

Exit status:
  0 cancelled or nothing to cancel; 2 refused, not found, or a backend error.`,
		Args: exactArgs(1, "the secret NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRotationCancel(c.Context(), f, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "clear AWSPENDING even when only it works")
	return cmd
}

func runRotationCancel(ctx context.Context, f *Factory, opts *RotationCancelOptions) error {
	e, err := newEngine(ctx, f)
	if err != nil {
		return err
	}
	e.Progress = nil
	v, err := e.Cancel(ctx, opts.Name, opts.Force)
	if err != nil {
		return err
	}
	if v == "" {
		fmt.Fprintf(f.IO.ErrOut, "no rotation of %s in progress\n", opts.Name)
		return nil
	}
	fmt.Fprintln(f.IO.ErrOut, f.IO.Success(fmt.Sprintf("cancelled the rotation of %s: cleared AWSPENDING from %s", opts.Name, v)))
	return nil
}
