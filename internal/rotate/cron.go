package rotate

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// cronExpr is Secrets Manager's restricted cron: minutes 0, year *, and
// exactly one of day-of-month and day-of-week set to '?'. Supported syntax:
// lists, ranges, '/' increments, '*', 'L' (last day of the month, or <DAY>L
// for the last given weekday of the month) and '#' (SUN#1, the nth weekday).
type cronExpr struct {
	hours  [24]bool
	months [13]bool // 1..12

	domAny  bool // '?'
	dom     [32]bool
	domLast bool // L

	dowAny  bool    // '?'
	dow     [8]bool // 1=SUN .. 7=SAT
	dowLast [8]bool // <DAY>L
	dowNth  [8][6]bool
}

var (
	monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
	dayNames   = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
)

func parseCron(s string) (*cronExpr, error) {
	f := strings.Fields(strings.ToUpper(s))
	if len(f) != 6 {
		return nil, fmt.Errorf("want 6 fields (minutes hours day-of-month month day-of-week year), got %d", len(f))
	}
	if f[0] != "0" {
		return nil, errors.New("minutes must be 0: rotation windows start on the hour")
	}
	if f[5] != "*" {
		return nil, errors.New("year must be *")
	}
	if (f[2] == "?") == (f[4] == "?") {
		return nil, errors.New("exactly one of day-of-month and day-of-week must be ?")
	}
	c := &cronExpr{}
	if err := setField(f[1], 0, 23, nil, c.hours[:]); err != nil {
		return nil, fmt.Errorf("hours: %w", err)
	}
	if err := setField(f[3], 1, 12, monthNames, c.months[:]); err != nil {
		return nil, fmt.Errorf("month: %w", err)
	}
	if f[2] == "?" {
		c.domAny = true
	} else {
		for _, part := range strings.Split(f[2], ",") {
			if part == "L" {
				c.domLast = true
				continue
			}
			if err := setField(part, 1, 31, nil, c.dom[:]); err != nil {
				return nil, fmt.Errorf("day-of-month: %w", err)
			}
		}
	}
	if f[4] == "?" {
		c.dowAny = true
	} else {
		for _, part := range strings.Split(f[4], ",") {
			switch {
			case strings.Contains(part, "#"):
				d, n, _ := strings.Cut(part, "#")
				day, err := fieldValue(d, 1, 7, dayNames)
				if err != nil {
					return nil, fmt.Errorf("day-of-week: %w", err)
				}
				k, err := strconv.Atoi(n)
				if err != nil || k < 1 || k > 5 {
					return nil, fmt.Errorf("day-of-week: %q: the week number after # must be 1 to 5", part)
				}
				c.dowNth[day][k] = true
			case part == "L":
				c.dowLast[7] = true
			case len(part) > 1 && strings.HasSuffix(part, "L"):
				day, err := fieldValue(strings.TrimSuffix(part, "L"), 1, 7, dayNames)
				if err != nil {
					return nil, fmt.Errorf("day-of-week: %w", err)
				}
				c.dowLast[day] = true
			default:
				if err := setField(part, 1, 7, dayNames, c.dow[:]); err != nil {
					return nil, fmt.Errorf("day-of-week: %w", err)
				}
			}
		}
	}
	return c, nil
}

// setField parses a list of *, N, A-B, */K, N/K and A-B/K into set.
func setField(s string, lo, hi int, names map[string]int, set []bool) error {
	for _, part := range strings.Split(s, ",") {
		rng, step := part, 1
		if r, st, ok := strings.Cut(part, "/"); ok {
			k, err := strconv.Atoi(st)
			if err != nil || k < 1 {
				return fmt.Errorf("%q: bad increment", part)
			}
			rng, step = r, k
		}
		a, b := lo, hi
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			x, y, _ := strings.Cut(rng, "-")
			var err error
			if a, err = fieldValue(x, lo, hi, names); err != nil {
				return err
			}
			if b, err = fieldValue(y, lo, hi, names); err != nil {
				return err
			}
			if b < a {
				return fmt.Errorf("%q: range ends before it starts", part)
			}
		default:
			v, err := fieldValue(rng, lo, hi, names)
			if err != nil {
				return err
			}
			a = v
			if step == 1 {
				b = v
			}
		}
		for v := a; v <= b; v += step {
			set[v] = true
		}
	}
	return nil
}

func fieldValue(s string, lo, hi int, names map[string]int) (int, error) {
	if v, ok := names[s]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("%q: want %d to %d", s, lo, hi)
	}
	return v, nil
}

func (c *cronExpr) hourList() []int {
	var hs []int
	for h, ok := range c.hours {
		if ok {
			hs = append(hs, h)
		}
	}
	return hs
}

func (c *cronExpr) matchDay(t time.Time) bool {
	if !c.months[int(t.Month())] {
		return false
	}
	last := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	d := t.Day()
	if !c.domAny {
		return c.dom[d] || (c.domLast && d == last)
	}
	wd := int(t.Weekday()) + 1
	return c.dow[wd] || c.dowNth[wd][(d-1)/7+1] || (c.dowLast[wd] && d+7 > last)
}

// next returns the first window start strictly after t (at most ~5 years on).
func (c *cronExpr) next(t time.Time) (time.Time, bool) {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	hours := c.hourList()
	for i := 0; i < 366*5; i++ {
		d := day.AddDate(0, 0, i)
		if !c.matchDay(d) {
			continue
		}
		if j := slices.IndexFunc(hours, func(h int) bool { return d.Add(time.Duration(h) * time.Hour).After(t) }); j >= 0 {
			return d.Add(time.Duration(hours[j]) * time.Hour), true
		}
	}
	return time.Time{}, false
}
