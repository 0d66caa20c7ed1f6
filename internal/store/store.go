// Package store defines the secret store that every secretctl command works
// through, with the AWS Secrets Manager semantics that both backends follow:
// versions identified by ClientRequestToken, staging labels, recovery
// windows and tags. local.Store (the embedded default) and awssm.Store (AWS
// Secrets Manager) implement it; storetest holds the conformance suite.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/secretctl/secretctl/internal/secret"
)

// Staging labels with a meaning of their own.
const (
	StageCurrent  = "AWSCURRENT"
	StagePrevious = "AWSPREVIOUS"
	StagePending  = "AWSPENDING"
)

// Limits from the Secrets Manager API model.
const (
	MaxNameLen        = 512
	MaxValueLen       = 65536
	MaxDescriptionLen = 2048
	MaxTags           = 50
	MaxLabels         = 20
	MinTokenLen       = 32
	MaxTokenLen       = 64
	DefaultRecovery   = 30
	MinRecovery       = 7
	MaxRecovery       = 30
)

// Typed errors. Implementations wrap them (fmt.Errorf("...: %w", ErrNotFound))
// and keep the AWS error code in the message where there is one, so callers
// test with errors.Is and users still see the code.
var (
	ErrNotFound          = errors.New("secret not found")              // ResourceNotFoundException
	ErrExists            = errors.New("secret already exists")         // ResourceExistsException
	ErrMarkedForDeletion = errors.New("secret is marked for deletion") // InvalidRequestException (pending deletion)
	ErrInvalidParameter  = errors.New("invalid parameter")             // InvalidParameterException
	ErrInvalidRequest    = errors.New("invalid request")               // InvalidRequestException (other states)
	ErrLimitExceeded     = errors.New("limit exceeded")                // LimitExceededException
	ErrAccessDenied      = errors.New("access denied")                 // AccessDeniedException
	ErrDecryption        = errors.New("cannot decrypt")                // wrong key, DecryptionFailure
	ErrUnsupported       = errors.New("not supported by this backend") // an operation a backend lacks
)

// Meta is everything about a secret except its values. List and Describe
// return it; it never carries a value.
type Meta struct {
	ARN              string              `json:"arn"`
	Name             string              `json:"name"`
	Description      string              `json:"description,omitempty"`
	KmsKeyID         string              `json:"kmsKeyId,omitempty"`
	Tags             map[string]string   `json:"tags,omitempty"`
	CreatedDate      time.Time           `json:"createdDate"`
	LastChangedDate  *time.Time          `json:"lastChangedDate,omitempty"`
	LastAccessedDate *time.Time          `json:"lastAccessedDate,omitempty"`
	LastRotatedDate  *time.Time          `json:"lastRotatedDate,omitempty"`
	NextRotationDate *time.Time          `json:"nextRotationDate,omitempty"`
	DeletedDate      *time.Time          `json:"deletedDate,omitempty"` // the scheduled deletion date
	RotationEnabled  *bool               `json:"rotationEnabled,omitempty"`
	RotationLambda   string              `json:"rotationLambdaArn,omitempty"`
	RotationRules    *RotationRules      `json:"rotationRules,omitempty"`
	Versions         map[string][]string `json:"versionIdsToStages,omitempty"` // labelled versions only
}

// RotationRules mirrors Secrets Manager's RotationRulesType.
type RotationRules struct {
	AutomaticallyAfterDays int64  `json:"automaticallyAfterDays,omitempty"`
	ScheduleExpression     string `json:"scheduleExpression,omitempty"`
	Duration               string `json:"duration,omitempty"`
}

// CurrentVersion returns the id of the version labelled AWSCURRENT, or "".
func (m Meta) CurrentVersion() string { return m.VersionWith(StageCurrent) }

// VersionWith returns the id of the version carrying label, or "".
func (m Meta) VersionWith(label string) string {
	for id, stages := range m.Versions {
		for _, s := range stages {
			if s == label {
				return id
			}
		}
	}
	return ""
}

// Secret is one version of a secret with its value.
type Secret struct {
	ARN         string       `json:"arn"`
	Name        string       `json:"name"`
	VersionID   string       `json:"versionId"`
	Stages      []string     `json:"stages"`
	CreatedDate time.Time    `json:"createdDate"` // of the version
	Value       secret.Value `json:"value"`
}

// Version describes one version, without its value.
type Version struct {
	VersionID        string     `json:"versionId"`
	Stages           []string   `json:"stages"`
	CreatedDate      time.Time  `json:"createdDate"`
	LastAccessedDate *time.Time `json:"lastAccessedDate,omitempty"`
}

// Ref names a secret, and the version a write created if it created one.
type Ref struct {
	ARN       string   `json:"arn"`
	Name      string   `json:"name"`
	VersionID string   `json:"versionId,omitempty"`
	Stages    []string `json:"stages,omitempty"`
}

// CreateInput is CreateSecret's input. Value may be zero: the secret then has
// no versions until the first Put.
type CreateInput struct {
	Value       secret.Value
	Token       string // ClientRequestToken; generated when empty
	Description string
	KmsKeyID    string
	Tags        map[string]string
}

// PutOptions is PutSecretValue's input besides the value.
type PutOptions struct {
	Token  string   // ClientRequestToken; generated when empty
	Stages []string // labels to attach; empty means AWSCURRENT (AWSPREVIOUS follows)
}

// GetOptions selects a version; both empty means AWSCURRENT. When both are
// given they must name the same version.
type GetOptions struct {
	VersionID string
	Stage     string
}

// UpdateInput changes metadata; nil fields are left as they are.
type UpdateInput struct {
	Description *string
	KmsKeyID    *string
}

// ListOptions filters List. Prefix is a case-sensitive name prefix; every tag
// in Tags must match exactly.
type ListOptions struct {
	Prefix         string
	Tags           map[string]string
	IncludeDeleted bool
}

// DeleteOptions is DeleteSecret's input. RecoveryDays 0 means the default 30.
type DeleteOptions struct {
	RecoveryDays int
	Force        bool
}

// StageMove is UpdateSecretVersionStage's input: set MoveTo to add or move
// Stage, RemoveFrom to take it off a version (required when the label is
// already attached elsewhere).
type StageMove struct {
	Stage      string
	MoveTo     string
	RemoveFrom string
}

// Store is the secret store. Every id argument may be a name, a full ARN or a
// partial ARN. Implementations: local.Store, awssm.Store.
type Store interface {
	Create(ctx context.Context, name string, in CreateInput) (Ref, error)
	Get(ctx context.Context, id string, o GetOptions) (Secret, error)
	Put(ctx context.Context, id string, v secret.Value, o PutOptions) (Ref, error)
	Update(ctx context.Context, id string, in UpdateInput) (Ref, error)
	Describe(ctx context.Context, id string) (Meta, error)
	List(ctx context.Context, o ListOptions) ([]Meta, error)
	Versions(ctx context.Context, id string, includeDeprecated bool) ([]Version, error)
	UpdateStage(ctx context.Context, id string, m StageMove) (Ref, error)
	Delete(ctx context.Context, id string, o DeleteOptions) (Ref, time.Time, error) // returns the deletion date
	Restore(ctx context.Context, id string) (Ref, error)
	Tag(ctx context.Context, id string, tags map[string]string) error
	Untag(ctx context.Context, id string, keys []string) error
}

// ValidateName checks a secret name against the Secrets Manager rules:
// 1-512 characters of A-Za-z0-9/_+=.@-.
func ValidateName(name string) error {
	if name == "" || len(name) > MaxNameLen {
		return fmt.Errorf("%w: a secret name has 1 to %d characters", ErrInvalidParameter, MaxNameLen)
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '/' || r == '_' || r == '+' || r == '=' || r == '.' || r == '@' || r == '-':
		default:
			return fmt.Errorf("%w: invalid character %q in secret name (allowed: letters, digits and /_+=.@-)", ErrInvalidParameter, r)
		}
	}
	return nil
}

// ValidateValue checks a value's size (1 to 65,536 bytes).
func ValidateValue(v secret.Value) error {
	if v.IsZero() {
		return fmt.Errorf("%w: the secret value is empty", ErrInvalidParameter)
	}
	if v.Len() > MaxValueLen {
		return fmt.Errorf("%w: the secret value is %d bytes; the limit is %d", ErrInvalidParameter, v.Len(), MaxValueLen)
	}
	return nil
}
