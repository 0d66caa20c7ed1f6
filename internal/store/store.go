// Package store defines the secret store that every secretctl command works
// through, with the AWS Secrets Manager semantics that both backends follow:
// versions identified by ClientRequestToken, staging labels, recovery
// windows and tags. local.Store (the embedded default) and awssm.Store (AWS
// Secrets Manager) implement it; storetest holds the conformance suite.
package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/secretctl/secretctl/internal/awsx"
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

// Typed errors, tested with errors.Is. They are awsx's, which holds the one
// table between them and AWS error codes; a Store returns them inside an
// *OpError, which shows the code.
var (
	ErrNotFound          = awsx.ErrNotFound          // ResourceNotFoundException
	ErrVersionNotFound   = awsx.ErrVersionNotFound   // ResourceNotFoundException for a version or label; is also ErrNotFound
	ErrExists            = awsx.ErrExists            // ResourceExistsException
	ErrMarkedForDeletion = awsx.ErrMarkedForDeletion // InvalidRequestException (pending deletion)
	ErrInvalidParameter  = awsx.ErrInvalidParameter  // InvalidParameterException
	ErrInvalidRequest    = awsx.ErrInvalidRequest    // InvalidRequestException (other states)
	ErrLimitExceeded     = awsx.ErrLimitExceeded     // LimitExceededException
	ErrAccessDenied      = awsx.ErrAccessDenied      // AccessDeniedException
	ErrDecryption        = awsx.ErrDecryption        // wrong key, DecryptionFailure
)

// OpError is returned by every Store method, in the manner of fs.PathError:
// it names the operation and the secret once, and what it wraps does not
// repeat them.
type OpError struct {
	Op   string // "create", "get", "list versions", ...
	Name string // the secret id as the caller gave it ("" for list)
	Code string // the AWS error code, when there is one
	Err  error  // a typed error such as ErrExists, possibly wrapping more detail
}

// Error gives "op name: kind (Code): detail", e.g.
// "create prod/db: secret already exists (ResourceExistsException)".
func (e *OpError) Error() string {
	subject := e.Op
	if e.Name != "" {
		subject += " " + e.Name
	}
	msg := e.Err.Error()
	if e.Code != "" {
		k := awsx.Kind(e.Err)
		if k != nil && strings.HasPrefix(msg, k.Error()) {
			msg = k.Error() + " (" + e.Code + ")" + msg[len(k.Error()):]
		} else {
			msg += " (" + e.Code + ")"
		}
	}
	return subject + ": " + msg
}

// Unwrap returns Err.
func (e *OpError) Unwrap() error { return e.Err }

// NewOpError wraps err for op on name, taking the code from awsx's table,
// unless err is nil or already an *OpError.
func NewOpError(op, name string, err error) error {
	if err == nil {
		return nil
	}
	var oe *OpError
	if errors.As(err, &oe) {
		return err
	}
	var ae *awsx.APIError
	if errors.As(err, &ae) {
		return &OpError{Op: op, Name: name, Code: ae.Code, Err: ae.Detail()}
	}
	return &OpError{Op: op, Name: name, Code: awsx.Code(err), Err: err}
}

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
