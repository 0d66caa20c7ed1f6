package serve

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/rotate"
	"github.com/secretctl/secretctl/internal/store"
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

// quietMessages are AWS's texts for the kinds of error whose store error
// names only the secret (not found, exists, marked for deletion), by
// operation where AWS words them differently.
func quietMessage(op string, err error) (string, bool) {
	switch {
	case errors.Is(err, store.ErrMarkedForDeletion):
		switch op {
		case "CreateSecret":
			return "You can't create this secret because a secret with this name is already scheduled for deletion.", true
		case "DeleteSecret":
			return "You tried to perform the operation on a secret that's currently marked deleted.", true
		}
		return "You can't perform this operation on the secret because it was marked for deletion.", true
	case errors.Is(err, store.ErrExists):
		var oe *store.OpError
		if op == "CreateSecret" && errors.As(err, &oe) && oe.Name != "" {
			return "The operation failed because the secret " + oe.Name + " already exists.", true
		}
		return "You can't use this ClientRequestToken because that value is already in use for a version of this secret.", true
	case errors.Is(err, store.ErrNotFound):
		if versionNotFound(err) {
			return "Secrets Manager can't find the specified secret version.", true
		}
		return "Secrets Manager can't find the specified secret.", true
	}
	return "", false
}

// versionNotFound tells a missing version from a missing secret.
func versionNotFound(err error) bool { return errors.Is(err, store.ErrVersionNotFound) }

// toAPI turns an error from the store (or the rotation engine) into the
// AWS error a client of op would get. The code comes from the project's
// error table; the message is AWS's text for the kind, or the detail the
// store gives after the kind ("invalid parameter: <detail>").
func toAPI(op string, err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	code := awsx.Code(err)
	if code == "" {
		code = "InternalServiceError"
	}
	switch {
	case errors.Is(err, rotate.ErrNotConfigured):
		return errInvalidRequest("No rotation is configured for this secret: set one with `secretctl rotation set`.")
	case errors.Is(err, rotate.ErrUnsuitable):
		code = "InvalidRequestException"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		code = "InternalServiceError"
	}
	if code == "InternalServiceError" {
		// The cause stays in the server's log.
		return &apiError{http.StatusInternalServerError, code, "An error occurred on the server side."}
	}
	if msg, ok := quietMessage(op, err); ok {
		return &apiError{http.StatusBadRequest, code, msg}
	}
	return &apiError{http.StatusBadRequest, code, message(err)}
}

// message is the detail that follows the typed error in err, as AWS
// capitalises and punctuates its messages.
func message(err error) string {
	inner := err
	var oe *store.OpError
	if errors.As(err, &oe) {
		inner = oe.Err
	}
	s := inner.Error()
	if k := awsx.Kind(inner); k != nil {
		s = strings.TrimPrefix(s, k.Error())
	}
	// An error code in brackets after the kind: "invalid parameter (Code): text".
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "(") {
		if j := strings.Index(s, ")"); j >= 0 {
			s = s[j+1:]
		}
	}
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), ":"))
	if s == "" {
		s = inner.Error()
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	s = string(r)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
