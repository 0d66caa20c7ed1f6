package policy

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

const region, account = "eu-west-1", "123456789012"

// checkGrammar asserts doc follows the IAM policy grammar: a Version of
// 2012-10-17 and statements with an Effect, Actions of service:Name,
// Resources that are ARNs or "*", and Conditions of operator → key → value.
func checkGrammar(t *testing.T, raw []byte) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("policy is not JSON: %v", err)
	}
	for k := range doc {
		if k != "Version" && k != "Statement" {
			t.Errorf("unknown top-level element %q", k)
		}
	}
	if doc["Version"] != "2012-10-17" {
		t.Errorf("Version = %v", doc["Version"])
	}
	stmts, ok := doc["Statement"].([]any)
	if !ok || len(stmts) == 0 {
		t.Fatalf("Statement = %v", doc["Statement"])
	}
	for _, s := range stmts {
		st := s.(map[string]any)
		for k := range st {
			switch k {
			case "Sid", "Effect", "Action", "Resource", "Condition":
			default:
				t.Errorf("unknown statement element %q", k)
			}
		}
		if e := st["Effect"]; e != "Allow" && e != "Deny" {
			t.Errorf("Effect = %v", e)
		}
		for _, a := range st["Action"].([]any) {
			if p := strings.SplitN(a.(string), ":", 2); len(p) != 2 || p[0] == "" || p[1] == "" {
				t.Errorf("Action %q is not service:Name", a)
			}
		}
		for _, r := range st["Resource"].([]any) {
			if r != "*" && !strings.HasPrefix(r.(string), "arn:aws:") {
				t.Errorf("Resource %q is not an ARN", r)
			}
		}
		if c, ok := st["Condition"]; ok {
			for op, kv := range c.(map[string]any) {
				for k, v := range kv.(map[string]any) {
					if _, ok := v.(string); !ok || !strings.Contains(k, ":") {
						t.Errorf("Condition %s %s = %v", op, k, v)
					}
				}
			}
		}
	}
}

// terraformPolicy parses tf back and evaluates the policy attribute's
// jsonencode call, returning the JSON Terraform would send to IAM.
func terraformPolicy(t *testing.T, tf []byte, name string) []byte {
	t.Helper()
	f, diags := hclparse.NewParser().ParseHCL(tf, "policy.tf")
	if diags.HasErrors() {
		t.Fatalf("terraform does not parse: %v\n%s", diags, tf)
	}
	content, diags := f.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "resource", LabelNames: []string{"type", "name"}}}})
	if diags.HasErrors() || len(content.Blocks) != 1 {
		t.Fatalf("want one resource block: %v", diags)
	}
	b := content.Blocks[0]
	if b.Labels[0] != "aws_iam_policy" || b.Labels[1] != name {
		t.Fatalf("labels = %v", b.Labels)
	}
	attrs, diags := b.Body.JustAttributes()
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ctx := &hcl.EvalContext{Functions: map[string]function.Function{"jsonencode": stdlib.JSONEncodeFunc}}
	if v, _ := attrs["name"].Expr.Value(ctx); v.AsString() != name {
		t.Errorf("name = %v", v)
	}
	v, diags := attrs["policy"].Expr.Value(ctx)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return []byte(v.AsString())
}

func TestBuildRead(t *testing.T) {
	doc := Build(Read, region, account, []Target{
		{ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api/key-AbCdEf", KmsKeyID: DefaultKey},
		{ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/database/credentials-XyZ123", KmsKeyID: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd"},
		{ARN: SecretARN(region, account, "prod/new")},
	})
	if len(doc.Statement) != 2 {
		t.Fatalf("statements = %+v", doc.Statement)
	}
	s := doc.Statement[0]
	if !reflect.DeepEqual(s.Action, []string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"}) {
		t.Errorf("read actions = %v", s.Action)
	}
	if len(s.Resource) != 3 || s.Resource[2] != "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/new-??????" {
		t.Errorf("resources = %v", s.Resource)
	}
	k := doc.Statement[1]
	if !reflect.DeepEqual(k.Action, []string{"kms:Decrypt"}) || !reflect.DeepEqual(k.Resource, []string{"arn:aws:kms:eu-west-1:123456789012:key/1234abcd"}) ||
		k.Condition["StringEquals"]["kms:ViaService"] != "secretsmanager.eu-west-1.amazonaws.com" {
		t.Errorf("kms statement = %+v", k)
	}
	raw, err := doc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	checkGrammar(t, raw)
}

func TestBuildWriteRotate(t *testing.T) {
	prefix := []Target{{ARN: PrefixARN(region, account, "prod/")}}
	w := Build(Write, region, account, prefix)
	if got := strings.Join(w.Statement[0].Action, ","); !strings.Contains(got, "PutSecretValue") || !strings.Contains(got, "UpdateSecretVersionStage") {
		t.Errorf("write actions = %s", got)
	}
	if w.Statement[0].Resource[0] != "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/*" {
		t.Errorf("prefix resource = %v", w.Statement[0].Resource)
	}
	r := Build(Rotate, region, account, []Target{{ARN: prefix[0].ARN, KmsKeyID: "alias/app"}})
	if len(r.Statement) != 3 || r.Statement[1].Action[0] != "secretsmanager:GetRandomPassword" || r.Statement[1].Resource[0] != "*" {
		t.Fatalf("rotate = %+v", r.Statement)
	}
	if got := r.Statement[2]; !reflect.DeepEqual(got.Action, []string{"kms:Decrypt", "kms:GenerateDataKey"}) || got.Resource[0] != "arn:aws:kms:eu-west-1:123456789012:key/*" {
		t.Errorf("rotate kms = %+v", got)
	}
	for _, d := range []Document{w, r} {
		raw, _ := d.JSON()
		checkGrammar(t, raw)
	}
}

func TestTerraformParsesBack(t *testing.T) {
	doc := Build(Rotate, region, account, []Target{
		{ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/database/credentials-XyZ123", KmsKeyID: "1234abcd"},
	})
	tf, err := doc.Terraform("read_secrets")
	if err != nil {
		t.Fatal(err)
	}
	got := terraformPolicy(t, tf, "read_secrets")
	checkGrammar(t, got)
	var a, b any
	want, _ := doc.JSON()
	_ = json.Unmarshal(want, &a)
	_ = json.Unmarshal(got, &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("terraform policy differs from the JSON one:\n%s\nwant\n%s", got, want)
	}
}

func TestParseAccess(t *testing.T) {
	if _, err := ParseAccess("admin"); err == nil {
		t.Error("admin accepted")
	}
	if a, err := ParseAccess("rotate"); err != nil || a != Rotate {
		t.Errorf("rotate = %v, %v", a, err)
	}
}
