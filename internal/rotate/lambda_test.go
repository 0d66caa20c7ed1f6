package rotate

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/awssm"
)

// The Lambda path against recorded AWS responses: kumo has no RotateSecret.

const (
	recorded  = "../../testdata/rotate"
	lambdaARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/orders/db-R7tYq2"
	newV      = "7f1c2b3a-4d5e-4f60-8a9b-0c1d2e3f4a5b"
)

func sm(op string) string { return "secretsmanager." + op }

func replayEngine(t *testing.T, ex ...awsxtest.Exchange) (*Engine, *awsxtest.Replay, *syncBuf) {
	t.Helper()
	r := awsxtest.NewReplay(t, recorded, ex...)
	c := awsx.NewClients(awsxtest.Config(t, r.URL), r.URL)
	var progress syncBuf
	e := &Engine{
		Store: awssm.New(c.SecretsManager, awssm.Options{}), AWS: c.SecretsManager, CloudTrail: c.CloudTrail,
		Progress: &progress, PollInterval: time.Millisecond, Timeout: time.Minute,
	}
	return e, r, &progress
}

func TestLambdaRotateFollowsToSuccess(t *testing.T) {
	e, r, progress := replayEngine(t,
		awsxtest.Exchange{Target: sm("DescribeSecret"), Want: map[string]any{"SecretId": "prod/orders/db"}, File: "DescribeSecret-configured.json"},
		awsxtest.Exchange{Target: sm("RotateSecret"), Want: map[string]any{"SecretId": lambdaARN},
			Absent: []string{"RotationLambdaARN", "RotationRules", "RotateImmediately"}, File: "RotateSecret.json"},
		awsxtest.Exchange{Target: sm("DescribeSecret"), Want: map[string]any{"SecretId": lambdaARN}, File: "DescribeSecret-pending.json"},
		awsxtest.Exchange{Target: sm("DescribeSecret"), Want: map[string]any{"SecretId": lambdaARN}, File: "DescribeSecret-pending.json"},
		awsxtest.Exchange{Target: sm("DescribeSecret"), Want: map[string]any{"SecretId": lambdaARN}, File: "DescribeSecret-finished.json"},
	)
	res, err := e.Rotate(t.Context(), "prod/orders/db")
	if err != nil {
		t.Fatalf("rotate: %v", err)
	}
	if res.Rotator != RotatorLambda || res.VersionID != newV {
		t.Errorf("result = %+v", res)
	}
	if tok, _ := r.Requests()[1]["ClientRequestToken"].(string); len(tok) < 32 {
		t.Errorf("RotateSecret sent ClientRequestToken %q", tok)
	}
	for _, want := range []string{"RotateSecret", "AWSPENDING is on 7f1c2b3a", "AWSCURRENT is now 7f1c2b3a"} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, progress.String())
		}
	}
}

func TestLambdaRotateReportsFailure(t *testing.T) {
	e, _, _ := replayEngine(t,
		awsxtest.Exchange{Target: sm("DescribeSecret"), File: "DescribeSecret-configured.json"},
		awsxtest.Exchange{Target: sm("RotateSecret"), File: "RotateSecret.json"},
		awsxtest.Exchange{Target: sm("DescribeSecret"), File: "DescribeSecret-pending.json"},
		awsxtest.Exchange{Target: sm("DescribeSecret"), File: "DescribeSecret-abandoned.json"},
		awsxtest.Exchange{Target: "CloudTrail_20131101.LookupEvents",
			Want: map[string]any{"LookupAttributes": []map[string]string{{"AttributeKey": "EventName", "AttributeValue": "RotationFailed"}}},
			File: "LookupEvents-RotationFailed.json"},
	)
	_, err := e.Rotate(t.Context(), "prod/orders/db")
	if err == nil || !strings.Contains(err.Error(), "without promoting 7f1c2b3a") || !strings.Contains(err.Error(), "during setSecret step") || strings.Contains(err.Error(), "unrelated") {
		t.Fatalf("rotate = %v; want the failure with this secret's CloudTrail reason", err)
	}
}

func TestLambdaRotatePreviousIncomplete(t *testing.T) {
	e, _, _ := replayEngine(t,
		awsxtest.Exchange{Target: sm("DescribeSecret"), File: "DescribeSecret-pending.json"},
		awsxtest.Exchange{Target: sm("RotateSecret"), Status: 400, File: "errors/InvalidRequestException-previous-rotation.json"},
	)
	_, err := e.Rotate(t.Context(), "prod/orders/db")
	if !errors.Is(err, store.ErrInvalidRequest) || !strings.Contains(err.Error(), "rotation cancel") {
		t.Fatalf("rotate = %v; want InvalidRequest with a hint", err)
	}
}

func TestLambdaRotateTimesOut(t *testing.T) {
	ex := []awsxtest.Exchange{
		{Target: sm("DescribeSecret"), File: "DescribeSecret-configured.json"},
		{Target: sm("RotateSecret"), File: "RotateSecret.json"},
	}
	for i := 0; i < 3; i++ {
		ex = append(ex, awsxtest.Exchange{Target: sm("DescribeSecret"), File: "DescribeSecret-pending.json"})
	}
	ex = append(ex, awsxtest.Exchange{Target: "CloudTrail_20131101.LookupEvents", Body: `{"Events":[]}`})
	e, _, _ := replayEngine(t, ex...)
	// A clock that advances 10s per reading: the third poll is past 25s.
	clock := time.Unix(1741951300, 0)
	e.Now = func() time.Time { clock = clock.Add(10 * time.Second); return clock }
	e.Timeout = 25 * time.Second
	_, err := e.Rotate(t.Context(), "prod/orders/db")
	if err == nil || !strings.Contains(err.Error(), "not finished after") {
		t.Fatalf("rotate = %v; want a timeout", err)
	}
}

func TestLambdaCancel(t *testing.T) {
	e, _, _ := replayEngine(t,
		awsxtest.Exchange{Target: sm("DescribeSecret"), Want: map[string]any{"SecretId": "prod/orders/db"}, File: "DescribeSecret-pending.json"},
		awsxtest.Exchange{Target: sm("CancelRotateSecret"), Want: map[string]any{"SecretId": lambdaARN}, File: "CancelRotateSecret.json"},
		awsxtest.Exchange{Target: sm("DescribeSecret"), Want: map[string]any{"SecretId": lambdaARN}, File: "DescribeSecret-pending.json"},
		awsxtest.Exchange{Target: sm("UpdateSecretVersionStage"),
			Want:   map[string]any{"SecretId": lambdaARN, "VersionStage": "AWSPENDING", "RemoveFromVersionId": newV},
			Absent: []string{"MoveToVersionId"}, File: "UpdateSecretVersionStage.json"},
	)
	got, err := e.Cancel(t.Context(), "prod/orders/db", false)
	if err != nil || got != newV {
		t.Fatalf("cancel = %q, %v", got, err)
	}
}

func TestConfigureLambda(t *testing.T) {
	e, _, _ := replayEngine(t,
		awsxtest.Exchange{Target: sm("RotateSecret"), Want: map[string]any{
			"SecretId": "prod/orders/db", "RotationLambdaARN": "arn:aws:lambda:us-east-1:111122223333:function:rot",
			"RotationRules":     map[string]any{"ScheduleExpression": "cron(0 4 ? * SUN *)", "Duration": "3h"},
			"RotateImmediately": false,
		}, Absent: []string{}, File: "RotateSecret.json"},
	)
	sched, err := ParseSchedule("cron(0 4 ? * SUN *)", "3h")
	if err != nil {
		t.Fatal(err)
	}
	if err := ConfigureLambda(t.Context(), e.AWS, "prod/orders/db", "arn:aws:lambda:us-east-1:111122223333:function:rot", sched); err != nil {
		t.Fatal(err)
	}
}

func TestLambdaStatusUsesAWSSchedule(t *testing.T) {
	e, _, _ := replayEngine(t,
		awsxtest.Exchange{Target: sm("DescribeSecret"), File: "DescribeSecret-abandoned.json"},
	)
	now := time.Unix(1741951307, 0).UTC()
	sts, err := e.Statuses(t.Context(), "prod/orders/db", now)
	if err != nil || len(sts) != 1 {
		t.Fatalf("status = %v, %v", sts, err)
	}
	st := sts[0]
	if st.Rotator != RotatorLambda || st.ScheduledBy != "aws" || st.Schedule != "rate(30 days)" || !st.Overdue || st.Pending != "" {
		t.Errorf("status = %+v", st)
	}
}
