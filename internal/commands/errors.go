package commands

import (
	"errors"
	"fmt"

	"github.com/secretctl/secretctl/internal/store"
)

// storeErr turns a store error into "verb name: reason", with a hint where
// one helps. It never carries a value: store errors hold names and codes.
func storeErr(verb, name string, err error) error {
	if err == nil {
		return nil
	}
	hint := ""
	switch {
	case errors.Is(err, store.ErrMarkedForDeletion):
		hint = fmt.Sprintf(" (cancel the deletion with 'secretctl restore %s')", name)
	case errors.Is(err, store.ErrNotFound):
		hint = " (see 'secretctl list')"
	case errors.Is(err, store.ErrAccessDenied):
		hint = " (check the IAM policy of the caller)"
	}
	subject := verb
	if name != "" {
		subject += " " + name
	}
	e := fmt.Errorf("%s: %w%s", subject, err, hint)
	if errors.Is(err, store.ErrInvalidParameter) {
		return &UsageError{Err: e}
	}
	return e
}
