package serve

import (
	"context"
	"sync"

	"github.com/secretctl/secretctl/internal/store"
)

// maxCoalesce bounds how many reads one store transaction carries.
const maxCoalesce = 256

// reader coalesces concurrent GetSecretValue calls into store.GetBatch
// calls (group commit): while one batch is in the store, the reads that
// arrive queue up and go in the next one. On the local store a batch is
// one transaction with one audit record per read, synced once, so many
// readers pay for one commit. A read is answered only after its batch,
// and so its record, is committed: no acknowledged read goes unrecorded.
type reader struct {
	st store.Store

	mu      sync.Mutex
	queue   []*pendingRead
	running bool
}

type pendingRead struct {
	caller store.Caller
	item   store.BatchItem
	res    store.BatchResult
	done   chan struct{}
}

func newReader(st store.Store) *reader {
	if _, ok := st.(store.BatchGetter); !ok {
		return nil // no gain: each read would still be its own call
	}
	return &reader{st: st}
}

// get reads one secret in the next batch. The read completes (and is
// recorded) even if ctx is cancelled meanwhile; only the wait is cut short.
func (r *reader) get(ctx context.Context, caller store.Caller, item store.BatchItem) (store.Secret, error) {
	p := &pendingRead{caller: caller, item: item, done: make(chan struct{})}
	r.mu.Lock()
	r.queue = append(r.queue, p)
	if !r.running {
		r.running = true
		go r.drain()
	}
	r.mu.Unlock()
	select {
	case <-p.done:
		return p.res.Secret, p.res.Err
	case <-ctx.Done():
		return store.Secret{}, ctx.Err()
	}
}

func (r *reader) drain() {
	for {
		r.mu.Lock()
		n := min(len(r.queue), maxCoalesce)
		batch := r.queue[:n:n]
		r.queue = r.queue[n:]
		if n == 0 {
			r.queue, r.running = nil, false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		r.run(batch)
	}
}

// run reads one batch, one GetBatch per caller so each record names its
// own caller.
func (r *reader) run(batch []*pendingRead) {
	var callers []store.Caller
	groups := map[store.Caller][]*pendingRead{}
	for _, p := range batch {
		if _, ok := groups[p.caller]; !ok {
			callers = append(callers, p.caller)
		}
		groups[p.caller] = append(groups[p.caller], p)
	}
	for _, c := range callers {
		ps := groups[c]
		items := make([]store.BatchItem, len(ps))
		for i, p := range ps {
			items[i] = p.item
		}
		res, err := store.GetBatch(store.WithCaller(context.Background(), c), r.st, items)
		for i, p := range ps {
			if err != nil {
				p.res.Err = err
			} else {
				p.res = res[i]
			}
			close(p.done)
		}
	}
}
