package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// maxLocalLine is the longest access-log line ReadLocal accepts.
const maxLocalLine = 1 << 20

// ReadLocal streams the events of the local store's access log (JSON Lines,
// one CloudTrail-shaped record a line) to fn, in file order. The chain
// fields are ignored here; `audit verify` checks them.
func ReadLocal(r io.Reader, fn func(*Event) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLocalLine)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(line, &rec); err != nil {
			return fmt.Errorf("read access log line %d: %w", n, err)
		}
		e := EventFromRecord(&rec)
		if err := fn(&e); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read access log: %w", err)
	}
	return nil
}
