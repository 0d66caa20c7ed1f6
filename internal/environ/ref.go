package environ

import (
	"fmt"
	"net/url"
	"strings"
)

// RefScheme starts a reference to a secret in an env file.
const RefScheme = "secretctl://"

// Ref is a reference to a secret, as an env file or --secret names it.
type Ref struct {
	Name      string // the secret id
	Key       string // one top-level JSON key, or "" for the whole value
	Stage     string // a staging label, or "" for AWSCURRENT
	VersionID string // a version id, or ""
}

// String gives the reference back in secretctl:// form.
func (r Ref) String() string {
	s := RefScheme + r.Name
	q := url.Values{}
	if r.Stage != "" {
		q.Set("stage", r.Stage)
	}
	if r.VersionID != "" {
		q.Set("version-id", r.VersionID)
	}
	if len(q) > 0 {
		s += "?" + q.Encode()
	}
	if r.Key != "" {
		s += "#" + r.Key
	}
	return s
}

// IsRef reports whether an env-file value is a secretctl:// reference.
func IsRef(value string) bool { return strings.HasPrefix(value, RefScheme) }

// ParseRef parses secretctl://NAME, secretctl://NAME#KEY and
// secretctl://NAME?stage=LABEL (or ?version-id=ID), in any combination;
// the #KEY may come before or after the query. Secret names cannot hold
// '?' or '#', so the split is unambiguous.
func ParseRef(value string) (Ref, error) {
	if !IsRef(value) {
		return Ref{}, fmt.Errorf("reference %q does not start with %s", value, RefScheme)
	}
	rest := strings.TrimPrefix(value, RefScheme)
	var r Ref
	var query string
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		r.Key, rest = rest[i+1:], rest[:i]
		if j := strings.IndexByte(r.Key, '?'); j >= 0 { // NAME#KEY?stage=...
			r.Key, query = r.Key[:j], r.Key[j+1:]
		}
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		if query != "" {
			return Ref{}, fmt.Errorf("reference %s has two queries", value)
		}
		rest, query = rest[:i], rest[i+1:]
	}
	r.Name = rest
	if r.Name == "" {
		return Ref{}, fmt.Errorf("reference %s names no secret", value)
	}
	if strings.HasSuffix(value, "#") && r.Key == "" {
		return Ref{}, fmt.Errorf("reference %s has an empty key after '#'", value)
	}
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return Ref{}, fmt.Errorf("reference %s: bad query: %v", value, err)
		}
		for k, vs := range q {
			switch k {
			case "stage", "versionStage":
				r.Stage = vs[len(vs)-1]
			case "version-id", "versionId":
				r.VersionID = vs[len(vs)-1]
			default:
				return Ref{}, fmt.Errorf("reference %s: unknown parameter %q (want stage or version-id)", value, k)
			}
		}
	}
	return r, nil
}
