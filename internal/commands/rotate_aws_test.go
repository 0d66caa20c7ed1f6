package commands

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
)

// The lambda rotator through the command line, against recorded AWS
// responses (kumo has no RotateSecret): rotation set → rotate → status → cancel.
func TestRotateLambdaThroughCLI(t *testing.T) {
	const (
		arn    = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/orders/db-R7tYq2"
		fn     = "arn:aws:lambda:us-east-1:111122223333:function:SecretsManagerRDSPostgreSQLRotationSingleUser"
		newVer = "7f1c2b3a-4d5e-4f60-8a9b-0c1d2e3f4a5b"
	)
	sm := func(op string) string { return "secretsmanager." + op }
	r := awsxtest.NewReplay(t, filepath.Join("..", "..", "testdata", "rotate"),
		// rotation set
		awsxtest.Exchange{Target: sm("DescribeSecret"), Want: map[string]any{"SecretId": "prod/orders/db"}, File: "DescribeSecret-configured.json"},
		awsxtest.Exchange{Target: sm("RotateSecret"), Want: map[string]any{
			"SecretId": arn, "RotationLambdaARN": fn, "RotateImmediately": false,
			"RotationRules": map[string]any{"ScheduleExpression": "rate(30 days)", "Duration": "3h"},
		}, File: "RotateSecret.json"},
		awsxtest.Exchange{Target: sm("UntagResource"), Want: map[string]any{"SecretId": arn,
			"TagKeys": []string{"secretctl:rotator", "secretctl:strategy", "secretctl:schedule", "secretctl:window", "secretctl:params"}}},
		// rotate
		awsxtest.Exchange{Target: sm("DescribeSecret"), Want: map[string]any{"SecretId": "prod/orders/db"}, File: "DescribeSecret-configured.json"},
		awsxtest.Exchange{Target: sm("RotateSecret"), Want: map[string]any{"SecretId": arn}, Absent: []string{"RotationLambdaARN", "RotationRules"}, File: "RotateSecret.json"},
		awsxtest.Exchange{Target: sm("DescribeSecret"), Want: map[string]any{"SecretId": arn}, File: "DescribeSecret-finished.json"},
		// rotation status
		awsxtest.Exchange{Target: sm("DescribeSecret"), Want: map[string]any{"SecretId": "prod/orders/db"}, File: "DescribeSecret-finished.json"},
		// rotation cancel
		awsxtest.Exchange{Target: sm("DescribeSecret"), Want: map[string]any{"SecretId": "prod/orders/db"}, File: "DescribeSecret-pending.json"},
		awsxtest.Exchange{Target: sm("CancelRotateSecret"), Want: map[string]any{"SecretId": arn}, File: "CancelRotateSecret.json"},
		awsxtest.Exchange{Target: sm("DescribeSecret"), Want: map[string]any{"SecretId": arn}, File: "DescribeSecret-pending.json"},
		awsxtest.Exchange{Target: sm("UpdateSecretVersionStage"), Want: map[string]any{"SecretId": arn, "VersionStage": "AWSPENDING", "RemoveFromVersionId": newVer}, File: "UpdateSecretVersionStage.json"},
	)
	c := awsCLI(t, r.URL, "AKIDROTATETEST", "rotate-test-secret")

	res := c.mustRun("", "rotation", "set", "prod/orders/db", "--rotator", "lambda", "--lambda", fn, "--every", "30d", "--window", "3h")
	if !strings.Contains(res.errOut, "rotates with "+fn) {
		t.Errorf("rotation set: %q", res.errOut)
	}
	res = c.mustRun("", "rotate", "prod/orders/db")
	if !strings.Contains(res.errOut, "AWSCURRENT is now 7f1c2b3a") || !strings.Contains(res.errOut, "rotated prod/orders/db") {
		t.Errorf("rotate: %q", res.errOut)
	}
	res = c.mustRun("", "rotation", "status", "prod/orders/db")
	want := "prod/orders/db\tlambda\trate(30 days)\t2025-03-14T11:21:45Z\t2025-04-13T23:59:59Z (aws)\tyes\t-\n"
	if res.out != want {
		t.Errorf("status = %q\nwant     %q", res.out, want)
	}
	res = c.mustRun("", "rotation", "cancel", "prod/orders/db")
	if !strings.Contains(res.errOut, "cleared AWSPENDING from "+newVer) {
		t.Errorf("cancel: %q", res.errOut)
	}
}
