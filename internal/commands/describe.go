package commands

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// DescribeOptions are the inputs of `secretctl describe`.
type DescribeOptions struct {
	IO     *ui.IOStreams
	Store  func(context.Context) (store.Store, error)
	Now    func() time.Time
	Output ui.Format

	Name string
}

func newDescribeCmd(f *Factory, runF func(context.Context, *DescribeOptions) error) *cobra.Command {
	opts := &DescribeOptions{IO: f.IO, Store: f.Store, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "describe NAME",
		Short: "Show a secret's metadata (never its value)",
		Long: `Show a secret's name, ARN, description, tags, dates, rotation settings and
versions with their staging labels. It never shows a value, and it works on a
secret that is scheduled for deletion.

Examples:
  secretctl describe prod/db
  secretctl describe prod/db -o json

Exit status:
  0 shown; 2 not found or a backend error.`,
		Args: exactArgs(1, "the secret NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.Output = ui.Format(f.Output())
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runDescribe(c.Context(), opts)
		},
	}
	return cmd
}

func runDescribe(ctx context.Context, opts *DescribeOptions) error {
	out := opts.Output
	s, err := outputAndStore(ctx, out, opts.Store)
	if err != nil {
		return err
	}
	m, err := s.Describe(ctx, opts.Name)
	if err != nil {
		return storeErr("describe", opts.Name, err)
	}
	if out != ui.FormatTable {
		return ui.Print(opts.IO, out, m, nil)
	}
	now := opts.Now()
	tm := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return opts.IO.Time(*t, now)
	}
	rows := [][2]string{
		{"Name", m.Name},
		{"ARN", m.ARN},
		{"Description", m.Description},
		{"KmsKeyId", m.KmsKeyID},
		{"Created", opts.IO.Time(m.CreatedDate, now)},
		{"LastChanged", tm(m.LastChangedDate)},
		{"LastAccessed", day(opts.IO, m.LastAccessedDate, now)},
	}
	if m.DeletedDate != nil {
		rows = append(rows, [2]string{"DeletionDate", tm(m.DeletedDate)})
	}
	if m.RotationEnabled != nil {
		rows = append(rows, [2]string{"RotationEnabled", fmt.Sprint(*m.RotationEnabled)})
	}
	if m.RotationLambda != "" {
		rows = append(rows, [2]string{"RotationLambda", m.RotationLambda})
	}
	if r := m.RotationRules; r != nil {
		sched := r.ScheduleExpression
		if sched == "" && r.AutomaticallyAfterDays > 0 {
			sched = fmt.Sprintf("rate(%d days)", r.AutomaticallyAfterDays)
		}
		if r.Duration != "" {
			sched += " window " + r.Duration
		}
		rows = append(rows, [2]string{"RotationSchedule", sched})
	}
	if m.LastRotatedDate != nil {
		rows = append(rows, [2]string{"LastRotated", tm(m.LastRotatedDate)})
	}
	if m.NextRotationDate != nil {
		rows = append(rows, [2]string{"NextRotation", tm(m.NextRotationDate)})
	}
	keys := make([]string, 0, len(m.Tags))
	for k := range m.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rows = append(rows, [2]string{"Tag", k + "=" + m.Tags[k]})
	}
	ids := make([]string, 0, len(m.Versions))
	for id := range m.Versions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return stageRank(m.Versions[ids[i]]) < stageRank(m.Versions[ids[j]]) })
	for _, id := range ids {
		rows = append(rows, [2]string{"Version", id + " " + strings.Join(m.Versions[id], ",")})
	}
	t := ui.NewTable(opts.IO)
	t.Header("FIELD", "VALUE")
	t.Wrap(1) // an ARN or a description is read whole, so it wraps rather than being cut
	for _, r := range rows {
		t.Row(r[0], r[1])
	}
	return t.Render()
}

// day shows a date known only to the day (LastAccessedDate), or "-".
func day(io *ui.IOStreams, t *time.Time, now time.Time) string {
	if t == nil {
		return "-"
	}
	return io.Day(*t, now)
}

// stageRank orders versions AWSCURRENT, AWSPENDING, AWSPREVIOUS, others.
func stageRank(stages []string) int {
	best := 3
	for _, s := range stages {
		switch s {
		case "AWSCURRENT":
			return 0
		case "AWSPENDING":
			best = min(best, 1)
		case "AWSPREVIOUS":
			best = min(best, 2)
		}
	}
	return best
}
