// Package awssm implements store.Store on AWS Secrets Manager through
// aws-sdk-go-v2, through API, the part of the client it calls.
//
// What proves it (every test goes through the real SDK client):
//
//   - Against kumo v0.33.1 in-process (awssm_kumo_test.go): CreateSecret
//     (string, binary, no value, tags, description), GetSecretValue (by
//     stage, version id, name, full and partial ARN), PutSecretValue with
//     AWSCURRENT/AWSPREVIOUS movement, UpdateSecret (description), DescribeSecret,
//     ListSecrets (paging with page size 2, name prefix, exact tags,
//     IncludePlannedDeletion), DeleteSecret (recovery window, force), the
//     marked-for-deletion errors, client-side validation; and storetest.Run
//     with Caps{NoRestore, NoUpdateStage, NoListVersions, NoTags, NoPendingPut}
//     minus six cases kumo cannot pass (kumoGaps: it ignores
//     ClientRequestToken, leaves stale AWSPREVIOUS labels, returns a VersionId
//     for a secret created without a value, and accepts a second delete).
//   - Against the AWS CLI (awscli_test.go, v1 and v2 both checked): awssm
//     writes to kumo and `aws secretsmanager get-secret-value` reads the same
//     string and base64 binary, version and stage; the CLI's put-secret-value
//     is read back here with AWSPREVIOUS on the first version.
//   - Against recorded AWS responses (testdata/aws, served by awsxtest.Replay,
//     which also checks the X-Amz-Target, the SigV4 signature (recomputed with
//     the SDK's signer) and the JSON body of each request; awssm_replay_test.go): CreateSecret with a ClientRequestToken
//     and sorted tags, GetSecretValue (string, base64 binary, id plus stage),
//     PutSecretValue with VersionStages=[AWSPENDING], DescribeSecret with
//     rotation fields and a pending version, ListSecretVersionIds (paging,
//     IncludeDeprecated, deprecated versions), UpdateSecretVersionStage (move,
//     remove, the RemoveFromVersionId error), DeleteSecret (default window,
//     force), RestoreSecret, TagResource, UntagResource, UpdateSecret,
//     ListSecrets crossing an empty page that carries a NextToken with
//     name/tag-key/tag-value filters, and the error codes
//     ResourceNotFoundException, InvalidRequestException (marked and
//     scheduled for deletion, rotation in progress), AccessDeniedException,
//     DecryptionFailure, LimitExceededException, ResourceExistsException,
//     ExpiredTokenException; BatchGetSecretValue (batch_test.go: two calls
//     for 23 ids, a NextToken page, per-secret ResourceNotFound and
//     DecryptionFailure, a partial ARN, a throttle then success, and the
//     fallback to GetSecretValue when the call is denied). kumo answers
//     BatchGetSecretValue with InvalidAction, so there the storetest
//     GetBatch case runs through that fallback. awsx's tests replay ThrottlingException followed
//     by success (the SDK retryer), RotateSecret and CancelRotateSecret.
//   - Against real AWS: TestRealAWSConformance runs the whole storetest suite
//     (no Caps) with the ambient credentials when SECRETCTL_TEST_AWS=1. It has
//     not been run in this repository's CI, which has no AWS account.
package awssm

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

var _ store.Store = (*Store)(nil)

// Options tunes a Store.
type Options struct {
	// PageSize is MaxResults for ListSecrets and ListSecretVersionIds
	// (1-100); 0 leaves it to AWS.
	PageSize int32
}

// API is the part of the Secrets Manager client a Store calls.
// *secretsmanager.Client implements it.
type API interface {
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
}

var _ API = (*secretsmanager.Client)(nil)

// Store is store.Store on AWS Secrets Manager.
type Store struct {
	c       API
	opts    Options
	noBatch atomic.Bool // BatchGetSecretValue was refused once: GetBatch uses GetSecretValue
}

// New returns a Store that calls client.
func New(client API, opts Options) *Store {
	return &Store{c: client, opts: opts}
}

func (s *Store) pageSize() *int32 {
	if s.opts.PageSize <= 0 {
		return nil
	}
	return aws.Int32(min(s.opts.PageSize, 100))
}

// optional returns nil for "" so the SDK leaves the field out.
func optional(v string) *string {
	if v == "" {
		return nil
	}
	return aws.String(v)
}

// fail is the error of op on id: AWS's answer, classified, in a *store.OpError.
func fail(op, id string, err error) error {
	return store.NewOpError(op, id, awsx.Classify(err))
}

// Create calls CreateSecret.
func (s *Store) Create(ctx context.Context, name string, in store.CreateInput) (store.Ref, error) {
	if err := store.ValidateName(name); err != nil {
		return store.Ref{}, fail("create", name, err)
	}
	if err := in.Validate(); err != nil {
		return store.Ref{}, fail("create", name, err)
	}
	input := &secretsmanager.CreateSecretInput{
		Name:               aws.String(name),
		ClientRequestToken: optional(in.Token),
		Description:        optional(in.Description),
		KmsKeyId:           optional(in.KmsKeyID),
		Tags:               toTags(in.Tags),
	}
	if !in.Value.IsZero() {
		setValue(in.Value, &input.SecretString, &input.SecretBinary)
	}
	out, err := s.c.CreateSecret(ctx, input)
	if err != nil {
		return store.Ref{}, fail("create", name, err)
	}
	ref := store.Ref{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), VersionID: aws.ToString(out.VersionId)}
	if ref.VersionID != "" {
		ref.Stages = []string{store.StageCurrent} // the first version always gets AWSCURRENT
	}
	return ref, nil
}

// setValue fills SecretString or SecretBinary. This is one of the few places
// a value is revealed: it leaves the process for AWS.
func setValue(v secret.Value, str **string, bin *[]byte) {
	if v.IsBinary() {
		*bin = v.Reveal()
		return
	}
	*str = aws.String(v.RevealString())
}

// Get calls GetSecretValue; with no version id or stage it reads AWSCURRENT.
func (s *Store) Get(ctx context.Context, id string, o store.GetOptions) (store.Secret, error) {
	out, err := s.c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId:     aws.String(id),
		VersionId:    optional(o.VersionID),
		VersionStage: optional(o.Stage),
	})
	if err != nil {
		return store.Secret{}, fail("get", id, err)
	}
	sec := store.Secret{
		ARN:         aws.ToString(out.ARN),
		Name:        aws.ToString(out.Name),
		VersionID:   aws.ToString(out.VersionId),
		Stages:      out.VersionStages,
		CreatedDate: aws.ToTime(out.CreatedDate),
	}
	switch {
	case out.SecretString != nil:
		sec.Value = secret.New(*out.SecretString)
	case out.SecretBinary != nil:
		sec.Value = secret.NewBytes(out.SecretBinary, true)
	}
	return sec, nil
}

// Put calls PutSecretValue. Without o.Stages AWS moves AWSCURRENT to the new
// version and AWSPREVIOUS to the old current one.
func (s *Store) Put(ctx context.Context, id string, v secret.Value, o store.PutOptions) (store.Ref, error) {
	if err := store.ValidateValue(v); err != nil {
		return store.Ref{}, fail("put", id, err)
	}
	if err := o.Validate(); err != nil {
		return store.Ref{}, fail("put", id, err)
	}
	input := &secretsmanager.PutSecretValueInput{
		SecretId:           aws.String(id),
		ClientRequestToken: optional(o.Token),
		VersionStages:      o.Stages,
	}
	setValue(v, &input.SecretString, &input.SecretBinary)
	out, err := s.c.PutSecretValue(ctx, input)
	if err != nil {
		return store.Ref{}, fail("put", id, err)
	}
	return store.Ref{
		ARN:       aws.ToString(out.ARN),
		Name:      aws.ToString(out.Name),
		VersionID: aws.ToString(out.VersionId),
		Stages:    out.VersionStages,
	}, nil
}

// Update calls UpdateSecret with the metadata fields that are set (a
// KmsKeyID of "" goes back to the aws/secretsmanager key). It never sends a
// value, so it creates no version.
func (s *Store) Update(ctx context.Context, id string, in store.UpdateInput) (store.Ref, error) {
	if err := in.Validate(); err != nil {
		return store.Ref{}, fail("update", id, err)
	}
	if in.Description == nil && in.KmsKeyID == nil {
		// Nothing to change: DescribeSecret still checks the secret exists.
		m, err := s.c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
		if err != nil {
			return store.Ref{}, fail("update", id, err)
		}
		return store.Ref{ARN: aws.ToString(m.ARN), Name: aws.ToString(m.Name)}, nil
	}
	out, err := s.c.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{
		SecretId:    aws.String(id),
		Description: in.Description,
		KmsKeyId:    in.KmsKeyID,
	})
	if err != nil {
		return store.Ref{}, fail("update", id, err)
	}
	return store.Ref{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), VersionID: aws.ToString(out.VersionId)}, nil
}

// Describe calls DescribeSecret.
func (s *Store) Describe(ctx context.Context, id string) (store.Meta, error) {
	out, err := s.c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	if err != nil {
		return store.Meta{}, fail("describe", id, err)
	}
	return store.Meta{
		ARN:              aws.ToString(out.ARN),
		Name:             aws.ToString(out.Name),
		Description:      aws.ToString(out.Description),
		KmsKeyID:         aws.ToString(out.KmsKeyId),
		Tags:             fromTags(out.Tags),
		CreatedDate:      aws.ToTime(out.CreatedDate),
		LastChangedDate:  out.LastChangedDate,
		LastAccessedDate: out.LastAccessedDate,
		LastRotatedDate:  out.LastRotatedDate,
		NextRotationDate: out.NextRotationDate,
		DeletedDate:      out.DeletedDate,
		RotationEnabled:  out.RotationEnabled,
		RotationLambda:   aws.ToString(out.RotationLambdaARN),
		RotationRules:    fromRules(out.RotationRules),
		Versions:         labelled(out.VersionIdsToStages),
	}, nil
}

func metaFromEntry(e types.SecretListEntry) store.Meta {
	return store.Meta{
		ARN:              aws.ToString(e.ARN),
		Name:             aws.ToString(e.Name),
		Description:      aws.ToString(e.Description),
		KmsKeyID:         aws.ToString(e.KmsKeyId),
		Tags:             fromTags(e.Tags),
		CreatedDate:      aws.ToTime(e.CreatedDate),
		LastChangedDate:  e.LastChangedDate,
		LastAccessedDate: e.LastAccessedDate,
		LastRotatedDate:  e.LastRotatedDate,
		NextRotationDate: e.NextRotationDate,
		DeletedDate:      e.DeletedDate,
		RotationEnabled:  e.RotationEnabled,
		RotationLambda:   aws.ToString(e.RotationLambdaARN),
		RotationRules:    fromRules(e.RotationRules),
		Versions:         labelled(e.SecretVersionsToStages),
	}
}

// List pages through ListSecrets. The prefix and tags go to AWS as name,
// tag-key and tag-value filters to narrow the listing, and are then checked
// exactly here (AWS filters match prefixes and do not pair keys with
// values). The result is sorted by name.
func (s *Store) List(ctx context.Context, o store.ListOptions) ([]store.Meta, error) {
	input := &secretsmanager.ListSecretsInput{
		Filters:    listFilters(o),
		MaxResults: s.pageSize(),
	}
	if o.IncludeDeleted {
		input.IncludePlannedDeletion = aws.Bool(true)
	}
	var metas []store.Meta
	// The paginator keeps going while NextToken is set, even after an empty page.
	p := secretsmanager.NewListSecretsPaginator(s.c, input)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fail("list", o.Prefix, err)
		}
		for _, e := range page.SecretList {
			m := metaFromEntry(e)
			if matches(m, o) {
				metas = append(metas, m)
			}
		}
	}
	sort.Slice(metas, func(i, j int) bool { return metas[i].Name < metas[j].Name })
	return metas, nil
}

func matches(m store.Meta, o store.ListOptions) bool {
	if !strings.HasPrefix(m.Name, o.Prefix) {
		return false
	}
	if m.DeletedDate != nil && !o.IncludeDeleted {
		return false
	}
	for k, v := range o.Tags {
		got, ok := m.Tags[k]
		if !ok || got != v {
			return false
		}
	}
	return true
}

// filterValueOK reports whether v fits the ListSecrets filter value pattern
// ^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$ (without a leading "!", which negates).
func filterValueOK(v string) bool {
	if v == "" || len(v) > 512 || v[0] == '!' {
		return false
	}
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune(" :_@/+=.-!", r):
		default:
			return false
		}
	}
	return true
}

// listFilters builds the server-side filters; values AWS could not accept
// are left to the client-side check.
func listFilters(o store.ListOptions) []types.Filter {
	var fs []types.Filter
	if filterValueOK(o.Prefix) {
		fs = append(fs, types.Filter{Key: types.FilterNameStringTypeName, Values: []string{o.Prefix}})
	}
	var keys, values []string
	for _, k := range slices.Sorted(maps.Keys(o.Tags)) {
		if filterValueOK(k) {
			keys = append(keys, k)
		}
		if filterValueOK(o.Tags[k]) {
			values = append(values, o.Tags[k])
		}
	}
	if len(keys) > 0 && len(keys) <= 10 {
		fs = append(fs, types.Filter{Key: types.FilterNameStringTypeTagKey, Values: keys})
	}
	if len(values) > 0 && len(values) <= 10 {
		fs = append(fs, types.Filter{Key: types.FilterNameStringTypeTagValue, Values: values})
	}
	return fs
}

// Versions pages through ListSecretVersionIds, newest first.
func (s *Store) Versions(ctx context.Context, id string, includeDeprecated bool) ([]store.Version, error) {
	input := &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(id), MaxResults: s.pageSize()}
	if includeDeprecated {
		input.IncludeDeprecated = aws.Bool(true)
	}
	var vs []store.Version
	p := secretsmanager.NewListSecretVersionIdsPaginator(s.c, input)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fail("list versions", id, err)
		}
		for _, v := range page.Versions {
			vs = append(vs, store.Version{
				VersionID:        aws.ToString(v.VersionId),
				Stages:           v.VersionStages,
				CreatedDate:      aws.ToTime(v.CreatedDate),
				LastAccessedDate: v.LastAccessedDate,
			})
		}
	}
	sort.SliceStable(vs, func(i, j int) bool {
		if !vs[i].CreatedDate.Equal(vs[j].CreatedDate) {
			return vs[i].CreatedDate.After(vs[j].CreatedDate)
		}
		return vs[i].VersionID < vs[j].VersionID
	})
	return vs, nil
}

// UpdateStage calls UpdateSecretVersionStage.
func (s *Store) UpdateStage(ctx context.Context, id string, m store.StageMove) (store.Ref, error) {
	if err := m.Validate(); err != nil {
		return store.Ref{}, fail("update stage", id, err)
	}
	out, err := s.c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId:            aws.String(id),
		VersionStage:        aws.String(m.Stage),
		MoveToVersionId:     optional(m.MoveTo),
		RemoveFromVersionId: optional(m.RemoveFrom),
	})
	if err != nil {
		return store.Ref{}, fail("update stage", id, err)
	}
	return store.Ref{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), VersionID: m.MoveTo}, nil
}

// Delete calls DeleteSecret with a recovery window (7-30 days, default 30)
// or, with o.Force, ForceDeleteWithoutRecovery. It returns the deletion date.
func (s *Store) Delete(ctx context.Context, id string, o store.DeleteOptions) (store.Ref, time.Time, error) {
	if err := o.Validate(); err != nil {
		return store.Ref{}, time.Time{}, fail("delete", id, err)
	}
	input := &secretsmanager.DeleteSecretInput{SecretId: aws.String(id)}
	if o.Force {
		input.ForceDeleteWithoutRecovery = aws.Bool(true)
	} else {
		input.RecoveryWindowInDays = aws.Int64(int64(o.Days()))
	}
	out, err := s.c.DeleteSecret(ctx, input)
	if err != nil {
		return store.Ref{}, time.Time{}, fail("delete", id, err)
	}
	return store.Ref{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name)}, aws.ToTime(out.DeletionDate), nil
}

// Restore calls RestoreSecret.
func (s *Store) Restore(ctx context.Context, id string) (store.Ref, error) {
	out, err := s.c.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(id)})
	if err != nil {
		return store.Ref{}, fail("restore", id, err)
	}
	return store.Ref{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name)}, nil
}

// Tag calls TagResource, which adds or overwrites tags.
func (s *Store) Tag(ctx context.Context, id string, tags map[string]string) error {
	if len(tags) == 0 {
		return nil
	}
	if err := store.ValidateTags(tags); err != nil {
		return fail("tag", id, err)
	}
	if _, err := s.c.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String(id), Tags: toTags(tags)}); err != nil {
		return fail("tag", id, err)
	}
	return nil
}

// Untag calls UntagResource; absent keys are not an error.
func (s *Store) Untag(ctx context.Context, id string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	for _, k := range keys {
		if err := store.ValidateTagKey(k); err != nil {
			return fail("untag", id, err)
		}
	}
	if _, err := s.c.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: aws.String(id), TagKeys: keys}); err != nil {
		return fail("untag", id, err)
	}
	return nil
}

func toTags(m map[string]string) []types.Tag {
	if len(m) == 0 {
		return nil
	}
	tags := make([]types.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return tags
}

func fromTags(tags []types.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func fromRules(r *types.RotationRulesType) *store.RotationRules {
	if r == nil {
		return nil
	}
	return &store.RotationRules{
		AutomaticallyAfterDays: aws.ToInt64(r.AutomaticallyAfterDays),
		ScheduleExpression:     aws.ToString(r.ScheduleExpression),
		Duration:               aws.ToString(r.Duration),
	}
}

// labelled keeps the versions that carry a label, as VersionIdsToStages does
// on AWS (some emulators also list deprecated versions with no labels).
func labelled(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for id, stages := range m {
		if len(stages) > 0 {
			out[id] = slices.Clone(stages)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
