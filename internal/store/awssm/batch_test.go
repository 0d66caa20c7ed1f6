package awssm_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/awssm"
)

func batchID(i int) string { return fmt.Sprintf("prod/batch/k%02d", i) }

// TestReplayGetBatch: 23 items become two BatchGetSecretValue calls (20 ids,
// then 2), the first answered in two pages (NextToken), the second after a
// throttle the SDK retryer absorbs; per-secret errors land on their items,
// a duplicate id is asked once, a partial ARN is matched, and an item with
// a stage goes to GetSecretValue.
func TestReplayGetBatch(t *testing.T) {
	var first []string
	for i := range store.MaxBatch {
		first = append(first, batchID(i))
	}
	k21 := "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/batch/k21"
	k07 := "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/batch/k07" // a partial ARN
	s, _ := replayStore(t, awssm.Options{},
		awsxtest.Exchange{Target: sm("GetSecretValue"), Want: map[string]any{"SecretId": name, "VersionStage": "AWSPREVIOUS"}, File: "GetSecretValue.json"},
		awsxtest.Exchange{Target: sm("BatchGetSecretValue"), Want: map[string]any{"SecretIdList": first}, Absent: []string{"NextToken", "Filters", "MaxResults"}, File: "BatchGetSecretValue-page1.json"},
		awsxtest.Exchange{Target: sm("BatchGetSecretValue"), Want: map[string]any{"SecretIdList": first, "NextToken": "AAAA-batch-page-2"}, File: "BatchGetSecretValue-page2.json"},
		awsxtest.Exchange{Target: sm("BatchGetSecretValue"), Status: 400, File: "errors/ThrottlingException.json"},
		awsxtest.Exchange{Target: sm("BatchGetSecretValue"), Want: map[string]any{"SecretIdList": []string{batchID(20), k21, k07}}, File: "BatchGetSecretValue-last.json"},
	)
	var items []store.BatchItem
	for i := range 21 {
		items = append(items, store.BatchItem{ID: batchID(i)})
	}
	items = append(items,
		store.BatchItem{ID: k21},
		store.BatchItem{ID: batchID(3)},
		store.BatchItem{ID: name, GetOptions: store.GetOptions{Stage: store.StagePrevious}},
		store.BatchItem{ID: k07},
	)
	got, err := s.GetBatch(t.Context(), items)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(items) {
		t.Fatalf("%d results for %d items", len(got), len(items))
	}
	for i := range 21 {
		r := got[i]
		if i == 5 {
			if !errors.Is(r.Err, store.ErrNotFound) || !strings.Contains(r.Err.Error(), batchID(5)) || !strings.Contains(r.Err.Error(), "ResourceNotFoundException") {
				t.Errorf("k05: err = %v, want not found naming the secret and the code", r.Err)
			}
			continue
		}
		if r.Err != nil {
			t.Errorf("%s: %v", batchID(i), r.Err)
			continue
		}
		if v := r.Secret.Value.RevealString(); v != fmt.Sprintf("batch-canary-%02d", i) || r.Secret.Name != batchID(i) ||
			!strings.HasSuffix(r.Secret.ARN, batchID(i)+"-AbCdEf") || r.Secret.VersionID == "" || len(r.Secret.Stages) != 1 {
			t.Errorf("%s: got %+v (value %q)", batchID(i), r.Secret, v)
		}
	}
	if !errors.Is(got[21].Err, store.ErrDecryption) || !strings.Contains(got[21].Err.Error(), k21) {
		t.Errorf("k21: err = %v, want decryption failure naming the ARN", got[21].Err)
	}
	if got[22].Err != nil || got[22].Secret.Value.RevealString() != "batch-canary-03" {
		t.Errorf("duplicate k03: %+v, %v", got[22].Secret, got[22].Err)
	}
	if got[23].Err != nil || !strings.Contains(got[23].Secret.Value.RevealString(), "replay-canary-7Hq2") {
		t.Errorf("AWSPREVIOUS item: %v", got[23].Err)
	}
	if got[24].Err != nil || got[24].Secret.Value.RevealString() != "batch-canary-07" {
		t.Errorf("partial ARN k07: %v", got[24].Err)
	}
	for _, r := range got {
		if r.Err != nil && strings.Contains(r.Err.Error(), "canary") {
			t.Errorf("error carries a value: %v", r.Err)
		}
	}
}

// TestReplayGetBatchFallback: a policy that denies BatchGetSecretValue
// (or an endpoint without it) leads to one GetSecretValue per item, and
// the store does not ask for the batch call again.
func TestReplayGetBatchFallback(t *testing.T) {
	s, _ := replayStore(t, awssm.Options{},
		awsxtest.Exchange{Target: sm("BatchGetSecretValue"), Status: 400, Body: `{"__type":"AccessDeniedException","Message":"User: arn:aws:iam::111122223333:user/app is not authorized to perform: secretsmanager:BatchGetSecretValue"}`},
		awsxtest.Exchange{Target: sm("GetSecretValue"), Want: map[string]any{"SecretId": name}, Absent: []string{"VersionStage", "VersionId"}, File: "GetSecretValue.json"},
		awsxtest.Exchange{Target: sm("GetSecretValue"), Want: map[string]any{"SecretId": "prod/other"}, Status: 400, File: "errors/ResourceNotFoundException.json"},
		awsxtest.Exchange{Target: sm("GetSecretValue"), Want: map[string]any{"SecretId": name}, File: "GetSecretValue.json"},
	)
	got, err := s.GetBatch(t.Context(), []store.BatchItem{{ID: name}, {ID: "prod/other"}})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Err != nil || !strings.Contains(got[0].Secret.Value.RevealString(), "replay-canary-7Hq2") {
		t.Errorf("item 0: %v", got[0].Err)
	}
	if !errors.Is(got[1].Err, store.ErrNotFound) {
		t.Errorf("item 1: %v", got[1].Err)
	}
	got, err = s.GetBatch(t.Context(), []store.BatchItem{{ID: name}})
	if err != nil || got[0].Err != nil {
		t.Fatalf("second GetBatch: %v %v", err, got[0].Err)
	}
}

// TestReplayGetBatchError: a whole-call failure other than a refusal is
// returned as the call's error.
func TestReplayGetBatchError(t *testing.T) {
	s, _ := replayStore(t, awssm.Options{},
		awsxtest.Exchange{Target: sm("BatchGetSecretValue"), Status: 400, File: "errors/ExpiredTokenException.json"},
	)
	_, err := s.GetBatch(t.Context(), []store.BatchItem{{ID: name}})
	if err == nil || !strings.Contains(err.Error(), "ExpiredToken") {
		t.Errorf("err = %v", err)
	}
}
