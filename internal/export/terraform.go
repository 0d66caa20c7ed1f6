package export

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/secretctl/secretctl/internal/store"
)

// Terraform writes Terraform configuration for the AWS provider (v4 and
// later) that describes the secrets whose metadata is given, so that an
// infrastructure repository can adopt them. It never holds a value: it
// takes metadata only. Each secret gets
//
//   - variable "<label>_value", sensitive, which supplies the value;
//   - resource aws_secretsmanager_secret "<label>": name, description,
//     kms_key_id and tags (secretctl's reserved rotation tags included, so a
//     client-side rotation keeps its settings);
//   - resource aws_secretsmanager_secret_version "<label>", whose
//     secret_string is the variable;
//   - resource aws_secretsmanager_secret_rotation "<label>" when Secrets
//     Manager rotates the secret with a Lambda function: the function and
//     rotation_rules (which live on this resource since provider v4), with
//     rotate_immediately = false so that adopting it does not rotate.
//
// The label is the name with every character other than a letter, digit or
// underscore made "_" (see TerraformLabel), made unique in order.
func Terraform(metas []store.Meta) ([]byte, error) {
	f := hclwrite.NewEmptyFile()
	root := f.Body()
	used := map[string]bool{}
	for i, m := range metas {
		label := uniqueLabel(TerraformLabel(m.Name), used)
		if i > 0 {
			root.AppendNewline()
		}
		varName := label + "_value"
		v := root.AppendNewBlock("variable", []string{varName}).Body()
		v.SetAttributeValue("description", cty.StringVal("The value of the secret "+m.Name+" (never written here)"))
		v.SetAttributeRaw("type", hclwrite.TokensForIdentifier("string"))
		v.SetAttributeValue("sensitive", cty.True)
		root.AppendNewline()

		sec := root.AppendNewBlock("resource", []string{"aws_secretsmanager_secret", label}).Body()
		sec.SetAttributeValue("name", cty.StringVal(m.Name))
		if m.Description != "" {
			sec.SetAttributeValue("description", cty.StringVal(m.Description))
		}
		if m.KmsKeyID != "" {
			sec.SetAttributeValue("kms_key_id", cty.StringVal(m.KmsKeyID))
		}
		if len(m.Tags) > 0 {
			tags := make(map[string]cty.Value, len(m.Tags))
			for k, val := range m.Tags {
				tags[k] = cty.StringVal(val)
			}
			sec.SetAttributeValue("tags", cty.MapVal(tags))
		}
		root.AppendNewline()

		id := hcl.Traversal{hcl.TraverseRoot{Name: "aws_secretsmanager_secret"}, hcl.TraverseAttr{Name: label}, hcl.TraverseAttr{Name: "id"}}
		ver := root.AppendNewBlock("resource", []string{"aws_secretsmanager_secret_version", label}).Body()
		ver.SetAttributeTraversal("secret_id", id)
		ver.SetAttributeTraversal("secret_string", hcl.Traversal{hcl.TraverseRoot{Name: "var"}, hcl.TraverseAttr{Name: varName}})

		if m.RotationLambda == "" || m.RotationRules == nil {
			continue
		}
		root.AppendNewline()
		rot := root.AppendNewBlock("resource", []string{"aws_secretsmanager_secret_rotation", label}).Body()
		rot.SetAttributeTraversal("secret_id", id)
		rot.SetAttributeValue("rotation_lambda_arn", cty.StringVal(m.RotationLambda))
		rot.SetAttributeValue("rotate_immediately", cty.False)
		rules := rot.AppendNewBlock("rotation_rules", nil).Body()
		r := m.RotationRules
		switch {
		case r.ScheduleExpression != "":
			rules.SetAttributeValue("schedule_expression", cty.StringVal(r.ScheduleExpression))
		case r.AutomaticallyAfterDays > 0:
			rules.SetAttributeValue("automatically_after_days", cty.NumberIntVal(r.AutomaticallyAfterDays))
		}
		if r.Duration != "" {
			rules.SetAttributeValue("duration", cty.StringVal(r.Duration))
		}
	}
	return hclwrite.Format(f.Bytes()), nil
}

var notLabel = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// TerraformLabel turns a secret name into a Terraform resource name:
// "prod/database/credentials" → "prod_database_credentials". A name that
// would start with a digit gets a leading "_".
func TerraformLabel(name string) string {
	l := strings.Trim(notLabel.ReplaceAllString(name, "_"), "_")
	if l == "" {
		l = "secret"
	}
	if l[0] >= '0' && l[0] <= '9' {
		l = "_" + l
	}
	return l
}

// uniqueLabel returns l, or l_2, l_3... if it is taken ("a/b" and "a-b").
func uniqueLabel(l string, used map[string]bool) string {
	out := l
	for n := 2; used[out]; n++ {
		out = fmt.Sprintf("%s_%d", l, n)
	}
	used[out] = true
	return out
}
