package commands

import (
	"errors"
	"fmt"

	"github.com/secretctl/secretctl/internal/store"
)

// storeErr adds a hint to a store error where one helps. A store error is
// a *store.OpError, which already names the operation and the secret, so it
// is not prefixed again; any other error gets "verb name: ". It never
// carries a value: store errors hold names and codes.
func storeErr(verb, name string, err error) error {
	if err == nil {
		return nil
	}
	hint := ""
	switch {
	case errors.Is(err, store.ErrMarkedForDeletion):
		hint = fmt.Sprintf(" (cancel the deletion with 'secretctl restore %s')", name)
	case errors.Is(err, store.ErrVersionNotFound):
		hint = fmt.Sprintf(" (see 'secretctl versions %s')", name)
	case errors.Is(err, store.ErrNotFound):
		hint = " (see 'secretctl list')"
	case errors.Is(err, store.ErrAccessDenied):
		hint = " (check the IAM policy of the caller)"
	}
	var e error
	var oe *store.OpError
	if errors.As(err, &oe) {
		e = fmt.Errorf("%w%s", err, hint)
	} else {
		subject := verb
		if name != "" {
			subject += " " + name
		}
		e = fmt.Errorf("%s: %w%s", subject, err, hint)
	}
	if errors.Is(err, store.ErrInvalidParameter) {
		return &UsageError{Err: e}
	}
	return e
}
