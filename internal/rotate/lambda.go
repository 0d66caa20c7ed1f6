package rotate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/uuid"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/store"
)

// AWSAPI is the part of the Secrets Manager client that Lambda rotation
// uses; *secretsmanager.Client implements it.
type AWSAPI interface {
	RotateSecret(ctx context.Context, in *secretsmanager.RotateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.RotateSecretOutput, error)
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	CancelRotateSecret(ctx context.Context, in *secretsmanager.CancelRotateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CancelRotateSecretOutput, error)
	UpdateSecretVersionStage(ctx context.Context, in *secretsmanager.UpdateSecretVersionStageInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error)
}

// CloudTrailAPI finds why a Lambda rotation failed (RotationFailed events).
type CloudTrailAPI interface {
	LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

var _ AWSAPI = (*secretsmanager.Client)(nil)

// ConfigureLambda turns on rotation by the given Lambda with the schedule
// (RotateSecret with RotationRules). RotateImmediately is false: AWS then
// tests the function and rotates at the next window.
func ConfigureLambda(ctx context.Context, api AWSAPI, id, lambdaARN string, sched Schedule) error {
	in := &secretsmanager.RotateSecretInput{
		SecretId:           aws.String(id),
		ClientRequestToken: aws.String(uuid.NewString()),
		RotationLambdaARN:  aws.String(lambdaARN),
		RotateImmediately:  aws.Bool(false),
	}
	if sched.Expr != "" {
		in.RotationRules = &smtypes.RotationRulesType{ScheduleExpression: aws.String(sched.Expr)}
		if w := sched.WindowString(); w != "" {
			in.RotationRules.Duration = aws.String(w)
		}
	}
	if _, err := api.RotateSecret(ctx, in); err != nil {
		return fmt.Errorf("configure rotation of %s: %w", id, awsErr(err))
	}
	return nil
}

// awsErr classifies an SDK error with awsx's table and adds the hint for a
// rotation that is still in progress.
func awsErr(err error) error {
	err = awsx.Classify(err)
	if errors.Is(err, awsx.ErrInvalidRequest) && strings.Contains(err.Error(), "previous rotation") {
		return fmt.Errorf("%w (see `secretctl rotation status`; clear it with `secretctl rotation cancel`)", err)
	}
	return err
}

// rotateLambda starts a rotation by the secret's Lambda and follows it
// with DescribeSecret until AWSCURRENT moves to the new version, the
// rotation is abandoned, CloudTrail reports a failure, or Timeout passes.
func (e *Engine) rotateLambda(ctx context.Context, meta store.Meta, res Result) (Result, error) {
	name := meta.Name
	if e.AWS == nil {
		return res, fmt.Errorf("rotate %s: the lambda rotator needs --backend aws", name)
	}
	id := meta.ARN
	if id == "" {
		id = name
	}
	start := e.now()
	out, err := e.AWS.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
		SecretId:           aws.String(id),
		ClientRequestToken: aws.String(uuid.NewString()),
	})
	if err != nil {
		return res, fmt.Errorf("rotate %s: %w", name, awsErr(err))
	}
	vid := aws.ToString(out.VersionId)
	res.VersionID = vid
	e.logf(name, "RotateSecret: the rotation Lambda is running version %s", short(vid))
	interval, timeout := e.PollInterval, e.Timeout
	if interval <= 0 {
		interval = 3 * time.Second
	}
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	deadline := start.Add(timeout)
	seenPending := false
	for {
		d, err := e.AWS.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
		if err != nil {
			return res, fmt.Errorf("rotate %s: follow the rotation: %w", name, awsErr(err))
		}
		stages := d.VersionIdsToStages[vid]
		switch {
		case slices.Contains(stages, store.StageCurrent):
			e.logf(name, "%s: AWSCURRENT is now %s", StepFinish, short(vid))
			return res, nil
		case slices.Contains(stages, store.StagePending):
			if !seenPending {
				e.logf(name, "AWSPENDING is on %s; waiting for the Lambda to finish", short(vid))
				seenPending = true
			}
		default:
			reason := e.failureReason(ctx, d, start)
			return res, fmt.Errorf("rotate %s: the rotation ended without promoting %s%s", name, short(vid), reason)
		}
		if e.now().After(deadline) {
			reason := e.failureReason(ctx, d, start)
			return res, fmt.Errorf("rotate %s: not finished after %s: AWSPENDING is still on %s%s (AWS retries failed rotations; see the Lambda's CloudWatch logs)", name, timeout, short(vid), reason)
		}
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("rotate %s: %w (the rotation goes on in AWS)", name, ctx.Err())
		case <-time.After(interval):
		}
	}
}

// failureReason asks CloudTrail for a RotationFailed event of the secret
// since start. CloudTrail lags by minutes, so this is best effort.
func (e *Engine) failureReason(ctx context.Context, d *secretsmanager.DescribeSecretOutput, start time.Time) string {
	if e.CloudTrail == nil {
		return ""
	}
	out, err := e.CloudTrail.LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("RotationFailed")}},
		StartTime:        aws.Time(start.Add(-time.Minute)),
	})
	if err != nil {
		return ""
	}
	arn := aws.ToString(d.ARN)
	for _, ev := range out.Events {
		var rec struct {
			ErrorMessage        string `json:"errorMessage"`
			AdditionalEventData struct {
				SecretID string `json:"SecretId"`
			} `json:"additionalEventData"`
		}
		if json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec) != nil {
			continue
		}
		if rec.AdditionalEventData.SecretID != arn && rec.AdditionalEventData.SecretID != aws.ToString(d.Name) {
			continue
		}
		if rec.ErrorMessage == "" {
			return ": CloudTrail reports RotationFailed"
		}
		return ": " + rec.ErrorMessage
	}
	return ""
}

// DisableLambda turns off a secret's Lambda rotation (CancelRotateSecret),
// when secretctl takes the rotation over.
func DisableLambda(ctx context.Context, api AWSAPI, id string) error {
	if _, err := api.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String(id)}); err != nil {
		return fmt.Errorf("turn off the Lambda rotation of %s: %w", id, awsErr(err))
	}
	return nil
}

// cancelLambda calls CancelRotateSecret, which turns automatic rotation
// off, then takes AWSPENDING off the partly built version.
func (e *Engine) cancelLambda(ctx context.Context, m store.Meta) (string, error) {
	id := m.ARN
	if id == "" {
		id = m.Name
	}
	if _, err := e.AWS.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String(id)}); err != nil {
		return "", fmt.Errorf("cancel rotation of %s: %w", m.Name, awsErr(err))
	}
	e.logf(m.Name, "CancelRotateSecret: automatic rotation is off until the next `rotation set`")
	d, err := e.AWS.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	if err != nil {
		return "", fmt.Errorf("cancel rotation of %s: %w", m.Name, awsErr(err))
	}
	meta := store.Meta{Versions: d.VersionIdsToStages}
	pend := meta.VersionWith(store.StagePending)
	if pend == "" || pend == meta.CurrentVersion() {
		e.logf(m.Name, "no AWSPENDING version to clear")
		return "", nil
	}
	if _, err := e.AWS.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId:            aws.String(id),
		VersionStage:        aws.String(store.StagePending),
		RemoveFromVersionId: aws.String(pend),
	}); err != nil {
		return "", fmt.Errorf("cancel rotation of %s: clear AWSPENDING: %w", m.Name, awsErr(err))
	}
	e.logf(m.Name, "cleared AWSPENDING from %s", short(pend))
	return pend, nil
}
