package serve

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/secretctl/secretctl/internal/store"
)

// The ListSecrets (and BatchGetSecretValue) filter and paging rules, with
// no I/O. Within one key the values are alternatives (any may match);
// across keys every filter must match. A value that starts with "!" negates.
// name, tag-key and tag-value are case-sensitive prefix matches;
// description matches a word prefix case-insensitively; all matches any of
// them, case-insensitively. primary-region and owning-service never match
// a local secret (it has neither), so only their negations do.

var filterKeys = []string{"description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all"}

var filterValue = regexp.MustCompile(`^!?[a-zA-Z0-9 :_@/+=.\-!]*$`)

type filter struct {
	key    string
	values []string
}

type filters []filter

func parseFilters(in []wireFilter) (filters, error) {
	if len(in) > 10 {
		return nil, errInvalidParameter("You can specify at most 10 filters.")
	}
	var fs filters
	for _, f := range in {
		if !slices.Contains(filterKeys, f.Key) {
			return nil, errInvalidParameter(fmt.Sprintf("Filter key %q is not one of %s.", f.Key, strings.Join(filterKeys, ", ")))
		}
		if len(f.Values) == 0 || len(f.Values) > 10 {
			return nil, errInvalidParameter("A filter has 1 to 10 values.")
		}
		for _, v := range f.Values {
			if len(v) > 512 || !filterValue.MatchString(v) {
				return nil, errInvalidParameter("A filter value has at most 512 characters of letters, digits, spaces and :_@/+=.-!")
			}
		}
		fs = append(fs, filter{f.Key, f.Values})
	}
	return fs, nil
}

// namePrefix is a prefix every match has, for the store to narrow its
// listing: the value of a single, positive name filter.
func (fs filters) namePrefix() string {
	for _, f := range fs {
		if f.key == "name" && len(f.values) == 1 && !strings.HasPrefix(f.values[0], "!") {
			return f.values[0]
		}
	}
	return ""
}

func (fs filters) apply(ms []store.Meta) []store.Meta {
	var out []store.Meta
	for _, m := range ms {
		if fs.match(m) {
			out = append(out, m)
		}
	}
	return out
}

func (fs filters) match(m store.Meta) bool {
	for _, f := range fs {
		if !slices.ContainsFunc(f.values, func(v string) bool { return matchValue(f.key, v, m) }) {
			return false
		}
	}
	return true
}

func matchValue(key, v string, m store.Meta) bool {
	if neg, ok := strings.CutPrefix(v, "!"); ok {
		return !matchValue(key, neg, m)
	}
	switch key {
	case "name":
		return strings.HasPrefix(m.Name, v)
	case "description":
		return wordPrefix(m.Description, v)
	case "tag-key":
		for k := range m.Tags {
			if strings.HasPrefix(k, v) {
				return true
			}
		}
	case "tag-value":
		for _, tv := range m.Tags {
			if strings.HasPrefix(tv, v) {
				return true
			}
		}
	case "all":
		lv := strings.ToLower(v)
		if strings.HasPrefix(strings.ToLower(m.Name), lv) || wordPrefix(m.Description, v) {
			return true
		}
		for k, tv := range m.Tags {
			if strings.HasPrefix(strings.ToLower(k), lv) || strings.HasPrefix(strings.ToLower(tv), lv) {
				return true
			}
		}
	}
	return false
}

// wordPrefix reports whether some word of text starts with v, ignoring case.
func wordPrefix(text, v string) bool {
	lv := strings.ToLower(v)
	for _, w := range strings.Fields(strings.ToLower(text)) {
		if strings.HasPrefix(w, lv) {
			return true
		}
	}
	return lv == ""
}

// sortMetas orders by CreatedDate when a SortOrder is given; otherwise the
// store's order (by name) stays.
func sortMetas(ms []store.Meta, order string) {
	if order == "" {
		return
	}
	slices.SortStableFunc(ms, func(a, b store.Meta) int {
		c := a.CreatedDate.Compare(b.CreatedDate)
		if order == "desc" {
			c = -c
		}
		return c
	})
}

func pageSize(p *int64, max int) (int, error) {
	if p == nil {
		return max, nil
	}
	if *p < 1 || *p > int64(max) {
		return 0, errInvalidParameter(fmt.Sprintf("MaxResults must be between 1 and %d.", max))
	}
	return int(*p), nil
}

// page returns items[offset:offset+max], where the offset comes from token
// (opaque to clients), and the token of the next page ("" at the end).
func page[T any](items []T, max int, token string) ([]T, string, error) {
	off := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		n, cerr := strconv.Atoi(strings.TrimPrefix(string(b), "o:"))
		if err != nil || cerr != nil || !strings.HasPrefix(string(b), "o:") || n < 0 || n > len(items) {
			return nil, "", &apiError{400, "InvalidNextTokenException", "The NextToken value is invalid."}
		}
		off = n
	}
	end := min(off+max, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(end)))
	}
	return items[off:end], next, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
