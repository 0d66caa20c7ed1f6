package serve

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

// call is one decoded request on its way to the store.
type call struct {
	ctx  context.Context
	h    *Handler
	body []byte
}

func (h *Handler) operations() map[string]func(*call) (any, error) {
	return map[string]func(*call) (any, error){
		"CreateSecret":             opCreate,
		"GetSecretValue":           opGet,
		"BatchGetSecretValue":      opBatchGet,
		"PutSecretValue":           opPut,
		"UpdateSecret":             opUpdate,
		"DescribeSecret":           opDescribe,
		"ListSecrets":              opList,
		"ListSecretVersionIds":     opVersions,
		"UpdateSecretVersionStage": opUpdateStage,
		"DeleteSecret":             opDelete,
		"RestoreSecret":            opRestore,
		"TagResource":              opTag,
		"UntagResource":            opUntag,
		"GetRandomPassword":        opRandomPassword,
		"RotateSecret":             opRotate,
		"CancelRotateSecret":       opCancelRotate,
	}
}

// Operations lists the operations the Handler answers, sorted.
func Operations() []string {
	var names []string
	for k := range (&Handler{}).operations() {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func (c *call) st() store.Store { return c.h.opts.Store }

func secretID(p *string) (string, error) {
	if p == nil || *p == "" {
		return "", errInvalidParameter("You must provide a value for the SecretId parameter.")
	}
	return *p, nil
}

// value is the SecretString or SecretBinary of a request; zero if neither.
func value(s *string, b []byte) (secret.Value, error) {
	switch {
	case s != nil && b != nil:
		return secret.Value{}, errInvalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.")
	case s != nil:
		if *s == "" {
			return secret.Value{}, errInvalidParameter("You must provide a value for the SecretString parameter with at least 1 character.")
		}
		return secret.New(*s), nil
	case b != nil:
		if len(b) == 0 {
			return secret.Value{}, errInvalidParameter("You must provide a value for the SecretBinary parameter with at least 1 byte.")
		}
		return secret.NewBytes(b, true), nil
	}
	return secret.Value{}, nil
}

func tagMap(tags []wireTag) (map[string]string, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if t.Key == nil {
			return nil, errInvalidParameter("A tag needs a Key.")
		}
		m[*t.Key] = str(t.Value)
	}
	return m, nil
}

func wireTags(m map[string]string) []wireTag {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]wireTag, 0, len(keys))
	for _, k := range keys {
		out = append(out, wireTag{Key: &k, Value: new(m[k])})
	}
	return out
}

func opCreate(c *call) (any, error) {
	var in createSecretInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.Name == nil {
		return nil, errInvalidParameter("You must provide a value for the Name parameter.")
	}
	if len(in.AddReplicaRegions) > 0 {
		return nil, errInvalidRequest("Replication to other regions is not available on secretctl serve.")
	}
	v, err := value(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	ref, err := c.st().Create(c.ctx, *in.Name, store.CreateInput{
		Value: v, Token: str(in.ClientRequestToken), Description: str(in.Description), KmsKeyID: str(in.KmsKeyId), Tags: tags,
	})
	if err != nil {
		return nil, err
	}
	return createSecretOutput{ARN: ref.ARN, Name: ref.Name, VersionId: ref.VersionID}, nil
}

func valueEntry(s store.Secret) secretValueEntry {
	e := secretValueEntry{ARN: s.ARN, Name: s.Name, VersionId: s.VersionID, VersionStages: s.Stages, CreatedDate: epochOf(s.CreatedDate)}
	if s.Value.IsBinary() {
		e.SecretBinary = s.Value.Reveal()
	} else {
		e.SecretString = new(s.Value.RevealString())
	}
	if e.VersionStages == nil {
		e.VersionStages = []string{}
	}
	return e
}

func opGet(c *call) (any, error) {
	var in getSecretValueInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	o := store.GetOptions{VersionID: str(in.VersionId), Stage: str(in.VersionStage)}
	var s store.Secret
	if c.h.reader != nil {
		caller, _ := store.CallerFrom(c.ctx)
		s, err = c.h.reader.get(c.ctx, caller, store.BatchItem{ID: id, GetOptions: o})
	} else {
		s, err = c.st().Get(c.ctx, id, o)
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) && versionNotFound(err) {
			msg := "Secrets Manager can't find the specified secret value for staging label: " + cmp.Or(str(in.VersionStage), store.StageCurrent)
			if in.VersionId != nil {
				msg = "Secrets Manager can't find the specified secret value for VersionId: " + *in.VersionId
			}
			return nil, &apiError{http.StatusBadRequest, "ResourceNotFoundException", msg}
		}
		return nil, err
	}
	return valueEntry(s), nil
}

func opBatchGet(c *call) (any, error) {
	var in batchGetSecretValueInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	ids, next, err := batchIDs(c, in)
	if err != nil {
		return nil, err
	}
	out := batchGetSecretValueOutput{SecretValues: []secretValueEntry{}, Errors: []apiErrorEntry{}, NextToken: next}
	items := make([]store.BatchItem, len(ids))
	for i, id := range ids {
		items[i] = store.BatchItem{ID: id}
	}
	// One transaction on the local store (store.BatchGetter), one
	// GetSecretValue audit record per secret, as CloudTrail logs it.
	res, err := store.GetBatch(c.ctx, c.st(), items)
	if err != nil {
		return nil, err
	}
	for i, r := range res {
		if r.Err != nil {
			ae := toAPI("GetSecretValue", r.Err)
			out.Errors = append(out.Errors, apiErrorEntry{SecretId: ids[i], ErrorCode: ae.Code, Message: ae.Message})
			continue
		}
		out.SecretValues = append(out.SecretValues, valueEntry(r.Secret))
	}
	return out, nil
}

func batchIDs(c *call, in batchGetSecretValueInput) ([]string, string, error) {
	switch {
	case len(in.SecretIdList) > 0 && len(in.Filters) > 0:
		return nil, "", errInvalidParameter("Either SecretIdList or Filters must be provided, but not both.")
	case len(in.SecretIdList) > 0:
		if in.MaxResults != nil {
			return nil, "", errInvalidParameter("MaxResults can only be used with Filters.")
		}
		if len(in.SecretIdList) > store.MaxBatch {
			return nil, "", errInvalidParameter("SecretIdList can hold at most 20 secret ids.")
		}
		return in.SecretIdList, "", nil
	case len(in.Filters) > 0:
		max, err := pageSize(in.MaxResults, 20)
		if err != nil {
			return nil, "", err
		}
		metas, next, err := listPage(c, in.Filters, false, max, str(in.NextToken), "")
		if err != nil {
			return nil, "", err
		}
		ids := make([]string, len(metas))
		for i, m := range metas {
			ids[i] = m.ARN
		}
		return ids, next, nil
	}
	return nil, "", errInvalidParameter("Either SecretIdList or Filters must be provided.")
}

func opPut(c *call) (any, error) {
	var in putSecretValueInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	v, err := value(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	if v.IsZero() {
		return nil, errInvalidParameter("You must provide either SecretString or SecretBinary.")
	}
	if in.VersionStages != nil && len(in.VersionStages) == 0 {
		return nil, errInvalidParameter("VersionStages must hold 1 to 20 staging labels.")
	}
	ref, err := c.st().Put(c.ctx, id, v, store.PutOptions{Token: str(in.ClientRequestToken), Stages: in.VersionStages})
	if err != nil {
		return nil, err
	}
	stages := ref.Stages
	if stages == nil {
		stages = []string{}
	}
	return putSecretValueOutput{ARN: ref.ARN, Name: ref.Name, VersionId: ref.VersionID, VersionStages: stages}, nil
}

func opUpdate(c *call) (any, error) {
	var in updateSecretInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	v, err := value(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	var ref store.Ref
	if in.Description != nil || in.KmsKeyId != nil {
		if ref, err = c.st().Update(c.ctx, id, store.UpdateInput{Description: in.Description, KmsKeyID: in.KmsKeyId}); err != nil {
			return nil, err
		}
	}
	if !v.IsZero() {
		tok := str(in.ClientRequestToken)
		if tok != "" {
			// Unlike PutSecretValue, UpdateSecret never accepts a token that
			// names an existing version, even with the same value.
			vs, err := c.st().Versions(c.ctx, id, true)
			if err != nil {
				return nil, err
			}
			for _, ver := range vs {
				if ver.VersionID == tok {
					return nil, &apiError{400, "ResourceExistsException", fmt.Sprintf("You can't use ClientRequestToken %s because that value is already in use for a version of this secret.", tok)}
				}
			}
		}
		if ref, err = c.st().Put(c.ctx, id, v, store.PutOptions{Token: tok}); err != nil {
			return nil, err
		}
	}
	if ref.ARN == "" {
		m, err := c.st().Describe(c.ctx, id)
		if err != nil {
			return nil, err
		}
		ref = store.Ref{ARN: m.ARN, Name: m.Name}
	}
	return refOutput{ARN: ref.ARN, Name: ref.Name, VersionId: ref.VersionID}, nil
}

func rules(r *store.RotationRules) *wireRotationRules {
	if r == nil {
		return nil
	}
	w := &wireRotationRules{}
	if r.AutomaticallyAfterDays > 0 {
		w.AutomaticallyAfterDays = new(r.AutomaticallyAfterDays)
	}
	if r.ScheduleExpression != "" {
		w.ScheduleExpression = new(r.ScheduleExpression)
	}
	if r.Duration != "" {
		w.Duration = new(r.Duration)
	}
	return w
}

func describeOutput(m store.Meta) describeSecretOutput {
	out := describeSecretOutput{
		ARN: m.ARN, Name: m.Name, Description: m.Description, KmsKeyId: m.KmsKeyID,
		RotationEnabled: m.RotationEnabled, RotationLambdaARN: m.RotationLambda, RotationRules: rules(m.RotationRules),
		LastRotatedDate: epochPtr(m.LastRotatedDate), LastChangedDate: epochPtr(m.LastChangedDate),
		LastAccessedDate: epochPtr(m.LastAccessedDate), DeletedDate: epochPtr(m.DeletedDate),
		NextRotationDate: epochPtr(m.NextRotationDate), VersionIdsToStages: m.Versions, CreatedDate: epochOf(m.CreatedDate),
	}
	if len(m.Tags) > 0 {
		out.Tags = wireTags(m.Tags)
	}
	return out
}

func opDescribe(c *call) (any, error) {
	var in secretIDInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	m, err := c.st().Describe(c.ctx, id)
	if err != nil {
		return nil, err
	}
	return describeOutput(m), nil
}

func opList(c *call) (any, error) {
	var in listSecretsInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	max, err := pageSize(in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	metas, next, err := listPage(c, in.Filters, boolean(in.IncludePlannedDeletion), max, str(in.NextToken), str(in.SortOrder))
	if err != nil {
		return nil, err
	}
	out := listSecretsOutput{SecretList: []secretListEntry{}, NextToken: next}
	for _, m := range metas {
		d := describeOutput(m)
		out.SecretList = append(out.SecretList, secretListEntry{
			ARN: d.ARN, Name: d.Name, Description: d.Description, KmsKeyId: d.KmsKeyId,
			RotationEnabled: d.RotationEnabled, RotationLambdaARN: d.RotationLambdaARN, RotationRules: d.RotationRules,
			LastRotatedDate: d.LastRotatedDate, LastChangedDate: d.LastChangedDate, LastAccessedDate: d.LastAccessedDate,
			DeletedDate: d.DeletedDate, NextRotationDate: d.NextRotationDate, Tags: d.Tags,
			SecretVersionsToStages: d.VersionIdsToStages, CreatedDate: d.CreatedDate,
		})
	}
	return out, nil
}

// listPage lists the store, applies the filters and returns one page.
func listPage(c *call, filters []wireFilter, includeDeleted bool, max int, token, order string) ([]store.Meta, string, error) {
	fs, err := parseFilters(filters)
	if err != nil {
		return nil, "", err
	}
	if order != "" && order != "asc" && order != "desc" {
		return nil, "", errInvalidParameter("SortOrder must be asc or desc.")
	}
	all, err := c.st().List(c.ctx, store.ListOptions{Prefix: fs.namePrefix(), IncludeDeleted: includeDeleted})
	if err != nil {
		return nil, "", err
	}
	matched := fs.apply(all)
	sortMetas(matched, order)
	return page(matched, max, token)
}

func opVersions(c *call) (any, error) {
	var in listSecretVersionIdsInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	max, err := pageSize(in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	m, err := c.st().Describe(c.ctx, id)
	if err != nil {
		return nil, err
	}
	vs, err := c.st().Versions(c.ctx, m.ARN, boolean(in.IncludeDeprecated))
	if err != nil {
		return nil, err
	}
	vs, next, err := page(vs, max, str(in.NextToken))
	if err != nil {
		return nil, err
	}
	out := listSecretVersionIdsOutput{Versions: []versionEntry{}, NextToken: next, ARN: m.ARN, Name: m.Name}
	for _, v := range vs {
		out.Versions = append(out.Versions, versionEntry{VersionId: v.VersionID, VersionStages: v.Stages,
			LastAccessedDate: epochPtr(v.LastAccessedDate), CreatedDate: epochOf(v.CreatedDate)})
	}
	return out, nil
}

func opUpdateStage(c *call) (any, error) {
	var in updateSecretVersionStageInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	if str(in.VersionStage) == "" {
		return nil, errInvalidParameter("You must provide a value for the VersionStage parameter.")
	}
	ref, err := c.st().UpdateStage(c.ctx, id, store.StageMove{Stage: *in.VersionStage, MoveTo: str(in.MoveToVersionId), RemoveFrom: str(in.RemoveFromVersionId)})
	if err != nil {
		return nil, err
	}
	return refOutput{ARN: ref.ARN, Name: ref.Name}, nil
}

func opDelete(c *call) (any, error) {
	var in deleteSecretInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	o := store.DeleteOptions{Force: boolean(in.ForceDeleteWithoutRecovery)}
	if in.RecoveryWindowInDays != nil {
		// A window AWS was given is never DeleteOptions' 0 (the default): an
		// explicit 0, or one too large for an int, is out of range.
		o.RecoveryDays = -1
		if d := *in.RecoveryWindowInDays; d != 0 && d >= math.MinInt32 && d <= math.MaxInt32 {
			o.RecoveryDays = int(d)
		}
	}
	// store.DeleteOptions.Validate holds the rules; AWS checks the window
	// alone first, then the window with force, each with its own message.
	if (store.DeleteOptions{RecoveryDays: o.RecoveryDays}).Validate() != nil {
		return nil, errInvalidParameter(fmt.Sprintf("The RecoveryWindowInDays value must be between %d and %d days (inclusive).", store.MinRecovery, store.MaxRecovery))
	}
	if o.Validate() != nil {
		return nil, errInvalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	}
	ref, when, err := c.st().Delete(c.ctx, id, o)
	if err != nil {
		return nil, err
	}
	return deleteSecretOutput{ARN: ref.ARN, Name: ref.Name, DeletionDate: epochOf(when)}, nil
}

func opRestore(c *call) (any, error) {
	var in secretIDInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	ref, err := c.st().Restore(c.ctx, id)
	if err != nil {
		return nil, err
	}
	return refOutput{ARN: ref.ARN, Name: ref.Name}, nil
}

func opTag(c *call) (any, error) {
	var in tagResourceInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, errInvalidParameter("You must provide a value for the Tags parameter.")
	}
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	if err := c.st().Tag(c.ctx, id, tags); err != nil {
		return nil, err
	}
	return empty{}, nil
}

func opUntag(c *call) (any, error) {
	var in untagResourceInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, errInvalidParameter("You must provide a value for the TagKeys parameter.")
	}
	if err := c.st().Untag(c.ctx, id, in.TagKeys); err != nil {
		return nil, err
	}
	return empty{}, nil
}

func opRandomPassword(c *call) (any, error) {
	var in getRandomPasswordInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	o := secret.DefaultPasswordOptions()
	if in.PasswordLength != nil {
		if *in.PasswordLength < 1 || *in.PasswordLength > 4096 {
			return nil, errInvalidParameter("PasswordLength must be between 1 and 4096.")
		}
		o.Length = int(*in.PasswordLength)
	}
	o.ExcludeCharacters = str(in.ExcludeCharacters)
	o.ExcludeNumbers, o.ExcludePunctuation = boolean(in.ExcludeNumbers), boolean(in.ExcludePunctuation)
	o.ExcludeUppercase, o.ExcludeLowercase = boolean(in.ExcludeUppercase), boolean(in.ExcludeLowercase)
	o.IncludeSpace = boolean(in.IncludeSpace)
	if in.RequireEachIncludedType != nil {
		o.RequireEachIncludedType = *in.RequireEachIncludedType
	}
	v, err := secret.RandomPassword(o)
	if err != nil {
		return nil, errInvalidParameter(message(err))
	}
	return getRandomPasswordOutput{RandomPassword: v.RevealString()}, nil
}

func opRotate(c *call) (any, error) {
	var in rotateSecretInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	if str(in.RotationLambdaARN) != "" {
		return nil, errInvalidRequest("secretctl serve runs the client-side rotator set with `secretctl rotation set`; it cannot invoke a Lambda function.")
	}
	if in.RotationRules != nil {
		return nil, errInvalidParameter("Set the rotation schedule with `secretctl rotation set`; RotateSecret on secretctl serve rotates now with the configured rotator.")
	}
	var version string
	if in.RotateImmediately == nil || *in.RotateImmediately {
		res, err := c.h.opts.Rotate.Rotate(c.ctx, id)
		if err != nil {
			return nil, rotationError(err)
		}
		version = res.VersionID
	}
	m, err := c.st().Describe(c.ctx, id)
	if err != nil {
		return nil, err
	}
	return refOutput{ARN: m.ARN, Name: m.Name, VersionId: version}, nil
}

// rotationError keeps the rotator's reason (which never quotes a value)
// for failures that are not store errors, such as a database refusing the
// new password.
func rotationError(err error) error {
	if ae := toAPI("RotateSecret", err); ae.Code != "InternalServiceError" {
		return ae
	}
	return errInvalidRequest(message(fmt.Errorf("%w: %s", store.ErrInvalidRequest, oneLine(err.Error()))))
}

func opCancelRotate(c *call) (any, error) {
	var in secretIDInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	id, err := secretID(in.SecretId)
	if err != nil {
		return nil, err
	}
	pend, err := c.h.opts.Rotate.Cancel(c.ctx, id, false)
	if err != nil {
		return nil, rotationError(err)
	}
	m, err := c.st().Describe(c.ctx, id)
	if err != nil {
		return nil, err
	}
	return refOutput{ARN: m.ARN, Name: m.Name, VersionId: pend}, nil
}
