package serve

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode"

	"github.com/secretctl/secretctl/internal/rotate"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/local"
)

// apiError is an error in AWS's JSON 1.1 shape: the code goes to __type
// (and the X-Amzn-ErrorType header), the message to message, with the
// HTTP status AWS uses. Each SDK turns the code into its typed exception.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errInvalidParameter(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterException", msg}
}

func errInvalidRequest(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidRequestException", msg}
}

// Errors before an operation runs, as AWS words them.
var (
	errMissingAuth = &apiError{http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token"}
	errUnknownKey  = &apiError{http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid."}
	errBadSig      = &apiError{http.StatusBadRequest, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
)

func errIncompleteSignature(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "IncompleteSignatureException", msg}
}

func errSerialization(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "SerializationException", msg}
}

func errUnknownOperation() *apiError {
	return &apiError{http.StatusBadRequest, "UnknownOperationException", ""}
}

// defaultMessages are AWS's texts for errors whose store error carries no
// message of its own.
var defaultMessages = map[string]string{
	"ResourceNotFoundException": "Secrets Manager can't find the specified secret.",
	"InvalidRequestException":   "You can't perform this operation on the secret because it was marked for deletion.",
	"InternalServiceError":      "An error occurred on the server side.",
}

// toAPI turns an error from the store (or the rotation engine) into the
// AWS error a client would get. The code comes from the project's error
// table; the message is the service's own text, which the store keeps
// after the sentinel ("secret not found: <message>").
func toAPI(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	code := local.ErrorCode(err)
	switch {
	case errors.Is(err, rotate.ErrNotConfigured):
		return errInvalidRequest("No rotation is configured for this secret: set one with `secretctl rotation set`.")
	case errors.Is(err, rotate.ErrUnsuitable):
		code = "InvalidRequestException"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		code = "InternalServiceError"
	}
	status := http.StatusBadRequest
	if code == "InternalServiceError" {
		status = http.StatusInternalServerError
	}
	return &apiError{status, code, message(err, code)}
}

// message extracts the service text that follows the sentinel in err, as
// AWS capitalises and punctuates it.
func message(err error, code string) string {
	if code == "InternalServiceError" {
		return defaultMessages[code] // an internal cause stays in the server's log
	}
	s := err.Error()
	for _, sentinel := range []error{store.ErrNotFound, store.ErrExists, store.ErrMarkedForDeletion, store.ErrInvalidParameter,
		store.ErrInvalidRequest, store.ErrLimitExceeded, store.ErrAccessDenied, store.ErrDecryption} {
		if i := strings.LastIndex(s, sentinel.Error()); i >= 0 && errors.Is(err, sentinel) {
			s = s[i+len(sentinel.Error()):]
			break
		}
	}
	// awsx.Classify keeps the code in brackets: "secret not found (Code): text".
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "(") {
		if j := strings.Index(s, ")"); j >= 0 {
			s = s[j+1:]
		}
	}
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), ":"))
	if s == "" {
		if d, ok := defaultMessages[code]; ok {
			return d
		}
		return strings.TrimSuffix(err.Error(), ".")
	}
	s = strings.Replace(s, "secrets manager", "Secrets Manager", 1)
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	s = string(r)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
