package commands

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
)

// TestExportTerraformGolden: the seed's two secrets as Terraform, parsed
// back with the HCL parser: names, descriptions, tags (with the rotation's
// reserved tags) round-trip, and no value is in it.
func TestExportTerraformGolden(t *testing.T) {
	cli := newTestCLI(t)
	v := canary(t)
	cli.mustRun(`{"username":"app","password":"`+v+`-db","host":"db.internal","port":5432}`, "create", "prod/database/credentials",
		"--description", "Database credentials for the application", "--tag", "Environment=production", "--tag", "Application=myapp")
	cli.mustRun(v+"-api", "create", "prod/api/key", "--description", "Third-party API key", "--tag", "Environment=production")
	cli.mustRun("", "rotation", "set", "prod/database/credentials", "--rotator", "random", "--field", "password", "--every", "30d")

	r := cli.mustRun("", "export", "prod/", "--format", "terraform")
	assertNoLeak(t, v, r.out, r.errOut)
	golden(t, "seed.tf", r.out)

	f, diags := hclparse.NewParser().ParseHCL([]byte(r.out), "secrets.tf")
	if diags.HasErrors() {
		t.Fatalf("export --format terraform does not parse: %s\n%s", diags.Error(), r.out)
	}
	got := map[string]map[string]string{} // resource name → tags
	names := map[string]string{}
	sensitive := 0
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		switch {
		case b.Type == "variable":
			if a := b.Body.Attributes["sensitive"]; a != nil {
				if val, _ := a.Expr.Value(nil); val.True() {
					sensitive++
				}
			}
		case b.Type == "resource" && b.Labels[0] == "aws_secretsmanager_secret":
			name, _ := b.Body.Attributes["name"].Expr.Value(nil)
			names[b.Labels[1]] = name.AsString()
			tags := map[string]string{}
			if a := b.Body.Attributes["tags"]; a != nil {
				tv, d := a.Expr.Value(nil)
				if d.HasErrors() {
					t.Fatal(d.Error())
				}
				for k, val := range tv.AsValueMap() {
					tags[k] = val.AsString()
				}
			}
			got[name.AsString()] = tags
		}
	}
	if names["prod_database_credentials"] != "prod/database/credentials" || names["prod_api_key"] != "prod/api/key" || len(names) != 2 {
		t.Errorf("secret resources: %v", names)
	}
	if sensitive != 2 {
		t.Errorf("%d sensitive variables, want 2", sensitive)
	}
	db := got["prod/database/credentials"]
	if db["Environment"] != "production" || db["Application"] != "myapp" || db["secretctl:rotator"] != "random" || db["secretctl:schedule"] != "rate(30 days)" {
		t.Errorf("tags of prod/database/credentials: %v", db)
	}
	if api := got["prod/api/key"]; len(api) != 1 || api["Environment"] != "production" {
		t.Errorf("tags of prod/api/key: %v", api)
	}
	if strings.Contains(r.out, "secret_string = \"") {
		t.Errorf("a literal secret_string:\n%s", r.out)
	}

	// Bad input: one line, exit 2.
	for _, args := range [][]string{
		{"export", "--format", "terraform"},
		{"export", "prod/db#password=X", "--format", "terraform"},
		{"export", "prod/missing", "--format", "terraform"},
		{"export", "nothing/", "--format", "terraform"},
		{"export", "prod/api/key", "--format", "terraform", "--stage", "AWSPREVIOUS"},
	} {
		r := cli.run("", args...)
		if r.code != 2 || r.out != "" || strings.Count(strings.TrimSpace(r.errOut), "\n") != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.out, r.errOut)
		}
	}
}

// TestExportUnknownFormatListsAll: the error names every format, the
// Kubernetes ones and terraform included, from the list help uses.
func TestExportUnknownFormatListsAll(t *testing.T) {
	cli := newTestCLI(t)
	r := cli.run("", "export", "prod/x", "--format", "hcl")
	want := `secretctl: export: unknown format "hcl" (want dotenv, json, shell, tfvars, yaml, k8s-secret, external-secret, secret-store or terraform) (see 'secretctl --help')` + "\n"
	if r.code != 2 || r.errOut != want {
		t.Errorf("exit %d, stderr %q\nwant %q", r.code, r.errOut, want)
	}
}

// TestExportTerraformLambdaRotationOnAWS: on the AWS backend (recorded
// DescribeSecret, through the real SDK) a Lambda rotation becomes an
// aws_secretsmanager_secret_rotation with the recorded rules.
func TestExportTerraformLambdaRotationOnAWS(t *testing.T) {
	r := awsxtest.NewReplay(t, filepath.Join("..", "..", "testdata", "rotate"),
		awsxtest.Exchange{Target: "secretsmanager.DescribeSecret", Want: map[string]any{"SecretId": "prod/orders/db"}, File: "DescribeSecret-finished.json"},
	)
	c := awsCLI(t, r.URL, "AKIDROTATETEST", "rotate-test-secret")

	res := c.mustRun("", "export", "prod/orders/db", "--format", "terraform")
	f, diags := hclparse.NewParser().ParseHCL([]byte(res.out), "secrets.tf")
	if diags.HasErrors() {
		t.Fatalf("does not parse: %s\n%s", diags.Error(), res.out)
	}
	var rot *hclsyntax.Block
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		if b.Type == "resource" && b.Labels[0] == "aws_secretsmanager_secret_rotation" && b.Labels[1] == "prod_orders_db" {
			rot = b
		}
	}
	if rot == nil {
		t.Fatalf("no rotation resource:\n%s", res.out)
	}
	lambda, _ := rot.Body.Attributes["rotation_lambda_arn"].Expr.Value(nil)
	if lambda.AsString() != "arn:aws:lambda:us-east-1:111122223333:function:SecretsManagerRDSPostgreSQLRotationSingleUser" {
		t.Errorf("rotation_lambda_arn = %q", lambda.AsString())
	}
	if len(rot.Body.Blocks) != 1 || rot.Body.Blocks[0].Type != "rotation_rules" {
		t.Fatalf("no rotation_rules block:\n%s", res.out)
	}
	rules := rot.Body.Blocks[0].Body.Attributes
	sched, _ := rules["schedule_expression"].Expr.Value(nil)
	if sched.AsString() != "rate(30 days)" || rules["automatically_after_days"] != nil {
		t.Errorf("rotation_rules: want schedule_expression alone (the provider takes one of the two):\n%s", res.out)
	}
	if !strings.Contains(res.out, `team = "orders"`) {
		t.Errorf("tags lost:\n%s", res.out)
	}
}
