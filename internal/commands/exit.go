package commands

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// ErrFindings is returned after a report was written that contains
// findings or failed checks: exit status 1.
var ErrFindings = errors.New("findings reported")

// ExitError carries a specific exit status, for `scan --exit-code N`.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// UsageError is a problem with the command line: exit status 2 with a hint.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// usageErrorf builds a *UsageError.
func usageErrorf(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if errors.Is(err, ErrFindings) {
		return 1
	}
	return 2
}

// exactArgs, maxArgs and rangeArgs are cobra argument validators that
// return *UsageError.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			if len(args) < n {
				return usageErrorf("%s: missing %s", cmdName(cmd), names)
			}
			return usageErrorf("%s: too many arguments (want %s)", cmdName(cmd), names)
		}
		return nil
	}
}

func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usageErrorf("%s: takes at most %d argument(s), got %d", cmdName(cmd), n, len(args))
		}
		return nil
	}
}

func minArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return usageErrorf("%s: missing %s", cmdName(cmd), names)
		}
		return nil
	}
}
