package ui

import "testing"

func TestPrintRejectsWhatItCannotWrite(t *testing.T) {
	s, _, out, _ := Test()
	for _, c := range []struct {
		f     Format
		table func(*Table)
	}{
		{FormatCSV, func(t *Table) { t.Row("a") }},
		{FormatTable, nil},
		{Format("xml"), func(t *Table) { t.Row("a") }},
	} {
		if err := Print(s, c.f, []string{"a"}, c.table); err == nil {
			t.Errorf("Print(%q) succeeded, want an error", c.f)
		}
	}
	if out.Len() != 0 {
		t.Errorf("Print wrote %q on error", out.String())
	}
}
