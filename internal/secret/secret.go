// Package secret holds secret.Value, a wrapper that keeps secret material out
// of logs, errors and formatted output. Only Reveal returns the bytes.
package secret

import "strings"

const redacted = "[redacted]"

// Value is a secret string or binary value. Its String, GoString and
// Marshal{JSON,YAML,Text} methods all give "[redacted]"; only Reveal returns
// the bytes.
type Value struct {
	b      []byte
	binary bool
}

// New returns a string value.
func New(s string) Value { return Value{b: []byte(s)} }

// NewBytes returns a value from bytes; binary marks a SecretBinary value.
func NewBytes(b []byte, binary bool) Value {
	c := make([]byte, len(b))
	copy(c, b)
	return Value{b: c, binary: binary}
}

// Reveal returns the secret bytes. Call it only where the value must leave
// the process on purpose: a store implementation, get, exec and exports.
func (v Value) Reveal() []byte { return v.b }

// RevealString returns the secret as a string.
func (v Value) RevealString() string { return string(v.b) }

// IsBinary reports whether the value is a SecretBinary.
func (v Value) IsBinary() bool { return v.binary }

// IsZero reports whether no value is set.
func (v Value) IsZero() bool { return len(v.b) == 0 }

// Len is the size of the value in bytes.
func (v Value) Len() int { return len(v.b) }

// Equal reports whether two values hold the same bytes and kind.
func (v Value) Equal(o Value) bool { return v.binary == o.binary && string(v.b) == string(o.b) }

func (v Value) String() string               { return redacted }
func (v Value) GoString() string             { return redacted }
func (v Value) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
func (v Value) MarshalText() ([]byte, error) { return []byte(redacted), nil }
func (v Value) MarshalYAML() (any, error)    { return redacted, nil }

// Mask shows only the last four characters of an identifier derived from a
// secret: "****WXYZ". Short inputs are fully masked.
func Mask(id string) string {
	if len(id) <= 8 {
		return strings.Repeat("*", 4)
	}
	return "****" + id[len(id)-4:]
}
