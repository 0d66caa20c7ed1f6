package environ

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/secretctl/secretctl/internal/secret"
)

// Var is one environment variable to inject or export.
type Var struct {
	Name   string       // the environment name
	Value  secret.Value // never printed: Value redacts itself
	Source string       // where it came from, for messages: "prod/db#password", "prod/api/key", ".env:3"
}

// Errors about a secret's value.
var (
	ErrNoKey     = errors.New("no such key")
	ErrNotObject = errors.New("value is not a JSON object")
	ErrBinary    = errors.New("value is binary")
)

// FromSecret maps one secret's value to variables: a JSON object becomes one
// Var per top-level key (named by FromKey), anything else one Var named by
// ForSecret. Object fields that are strings give their text; numbers, booleans
// and nested values give their JSON text; null gives "". The result is
// sorted by name. Two keys that map to the same name are an error, as is a
// binary value or one holding a NUL byte (no environment can carry it).
func FromSecret(name string, v secret.Value) ([]Var, error) {
	if v.IsBinary() || bytes.IndexByte(v.Reveal(), 0) >= 0 || !utf8.Valid(v.Reveal()) {
		return nil, fmt.Errorf("secret %s: %w (an environment variable holds text)", name, ErrBinary)
	}
	fields, ok := objectFields(v.Reveal())
	if !ok {
		env, err := ForSecret(name)
		if err != nil {
			return nil, err
		}
		return []Var{{Name: env, Value: v, Source: name}}, nil
	}
	vars := make([]Var, 0, len(fields))
	from := map[string]string{}
	for key, raw := range fields {
		env, err := FromKey(key)
		if err != nil {
			return nil, fmt.Errorf("secret %s: %w", name, err)
		}
		if other, dup := from[env]; dup {
			a, b := min(key, other), max(key, other)
			return nil, fmt.Errorf("secret %s: keys %q and %q both map to %s", name, a, b, env)
		}
		from[env] = key
		val, err := fieldText(raw)
		if err != nil {
			return nil, fmt.Errorf("secret %s key %q: %w", name, key, err)
		}
		vars = append(vars, Var{Name: env, Value: val, Source: name + "#" + key})
	}
	sort.Slice(vars, func(i, j int) bool { return vars[i].Name < vars[j].Name })
	return vars, nil
}

// Field returns the text of one top-level key of a JSON-object value, as
// FromSecret would give it.
func Field(name string, v secret.Value, key string) (secret.Value, error) {
	fields, ok := objectFields(v.Reveal())
	if v.IsBinary() || !ok {
		return secret.Value{}, fmt.Errorf("secret %s: %w, so it has no key %q", name, ErrNotObject, key)
	}
	raw, ok := fields[key]
	if !ok {
		return secret.Value{}, fmt.Errorf("secret %s: %w %q", name, ErrNoKey, key)
	}
	val, err := fieldText(raw)
	if err != nil {
		return secret.Value{}, fmt.Errorf("secret %s key %q: %w", name, key, err)
	}
	return val, nil
}

// objectFields decodes a JSON object; ok is false for anything else.
func objectFields(b []byte) (map[string]json.RawMessage, bool) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(t, &m) != nil {
		return nil, false
	}
	return m, true
}

func fieldText(raw json.RawMessage) (secret.Value, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.IndexByte(s, 0) >= 0 {
			return secret.Value{}, fmt.Errorf("%w: it holds a NUL byte", ErrBinary)
		}
		return secret.New(s), nil
	}
	if string(raw) == "null" {
		return secret.New(""), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return secret.Value{}, err
	}
	return secret.NewBytes(buf.Bytes(), false), nil
}
