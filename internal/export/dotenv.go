package export

import (
	"bufio"
	"io"

	"github.com/secretctl/secretctl/internal/environ"
)

// Dotenv writes KEY=VALUE lines, quoted by environ.QuoteDotenv so that
// quotes, $, # and newlines read back exactly.
type Dotenv struct{}

// Write implements Writer.
func (Dotenv) Write(w io.Writer, vars []environ.Var) error {
	b := bufio.NewWriter(w)
	for _, v := range vars {
		b.WriteString(v.Name + "=" + environ.QuoteDotenv(v.Value.RevealString()) + "\n")
	}
	return b.Flush()
}
