package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// renderTable renders rows on a faked TTY of the given width.
func renderTable(t *testing.T, width int, tty bool, build func(*Table)) string {
	t.Helper()
	s, _, out, _ := Test()
	s.SetStdoutTTY(tty)
	s.SetColorDisabled(true)
	s.SetTerminalWidth(width)
	tb := NewTable(s)
	build(tb)
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func maxLineWidth(s string) int {
	w := 0
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		w = max(w, ansi.StringWidth(l))
	}
	return w
}

func TestTableFitsTerminalWidth(t *testing.T) {
	long := strings.Repeat("a very long description of the orders database ", 4)
	name := "prod/database/credentials"
	build := func(tb *Table) {
		tb.Header("NAME", "DESCRIPTION", "LAST CHANGED", "STATUS")
		tb.Row(name, long, "2 minutes ago", "active")
		tb.Row("prod/api/key", "short", "3 days ago", "deletion scheduled in 7 days")
	}
	out := renderTable(t, 80, true, build)
	if w := maxLineWidth(out); w > 80 {
		t.Errorf("table is %d columns wide, want at most 80:\n%s", w, out)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Errorf("got %d lines, want a header, a rule and 2 rows (no wrapped rows):\n%s", len(lines), out)
	}
	for _, want := range []string{name, "prod/api/key", "2 minutes ago", "active", "…"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, long) {
		t.Errorf("the long description was not shortened:\n%s", out)
	}

	// Wide enough: nothing is cut.
	wide := renderTable(t, 400, true, build)
	if !strings.Contains(wide, strings.TrimSpace(long)) || strings.Contains(wide, "…") {
		t.Errorf("a wide terminal cut a cell:\n%s", wide)
	}
	// Piped: tab-separated, whole, whatever the width.
	piped := renderTable(t, 80, false, build)
	if want := name + "\t" + long + "\t2 minutes ago\tactive\n"; !strings.HasPrefix(piped, want) {
		t.Errorf("piped output changed:\n%q\nwant prefix\n%q", piped, want)
	}
}

func TestTableWrapsWrapColumns(t *testing.T) {
	arn := "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/database/credentials-AbCdEf"
	out := renderTable(t, 80, true, func(tb *Table) {
		tb.Header("FIELD", "VALUE")
		tb.Wrap(1)
		tb.Row("Name", "prod/database/credentials")
		tb.Row("ARN", arn)
	})
	if w := maxLineWidth(out); w > 80 {
		t.Errorf("table is %d columns wide, want at most 80:\n%s", w, out)
	}
	if strings.Contains(out, "…") {
		t.Errorf("a wrapped column was truncated:\n%s", out)
	}
	joined := strings.ReplaceAll(strings.ReplaceAll(out, " ", ""), "\n", "")
	if !strings.Contains(joined, arn) {
		t.Errorf("the ARN is not whole across its lines:\n%s", out)
	}
}

func TestColumnWidths(t *testing.T) {
	for _, c := range []struct {
		natural []int
		keep    map[int]bool
		avail   int
		want    []int
	}{
		// Short columns keep their width; the widest is cut.
		{[]int{10, 100, 13, 6}, map[int]bool{0: true}, 60, []int{10, 31, 13, 6}},
		// Two wide columns share what is left.
		{[]int{10, 50, 50}, map[int]bool{0: true}, 50, []int{10, 20, 20}},
		// A kept column wider than the terminal: the others get a minimum.
		{[]int{90, 20}, map[int]bool{0: true}, 60, []int{90, 3}},
		// An empty column is not counted twice.
		{[]int{5, 0, 40}, map[int]bool{0: true}, 20, []int{5, 0, 15}},
	} {
		got := columnWidths(c.natural, c.keep, c.avail)
		if len(got) != len(c.want) {
			t.Fatalf("columnWidths(%v, %d) = %v, want %v", c.natural, c.avail, got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("columnWidths(%v, %d) = %v, want %v", c.natural, c.avail, got, c.want)
				break
			}
		}
	}
}

func TestTerminalWidth(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "COLUMNS" {
				return v
			}
			return ""
		}
	}
	// -1 is no terminal, so the width comes from COLUMNS, else the default.
	if got := terminalWidth(-1, env("100")); got != 100 {
		t.Errorf("COLUMNS=100: width %d", got)
	}
	for _, v := range []string{"", "x", "-3", "0"} {
		if got := terminalWidth(-1, env(v)); got != defaultWidth {
			t.Errorf("COLUMNS=%q: width %d, want %d", v, got, defaultWidth)
		}
	}
	s, _, _, _ := Test()
	s.SetTerminalWidth(80)
	if got := s.TerminalWidth(); got != 0 {
		t.Errorf("piped stdout has width %d, want 0 (no limit)", got)
	}
	s.SetStdoutTTY(true)
	if got := s.TerminalWidth(); got != 80 {
		t.Errorf("TTY width %d, want 80", got)
	}
}

func TestDayNeverShowsAnHour(t *testing.T) {
	now := time.Date(2026, 3, 14, 11, 20, 0, 0, time.UTC)
	midnight := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC) // a read at 11:19, as stored
	s, _, _, _ := Test()
	s.SetStdoutTTY(true)
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{midnight, "today"},
		{midnight.AddDate(0, 0, -1), "yesterday"},
		{midnight.AddDate(0, 0, -2), "2026-03-12"},
		{time.Time{}, "-"},
	} {
		if got := s.Day(c.t, now); got != c.want {
			t.Errorf("Day(%v) = %q, want %q", c.t, got, c.want)
		}
	}
	// Late in a UTC day in a zone west of UTC: the day is still UTC's.
	est := time.FixedZone("EST", -5*3600)
	if got := s.Day(midnight, time.Date(2026, 3, 14, 22, 0, 0, 0, est)); got != "yesterday" {
		t.Errorf("Day at 03:00 UTC the next day = %q, want yesterday", got)
	}
	s.SetStdoutTTY(false)
	if got := s.Day(midnight, now); got != "2026-03-14T00:00:00Z" {
		t.Errorf("piped Day = %q", got)
	}
}
