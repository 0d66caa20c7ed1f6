package export

import (
	"io"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/secretctl/secretctl/internal/environ"
)

// TFVars writes a Terraform variable definitions file (NAME = "value"),
// with hclwrite doing the escaping (quotes, backslashes, newlines, and the
// ${ and %{ template sequences). Terraform variable names may hold
// lower-case letters, so the names are written as they are.
type TFVars struct{}

// Write implements Writer.
func (TFVars) Write(w io.Writer, vars []environ.Var) error {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	for _, v := range vars {
		body.SetAttributeValue(v.Name, cty.StringVal(v.Value.RevealString()))
	}
	_, err := w.Write(f.Bytes())
	return err
}
