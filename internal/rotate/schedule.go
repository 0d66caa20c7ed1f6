package rotate

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// MinRateHours is the shortest rotation interval Secrets Manager accepts.
const MinRateHours = 4

// Schedule is a validated rotation schedule in Secrets Manager's form: a
// normalised rate(...) or cron(...) expression plus an optional window
// (RotationRules.Duration). All times are UTC.
type Schedule struct {
	Expr   string        // rate(N days) | rate(N hours) | cron(...)
	Window time.Duration // 0: the default window

	days, hours int
	cron        *cronExpr
}

var (
	rateRe   = regexp.MustCompile(`^rate\(\s*(\d+)\s+(hour|hours|day|days)\s*\)$`)
	cronRe   = regexp.MustCompile(`^cron\((.*)\)$`)
	everyRe  = regexp.MustCompile(`^(\d+)\s*(d|h|day|days|hour|hours)$`)
	windowRe = regexp.MustCompile(`^(\d{1,2})h$`)
)

// ParseEvery turns a shorthand interval such as "30d" or "12h" into the
// equivalent rate expression ("rate(30 days)").
func ParseEvery(s string) (string, error) {
	m := everyRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", fmt.Errorf("invalid interval %q: want a number of days or hours such as 30d or 12h", s)
	}
	unit := "days"
	if strings.HasPrefix(m[2], "h") {
		unit = "hours"
	}
	return fmt.Sprintf("rate(%s %s)", m[1], unit), nil
}

// ParseSchedule validates expr ("rate(...)" or "cron(...)") and window (""
// or "Nh", Secrets Manager's Duration) the way Secrets Manager does: a rate
// of at least 4 hours, cron minutes 0 and year *, exactly one '?', and a
// window that stays within the UTC day and before the next window.
func ParseSchedule(expr, window string) (Schedule, error) {
	expr = strings.TrimSpace(expr)
	var s Schedule
	if m := rateRe.FindStringSubmatch(expr); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 {
			return s, fmt.Errorf("invalid schedule %q: the rate must be a positive number", expr)
		}
		if strings.HasPrefix(m[2], "hour") {
			if n < MinRateHours {
				return s, fmt.Errorf("invalid schedule %q: the shortest interval is rate(%d hours)", expr, MinRateHours)
			}
			if n > 1000*24 {
				return s, fmt.Errorf("invalid schedule %q: at most 24000 hours (1000 days)", expr)
			}
			s.hours = n
		} else {
			if n > 1000 {
				return s, fmt.Errorf("invalid schedule %q: at most 1000 days", expr)
			}
			s.days = n
		}
		if s.days > 0 {
			s.Expr = fmt.Sprintf("rate(%d %s)", s.days, plural(s.days, "day"))
		} else {
			s.Expr = fmt.Sprintf("rate(%d hours)", s.hours)
		}
	} else if m := cronRe.FindStringSubmatch(expr); m != nil {
		c, err := parseCron(m[1])
		if err != nil {
			return s, fmt.Errorf("invalid schedule %q: %w", expr, err)
		}
		s.cron = c
		s.Expr = "cron(" + strings.Join(strings.Fields(m[1]), " ") + ")"
	} else {
		return s, fmt.Errorf("invalid schedule %q: want rate(N days), rate(N hours) or cron(0 H DOM MON DOW *)", expr)
	}
	if window != "" {
		w, err := parseWindow(window)
		if err != nil {
			return s, err
		}
		s.Window = w
		if err := s.checkWindow(); err != nil {
			return s, err
		}
	}
	return s, nil
}

func plural(n int, unit string) string {
	if n == 1 {
		return unit
	}
	return unit + "s"
}

func parseWindow(w string) (time.Duration, error) {
	m := windowRe.FindStringSubmatch(w)
	if m == nil {
		return 0, fmt.Errorf("invalid window %q: want a number of hours such as 2h (1h to 24h)", w)
	}
	n, _ := strconv.Atoi(m[1])
	if n < 1 || n > 24 {
		return 0, fmt.Errorf("invalid window %q: want 1h to 24h", w)
	}
	return time.Duration(n) * time.Hour, nil
}

// WindowString is the window in Secrets Manager's Duration form ("2h"), or "".
func (s Schedule) WindowString() string {
	if s.Window == 0 {
		return ""
	}
	return fmt.Sprintf("%dh", int(s.Window/time.Hour))
}

func (s Schedule) checkWindow() error {
	w := s.Window
	switch {
	case s.days > 0:
		// The window opens at 00:00 UTC, so anything up to 24h stays in the day.
		return nil
	case s.hours > 0:
		if w > time.Duration(s.hours)*time.Hour {
			return fmt.Errorf("invalid window %s: longer than the %d-hour interval, so it would overlap the next window", s.WindowString(), s.hours)
		}
		return nil
	}
	hours := s.cron.hourList()
	for i, h := range hours {
		if time.Duration(h)*time.Hour+w > 24*time.Hour {
			return fmt.Errorf("invalid window %s: starting at %02d:00 UTC it runs past midnight", s.WindowString(), h)
		}
		if i > 0 && time.Duration(h-hours[i-1])*time.Hour < w {
			return fmt.Errorf("invalid window %s: it would overlap the next window at %02d:00 UTC", s.WindowString(), h)
		}
	}
	return nil
}

// hourly reports whether windows open more than once a day.
func (s Schedule) hourly() bool {
	if s.hours > 0 {
		return true
	}
	return s.cron != nil && len(s.cron.hourList()) > 1
}

// Next returns the next rotation window after base (the last rotation): its
// start and its end. The end is what Secrets Manager calls NextRotationDate,
// the instant by which the rotation happens.
func (s Schedule) Next(base time.Time) (start, end time.Time, err error) {
	base = base.UTC()
	switch {
	case s.days > 0:
		y, m, d := base.Date()
		start = time.Date(y, m, d+s.days, 0, 0, 0, 0, time.UTC)
	case s.hours > 0:
		t := base.Add(time.Duration(s.hours) * time.Hour)
		start = t.Truncate(time.Hour)
		if start.Before(t) {
			start = start.Add(time.Hour)
		}
	case s.cron != nil:
		var ok bool
		start, ok = s.cron.next(base)
		if !ok {
			return time.Time{}, time.Time{}, errors.New("the cron expression never matches")
		}
	default:
		return time.Time{}, time.Time{}, errors.New("no schedule")
	}
	switch {
	case s.Window > 0:
		end = start.Add(s.Window)
	case s.hourly():
		end = start.Add(time.Hour)
	default:
		y, m, d := start.Date()
		end = time.Date(y, m, d, 23, 59, 59, 0, time.UTC)
	}
	return start, end, nil
}
