package store

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/secretctl/secretctl/internal/secret"
)

// Limits on labels and tags from the Secrets Manager API model.
const (
	MaxStageLen    = 256
	MaxTagKeyLen   = 128
	MaxTagValueLen = 256
)

// The checks below are the client-side half of the Secrets Manager input
// rules (docs/semantics.md, "Limits"). Both backends call them before they
// do anything, so a bad input gives the same error on each. Lengths count
// characters, as the API model does, not bytes.

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

// ValidateValue checks a value's size (1 to 65,536 bytes), and that a
// string value is UTF-8.
func ValidateValue(v secret.Value) error {
	if v.IsZero() {
		return fmt.Errorf("%w: the secret value is empty", ErrInvalidParameter)
	}
	if v.Len() > MaxValueLen {
		return fmt.Errorf("%w: the secret value is %d bytes; the limit is %d", ErrInvalidParameter, v.Len(), MaxValueLen)
	}
	if !v.IsBinary() && !utf8.Valid(v.Reveal()) {
		// SecretString is UTF-8 text: AWS would replace the other bytes.
		return fmt.Errorf("%w: the secret value is not UTF-8 text; store it as binary (SecretBinary)", ErrInvalidParameter)
	}
	return nil
}

// ValidateToken checks a ClientRequestToken (a version id): 32 to 64
// characters. The empty token, which means "generate one", is not valid here.
func ValidateToken(tok string) error {
	if n := utf8.RuneCountInString(tok); n < MinTokenLen || n > MaxTokenLen {
		return fmt.Errorf("%w: a ClientRequestToken has %d to %d characters", ErrInvalidParameter, MinTokenLen, MaxTokenLen)
	}
	return nil
}

// ValidateStage checks a staging label: 1 to 256 characters.
func ValidateStage(s string) error {
	if s == "" || utf8.RuneCountInString(s) > MaxStageLen {
		return fmt.Errorf("%w: a staging label has 1 to %d characters", ErrInvalidParameter, MaxStageLen)
	}
	return nil
}

// ValidateStages checks the labels of one request: at most 20, each valid.
func ValidateStages(stages []string) error {
	if len(stages) > MaxLabels {
		return fmt.Errorf("%w: at most %d staging labels", ErrInvalidParameter, MaxLabels)
	}
	for _, s := range stages {
		if err := ValidateStage(s); err != nil {
			return err
		}
	}
	return nil
}

func validateDescription(d string) error {
	if utf8.RuneCountInString(d) > MaxDescriptionLen {
		return fmt.Errorf("%w: a description has at most %d characters", ErrInvalidParameter, MaxDescriptionLen)
	}
	return nil
}

// ValidateTagKey checks a tag key: 1 to 128 characters, not starting with
// the reserved "aws:".
func ValidateTagKey(k string) error {
	if k == "" || utf8.RuneCountInString(k) > MaxTagKeyLen {
		return fmt.Errorf("%w: a tag key has 1 to %d characters", ErrInvalidParameter, MaxTagKeyLen)
	}
	if strings.HasPrefix(strings.ToLower(k), "aws:") {
		return fmt.Errorf("%w: tag key %q: the aws: prefix is reserved", ErrInvalidParameter, k)
	}
	return nil
}

// ValidateTags checks a set of tags: at most 50, each key valid and each
// value at most 256 characters.
func ValidateTags(tags map[string]string) error {
	if len(tags) > MaxTags {
		return fmt.Errorf("%w: a secret has at most %d tags", ErrInvalidParameter, MaxTags)
	}
	for k, v := range tags {
		if err := ValidateTagKey(k); err != nil {
			return err
		}
		if utf8.RuneCountInString(v) > MaxTagValueLen {
			return fmt.Errorf("%w: the value of tag %q is longer than %d characters", ErrInvalidParameter, k, MaxTagValueLen)
		}
	}
	return nil
}

// Validate checks the input of CreateSecret besides the name (ValidateName).
// A zero Value and an empty Token are valid.
func (in CreateInput) Validate() error {
	if !in.Value.IsZero() {
		if err := ValidateValue(in.Value); err != nil {
			return err
		}
	}
	if in.Token != "" {
		if err := ValidateToken(in.Token); err != nil {
			return err
		}
	}
	if err := validateDescription(in.Description); err != nil {
		return err
	}
	return ValidateTags(in.Tags)
}

// Validate checks PutSecretValue's options; an empty Token is valid.
func (o PutOptions) Validate() error {
	if o.Token != "" {
		if err := ValidateToken(o.Token); err != nil {
			return err
		}
	}
	return ValidateStages(o.Stages)
}

// Validate checks UpdateSecret's input.
func (in UpdateInput) Validate() error {
	if in.Description != nil {
		return validateDescription(*in.Description)
	}
	return nil
}

// Validate checks DeleteSecret's options: a recovery window of 7 to 30
// days, or Force, not both.
func (o DeleteOptions) Validate() error {
	if o.Force {
		if o.RecoveryDays != 0 {
			return fmt.Errorf("%w: a recovery window and force delete exclude each other", ErrInvalidParameter)
		}
		return nil
	}
	if d := o.Days(); d < MinRecovery || d > MaxRecovery {
		return fmt.Errorf("%w: the recovery window is %d to %d days, not %d", ErrInvalidParameter, MinRecovery, MaxRecovery, d)
	}
	return nil
}

// Days returns the recovery window in days: RecoveryDays, or the default
// when it is 0.
func (o DeleteOptions) Days() int {
	if o.RecoveryDays == 0 {
		return DefaultRecovery
	}
	return o.RecoveryDays
}

// Validate checks UpdateSecretVersionStage's input: a valid label and a
// version to move it to or remove it from.
func (m StageMove) Validate() error {
	if err := ValidateStage(m.Stage); err != nil {
		return err
	}
	if m.MoveTo == "" && m.RemoveFrom == "" {
		return fmt.Errorf("%w: give a version to move %s to or remove it from", ErrInvalidParameter, m.Stage)
	}
	return nil
}
