package export

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/secretctl/secretctl/internal/store"
)

// tfBlock is one block of generated Terraform, its literal attributes
// evaluated and its references kept as text.
type tfBlock struct {
	labels []string
	attrs  map[string]cty.Value
	refs   map[string]string
	blocks map[string]*tfBlock
}

// parseTerraform parses src back with the HCL parser, failing on any
// diagnostic.
func parseTerraform(t *testing.T, src []byte) []*tfBlock {
	t.Helper()
	f, diags := hclparse.NewParser().ParseHCL(src, "export.tf")
	if diags.HasErrors() {
		t.Fatalf("the output does not parse: %s\n%s", diags.Error(), src)
	}
	var conv func(b *hclsyntax.Block) *tfBlock
	conv = func(b *hclsyntax.Block) *tfBlock {
		out := &tfBlock{labels: append([]string{b.Type}, b.Labels...), attrs: map[string]cty.Value{}, refs: map[string]string{}, blocks: map[string]*tfBlock{}}
		for name, a := range b.Body.Attributes {
			if tr, ok := a.Expr.(*hclsyntax.ScopeTraversalExpr); ok {
				out.refs[name] = traversalString(tr.Traversal)
				continue
			}
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				t.Fatalf("%v.%s is not a literal: %s", out.labels, name, diags.Error())
			}
			out.attrs[name] = v
		}
		for _, sub := range b.Body.Blocks {
			out.blocks[sub.Type] = conv(sub)
		}
		return out
	}
	var out []*tfBlock
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		out = append(out, conv(b))
	}
	return out
}

func traversalString(tr hcl.Traversal) string {
	var parts []string
	for _, s := range tr {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			parts = append(parts, s.Name)
		case hcl.TraverseAttr:
			parts = append(parts, s.Name)
		}
	}
	return strings.Join(parts, ".")
}

func find(blocks []*tfBlock, labels ...string) *tfBlock {
	for _, b := range blocks {
		if strings.Join(b.labels, " ") == strings.Join(labels, " ") {
			return b
		}
	}
	return nil
}

func str(v cty.Value) string {
	if v.IsNull() || !v.Type().Equals(cty.String) {
		return "<not a string>"
	}
	return v.AsString()
}

func TestTerraformRoundTrips(t *testing.T) {
	yes := true
	metas := []store.Meta{
		{Name: "prod/database/credentials", Description: "orders ${var.db} %{if x} database", KmsKeyID: "alias/orders",
			Tags:            map[string]string{"Environment": "production", "secretctl:rotator": "random", "secretctl:schedule": "rate(30 days)"},
			RotationEnabled: &yes, RotationLambda: "arn:aws:lambda:eu-west-1:111122223333:function:rotate-db",
			RotationRules: &store.RotationRules{ScheduleExpression: "cron(0 4 ? * SUN *)", Duration: "2h"}},
		{Name: "prod/api/key", RotationLambda: "arn:aws:lambda:eu-west-1:111122223333:function:rotate-key",
			RotationRules: &store.RotationRules{AutomaticallyAfterDays: 30}},
		{Name: "prod-api-key"}, // the same label as prod/api/key
		{Name: "2fa/seed"},
	}
	src, err := Terraform(metas)
	if err != nil {
		t.Fatal(err)
	}
	blocks := parseTerraform(t, src)

	db := find(blocks, "resource", "aws_secretsmanager_secret", "prod_database_credentials")
	if db == nil {
		t.Fatalf("no secret resource for prod/database/credentials:\n%s", src)
	}
	if got := str(db.attrs["name"]); got != "prod/database/credentials" {
		t.Errorf("name = %q", got)
	}
	if got := str(db.attrs["description"]); got != metas[0].Description {
		t.Errorf("description = %q, want %q (template characters kept literally)", got, metas[0].Description)
	}
	if got := str(db.attrs["kms_key_id"]); got != "alias/orders" {
		t.Errorf("kms_key_id = %q", got)
	}
	tags := db.attrs["tags"]
	if !tags.CanIterateElements() || tags.LengthInt() != 3 {
		t.Fatalf("tags = %#v", tags)
	}
	tagMap := tags.AsValueMap()
	for k, want := range metas[0].Tags {
		if got := str(tagMap[k]); got != want {
			t.Errorf("tag %s = %q, want %q", k, got, want)
		}
	}
	v := find(blocks, "variable", "prod_database_credentials_value")
	if v == nil || v.attrs["sensitive"] != cty.True {
		t.Errorf("no sensitive variable for the value:\n%s", src)
	}
	ver := find(blocks, "resource", "aws_secretsmanager_secret_version", "prod_database_credentials")
	if ver == nil || ver.refs["secret_id"] != "aws_secretsmanager_secret.prod_database_credentials.id" ||
		ver.refs["secret_string"] != "var.prod_database_credentials_value" {
		t.Errorf("version resource does not take the variable:\n%s", src)
	}
	rot := find(blocks, "resource", "aws_secretsmanager_secret_rotation", "prod_database_credentials")
	if rot == nil {
		t.Fatalf("no rotation resource:\n%s", src)
	}
	if str(rot.attrs["rotation_lambda_arn"]) != metas[0].RotationLambda || rot.attrs["rotate_immediately"] != cty.False ||
		rot.refs["secret_id"] != "aws_secretsmanager_secret.prod_database_credentials.id" {
		t.Errorf("rotation resource:\n%s", src)
	}
	rules := rot.blocks["rotation_rules"]
	if rules == nil || str(rules.attrs["schedule_expression"]) != "cron(0 4 ? * SUN *)" || str(rules.attrs["duration"]) != "2h" {
		t.Errorf("rotation_rules:\n%s", src)
	}

	key := find(blocks, "resource", "aws_secretsmanager_secret_rotation", "prod_api_key")
	if key == nil || key.blocks["rotation_rules"] == nil {
		t.Fatalf("no rotation for prod/api/key:\n%s", src)
	}
	if days := key.blocks["rotation_rules"].attrs["automatically_after_days"]; !days.Type().Equals(cty.Number) || !days.Equals(cty.NumberIntVal(30)).True() {
		t.Errorf("automatically_after_days = %#v", days)
	}
	// Labels are unique and valid; a secret with no rotation gets none.
	if b := find(blocks, "resource", "aws_secretsmanager_secret", "prod_api_key_2"); b == nil || str(b.attrs["name"]) != "prod-api-key" {
		t.Errorf("prod-api-key is not prod_api_key_2:\n%s", src)
	}
	if find(blocks, "resource", "aws_secretsmanager_secret_rotation", "prod_api_key_2") != nil {
		t.Errorf("a rotation resource for a secret without one:\n%s", src)
	}
	if b := find(blocks, "resource", "aws_secretsmanager_secret", "_2fa_seed"); b == nil {
		t.Errorf("2fa/seed is not _2fa_seed:\n%s", src)
	}
	if n := len(blocks); n != 4*3+2 {
		t.Errorf("%d blocks, want 14 (3 a secret, 2 rotations)", n)
	}
	if strings.Contains(string(src), "secret_binary") {
		t.Errorf("output sets secret_binary:\n%s", src)
	}
}

func TestTerraformLabel(t *testing.T) {
	for in, want := range map[string]string{
		"prod/database/credentials": "prod_database_credentials",
		"a-b.c@d+e=f":               "a_b_c_d_e_f",
		"/leading/":                 "leading",
		"9lives":                    "_9lives",
		"///":                       "secret",
	} {
		if got := TerraformLabel(in); got != want || !hclsyntax.ValidIdentifier(got) {
			t.Errorf("TerraformLabel(%q) = %q, want %q (a valid identifier)", in, got, want)
		}
	}
}
