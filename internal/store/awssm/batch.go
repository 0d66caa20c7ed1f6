package awssm

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

var _ store.BatchGetter = (*Store)(nil)

// batchAPI is the one call GetBatch needs beyond API; *secretsmanager.Client
// has it.
type batchAPI interface {
	BatchGetSecretValue(ctx context.Context, in *secretsmanager.BatchGetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.BatchGetSecretValueOutput, error)
}

// GetBatch reads the AWSCURRENT version of items without a stage or
// version id through BatchGetSecretValue, store.MaxBatch ids a call, with
// the SDK's paginator and retryer; items that name another version are read
// with GetSecretValue, which BatchGetSecretValue cannot select. When the
// endpoint does not offer BatchGetSecretValue (an emulator answering
// InvalidAction) or the caller's policy denies it, every item is read with
// GetSecretValue instead, as a policy that grants only GetSecretValue
// expects.
func (s *Store) GetBatch(ctx context.Context, items []store.BatchItem) ([]store.BatchResult, error) {
	out := make([]store.BatchResult, len(items))
	var current []int // indexes of the items BatchGetSecretValue can serve
	for i, it := range items {
		if it.VersionID == "" && (it.Stage == "" || it.Stage == store.StageCurrent) {
			current = append(current, i)
			continue
		}
		out[i].Secret, out[i].Err = s.Get(ctx, it.ID, it.GetOptions)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	bc, ok := s.c.(batchAPI)
	if !ok || s.noBatch.Load() {
		return out, s.getEach(ctx, items, current, out)
	}
	var ids []string // unique, in the order of items
	seen := map[string]bool{}
	for _, i := range current {
		if id := items[i].ID; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	var values []types.SecretValueEntry
	var errs []types.APIErrorType
	for start := 0; start < len(ids); start += store.MaxBatch {
		v, e, err := batch(ctx, bc, ids[start:min(start+store.MaxBatch, len(ids))])
		if err != nil && start == 0 && unsupported(err) {
			s.noBatch.Store(true)
			return out, s.getEach(ctx, items, current, out)
		}
		if err != nil {
			return nil, fail("batch get", "", err)
		}
		values, errs = append(values, v...), append(errs, e...)
	}
	for _, i := range current {
		id := items[i].ID
		if e, ok := findError(errs, id); ok {
			apiErr := &smithy.GenericAPIError{Code: aws.ToString(e.ErrorCode), Message: aws.ToString(e.Message)}
			out[i].Err = fail("get", id, apiErr)
		} else if v, ok := findValue(values, id); ok {
			out[i].Secret = entrySecret(v)
		} else {
			out[i].Err = &store.OpError{Op: "get", Name: id, Err: fmt.Errorf("%w: BatchGetSecretValue returned neither the secret nor an error for it", awsx.ErrAWS)}
		}
	}
	return out, nil
}

func (s *Store) getEach(ctx context.Context, items []store.BatchItem, idx []int, out []store.BatchResult) error {
	for _, i := range idx {
		out[i].Secret, out[i].Err = s.Get(ctx, items[i].ID, store.GetOptions{})
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// batch reads ids (at most MaxBatch) with BatchGetSecretValue, following
// NextToken with the SDK's paginator.
func batch(ctx context.Context, c batchAPI, ids []string) ([]types.SecretValueEntry, []types.APIErrorType, error) {
	var values []types.SecretValueEntry
	var errs []types.APIErrorType
	p := secretsmanager.NewBatchGetSecretValuePaginator(c, &secretsmanager.BatchGetSecretValueInput{SecretIdList: ids})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, nil, err
		}
		values = append(values, page.SecretValues...)
		errs = append(errs, page.Errors...)
	}
	return values, errs, nil
}

// findValue finds the entry for id, which may be a name, a full ARN or a
// partial ARN (an ARN without the 6-character suffix AWS adds).
func findValue(values []types.SecretValueEntry, id string) (types.SecretValueEntry, bool) {
	for _, v := range values {
		arn, name := aws.ToString(v.ARN), aws.ToString(v.Name)
		if id == name || id == arn || (strings.HasPrefix(id, "arn:") && strings.HasPrefix(arn, id+"-") && len(arn) == len(id)+7) {
			return v, true
		}
	}
	return types.SecretValueEntry{}, false
}

func findError(errs []types.APIErrorType, id string) (types.APIErrorType, bool) {
	for _, e := range errs {
		if aws.ToString(e.SecretId) == id {
			return e, true
		}
	}
	return types.APIErrorType{}, false
}

func entrySecret(v types.SecretValueEntry) store.Secret {
	sec := store.Secret{
		ARN:         aws.ToString(v.ARN),
		Name:        aws.ToString(v.Name),
		VersionID:   aws.ToString(v.VersionId),
		Stages:      v.VersionStages,
		CreatedDate: aws.ToTime(v.CreatedDate),
	}
	switch {
	case v.SecretString != nil:
		sec.Value = secret.New(*v.SecretString)
	case v.SecretBinary != nil:
		sec.Value = secret.NewBytes(v.SecretBinary, true)
	}
	return sec
}

// unsupported reports whether a whole BatchGetSecretValue call failed
// because the endpoint lacks the operation or the policy denies it.
func unsupported(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch code := ae.ErrorCode(); {
	case code == "InvalidAction", code == "UnknownOperationException", code == "NotImplemented":
		return true
	case strings.HasPrefix(code, "AccessDenied"):
		return true
	}
	return false
}
