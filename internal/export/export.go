// Package export writes environment variables in the file formats other
// tools read (one writer per format, as gitleaks has one report writer per
// format), and reads back the formats `import` accepts.
//
// Every writer sorts nothing itself and writes the variables in the order
// given; callers pass them sorted by name, so a run's output is stable
// byte for byte. Writers are the only place a value is revealed, because
// writing values is what the user asked for.
package export

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/secretctl/secretctl/internal/environ"
)

// Writer writes variables in one format.
type Writer interface {
	Write(w io.Writer, vars []environ.Var) error
}

// Formats names the formats Writers knows. Kubernetes (k8s-secret,
// external-secret, secret-store) and terraform writers are to come.
var writers = map[string]Writer{
	"dotenv": Dotenv{},
	"json":   JSON{},
	"yaml":   YAML{},
	"shell":  Shell{},
	"tfvars": TFVars{},
}

// Formats returns the names of the formats New accepts, sorted.
func Formats() []string {
	out := make([]string, 0, len(writers))
	for k := range writers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// New returns the writer for format.
func New(format string) (Writer, error) {
	w, ok := writers[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats(), ", "))
	}
	return w, nil
}
