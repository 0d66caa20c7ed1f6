package store

import "context"

// Caller is who made a call that reached the store through a server (such
// as `secretctl serve`) rather than from this process's own user. A store
// that keeps an access log records it in place of its default actor.
type Caller struct {
	AccessKeyID string // the SigV4 access key id the request was signed with
	SourceIP    string // the client's address, without the port
	UserAgent   string // the client's User-Agent header
}

type callerKey struct{}

// WithCaller returns ctx carrying c, for the store's audit record.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the Caller that WithCaller put in ctx, if any.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}
