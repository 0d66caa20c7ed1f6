// Package environ maps secret names and JSON keys to environment variable
// names, and reads the dotenv files that exec, export, import and migrate
// share. It has no I/O besides the readers it is handed.
//
// # Name mapping
//
// One rule serves every command, so a secret exported with `export` comes
// back under the same names with `exec` and `import`:
//
//   - A JSON key that is already an upper-snake environment name
//     (DB_PASSWORD, API_KEY, _X1) is kept as it is.
//   - Any other key is upper-snake-cased: words are split at characters
//     other than letters and digits and at lower-to-upper case changes
//     (apiKey → API_KEY, database.password → DATABASE_PASSWORD,
//     HTTPServer → HTTP_SERVER, db-host → DB_HOST). A leading digit gets an
//     underscore (2fa → _2FA).
//   - A plain-string secret is named after the last segment of its path,
//     upper-snake-cased (prod/api/key → KEY).
//
// Names that collide within one set are made unique by Dedupe.
package environ

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// ErrInvalidName is wrapped by the errors of this file's functions when no
// environment name can be made.
var ErrInvalidName = errors.New("invalid environment variable name")

// Valid reports whether name is a portable environment variable name: a
// letter or underscore, then letters, digits and underscores (the names a
// POSIX shell can export). Names given explicitly by a user (--secret
// NAME=VAR, a dotenv key) must pass it.
func Valid(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Canonical reports whether name is already in the form FromKey produces:
// Valid and without lower-case letters (DB_PASSWORD, API_KEY).
func Canonical(name string) bool {
	return Valid(name) && strings.ToUpper(name) == name
}

// FromKey returns the environment name for a JSON key or a dotted key path:
// a Canonical key is returned unchanged, any other key is upper-snake-cased
// (see the package documentation). It fails when the key holds no letter or
// digit.
func FromKey(key string) (string, error) { return FromPath(key) }

// FromPath returns the environment name for a path of keys into nested
// JSON objects: FromPath("database", "password") is DATABASE_PASSWORD, the
// same name FromKey gives "database.password". Each segment is kept when
// Canonical and upper-snake-cased otherwise; the parts are joined with "_".
func FromPath(path ...string) (string, error) {
	var parts []string
	for _, seg := range path {
		if Canonical(seg) {
			parts = append(parts, seg)
			continue
		}
		words := split(seg)
		if len(words) == 0 {
			return "", fmt.Errorf("%w: key %q has no letters or digits", ErrInvalidName, seg)
		}
		parts = append(parts, strings.ToUpper(strings.Join(words, "_")))
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("%w: empty key", ErrInvalidName)
	}
	name := strings.Join(parts, "_")
	if name[0] >= '0' && name[0] <= '9' {
		name = "_" + name
	}
	return name, nil
}

// ForSecret returns the environment name of a plain-string secret: the last
// segment of its path, upper-snake-cased (prod/api/key → KEY,
// prod/db-password → DB_PASSWORD).
func ForSecret(secretName string) (string, error) {
	seg := secretName
	if i := strings.LastIndexByte(secretName, '/'); i >= 0 {
		seg = secretName[i+1:]
	}
	if seg == "" {
		return "", fmt.Errorf("%w: secret name %q ends with '/'", ErrInvalidName, secretName)
	}
	n, err := FromKey(seg)
	if err != nil {
		return "", fmt.Errorf("%w: secret name %q has no letters or digits in its last segment", ErrInvalidName, secretName)
	}
	return n, nil
}

// Dedupe makes names unique while keeping their order: the first
// occurrence of a name keeps it, the second becomes NAME_2, the third
// NAME_3, skipping any suffixed name already taken in the set. The result
// depends only on the input order, so callers that sort their input get
// the same names on every run. The input slice is not modified.
func Dedupe(names []string) []string {
	taken := make(map[string]bool, len(names))
	for _, n := range names {
		taken[n] = true
	}
	seen := make(map[string]int, len(names))
	out := make([]string, len(names))
	for i, n := range names {
		seen[n]++
		if seen[n] == 1 {
			out[i] = n
			continue
		}
		k := seen[n]
		for {
			cand := n + "_" + strconv.Itoa(k)
			if !taken[cand] {
				taken[cand] = true
				out[i] = cand
				break
			}
			k++
		}
		seen[n] = k
	}
	return out
}

// split breaks s into words at non-alphanumeric characters, at a lower
// case letter or digit followed by an upper case one (apiKey), and before
// the last upper case letter of an acronym followed by a lower case one
// (HTTPServer → HTTP, Server). Only ASCII letters and digits are kept.
func split(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			flush()
			continue
		}
		if unicode.IsUpper(r) && len(cur) > 0 {
			prev := cur[len(cur)-1]
			nextLower := i+1 < len(rs) && rs[i+1] <= unicode.MaxASCII && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}
