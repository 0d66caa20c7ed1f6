package awsx

import (
	"context"
	"errors"
	"fmt"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/secretctl/secretctl/internal/store"
)

// ErrAccessDenied is store.ErrAccessDenied, so callers outside the store
// (audit, rotate) can test for it without importing store.
var ErrAccessDenied = store.ErrAccessDenied

// Errors for failures before AWS answers.
var (
	ErrNoCredentials = errors.New("no AWS credentials found")
	ErrUnreachable   = errors.New("cannot reach the AWS endpoint")
	ErrThrottled     = errors.New("request throttled by AWS")
	ErrCredentials   = errors.New("AWS rejected the credentials")
	ErrAWS           = errors.New("AWS error") // any other error code AWS returned
)

// Classify turns an SDK error into a one-line error that wraps the matching
// store typed error (or one of the errors above) and keeps the AWS error
// code, e.g. "secret not found (ResourceNotFoundException): Secrets Manager
// can't find the specified secret.". The message is the service's message,
// never the request. nil stays nil; context cancellation and errors already
// classified pass through unchanged.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) && !isNetErr(err) {
		return err
	}
	for _, e := range []error{
		store.ErrNotFound, store.ErrExists, store.ErrMarkedForDeletion, store.ErrInvalidParameter,
		store.ErrInvalidRequest, store.ErrLimitExceeded, store.ErrAccessDenied, store.ErrDecryption,
		store.ErrUnsupported, ErrNoCredentials, ErrUnreachable, ErrThrottled, ErrCredentials, ErrAWS,
	} {
		if errors.Is(err, e) {
			return err
		}
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
	wrap := func(kind error) error {
		if msg == "" {
			return fmt.Errorf("%w (%s)", kind, code)
		}
		return fmt.Errorf("%w (%s): %s", kind, code, msg)
	}
	switch {
	case code == "ResourceNotFoundException":
		return wrap(store.ErrNotFound)
	case code == "ResourceExistsException":
		return wrap(store.ErrExists)
	case code == "InvalidRequestException":
		l := strings.ToLower(msg)
		if strings.Contains(l, "marked for deletion") || strings.Contains(l, "scheduled for deletion") ||
			strings.Contains(l, "marked deleted") {
			return wrap(store.ErrMarkedForDeletion)
		}
		return wrap(store.ErrInvalidRequest)
	case code == "InvalidParameterException", code == "ValidationException", code == "InvalidNextTokenException":
		return wrap(store.ErrInvalidParameter)
	case code == "LimitExceededException":
		return wrap(store.ErrLimitExceeded)
	case strings.HasPrefix(code, "AccessDenied"):
		return wrap(store.ErrAccessDenied)
	case code == "DecryptionFailure":
		return wrap(store.ErrDecryption)
	case isThrottle(code):
		var me *retry.MaxAttemptsError
		if errors.As(err, &me) {
			return fmt.Errorf("%w after %d attempts (%s): %s", ErrThrottled, me.Attempt, code, msg)
		}
		return wrap(ErrThrottled)
	case code == "ExpiredTokenException", code == "ExpiredToken", code == "UnrecognizedClientException",
		code == "InvalidClientTokenId", code == "InvalidSignatureException", code == "IncompleteSignature",
		code == "SignatureDoesNotMatch":
		return wrap(ErrCredentials)
	}
	if msg == "" {
		return fmt.Errorf("%w %s", ErrAWS, code)
	}
	return fmt.Errorf("%w %s: %s", ErrAWS, code, msg)
}

func isThrottle(code string) bool {
	switch code {
	case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
		"RequestThrottled", "RequestThrottledException", "SlowDown", "ProvisionedThroughputExceededException":
		return true
	}
	return false
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
