package audit

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Filter selects events. Zero fields select everything.
type Filter struct {
	Secret     string    // a name or an ARN
	Principals []string  // any of: the display principal, its role part, ARN, user or session name, access key id
	Events     []string  // event names, case-insensitive
	ErrorsOnly bool      // failed calls only
	Since      time.Time // inclusive
	Until      time.Time // inclusive
}

// Match reports whether e passes every field of f.
func (f *Filter) Match(e *Event) bool {
	if !f.Since.IsZero() && e.Time.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && e.Time.After(f.Until) {
		return false
	}
	if f.ErrorsOnly && !e.Failed() {
		return false
	}
	if f.Secret != "" && !MatchSecret(f.Secret, e) {
		return false
	}
	if len(f.Events) > 0 && !containsFold(f.Events, e.Action) {
		return false
	}
	if len(f.Principals) > 0 {
		ok := false
		for _, p := range f.Principals {
			if MatchPrincipal(p, e) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// MatchSecret reports whether the event concerns the secret named or ARN'd
// by id.
func MatchSecret(id string, e *Event) bool {
	if IsSecretARN(id) {
		return e.SecretARN == id || (e.SecretARN == "" && e.Secret == NameFromARN(id)) ||
			(e.SecretARN != "" && e.Secret == NameFromARN(id) && arnPrefixEqual(e.SecretARN, id))
	}
	return e.Secret == id
}

// arnPrefixEqual treats a partial ARN (without the random suffix) as equal
// to the full one.
func arnPrefixEqual(full, partial string) bool {
	return strings.HasPrefix(full, partial+"-") || strings.HasPrefix(partial, full+"-")
}

// MatchPrincipal reports whether p names the event's principal.
func MatchPrincipal(p string, e *Event) bool {
	if p == "" {
		return false
	}
	if strings.EqualFold(p, e.Principal) || p == e.PrincipalARN || p == e.AccessKeyID ||
		(e.UserName != "" && strings.EqualFold(p, e.UserName)) {
		return true
	}
	// "role/app-task" or "app-task" matches every session of the role.
	if e.PrincipalType == "AssumedRole" {
		if i := strings.Index(e.Principal, " ("); i > 0 {
			role := e.Principal[:i]
			if strings.EqualFold(p, role) || strings.EqualFold(p, strings.TrimPrefix(role, "role/")) {
				return true
			}
		}
	}
	// "alice" matches the local principal "alice@host".
	if e.PrincipalType == "LocalUser" && strings.EqualFold(p, e.UserName) {
		return true
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// ParseTime reads a point in time for --since/--until: a duration back from
// now ("7d", "36h", "90m", "2w"), an RFC 3339 time, or a date (YYYY-MM-DD,
// midnight UTC).
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("invalid time %q: want a duration such as 7d or 12h, an RFC 3339 time or YYYY-MM-DD", s)
}

// ParseDuration reads Go durations plus the units d (24h) and w (7d).
func ParseDuration(s string) (time.Duration, error) {
	if n := len(s); n > 1 && (s[n-1] == 'd' || s[n-1] == 'w') {
		v, err := strconv.ParseFloat(s[:n-1], 64)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		unit := 24 * time.Hour
		if s[n-1] == 'w' {
			unit *= 7
		}
		return time.Duration(v * float64(unit)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	return d, nil
}

// SplitList splits repeated and comma-separated flag values, dropping blanks.
func SplitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
