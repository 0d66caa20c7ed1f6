package export

import (
	"bufio"
	"io"
	"strings"

	"github.com/secretctl/secretctl/internal/environ"
)

// Shell writes `export NAME='value'` lines that are safe to eval in any
// POSIX shell: single quotes take everything literally, and a single quote
// in the value is written as '\”.
type Shell struct{}

// Write implements Writer.
func (Shell) Write(w io.Writer, vars []environ.Var) error {
	b := bufio.NewWriter(w)
	for _, v := range vars {
		b.WriteString("export " + v.Name + "=" + ShellQuote(v.Value.RevealString()) + "\n")
	}
	return b.Flush()
}

// ShellQuote quotes s for a POSIX shell.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
