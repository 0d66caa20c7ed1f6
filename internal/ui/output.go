package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"gopkg.in/yaml.v3"
)

// Format is an output format.
type Format string

// Output formats shared by the commands that print data.
const (
	FormatTable Format = "table"
	FormatJSON  Format = "json"
	FormatYAML  Format = "yaml"
	FormatCSV   Format = "csv"
)

// ParseFormat checks f against the allowed formats (table, json, yaml by
// default).
func ParseFormat(f string, allowed ...Format) (Format, error) {
	if len(allowed) == 0 {
		allowed = []Format{FormatTable, FormatJSON, FormatYAML}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		if string(a) == f {
			return a, nil
		}
		names[i] = string(a)
	}
	return "", fmt.Errorf("invalid output format %q: use %s", f, OneOf(names))
}

// OneOf joins choices for a message: "table, json or yaml".
func OneOf(choices []string) string {
	switch n := len(choices); n {
	case 0:
		return ""
	case 1:
		return choices[0]
	default:
		return strings.Join(choices[:n-1], ", ") + " or " + choices[n-1]
	}
}

// PrintJSON writes v as indented JSON.
func PrintJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// PrintYAML writes v as YAML, through its JSON form so that field names are
// the same lowerCamel names in both formats.
func PrintYAML(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var generic any
	if err := yaml.Unmarshal(b, &generic); err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(generic); err != nil {
		return err
	}
	return enc.Close()
}

// Print writes v as JSON or YAML, or calls table for the table format. A
// nil table means the command has no table form; that, and any other format
// (csv is written by the commands that offer it), is an error.
func Print(s *IOStreams, f Format, v any, table func(*Table)) error {
	switch {
	case f == FormatJSON:
		return PrintJSON(s.Out, v)
	case f == FormatYAML:
		return PrintYAML(s.Out, v)
	case f == FormatTable && table != nil:
		t := NewTable(s)
		table(t)
		return t.Render()
	}
	return fmt.Errorf("output format %q is not supported here", f)
}

// Table prints rows: on a TTY with a header, borders and colour through
// lipgloss; when piped as tab-separated lines without a header.
type Table struct {
	s       *IOStreams
	headers []string
	rows    [][]string
	keep    map[int]bool // columns never shortened (the first, names, by default)
	wrap    map[int]bool // columns wrapped onto more lines instead of truncated
}

// NewTable starts a table on s.Out.
func NewTable(s *IOStreams) *Table {
	return &Table{s: s, keep: map[int]bool{0: true}, wrap: map[int]bool{}}
}

// Keep marks columns, such as IDs, that are never truncated to fit the
// terminal. The first column (a name) always is kept.
func (t *Table) Keep(cols ...int) {
	for _, c := range cols {
		t.keep[c] = true
	}
}

// Wrap marks columns whose long cells are wrapped onto more lines, rather
// than truncated, when the table is wider than the terminal (describe's
// values, which are read whole).
func (t *Table) Wrap(cols ...int) {
	for _, c := range cols {
		t.wrap[c] = true
	}
}

// Header sets the column names (shown on a TTY only).
func (t *Table) Header(h ...string) { t.headers = h }

// Row adds a row.
func (t *Table) Row(cells ...string) { t.rows = append(t.rows, cells) }

// Len is the number of rows.
func (t *Table) Len() int { return len(t.rows) }

// Render writes the table.
func (t *Table) Render() error {
	if !t.s.IsStdoutTTY() {
		for _, r := range t.rows {
			if _, err := fmt.Fprintln(t.s.Out, strings.Join(r, "\t")); err != nil {
				return err
			}
		}
		return nil
	}
	if len(t.rows) == 0 {
		return nil
	}
	headers, rows := t.fit(t.s.TerminalWidth())
	r := t.s.Renderer()
	header := r.NewStyle().Bold(true).Foreground(lipgloss.Color("6")).Padding(0, 1)
	cell := r.NewStyle().Padding(0, 1)
	tb := table.New().
		Border(lipgloss.NormalBorder()).
		BorderStyle(r.NewStyle().Foreground(lipgloss.Color("8"))).
		BorderColumn(false).BorderLeft(false).BorderRight(false).BorderTop(false).BorderBottom(false).
		StyleFunc(func(row, col int) lipgloss.Style {
			if row == table.HeaderRow {
				return header
			}
			return cell
		}).
		Headers(headers...).
		Rows(rows...)
	_, err := fmt.Fprintln(t.s.Out, tb.Render())
	return err
}

// cellPadding is the blank on each side of a cell in a TTY table.
const cellPadding = 1

// fit shortens the cells so that the table is at most width columns wide
// (no limit when width <= 0), as gh's table printer does: kept columns
// keep their width; the other (flexible) ones share the rest, where a
// column narrower than its share keeps its width and the widest ones are
// cut to the share, with what is left over handed back in column order.
// Cut cells end in "…"; cells of a Wrap column go onto more lines.
func (t *Table) fit(width int) ([]string, [][]string) {
	ncols := len(t.headers)
	for _, r := range t.rows {
		ncols = max(ncols, len(r))
	}
	natural := make([]int, ncols)
	measure := func(r []string) {
		for i, c := range r {
			natural[i] = max(natural[i], ansi.StringWidth(c))
		}
	}
	measure(t.headers)
	for _, r := range t.rows {
		measure(r)
	}
	total := 0
	for _, w := range natural {
		total += w + 2*cellPadding
	}
	if width <= 0 || total <= width {
		return t.headers, t.rows
	}
	widths := columnWidths(natural, t.keep, width-2*cellPadding*ncols)
	cut := func(r []string) []string {
		out := make([]string, len(r))
		for i, c := range r {
			switch w := widths[i]; {
			case ansi.StringWidth(c) <= w:
				out[i] = c
			case t.wrap[i]:
				out[i] = ansi.Wrap(c, w, " /-")
			default:
				out[i] = ansi.Truncate(c, w, "…")
			}
		}
		return out
	}
	rows := make([][]string, len(t.rows))
	for i, r := range t.rows {
		rows[i] = cut(r)
	}
	var headers []string
	if t.headers != nil {
		headers = cut(t.headers)
	}
	return headers, rows
}

// columnWidths shares avail display columns between the columns whose
// natural widths are given; kept columns are never shortened, and a
// flexible column gets at least minFlexWidth.
func columnWidths(natural []int, keep map[int]bool, avail int) []int {
	const minFlexWidth = 3
	widths := make([]int, len(natural))
	set := make([]bool, len(natural))
	flex := 0
	for i, w := range natural {
		if keep[i] {
			widths[i], set[i] = w, true
			avail -= w
		} else {
			flex++
		}
	}
	// Two passes: columns narrower than their share keep their width,
	// which raises the share of the others.
	for pass := 0; pass < 2 && flex > 0; pass++ {
		share := max(avail, 0) / flex
		for i, w := range natural {
			if !set[i] && w <= share {
				widths[i], set[i] = w, true
				avail -= w
				flex--
			}
		}
	}
	if flex > 0 {
		share := max(avail/flex, minFlexWidth)
		for i := range natural {
			if !set[i] {
				widths[i] = min(share, natural[i])
				avail -= widths[i]
			}
		}
	}
	// Hand what is left to the cut columns, in order.
	for i, w := range natural {
		if avail <= 0 {
			break
		}
		if add := min(w-widths[i], avail); add > 0 && !keep[i] {
			widths[i] += add
			avail -= add
		}
	}
	return widths
}

// Renderer is a lipgloss renderer tied to Out, with the ASCII profile when
// colour is off. Colours are fixed ANSI ones, never adaptive (adaptive
// colours query the terminal).
func (s *IOStreams) Renderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(s.Out)
	if s.ColorEnabled() {
		r.SetColorProfile(termenv.ANSI)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	r.SetHasDarkBackground(true)
	return r
}

// Success styles a "✓ done" line for stderr.
func (s *IOStreams) Success(msg string) string {
	if !s.stderrTTY || s.colorDisabled {
		return "✓ " + msg
	}
	return s.Renderer().NewStyle().Foreground(lipgloss.Color("2")).Render("✓") + " " + msg
}

// Time formats t for output: relative on a TTY, RFC 3339 UTC when piped.
func (s *IOStreams) Time(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	if !s.IsStdoutTTY() {
		return t.UTC().Format(time.RFC3339)
	}
	return Relative(t, now)
}

// Day formats a date that is known only to the day, such as
// LastAccessedDate (Secrets Manager truncates it to midnight UTC): on a TTY
// "today", "yesterday" or the date, never an hour it does not know; piped,
// RFC 3339 UTC as Time does.
func (s *IOStreams) Day(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	if !s.IsStdoutTTY() {
		return t.UTC().Format(time.RFC3339)
	}
	return RelativeDay(t, now)
}

// RelativeDay gives "today", "yesterday" or the date (YYYY-MM-DD), the days
// counted in UTC, as Secrets Manager counts them.
func RelativeDay(t, now time.Time) string {
	day := t.UTC().Format(time.DateOnly)
	switch day {
	case now.UTC().Format(time.DateOnly):
		return "today"
	case now.UTC().AddDate(0, 0, -1).Format(time.DateOnly):
		return "yesterday"
	}
	return day
}

// Relative gives "3 minutes ago", "in 2 days".
func Relative(t, now time.Time) string {
	d := now.Sub(t)
	suffix := "ago"
	if d < 0 {
		d, suffix = -d, ""
	}
	var s string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		s = plural(int(d/time.Hour), "hour")
	case d < 60*24*time.Hour:
		s = plural(int(d/(24*time.Hour)), "day")
	default:
		return t.UTC().Format("2006-01-02")
	}
	if suffix == "" {
		return "in " + s
	}
	return s + " " + suffix
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
