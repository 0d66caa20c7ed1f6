package rotate

import (
	"strings"
	"testing"
	"time"
)

func TestParseEvery(t *testing.T) {
	for in, want := range map[string]string{"30d": "rate(30 days)", "1d": "rate(1 days)", "12h": "rate(12 hours)", "7 days": "rate(7 days)"} {
		got, err := ParseEvery(in)
		if err != nil || got != want {
			t.Errorf("ParseEvery(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "30", "2w", "-1d", "d"} {
		if _, err := ParseEvery(in); err == nil {
			t.Errorf("ParseEvery(%q) succeeded", in)
		}
	}
}

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		expr, window string
		want         string // normalised; "" means an error is expected
		errPart      string
	}{
		{"rate(30 days)", "", "rate(30 days)", ""},
		{"rate(1 days)", "", "rate(1 day)", ""},
		{"rate(1 day)", "2h", "rate(1 day)", ""},
		{"rate(4 hours)", "", "rate(4 hours)", ""},
		{"rate(6 hours)", "6h", "rate(6 hours)", ""},
		{"rate(3 hours)", "", "", "shortest interval"},
		{"rate(6 hours)", "7h", "", "overlap"},
		{"rate(0 days)", "", "", "positive"},
		{"rate(1001 days)", "", "", "1000"},
		{"cron(0 16 1,15 * ? *)", "", "cron(0 16 1,15 * ? *)", ""},
		{"cron(0   8 ? * MON-FRI *)", "3h", "cron(0 8 ? * MON-FRI *)", ""},
		{"cron(0 4/12 * * ? *)", "8h", "cron(0 4/12 * * ? *)", ""},
		{"cron(0 4/12 * * ? *)", "13h", "", "past midnight"},
		{"cron(0 0,3 * * ? *)", "4h", "", "overlap"},
		{"cron(0 22 * * ? *)", "3h", "", "past midnight"},
		{"cron(30 16 * * ? *)", "", "", "minutes must be 0"},
		{"cron(0 16 * * ? 2027)", "", "", "year must be *"},
		{"cron(0 16 * * * *)", "", "", "exactly one"},
		{"cron(0 16 ? * ? *)", "", "", "exactly one"},
		{"cron(0 25 * * ? *)", "", "", "hours"},
		{"cron(0 16 * *)", "", "", "6 fields"},
		{"every day", "", "", "want rate"},
		{"rate(1 day)", "25h", "", "1h to 24h"},
		{"rate(1 day)", "90m", "", "number of hours"},
	}
	for _, tt := range tests {
		s, err := ParseSchedule(tt.expr, tt.window)
		if tt.want == "" {
			if err == nil || !strings.Contains(err.Error(), tt.errPart) {
				t.Errorf("ParseSchedule(%q, %q) error = %v; want one mentioning %q", tt.expr, tt.window, err, tt.errPart)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			continue
		}
		if err != nil || s.Expr != tt.want || s.WindowString() != tt.window {
			t.Errorf("ParseSchedule(%q, %q) = %q %q, %v; want %q", tt.expr, tt.window, s.Expr, s.WindowString(), err, tt.want)
		}
	}
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestScheduleNext(t *testing.T) {
	tests := []struct {
		expr, window, base, start, end string
	}{
		// rate(days): the window opens at 00:00 UTC of the due day and closes at its end.
		{"rate(30 days)", "", "2026-01-15T13:45:00Z", "2026-02-14T00:00:00Z", "2026-02-14T23:59:59Z"},
		{"rate(1 day)", "2h", "2026-01-31T23:59:00Z", "2026-02-01T00:00:00Z", "2026-02-01T02:00:00Z"},
		// rate(hours): the first hour boundary after base+N, one hour long by default.
		{"rate(6 hours)", "", "2026-01-15T13:45:00Z", "2026-01-15T20:00:00Z", "2026-01-15T21:00:00Z"},
		{"rate(4 hours)", "3h", "2026-01-15T20:00:00Z", "2026-01-16T00:00:00Z", "2026-01-16T03:00:00Z"},
		// cron
		{"cron(0 16 1,15 * ? *)", "", "2026-01-15T16:00:00Z", "2026-02-01T16:00:00Z", "2026-02-01T23:59:59Z"},
		{"cron(0 16 1,15 * ? *)", "", "2026-01-15T15:59:00Z", "2026-01-15T16:00:00Z", "2026-01-15T23:59:59Z"},
		{"cron(0 4/12 * * ? *)", "", "2026-01-15T05:00:00Z", "2026-01-15T16:00:00Z", "2026-01-15T17:00:00Z"},
		{"cron(0 4/12 * * ? *)", "", "2026-01-15T16:00:00Z", "2026-01-16T04:00:00Z", "2026-01-16T05:00:00Z"},
		{"cron(0 8 ? * MON-FRI *)", "3h", "2026-01-16T09:00:00Z", "2026-01-19T08:00:00Z", "2026-01-19T11:00:00Z"}, // Fri → Mon
		{"cron(0 0 L * ? *)", "", "2026-02-01T00:00:00Z", "2026-02-28T00:00:00Z", "2026-02-28T23:59:59Z"},
		{"cron(0 0 L FEB ? *)", "", "2027-03-01T00:00:00Z", "2028-02-29T00:00:00Z", "2028-02-29T23:59:59Z"}, // leap year
		{"cron(0 10 ? * SUN#1 *)", "", "2026-01-05T00:00:00Z", "2026-02-01T10:00:00Z", "2026-02-01T23:59:59Z"},
		{"cron(0 10 ? * 6L *)", "", "2026-01-01T00:00:00Z", "2026-01-30T10:00:00Z", "2026-01-30T23:59:59Z"},     // last Friday
		{"cron(0 10 ? * FRIL *)", "", "2026-01-31T00:00:00Z", "2026-02-27T10:00:00Z", "2026-02-27T23:59:59Z"},   // last Friday
		{"cron(0 1 ? JAN,JUL 2 *)", "", "2026-01-27T00:00:00Z", "2026-07-06T01:00:00Z", "2026-07-06T23:59:59Z"}, // Mondays of Jan/Jul
		{"cron(0 0 1-3/2 * ? *)", "", "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z", "2026-01-03T23:59:59Z"},
	}
	for _, tt := range tests {
		s, err := ParseSchedule(tt.expr, tt.window)
		if err != nil {
			t.Fatalf("ParseSchedule(%q): %v", tt.expr, err)
		}
		start, end, err := s.Next(ts(tt.base))
		if err != nil || !start.Equal(ts(tt.start)) || !end.Equal(ts(tt.end)) {
			t.Errorf("%s window %q after %s = %s .. %s, %v; want %s .. %s", tt.expr, tt.window, tt.base, start.Format(time.RFC3339), end.Format(time.RFC3339), err, tt.start, tt.end)
		}
	}
}

func TestCronNeverMatches(t *testing.T) {
	s, err := ParseSchedule("cron(0 0 31 FEB ? *)", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Next(ts("2026-01-01T00:00:00Z")); err == nil {
		t.Error("31 February matched")
	}
}
