package commands

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPolicyGolden(t *testing.T) {
	cli := newTestCLI(t)
	cli.mustRun("canary-policy-db", "create", "prod/database/credentials")
	cli.mustRun("canary-policy-api", "create", "prod/api/key")

	r := cli.mustRun("", "policy", "prod/database/credentials", "prod/api/key")
	assertNoLeak(t, "canary-policy", r.out, r.errOut)
	var doc struct {
		Version   string
		Statement []struct {
			Action, Resource []string
		}
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		t.Fatalf("policy is not JSON: %v\n%s", err, r.out)
	}
	if len(doc.Statement) != 1 || len(doc.Statement[0].Resource) != 2 ||
		!strings.HasPrefix(doc.Statement[0].Resource[0], "arn:aws:secretsmanager:local:000000000000:secret:prod/api/key-") {
		t.Errorf("policy = %s", r.out)
	}
	golden(t, "read.json", normalise(r.out))

	r = cli.mustRun("", "policy", "prod/database/credentials", "prod/api/key", "--format", "terraform", "--name", "read_secrets")
	golden(t, "read.tf", normalise(r.out))

	// A name not yet created and a prefix take their region and account
	// from a resolved ARN.
	r = cli.mustRun("", "policy", "prod/api/key", "prod/new/token", "staging/", "--access", "write")
	for _, want := range []string{
		`"arn:aws:secretsmanager:local:000000000000:secret:prod/new/token-??????"`,
		`"arn:aws:secretsmanager:local:000000000000:secret:staging/*"`,
		`"secretsmanager:PutSecretValue"`, `"secretsmanager:UpdateSecretVersionStage"`,
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("write policy lacks %s:\n%s", want, r.out)
		}
	}
}

func TestPolicyUsage(t *testing.T) {
	cli := newTestCLI(t)
	cli.mustRun("", "list") // creates the store, so its notice is not in the rows below
	for _, args := range [][]string{
		{"policy"},
		{"policy", "prod/x", "--access", "admin"},
		{"policy", "prod/x", "--format", "yaml"},
		{"policy", "prod/never/created"}, // no ARN tells the account
	} {
		r := cli.run("", args...)
		if r.code != 2 || !strings.HasPrefix(r.errOut, "secretctl: ") || strings.Count(strings.TrimSpace(r.errOut), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.errOut)
		}
	}
	r := cli.mustRun("", "policy", "prod/never/created", "--region", "eu-west-1", "--account", "123456789012")
	if !strings.Contains(r.out, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/never/created-??????") {
		t.Errorf("policy = %s", r.out)
	}
}
