package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

// testGetBatch reads more than one BatchGetSecretValue call holds, by name
// and ARN, with a duplicate, an older version and a missing secret, through
// store.GetBatch (the backend's BatchGetter when it has one).
func testGetBatch(t *testing.T, s store.Store) {
	const n = store.MaxBatch + 3
	names := make([]string, n)
	values := make([]secret.Value, n)
	refs := make([]store.Ref, n)
	for i := range names {
		names[i] = uniqueName(t, fmt.Sprintf("s%02d", i))
		values[i] = canary(t)
		refs[i] = mustCreate(t, s, names[i], store.CreateInput{Value: values[i]})
	}
	newer := canary(t)
	mustPut(t, s, names[0], newer, store.PutOptions{})
	missing := uniqueName(t, "missing")

	var items []store.BatchItem
	want := make([]secret.Value, 0, n+4)
	for i := range names {
		items = append(items, store.BatchItem{ID: names[i]})
		want = append(want, values[i])
	}
	want[0] = newer
	items = append(items,
		store.BatchItem{ID: refs[1].ARN},
		store.BatchItem{ID: names[2]},
		store.BatchItem{ID: names[0], GetOptions: store.GetOptions{Stage: store.StagePrevious}},
		store.BatchItem{ID: missing},
	)
	want = append(want, values[1], values[2], values[0], secret.Value{})

	got, err := store.GetBatch(ctx(t), s, items)
	if err != nil {
		t.Fatalf("GetBatch: %v", err)
	}
	if len(got) != len(items) {
		t.Fatalf("GetBatch returned %d results for %d items", len(got), len(items))
	}
	for i, r := range got {
		if i == len(items)-1 {
			if !errors.Is(r.Err, store.ErrNotFound) {
				t.Errorf("item %d (missing): err = %v, want ErrNotFound", i, r.Err)
			}
			if r.Err != nil && !strings.Contains(r.Err.Error(), missing) {
				t.Errorf("item %d: error %q does not name %s", i, r.Err, missing)
			}
			continue
		}
		if r.Err != nil {
			t.Errorf("item %d (%s %+v): %v", i, items[i].ID, items[i].GetOptions, r.Err)
			continue
		}
		if !r.Secret.Value.Equal(want[i]) {
			t.Errorf("item %d (%s %+v): wrong value", i, items[i].ID, items[i].GetOptions)
		}
		if r.Secret.ARN == "" || r.Secret.VersionID == "" || r.Secret.Name == "" {
			t.Errorf("item %d: secret lacks ARN, name or version: %+v", i, r.Secret)
		}
	}
	if got[n+2].Err == nil && got[n+2].Secret.VersionID != refs[0].VersionID {
		t.Errorf("AWSPREVIOUS item: version %s, want %s", got[n+2].Secret.VersionID, refs[0].VersionID)
	}
	for _, r := range got {
		if r.Err != nil {
			for _, v := range append(values, newer) {
				if strings.Contains(r.Err.Error(), v.RevealString()) {
					t.Errorf("error %q holds a value", r.Err)
				}
			}
		}
	}
}

func testGetBatchEmpty(t *testing.T, s store.Store) {
	got, err := store.GetBatch(ctx(t), s, nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("GetBatch(nil) = %v, %v", got, err)
	}
}
