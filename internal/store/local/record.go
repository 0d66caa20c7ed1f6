package local

import (
	"crypto/rand"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

// Fixed parts of local ARNs: arn:aws:secretsmanager:local:000000000000:secret:<name>-<6 chars>.
const (
	Region    = "local"
	AccountID = "000000000000"
	arnPrefix = "arn:aws:secretsmanager:" + Region + ":" + AccountID + ":secret:"
)

// Limits of the local store beyond the API's.
const (
	maxVersions      = 100            // deprecated versions beyond this are purged...
	minDeprecatedAge = 24 * time.Hour // ...once they are this old, as AWS does
)

// record is one secret as stored: metadata, versions and their labels. The
// functions on it are the semantics of each operation, with no I/O; the
// caller loads a record, applies one, and saves it only on success.
type record struct {
	ARN          string            `json:"arn"`
	Name         string            `json:"name"`
	Description  string            `json:"description,omitempty"`
	KmsKeyID     string            `json:"kmsKeyId,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	Created      time.Time         `json:"created"`
	LastChanged  *time.Time        `json:"lastChanged,omitempty"`
	LastAccessed *time.Time        `json:"lastAccessed,omitempty"`
	LastRotated  *time.Time        `json:"lastRotated,omitempty"`
	Deleted      *time.Time        `json:"deleted,omitempty"` // scheduled deletion date
	Versions     []*version        `json:"versions,omitempty"`
}

// version is one version. Sealed is nil for a version that carries a label
// but has no value yet: AWSPENDING reserved for a rotation before the new
// value is written.
type version struct {
	ID           string     `json:"id"`
	Stages       []string   `json:"stages,omitempty"`
	Created      time.Time  `json:"created"`
	LastAccessed *time.Time `json:"lastAccessed,omitempty"`
	Sealed       []byte     `json:"sealed,omitempty"`
	Binary       bool       `json:"binary,omitempty"`
}

// crypter seals values for a version and compares a value with a sealed one.
type crypter interface {
	seal(arn, versionID string, v secret.Value) ([]byte, error)
	open(arn string, ver *version) (secret.Value, error)
}

func newARN(name string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return arnPrefix + name + "-" + string(b)
}

// partialARN reports whether id is a local ARN without the random suffix,
// and returns the prefix a full ARN would start with (ending in "-").
func partialARN(id string) (string, bool) {
	if !strings.HasPrefix(id, arnPrefix) {
		return "", false
	}
	tail := id[len(arnPrefix):]
	if tail == "" || hasSuffixShape(tail) {
		return "", false
	}
	return id + "-", true
}

// hasSuffixShape reports whether s ends in "-" plus 6 characters, the shape
// of an ARN's random suffix.
func hasSuffixShape(s string) bool {
	return len(s) > 7 && s[len(s)-7] == '-'
}

func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// newRecord is CreateSecret.
func newRecord(name string, in store.CreateInput, now time.Time, c crypter) (*record, store.Ref, error) {
	if err := store.ValidateName(name); err != nil {
		return nil, store.Ref{}, err
	}
	if err := in.Validate(); err != nil {
		return nil, store.Ref{}, err
	}
	r := &record{ARN: newARN(name), Name: name, Description: in.Description, KmsKeyID: in.KmsKeyID,
		Tags: maps.Clone(in.Tags), Created: now, LastChanged: &now}
	ref := store.Ref{ARN: r.ARN, Name: name}
	if !in.Value.IsZero() {
		pr, err := r.put(in.Token, in.Value, nil, now, c)
		if err != nil {
			return nil, store.Ref{}, err
		}
		ref = pr
	}
	return r, ref, nil
}

func (r *record) ref() store.Ref { return store.Ref{ARN: r.ARN, Name: r.Name} }

func (r *record) pendingDeletion() bool { return r.Deleted != nil }

func (r *record) checkLive() error {
	if r.pendingDeletion() {
		return store.ErrMarkedForDeletion
	}
	return nil
}

func (r *record) version(id string) *version {
	for _, v := range r.Versions {
		if v.ID == id {
			return v
		}
	}
	return nil
}

func (r *record) holder(stage string) *version {
	for _, v := range r.Versions {
		if slices.Contains(v.Stages, stage) {
			return v
		}
	}
	return nil
}

func (r *record) hasValue() bool {
	for _, v := range r.Versions {
		if v.Sealed != nil {
			return true
		}
	}
	return false
}

// attach puts stage on v, taking it from whichever version held it. Moving
// AWSCURRENT moves AWSPREVIOUS to the version it left.
func (r *record) attach(v *version, stage string, now time.Time) {
	old := r.holder(stage)
	if old == v {
		return
	}
	if old != nil {
		old.Stages = slices.DeleteFunc(old.Stages, func(s string) bool { return s == stage })
	}
	v.Stages = append(v.Stages, stage)
	if stage == store.StageCurrent && old != nil {
		r.attach(old, store.StagePrevious, now)
	}
}

// checkLabels enforces the per-secret label limit.
func (r *record) checkLabels() error {
	seen := map[string]bool{}
	for _, v := range r.Versions {
		for _, s := range v.Stages {
			seen[s] = true
		}
	}
	if len(seen) > store.MaxLabels {
		return fmt.Errorf("%w: a secret carries at most %d staging labels", store.ErrLimitExceeded, store.MaxLabels)
	}
	return nil
}

// prune drops valueless versions that lost their labels, and deprecated
// versions beyond maxVersions that are older than minDeprecatedAge.
func (r *record) prune(now time.Time) {
	r.Versions = slices.DeleteFunc(r.Versions, func(v *version) bool { return v.Sealed == nil && len(v.Stages) == 0 })
	excess := len(r.Versions) - maxVersions
	if excess <= 0 {
		return
	}
	r.Versions = slices.DeleteFunc(r.Versions, func(v *version) bool {
		if excess > 0 && len(v.Stages) == 0 && now.Sub(v.Created) >= minDeprecatedAge {
			excess--
			return true
		}
		return false
	})
}

// put is PutSecretValue (and the value part of CreateSecret).
func (r *record) put(token string, v secret.Value, stages []string, now time.Time, c crypter) (store.Ref, error) {
	if err := r.checkLive(); err != nil {
		return store.Ref{}, err
	}
	if err := store.ValidateValue(v); err != nil {
		return store.Ref{}, err
	}
	if err := (store.PutOptions{Token: token, Stages: stages}).Validate(); err != nil {
		return store.Ref{}, err
	}
	if token == "" {
		token = uuid.NewString()
	}
	ver := r.version(token)
	if ver != nil && ver.Sealed != nil {
		old, err := c.open(r.ARN, ver)
		if err != nil {
			return store.Ref{}, err
		}
		if !old.Equal(v) {
			return store.Ref{}, fmt.Errorf("%w: ClientRequestToken %s is already in use for a version with another value", store.ErrExists, token)
		}
		ref := r.ref()
		ref.VersionID, ref.Stages = ver.ID, slices.Clone(ver.Stages)
		return ref, nil // the same request again: nothing to do
	}
	first := !r.hasValue()
	sealed, err := c.seal(r.ARN, token, v)
	if err != nil {
		return store.Ref{}, err
	}
	if ver == nil {
		ver = &version{ID: token, Created: now}
		r.Versions = append(r.Versions, ver)
	}
	ver.Sealed, ver.Binary = sealed, v.IsBinary()
	if len(stages) == 0 {
		stages = []string{store.StageCurrent}
	}
	if first && !slices.Contains(stages, store.StageCurrent) {
		stages = append(slices.Clone(stages), store.StageCurrent)
	}
	for _, s := range stages {
		r.attach(ver, s, now)
	}
	if err := r.checkLabels(); err != nil {
		return store.Ref{}, err
	}
	r.LastChanged = &now
	r.prune(now)
	ref := r.ref()
	ref.VersionID, ref.Stages = ver.ID, slices.Clone(ver.Stages)
	return ref, nil
}

// get selects the version GetSecretValue reads and marks it accessed.
func (r *record) get(o store.GetOptions, now time.Time) (*version, error) {
	if err := r.checkLive(); err != nil {
		return nil, err
	}
	stage := o.Stage
	if o.VersionID == "" && stage == "" {
		stage = store.StageCurrent
	}
	var ver *version
	if o.VersionID != "" {
		ver = r.version(o.VersionID)
		if ver == nil || ver.Sealed == nil {
			return nil, store.ErrVersionNotFound
		}
		if stage != "" && !slices.Contains(ver.Stages, stage) {
			return nil, store.ErrVersionNotFound
		}
	} else {
		ver = r.holder(stage)
		if ver == nil || ver.Sealed == nil {
			return nil, store.ErrVersionNotFound
		}
	}
	d := day(now)
	r.LastAccessed, ver.LastAccessed = &d, &d
	return ver, nil
}

// update is UpdateSecret's metadata part.
func (r *record) update(in store.UpdateInput, now time.Time) error {
	if err := r.checkLive(); err != nil {
		return err
	}
	if in.Description != nil {
		if err := in.Validate(); err != nil {
			return err
		}
		r.Description = *in.Description
	}
	if in.KmsKeyID != nil {
		r.KmsKeyID = *in.KmsKeyID
	}
	r.LastChanged = &now
	return nil
}

// updateStage is UpdateSecretVersionStage. MoveTo may name a version that
// does not exist yet only for AWSPENDING: that reserves the version id for a
// value a rotation writes later (what RotateSecret does in AWS).
func (r *record) updateStage(m store.StageMove, now time.Time) error {
	if err := r.checkLive(); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	holder := r.holder(m.Stage)
	if m.RemoveFrom != "" && r.version(m.RemoveFrom) == nil {
		return store.ErrVersionNotFound
	}
	if m.MoveTo == "" {
		if holder == nil || holder.ID != m.RemoveFrom {
			return fmt.Errorf("%w: staging label %s is not attached to version %s", store.ErrInvalidParameter, m.Stage, m.RemoveFrom)
		}
		if m.Stage == store.StageCurrent {
			return fmt.Errorf("%w: AWSCURRENT can only be moved to another version, not removed", store.ErrInvalidParameter)
		}
		holder.Stages = slices.DeleteFunc(holder.Stages, func(s string) bool { return s == m.Stage })
		r.LastChanged = &now
		r.prune(now)
		return nil
	}
	target := r.version(m.MoveTo)
	if target == nil {
		if m.Stage != store.StagePending {
			return store.ErrVersionNotFound
		}
		if err := store.ValidateToken(m.MoveTo); err != nil {
			return err
		}
	}
	if holder != nil && holder.ID != m.MoveTo {
		if m.RemoveFrom == "" {
			return fmt.Errorf("%w: the parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId", store.ErrInvalidParameter, m.Stage, holder.ID)
		}
		if m.RemoveFrom != holder.ID {
			return fmt.Errorf("%w: RemoveFromVersionId must be set to the version that currently has the staging label %s (%s)", store.ErrInvalidParameter, m.Stage, holder.ID)
		}
	} else if holder == nil && m.RemoveFrom != "" {
		return fmt.Errorf("%w: staging label %s is not attached to version %s", store.ErrInvalidParameter, m.Stage, m.RemoveFrom)
	}
	if target == nil {
		target = &version{ID: m.MoveTo, Created: now}
		r.Versions = append(r.Versions, target)
	}
	if m.Stage == store.StageCurrent && target.Sealed == nil {
		return fmt.Errorf("%w: version %s has no value and cannot become AWSCURRENT", store.ErrInvalidRequest, target.ID)
	}
	moved := holder != target
	r.attach(target, m.Stage, now)
	if err := r.checkLabels(); err != nil {
		return err
	}
	r.LastChanged = &now
	if m.Stage == store.StageCurrent && moved {
		r.LastRotated = &now
	}
	r.prune(now)
	return nil
}

func (r *record) tag(tags map[string]string, now time.Time) error {
	if err := r.checkLive(); err != nil {
		return err
	}
	merged := maps.Clone(r.Tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tags)
	if err := store.ValidateTags(merged); err != nil {
		return err
	}
	r.Tags = merged
	r.LastChanged = &now
	return nil
}

func (r *record) untag(keys []string, now time.Time) error {
	if err := r.checkLive(); err != nil {
		return err
	}
	for _, k := range keys {
		if err := store.ValidateTagKey(k); err != nil {
			return err
		}
	}
	for _, k := range keys {
		delete(r.Tags, k)
	}
	r.LastChanged = &now
	return nil
}

// scheduleDeletion is DeleteSecret with a recovery window.
func (r *record) scheduleDeletion(days int, now time.Time) (time.Time, error) {
	if r.pendingDeletion() {
		return time.Time{}, store.ErrMarkedForDeletion
	}
	when := now.Add(time.Duration(days) * 24 * time.Hour)
	r.Deleted = &when
	r.LastChanged = &now
	return when, nil
}

func (r *record) restore(now time.Time) {
	if r.Deleted != nil {
		r.Deleted = nil
		r.LastChanged = &now
	}
}

// meta is DescribeSecret's view: labelled versions only, never a value.
func (r *record) meta() store.Meta {
	m := store.Meta{ARN: r.ARN, Name: r.Name, Description: r.Description, KmsKeyID: r.KmsKeyID,
		CreatedDate: r.Created, LastChangedDate: r.LastChanged, LastAccessedDate: r.LastAccessed,
		LastRotatedDate: r.LastRotated, DeletedDate: r.Deleted}
	if len(r.Tags) > 0 {
		m.Tags = maps.Clone(r.Tags)
	}
	for _, v := range r.Versions {
		if len(v.Stages) == 0 {
			continue
		}
		if m.Versions == nil {
			m.Versions = map[string][]string{}
		}
		m.Versions[v.ID] = slices.Clone(v.Stages)
	}
	return m
}

// versionList is ListSecretVersionIds, newest first.
func (r *record) versionList(includeDeprecated bool) []store.Version {
	out := []store.Version{}
	for i := len(r.Versions) - 1; i >= 0; i-- {
		v := r.Versions[i]
		if len(v.Stages) == 0 && !includeDeprecated {
			continue
		}
		out = append(out, store.Version{VersionID: v.ID, Stages: slices.Clone(v.Stages), CreatedDate: v.Created, LastAccessedDate: v.LastAccessed})
	}
	return out
}

func matchesTags(r *record, tags map[string]string) bool {
	for k, v := range tags {
		if got, ok := r.Tags[k]; !ok || got != v {
			return false
		}
	}
	return true
}
