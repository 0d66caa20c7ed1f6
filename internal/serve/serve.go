// Package serve speaks the AWS Secrets Manager API over a store.Store, so
// the AWS CLI, every AWS SDK and tools built on them read and write the
// embedded store unchanged (`secretctl serve`).
//
// # Protocol
//
// AWS JSON 1.1: POST / with X-Amz-Target: secretsmanager.<Operation> and
// Content-Type application/x-amz-json-1.1; requests and responses have the
// shapes of the Secrets Manager API reference (wire.go), timestamps are
// epoch seconds and SecretBinary is base64. Errors have AWS's shape, a JSON
// body {"__type": code, "message": text} with the X-Amzn-ErrorType header
// and HTTP 400 (500 for InternalServiceError), so each SDK raises its typed
// exception and the AWS CLI prints "An error occurred (Code) when calling
// the Op operation: text" as it does against AWS.
//
// # Authentication
//
// Every request must carry a SigV4 signature made with the one access key
// the Handler holds (Options.Credentials), for service secretsmanager and
// any region. The signature is recomputed with the SDK's signer (auth.go);
// an unknown key, a wrong signature or an X-Amz-Date more than 5 minutes
// from the server clock are refused with AWS's errors before the body is
// decoded, so nothing is read or written.
//
// # Audit
//
// The caller (its access key id, source address and User-Agent) goes into
// the request context with store.WithCaller; a store that keeps an access
// log (local.Store) records it as the principal of each operation. Calls
// that do not reach the store, GetRandomPassword and refused requests, are
// not in the store's log.
//
// # Design
//
// ServeHTTP does the transport (limits, authentication, decoding and
// encoding); ops.go maps each operation onto store calls; list.go holds
// the pure ListSecrets filter and paging rules, with no I/O.
package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/secretctl/secretctl/internal/rotate"
	"github.com/secretctl/secretctl/internal/store"
)

// MaxBody is the largest request body accepted. The largest valid request
// (a 65,536-byte SecretString, JSON-escaped, plus 50 tags and a
// description) fits well inside it; anything bigger is refused with HTTP
// 413 before it is read whole.
const MaxBody = 1 << 20

const (
	contentType  = "application/x-amz-json-1.1"
	targetPrefix = "secretsmanager."
)

// Options configure a Handler.
type Options struct {
	Store       store.Store
	Credentials Credentials
	// Rotate runs RotateSecret and CancelRotateSecret; nil gives an engine
	// on Store with the default rotators.
	Rotate *rotate.Engine
	Now    func() time.Time // default time.Now
	Log    *slog.Logger     // one line per failed request; default discards
}

// Handler serves the Secrets Manager API. It is safe for concurrent use.
type Handler struct {
	opts   Options
	ops    map[string]func(*call) (any, error)
	reader *reader // GetSecretValue's group commit; nil when the store cannot batch
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler over opts.Store.
func New(opts Options) *Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Rotate == nil {
		opts.Rotate = &rotate.Engine{Store: opts.Store, Now: opts.Now}
	}
	h := &Handler{opts: opts, reader: newReader(opts.Store)}
	h.ops = h.operations()
	return h
}

// ServeHTTP answers one API call.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := uuid.NewString()
	w.Header().Set("X-Amzn-RequestId", reqID)
	op, err := h.serve(w, r)
	if err != nil {
		ae := toAPI(op, err)
		if ae.Code == "InternalServiceError" {
			h.opts.Log.Error("request failed", "op", op, "requestId", reqID, "err", err)
		}
		writeError(w, ae)
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) (string, error) {
	if r.Method != http.MethodPost {
		return "", &apiError{http.StatusMethodNotAllowed, "UnknownOperationException", "Only POST requests are accepted."}
	}
	if r.ContentLength > MaxBody {
		return "", errTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", errTooLarge
		}
		return "", errSerialization("cannot read the request body")
	}
	keyID, aerr := verify(r.Context(), r, body, h.opts.Credentials, h.opts.Now())
	if aerr != nil {
		return "", aerr
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	fn := h.ops[op]
	if !ok || fn == nil {
		return op, errUnknownOperation()
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	ctx := store.WithCaller(r.Context(), store.Caller{AccessKeyID: keyID, SourceIP: ip, UserAgent: r.UserAgent()})
	c := &call{ctx: ctx, h: h, body: body}
	out, err := fn(c)
	if err != nil {
		return op, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return op, err
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(b)
	return op, nil
}

var errTooLarge = &apiError{http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException", "Request body is larger than the 1 MiB limit."}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(e.Status)
	b, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message,omitempty"`
	}{e.Code, e.Message})
	_, _ = w.Write(b)
}

// decode reads the request body into v; an empty body is an empty object.
func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		// The decoder's message can quote the body, so it stays out.
		return errSerialization("The request body is not a valid JSON object of this operation's shape.")
	}
	return nil
}
