package export

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/secretctl/secretctl/internal/environ"
)

// JSON writes one object of string values, two-space indented, keys in the
// order given.
type JSON struct{}

// Write implements Writer.
func (JSON) Write(w io.Writer, vars []environ.Var) error {
	var b bytes.Buffer
	b.WriteString("{")
	for i, v := range vars {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  ")
		if err := writeJSONString(&b, v.Name); err != nil {
			return err
		}
		b.WriteString(": ")
		if err := writeJSONString(&b, v.Value.RevealString()); err != nil {
			return err
		}
	}
	if len(vars) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}

func writeJSONString(b *bytes.Buffer, s string) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}
