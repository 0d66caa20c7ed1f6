package awsx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Typed errors for the failures Secrets Manager reports. They live here, at
// the bottom of the import graph, next to the table that maps them to AWS
// error codes; package store re-exports them (store.ErrNotFound is
// ErrNotFound), so both backends and every caller share one set.
var (
	ErrNotFound          = errors.New("secret not found")
	ErrVersionNotFound   = &kindError{"version not found", ErrNotFound} // is also ErrNotFound
	ErrExists            = errors.New("secret already exists")
	ErrMarkedForDeletion = errors.New("secret is marked for deletion")
	ErrInvalidParameter  = errors.New("invalid parameter")
	ErrInvalidRequest    = errors.New("invalid request")
	ErrLimitExceeded     = errors.New("limit exceeded")
	ErrAccessDenied      = errors.New("access denied")
	ErrDecryption        = errors.New("cannot decrypt")
)

// Errors for failures before AWS answers, or that no store reproduces.
var (
	ErrNoCredentials = errors.New("no AWS credentials found")
	ErrUnreachable   = errors.New("cannot reach the AWS endpoint")
	ErrThrottled     = errors.New("request throttled by AWS")
	ErrCredentials   = errors.New("AWS rejected the credentials")
	ErrAWS           = errors.New("AWS error") // any other error code AWS returned
)

// kindError is a sentinel that is also a more general one.
type kindError struct {
	msg    string
	parent error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.parent }

// codes is the one table between AWS error codes and typed errors. The first
// row for a typed error gives the code a store reports for it (Code). quiet
// marks the kinds whose service message only names the secret again, which
// the caller's error already does; their message is dropped so that every
// backend gives the same text.
var codes = []struct {
	code  string
	kind  error
	quiet bool
}{
	{"ResourceNotFoundException", ErrVersionNotFound, true},
	{"ResourceNotFoundException", ErrNotFound, true},
	{"ResourceExistsException", ErrExists, true},
	{"InvalidRequestException", ErrMarkedForDeletion, true},
	{"InvalidRequestException", ErrInvalidRequest, false},
	{"InvalidParameterException", ErrInvalidParameter, false},
	{"ValidationException", ErrInvalidParameter, false},
	{"InvalidNextTokenException", ErrInvalidParameter, false},
	{"LimitExceededException", ErrLimitExceeded, false},
	{"AccessDeniedException", ErrAccessDenied, false},
	{"AccessDenied", ErrAccessDenied, false},
	{"DecryptionFailure", ErrDecryption, false},
	{"ThrottlingException", ErrThrottled, false},
	{"Throttling", ErrThrottled, false},
	{"ThrottledException", ErrThrottled, false},
	{"TooManyRequestsException", ErrThrottled, false},
	{"RequestLimitExceeded", ErrThrottled, false},
	{"RequestThrottled", ErrThrottled, false},
	{"RequestThrottledException", ErrThrottled, false},
	{"SlowDown", ErrThrottled, false},
	{"ProvisionedThroughputExceededException", ErrThrottled, false},
	{"UnrecognizedClientException", ErrCredentials, false},
	{"ExpiredTokenException", ErrCredentials, false},
	{"ExpiredToken", ErrCredentials, false},
	{"InvalidClientTokenId", ErrCredentials, false},
	{"InvalidSignatureException", ErrCredentials, false},
	{"IncompleteSignature", ErrCredentials, false},
	{"SignatureDoesNotMatch", ErrCredentials, false},
}

// Kind returns the typed error from this package that err wraps (the most
// specific one), or nil.
func Kind(err error) error {
	if err == nil {
		return nil
	}
	for _, c := range codes {
		if errors.Is(err, c.kind) {
			return c.kind
		}
	}
	for _, k := range []error{ErrNoCredentials, ErrUnreachable, ErrAWS} {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

// Code returns the AWS error code that err carries: the code AWS sent, or
// for a typed error made elsewhere (the local store) the code AWS uses for
// it. It is "" when err has no typed error.
func Code(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	if k := Kind(err); k != nil {
		for _, c := range codes {
			if c.kind == k {
				return c.code
			}
		}
	}
	return ""
}

// IsThrottle reports whether err is AWS throttling the caller, classified or not.
func IsThrottle(err error) bool {
	if errors.Is(err, ErrThrottled) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && isThrottle(ae.ErrorCode())
}

func isThrottle(code string) bool {
	for _, c := range codes {
		if c.code == code {
			return c.kind == ErrThrottled
		}
	}
	return false
}

// APIError is an error AWS answered with, classified: Kind is one of the
// typed errors above, Code the AWS error code and Message the service's
// message on one line ("" for the kinds whose message only names the secret).
type APIError struct {
	Kind    error
	Code    string
	Message string
}

// Error gives "kind (Code): message".
func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("%s (%s)", e.Kind, e.Code)
	}
	return fmt.Sprintf("%s (%s): %s", e.Kind, e.Code, e.Message)
}

// Unwrap returns Kind, so errors.Is(err, ErrNotFound) works.
func (e *APIError) Unwrap() error { return e.Kind }

// Detail returns the error without its code: Kind, wrapped with Message
// when there is one. A caller that reports the code itself (store.OpError)
// keeps this.
func (e *APIError) Detail() error {
	if e.Message == "" {
		return e.Kind
	}
	return fmt.Errorf("%w: %s", e.Kind, e.Message)
}

// Classify turns an SDK error into a one-line error: an *APIError when AWS
// answered ("secret not found (ResourceNotFoundException)"), or one of the
// errors above for failures before an answer. The message is the
// service's message, never the request. nil stays nil; context
// cancellation and errors already classified pass through unchanged.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) && !isNetErr(err) {
		return err
	}
	if Kind(err) != nil {
		return err
	}

	// Credential resolution first: its failures may wrap IMDS or STS errors.
	if cause, ok := identityError(err); ok {
		return fmt.Errorf("%w: %s", ErrNoCredentials, cause)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return classifyAPI(err, ae)
	}
	if isNetErr(err) {
		return fmt.Errorf("%w %s: %s", ErrUnreachable, endpointOf(err), netCause(err))
	}
	// An answer that is not the service's protocol: a wrong endpoint URL,
	// a proxy or a web server in the way.
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		var op *smithy.OperationError
		name := "the request"
		if errors.As(err, &op) {
			name = op.Operation()
		}
		return fmt.Errorf("%w: %s got an unexpected answer (HTTP %d) that is not the Secrets Manager or CloudTrail API; check --endpoint-url", ErrAWS, name, re.HTTPStatusCode())
	}
	if line := oneLine(err.Error()); line != err.Error() {
		return errors.New(line)
	}
	return err
}

func classifyAPI(err error, ae smithy.APIError) error {
	code, msg := ae.ErrorCode(), oneLine(ae.ErrorMessage())
	l := strings.ToLower(msg)
	var kind error
	quiet := false
	for _, c := range codes {
		if c.code != code && !(strings.HasPrefix(code, "AccessDenied") && c.kind == ErrAccessDenied) {
			continue
		}
		// Two codes need the message to tell their kinds apart.
		switch c.kind {
		case ErrVersionNotFound:
			if !strings.Contains(l, "secret value") && !strings.Contains(l, "secret version") && !strings.Contains(l, "staging label") {
				continue
			}
		case ErrMarkedForDeletion:
			if !strings.Contains(l, "marked for deletion") && !strings.Contains(l, "scheduled for deletion") && !strings.Contains(l, "marked deleted") {
				continue
			}
		}
		kind, quiet = c.kind, c.quiet
		break
	}
	if kind == nil {
		if msg == "" {
			return fmt.Errorf("%w %s", ErrAWS, code)
		}
		return fmt.Errorf("%w %s: %s", ErrAWS, code, msg)
	}
	if kind == ErrThrottled {
		var me *retry.MaxAttemptsError
		if errors.As(err, &me) {
			msg = strings.TrimPrefix(fmt.Sprintf("%s (after %d attempts)", msg, me.Attempt), " ")
		}
	}
	// A token conflict is the one ResourceExistsException whose message
	// says more than the subject.
	if quiet && !strings.Contains(msg, "ClientRequestToken") {
		msg = ""
	}
	return &APIError{Kind: kind, Code: code, Message: msg}
}

// identityError reports whether the SDK failed while resolving credentials
// (its "get identity" step), with a short reason.
func identityError(err error) (string, bool) {
	var oe *smithy.OperationError
	if !errors.As(err, &oe) || oe.Err == nil || !strings.Contains(oe.Err.Error(), "get identity") {
		return "", false
	}
	const hint = "set AWS_PROFILE or --profile, run 'aws sso login', or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
	cause := oe.Err.Error()
	if i := strings.LastIndex(cause, "get credentials: "); i >= 0 {
		cause = cause[i+len("get credentials: "):]
	}
	cause = strings.TrimPrefix(cause, "failed to refresh cached credentials, ")
	// The default chain ends with EC2 IMDS: failing there means no source
	// (environment, profile, SSO, web identity, container) had credentials.
	if strings.HasPrefix(cause, "no EC2 IMDS role found") || strings.Contains(cause, "ec2imds") {
		return hint, true
	}
	return "the configured source failed: " + oneLine(cause) + " (" + hint + ")", true
}

func isNetErr(err error) bool {
	var ne *net.OpError
	var de *net.DNSError
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &de) || errors.As(err, &ue)
}

// endpointOf returns scheme://host of the request that failed, or "".
func endpointOf(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			return u.Scheme + "://" + u.Host
		}
	}
	return ""
}

func netCause(err error) string {
	var de *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &de):
		return "cannot resolve host " + de.Name
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	var ne *net.OpError
	if errors.As(err, &ne) && ne.Err != nil {
		return oneLine(ne.Err.Error())
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return oneLine(ue.Err.Error())
	}
	return oneLine(err.Error())
}
