package store

import "context"

// MaxBatch is the most secrets one BatchGetSecretValue call returns.
const MaxBatch = 20

// BatchItem asks for one secret in a batch read.
type BatchItem struct {
	ID string // a name, full ARN or partial ARN
	GetOptions
}

// BatchResult is the answer for one BatchItem: the secret, or the error a
// Get of that item would have returned (wrapping ErrNotFound, ErrAccessDenied,
// ErrDecryption, ...).
type BatchResult struct {
	Secret Secret
	Err    error
}

// BatchGetter is implemented by stores that read many secrets in fewer round
// trips than one Get each: local.Store (one transaction) and awssm.Store
// (BatchGetSecretValue, MaxBatch ids a call). Callers use GetBatch, which
// falls back to Get for stores without it.
type BatchGetter interface {
	// GetBatch returns one result per item, in the order of items. An error
	// about one item goes in its BatchResult; the returned error is for
	// failures of the whole call (a cancelled context, a store that cannot
	// be opened), in which case the results are nil.
	GetBatch(ctx context.Context, items []BatchItem) ([]BatchResult, error)
}

// GetBatch reads items through s's BatchGetter when it has one, and one Get
// at a time otherwise. Results are in the order of items.
func GetBatch(ctx context.Context, s Store, items []BatchItem) ([]BatchResult, error) {
	if bg, ok := s.(BatchGetter); ok {
		return bg.GetBatch(ctx, items)
	}
	out := make([]BatchResult, len(items))
	for i, it := range items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out[i].Secret, out[i].Err = s.Get(ctx, it.ID, it.GetOptions)
	}
	return out, nil
}
