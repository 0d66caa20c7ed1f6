package audit

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/secretctl/secretctl/internal/auditlog"
)

// ReadLocal streams the events of the local store's access log (JSON Lines,
// one CloudTrail-shaped record a line) to fn, in file order. The chain
// fields are ignored here; `audit verify` checks them.
func ReadLocal(r io.Reader, fn func(*Event) error) error {
	return auditlog.Lines(r, func(n int, line []byte) error {
		var rec Record
		if err := json.Unmarshal(line, &rec); err != nil {
			return fmt.Errorf("read access log line %d: %w", n, err)
		}
		e := EventFromRecord(&rec)
		return fn(&e)
	})
}
