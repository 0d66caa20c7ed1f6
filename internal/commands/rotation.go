package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/rotate"
	"github.com/secretctl/secretctl/internal/store"
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

// newEngine builds a rotation engine on the store open returns. aws is
// nil on the local backend; on AWS it gives the Secrets Manager client, for
// Lambda rotation, and CloudTrail, for the reason a rotation failed.
func newEngine(ctx context.Context, open func(context.Context) (store.Store, error), aws func(context.Context) (*AWSClients, error), progress io.Writer, now func() time.Time) (*rotate.Engine, error) {
	s, err := open(ctx)
	if err != nil {
		return nil, err
	}
	e := &rotate.Engine{Store: s, Progress: progress, Now: now}
	if aws != nil {
		c, err := aws(ctx)
		if err != nil {
			return nil, err
		}
		e.AWS, e.CloudTrail = c.SecretsManager, c.CloudTrail
	}
	return e, nil
}

// RotationSetOptions are the inputs of `secretctl rotation set`.
type RotationSetOptions struct {
	IO    *ui.IOStreams
	Store func(context.Context) (store.Store, error)
	Now   func() time.Time
	// AWS gives the AWS clients; nil on the local backend.
	AWS func(context.Context) (*AWSClients, error)

	Output   ui.Format
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
	LengthSet    bool // --length was given (0 is not "the default" then)
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
	if o.LengthSet && o.Length == 0 {
		return c, usageErrorf("rotation set: invalid length 0: want 1 to 4096")
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
	opts := &RotationSetOptions{IO: f.IO, Store: f.Store, Now: f.Now}
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
			opts.LengthSet = c.Flags().Changed("length")
			opts.AWS, opts.Output = f.awsIfConfigured(), ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRotationSet(c.Context(), opts)
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

// rotationSetOutput is what rotation set prints with -o json|yaml.
type rotationSetOutput struct {
	ARN      string     `json:"arn"`
	Name     string     `json:"name"`
	Rotator  string     `json:"rotator"`
	Strategy string     `json:"strategy,omitempty"`
	Schedule string     `json:"schedule,omitempty"` // empty: on demand only
	Window   string     `json:"window,omitempty"`
	Lambda   string     `json:"lambda,omitempty"`
	NextDue  *time.Time `json:"nextDue,omitempty"`
}

func runRotationSet(ctx context.Context, opts *RotationSetOptions) error {
	if err := checkOutput(opts.Output); err != nil {
		return err
	}
	if opts.Rotator == "" {
		return usageErrorf("rotation set: --rotator is required (%s)", strings.Join(rotate.Rotators, ", "))
	}
	cfg, err := opts.config()
	if err != nil {
		return err
	}
	if cfg.Rotator == rotate.RotatorLambda && opts.AWS == nil {
		return usageErrorf("rotation set: the lambda rotator needs --backend aws")
	}
	e, err := newEngine(ctx, opts.Store, opts.AWS, opts.IO.ErrOut, opts.Now)
	if err != nil {
		return err
	}
	res, err := e.Configure(ctx, opts.Name, cfg)
	switch {
	case errors.Is(err, rotate.ErrUnsuitable):
		return usageErrorf("rotation set: %s: %s", res.Meta.Name, text.OneLine(err.Error()))
	case err != nil:
		return storeErr("rotation set", opts.Name, err)
	}
	name := res.Meta.Name
	printed := func() error {
		if opts.Output == ui.FormatTable {
			return nil
		}
		return ui.Print(opts.IO, opts.Output, rotationSetOutput{ARN: res.Meta.ARN, Name: name, Rotator: cfg.Rotator,
			Strategy: cfg.Strategy, Schedule: cfg.Schedule, Window: cfg.Window, Lambda: cfg.LambdaARN, NextDue: res.NextDue}, nil)
	}
	if cfg.Rotator == rotate.RotatorLambda {
		fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(fmt.Sprintf("%s rotates with %s (%s); AWS runs it on schedule, 'secretctl rotate %s' runs it now", name, cfg.LambdaARN, orNone(cfg.Schedule), name)))
		return printed()
	}
	if res.LambdaDisabled {
		fmt.Fprintf(opts.IO.ErrOut, "secretctl: turned off the Lambda rotation of %s; secretctl rotates it from now on\n", name)
	}
	msg := fmt.Sprintf("%s rotates with %s", name, cfg.Rotator)
	if cfg.Strategy != "" {
		msg += " (" + cfg.Strategy + ")"
	}
	if res.NextDue != nil {
		msg += ", " + cfg.Schedule
		if cfg.Window != "" {
			msg += " (window " + cfg.Window + ")"
		}
		msg += "; next due " + res.NextDue.Format(time.RFC3339)
	}
	if cfg.Schedule == "" {
		msg += ", on demand only ('secretctl rotate " + name + "')"
	}
	fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(msg))
	return printed()
}

func orNone(s string) string {
	if s == "" {
		return "no schedule"
	}
	return s
}

// RotationStatusOptions are the inputs of `secretctl rotation status`.
type RotationStatusOptions struct {
	IO    *ui.IOStreams
	Store func(context.Context) (store.Store, error)
	Now   func() time.Time
	// AWS gives the AWS clients; nil on the local backend.
	AWS    func(context.Context) (*AWSClients, error)
	Output ui.Format

	Name string
}

func newRotationStatusCmd(f *Factory, runF func(context.Context, *RotationStatusOptions) error) *cobra.Command {
	opts := &RotationStatusOptions{IO: f.IO, Store: f.Store, Now: f.Now}
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
			opts.AWS, opts.Output = f.awsIfConfigured(), ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRotationStatus(c.Context(), opts)
		},
	}
}

func runRotationStatus(ctx context.Context, opts *RotationStatusOptions) error {
	format := opts.Output
	if err := checkOutput(format); err != nil {
		return err
	}
	e, err := newEngine(ctx, opts.Store, opts.AWS, opts.IO.ErrOut, opts.Now)
	if err != nil {
		return err
	}
	now := opts.Now().UTC()
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
		fmt.Fprintln(opts.IO.ErrOut, "no secret has rotation configured (see 'secretctl rotation set --help')")
		return nil
	}
	t := func(p *time.Time) string {
		if p == nil {
			return "-"
		}
		return opts.IO.Time(*p, now)
	}
	return ui.Print(opts.IO, format, sts, func(tb *ui.Table) {
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
	IO    *ui.IOStreams
	Store func(context.Context) (store.Store, error)
	Now   func() time.Time
	// AWS gives the AWS clients; nil on the local backend.
	AWS func(context.Context) (*AWSClients, error)

	Output ui.Format
	Name   string
	Force  bool
}

func newRotationCancelCmd(f *Factory, runF func(context.Context, *RotationCancelOptions) error) *cobra.Command {
	opts := &RotationCancelOptions{IO: f.IO, Store: f.Store, Now: f.Now}
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
			opts.AWS, opts.Output = f.awsIfConfigured(), ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRotationCancel(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "clear AWSPENDING even when only it works")
	return cmd
}

// rotationCancelOutput is what rotation cancel prints with -o json|yaml:
// the version AWSPENDING was taken from, if there was one.
type rotationCancelOutput struct {
	ARN           string   `json:"arn"`
	Name          string   `json:"name"`
	VersionID     string   `json:"versionId,omitempty"`
	RemovedStages []string `json:"removedStages"`
}

func runRotationCancel(ctx context.Context, opts *RotationCancelOptions) error {
	if err := checkOutput(opts.Output); err != nil {
		return err
	}
	e, err := newEngine(ctx, opts.Store, opts.AWS, nil, opts.Now)
	if err != nil {
		return err
	}
	v, err := e.Cancel(ctx, opts.Name, opts.Force)
	if err != nil {
		return err
	}
	out := rotationCancelOutput{Name: opts.Name, VersionID: v, RemovedStages: []string{}}
	if v == "" {
		fmt.Fprintf(opts.IO.ErrOut, "no rotation of %s in progress\n", opts.Name)
	} else {
		out.RemovedStages = []string{store.StagePending}
		fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(fmt.Sprintf("cancelled the rotation of %s: cleared AWSPENDING from %s", opts.Name, v)))
	}
	if opts.Output == ui.FormatTable {
		return nil
	}
	s, err := opts.Store(ctx)
	if err != nil {
		return err
	}
	m, err := s.Describe(ctx, opts.Name)
	if err != nil {
		return storeErr("describe", opts.Name, err)
	}
	out.ARN, out.Name = m.ARN, m.Name
	return ui.Print(opts.IO, opts.Output, out, nil)
}
