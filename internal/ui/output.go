package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"
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
	return "", fmt.Errorf("invalid output format %q: want %s", f, strings.Join(names, ", "))
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
}

// NewTable starts a table on s.Out.
func NewTable(s *IOStreams) *Table { return &Table{s: s} }

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
		Headers(t.headers...).
		Rows(t.rows...)
	_, err := fmt.Fprintln(t.s.Out, tb.Render())
	return err
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
