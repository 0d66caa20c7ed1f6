package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// TagOptions are the inputs of `secretctl tag` and `secretctl untag`.
type TagOptions struct {
	IO    *ui.IOStreams
	Store func(context.Context) (store.Store, error)
	Now   func() time.Time

	Output ui.Format
	Name   string
	Tags   map[string]string
	Keys   []string
}

func newTagCmd(f *Factory, runF func(context.Context, *TagOptions) error) *cobra.Command {
	opts := &TagOptions{IO: f.IO, Store: f.Store, Now: f.Now}
	return &cobra.Command{
		Use:   "tag NAME KEY=VALUE...",
		Short: "Add or change a secret's tags",
		Long: `Add tags to a secret, or change the value of existing ones. Tags are
metadata: never put a secret in one.

Examples:
  secretctl tag prod/db team=payments env=prod

Exit status:
  0 tagged; 2 invalid tag, not found, marked for deletion, or a backend error.`,
		Args: minArgs(2, "the secret NAME and at least one KEY=VALUE"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			tags, err := parseTags(args[1:])
			if err != nil {
				return err
			}
			opts.Tags = tags
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runTag(c.Context(), opts)
		},
	}
}

func newUntagCmd(f *Factory, runF func(context.Context, *TagOptions) error) *cobra.Command {
	opts := &TagOptions{IO: f.IO, Store: f.Store, Now: f.Now}
	return &cobra.Command{
		Use:   "untag NAME KEY...",
		Short: "Remove tags from a secret",
		Long: `Remove tags from a secret. A key the secret does not have is not an error.

Examples:
  secretctl untag prod/db team env

Exit status:
  0 untagged; 2 not found, marked for deletion, or a backend error.`,
		Args: minArgs(2, "the secret NAME and at least one KEY"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			for _, k := range args[1:] {
				if k == "" || strings.Contains(k, "=") {
					return usageErrorf("untag: invalid tag key %q (give keys only)", k)
				}
			}
			opts.Keys = args[1:]
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runUntag(c.Context(), opts)
		},
	}
}

// tagOutput is what tag and untag print with -o json|yaml: the secret, as
// the other changing commands name it (arn, name), and the change.
type tagOutput struct {
	ARN         string            `json:"arn"`
	Name        string            `json:"name"`
	Tags        map[string]string `json:"tags,omitempty"`        // tag: the tags set
	RemovedTags []string          `json:"removedTags,omitempty"` // untag: the keys removed
}

func runTag(ctx context.Context, opts *TagOptions) error {
	s, err := outputAndStore(ctx, opts.Output, opts.Store)
	if err != nil {
		return err
	}
	if err := s.Tag(ctx, opts.Name, opts.Tags); err != nil {
		return storeErr("tag", opts.Name, err)
	}
	fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(fmt.Sprintf("tagged %s", opts.Name)))
	return printTagOutput(ctx, s, opts, tagOutput{Tags: opts.Tags})
}

func runUntag(ctx context.Context, opts *TagOptions) error {
	s, err := outputAndStore(ctx, opts.Output, opts.Store)
	if err != nil {
		return err
	}
	if err := s.Untag(ctx, opts.Name, opts.Keys); err != nil {
		return storeErr("untag", opts.Name, err)
	}
	fmt.Fprintln(opts.IO.ErrOut, opts.IO.Success(fmt.Sprintf("untagged %s", opts.Name)))
	return printTagOutput(ctx, s, opts, tagOutput{RemovedTags: opts.Keys})
}

// printTagOutput prints the change with -o json|yaml (the table form is the
// stderr line alone). Tag and Untag return no ARN, so it is described.
func printTagOutput(ctx context.Context, s store.Store, opts *TagOptions, o tagOutput) error {
	if opts.Output == ui.FormatTable {
		return nil
	}
	m, err := s.Describe(ctx, opts.Name)
	if err != nil {
		return storeErr("describe", opts.Name, err)
	}
	o.ARN, o.Name = m.ARN, m.Name
	return ui.Print(opts.IO, opts.Output, o, nil)
}
