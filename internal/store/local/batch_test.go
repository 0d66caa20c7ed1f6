package local

import (
	"errors"
	"testing"

	"github.com/secretctl/secretctl/internal/store"
)

// TestGetBatchAudit: one GetBatch is one transaction that logs one
// GetSecretValue record per item, failures included, and leaves a valid
// chain.
func TestGetBatchAudit(t *testing.T) {
	s := openWith(t, Options{Home: t.TempDir()})
	ctx := t.Context()
	v := canary(t)
	ref, err := s.Create(ctx, "app/a", store.CreateInput{Value: v})
	if err != nil {
		t.Fatal(err)
	}
	before := len(auditRecords(t, s))
	got, err := s.GetBatch(ctx, []store.BatchItem{{ID: "app/a"}, {ID: "app/missing"}, {ID: ref.ARN}})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Err != nil || !got[0].Secret.Value.Equal(v) || got[2].Err != nil || !got[2].Secret.Value.Equal(v) {
		t.Errorf("results: %v %v", got[0].Err, got[2].Err)
	}
	if !errors.Is(got[1].Err, store.ErrNotFound) {
		t.Errorf("missing: %v", got[1].Err)
	}
	recs := auditRecords(t, s)[before:]
	if len(recs) != 3 {
		t.Fatalf("%d audit records, want 3", len(recs))
	}
	for i, r := range recs {
		if r.EventName != "GetSecretValue" || (i == 1) != (r.ErrorCode == "ResourceNotFoundException") {
			t.Errorf("record %d: %s %s", i, r.EventName, r.ErrorCode)
		}
	}
	res, err := s.VerifyAudit(ctx)
	if err != nil || !res.OK() {
		t.Errorf("VerifyAudit: %+v %v", res, err)
	}
}
