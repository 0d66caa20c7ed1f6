package awsx

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretsManagerAPI lists the Secrets Manager calls secretctl makes, so
// tests can substitute the client. *secretsmanager.Client implements it.
type SecretsManagerAPI interface {
	CreateSecret(ctx context.Context, in *secretsmanager.CreateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	UpdateSecret(ctx context.Context, in *secretsmanager.UpdateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretOutput, error)
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	ListSecrets(ctx context.Context, in *secretsmanager.ListSecretsInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error)
	ListSecretVersionIds(ctx context.Context, in *secretsmanager.ListSecretVersionIdsInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretVersionIdsOutput, error)
	UpdateSecretVersionStage(ctx context.Context, in *secretsmanager.UpdateSecretVersionStageInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error)
	DeleteSecret(ctx context.Context, in *secretsmanager.DeleteSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DeleteSecretOutput, error)
	RestoreSecret(ctx context.Context, in *secretsmanager.RestoreSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.RestoreSecretOutput, error)
	TagResource(ctx context.Context, in *secretsmanager.TagResourceInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *secretsmanager.UntagResourceInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UntagResourceOutput, error)
	RotateSecret(ctx context.Context, in *secretsmanager.RotateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.RotateSecretOutput, error)
	CancelRotateSecret(ctx context.Context, in *secretsmanager.CancelRotateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CancelRotateSecretOutput, error)
	GetRandomPassword(ctx context.Context, in *secretsmanager.GetRandomPasswordInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetRandomPasswordOutput, error)
}

// CloudTrailAPI lists the CloudTrail calls secretctl makes (audit).
// *cloudtrail.Client implements it.
type CloudTrailAPI interface {
	LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
	DescribeTrails(ctx context.Context, in *cloudtrail.DescribeTrailsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(ctx context.Context, in *cloudtrail.GetTrailStatusInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(ctx context.Context, in *cloudtrail.GetEventSelectorsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
}

var (
	_ SecretsManagerAPI = (*secretsmanager.Client)(nil)
	_ CloudTrailAPI     = (*cloudtrail.Client)(nil)
	_ SecretsManagerAPI = (*lazySecretsManager)(nil)
	_ CloudTrailAPI     = (*lazyCloudTrail)(nil)
)

// Clients holds the AWS clients built from one aws.Config. The SDK clients
// are created on first use, so a command that never calls AWS pays nothing.
// Tests may replace either field.
type Clients struct {
	Config         aws.Config
	SecretsManager SecretsManagerAPI
	CloudTrail     CloudTrailAPI
}

// NewClients returns Clients built lazily from cfg. A non-empty endpointURL
// is set as each client's BaseEndpoint, which beats AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>; when empty, those keep working through cfg.
func NewClients(cfg aws.Config, endpointURL string) *Clients {
	sm := &lazySecretsManager{}
	sm.build = func() *secretsmanager.Client {
		return secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
			if endpointURL != "" {
				o.BaseEndpoint = aws.String(endpointURL)
			}
		})
	}
	ct := &lazyCloudTrail{}
	ct.build = func() *cloudtrail.Client {
		return cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) {
			if endpointURL != "" {
				o.BaseEndpoint = aws.String(endpointURL)
			}
		})
	}
	return &Clients{Config: cfg, SecretsManager: sm, CloudTrail: ct}
}

// lazyClient builds an SDK client on first use.
type lazyClient[C any] struct {
	once  sync.Once
	build func() C
	c     C
}

func (l *lazyClient[C]) client() C {
	l.once.Do(func() { l.c = l.build() })
	return l.c
}

type lazySecretsManager struct {
	lazyClient[*secretsmanager.Client]
}

type lazyCloudTrail struct{ lazyClient[*cloudtrail.Client] }

func (l *lazySecretsManager) CreateSecret(ctx context.Context, in *secretsmanager.CreateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error) {
	return l.client().CreateSecret(ctx, in, optFns...)
}

func (l *lazySecretsManager) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	return l.client().GetSecretValue(ctx, in, optFns...)
}

func (l *lazySecretsManager) BatchGetSecretValue(ctx context.Context, in *secretsmanager.BatchGetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.BatchGetSecretValueOutput, error) {
	return l.client().BatchGetSecretValue(ctx, in, optFns...)
}

func (l *lazySecretsManager) PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	return l.client().PutSecretValue(ctx, in, optFns...)
}

func (l *lazySecretsManager) UpdateSecret(ctx context.Context, in *secretsmanager.UpdateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretOutput, error) {
	return l.client().UpdateSecret(ctx, in, optFns...)
}

func (l *lazySecretsManager) DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	return l.client().DescribeSecret(ctx, in, optFns...)
}

func (l *lazySecretsManager) ListSecrets(ctx context.Context, in *secretsmanager.ListSecretsInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error) {
	return l.client().ListSecrets(ctx, in, optFns...)
}

func (l *lazySecretsManager) ListSecretVersionIds(ctx context.Context, in *secretsmanager.ListSecretVersionIdsInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretVersionIdsOutput, error) {
	return l.client().ListSecretVersionIds(ctx, in, optFns...)
}

func (l *lazySecretsManager) UpdateSecretVersionStage(ctx context.Context, in *secretsmanager.UpdateSecretVersionStageInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error) {
	return l.client().UpdateSecretVersionStage(ctx, in, optFns...)
}

func (l *lazySecretsManager) DeleteSecret(ctx context.Context, in *secretsmanager.DeleteSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DeleteSecretOutput, error) {
	return l.client().DeleteSecret(ctx, in, optFns...)
}

func (l *lazySecretsManager) RestoreSecret(ctx context.Context, in *secretsmanager.RestoreSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.RestoreSecretOutput, error) {
	return l.client().RestoreSecret(ctx, in, optFns...)
}

func (l *lazySecretsManager) TagResource(ctx context.Context, in *secretsmanager.TagResourceInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.TagResourceOutput, error) {
	return l.client().TagResource(ctx, in, optFns...)
}

func (l *lazySecretsManager) UntagResource(ctx context.Context, in *secretsmanager.UntagResourceInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UntagResourceOutput, error) {
	return l.client().UntagResource(ctx, in, optFns...)
}

func (l *lazySecretsManager) RotateSecret(ctx context.Context, in *secretsmanager.RotateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.RotateSecretOutput, error) {
	return l.client().RotateSecret(ctx, in, optFns...)
}

func (l *lazySecretsManager) CancelRotateSecret(ctx context.Context, in *secretsmanager.CancelRotateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CancelRotateSecretOutput, error) {
	return l.client().CancelRotateSecret(ctx, in, optFns...)
}

func (l *lazySecretsManager) GetRandomPassword(ctx context.Context, in *secretsmanager.GetRandomPasswordInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetRandomPasswordOutput, error) {
	return l.client().GetRandomPassword(ctx, in, optFns...)
}

func (l *lazyCloudTrail) LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	return l.client().LookupEvents(ctx, in, optFns...)
}

func (l *lazyCloudTrail) DescribeTrails(ctx context.Context, in *cloudtrail.DescribeTrailsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error) {
	return l.client().DescribeTrails(ctx, in, optFns...)
}

func (l *lazyCloudTrail) GetTrailStatus(ctx context.Context, in *cloudtrail.GetTrailStatusInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	return l.client().GetTrailStatus(ctx, in, optFns...)
}

func (l *lazyCloudTrail) GetEventSelectors(ctx context.Context, in *cloudtrail.GetEventSelectorsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error) {
	return l.client().GetEventSelectors(ctx, in, optFns...)
}
