package export

import (
	"io"

	"gopkg.in/yaml.v3"

	"github.com/secretctl/secretctl/internal/environ"
)

// YAML writes one mapping of string values, in the order given. yaml.v3
// chooses the quoting, so strings that look like numbers, booleans or null
// stay strings, and multi-line values become block literals.
type YAML struct{}

// Write implements Writer.
func (YAML) Write(w io.Writer, vars []environ.Var) error {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	for _, v := range vars {
		doc.Content = append(doc.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v.Name},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v.Value.RevealString()})
	}
	if len(vars) == 0 {
		doc = &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return enc.Close()
}
