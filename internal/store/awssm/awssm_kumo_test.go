package awssm_test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/serve/servetest"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/awssm"
	"github.com/secretctl/secretctl/internal/store/storetest"
)

// kumoStore returns an awssm.Store on an in-process kumo through the real SDK.
func kumoStore(t *testing.T, opts awssm.Options) *awssm.Store {
	t.Helper()
	ep := awsxtest.StartKumo(t)
	c := awsx.NewClients(awsxtest.Config(t, ep), ep)
	return awssm.New(c.SecretsManager, opts)
}

func unique(t *testing.T, leaf string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "awssm-test/" + strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + "/" + hex.EncodeToString(b) + "/" + leaf
}

func canary(t *testing.T) secret.Value {
	t.Helper()
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return secret.New("canary-" + hex.EncodeToString(b))
}

func noLeak(t *testing.T, v secret.Value, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, v.RevealString()) {
			t.Errorf("secret value leaked into %q", s)
		}
	}
}

func TestKumoLifecycle(t *testing.T) {
	ctx := t.Context()
	s := kumoStore(t, awssm.Options{})
	name := unique(t, "db")
	v1, v2 := canary(t), canary(t)

	ref, err := s.Create(ctx, name, store.CreateInput{Value: v1, Description: "lifecycle", Tags: map[string]string{"team": "pay"}})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if ref.Name != name || !strings.Contains(ref.ARN, ":secret:"+name+"-") || ref.VersionID == "" {
		t.Fatalf("Create ref = %+v", ref)
	}
	got, err := s.Get(ctx, name, store.GetOptions{})
	if err != nil || !got.Value.Equal(v1) || got.VersionID != ref.VersionID {
		t.Fatalf("Get after Create: version %q err %v; value equal %v", got.VersionID, err, got.Value.Equal(v1))
	}
	put, err := s.Put(ctx, name, v2, store.PutOptions{})
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	if put.VersionID == "" || put.VersionID == ref.VersionID || len(put.Stages) != 1 || put.Stages[0] != store.StageCurrent {
		t.Errorf("Put ref = %+v", put)
	}
	cur, err := s.Get(ctx, ref.ARN, store.GetOptions{})
	if err != nil || !cur.Value.Equal(v2) {
		t.Fatalf("Get current by ARN: err %v equal %v", err, cur.Value.Equal(v2))
	}
	prev, err := s.Get(ctx, name, store.GetOptions{Stage: store.StagePrevious})
	if err != nil || !prev.Value.Equal(v1) || prev.VersionID != ref.VersionID {
		t.Fatalf("Get AWSPREVIOUS: version %q err %v equal %v", prev.VersionID, err, prev.Value.Equal(v1))
	}
	byID, err := s.Get(ctx, name, store.GetOptions{VersionID: ref.VersionID})
	if err != nil || !byID.Value.Equal(v1) {
		t.Fatalf("Get by version id: err %v", err)
	}

	m, err := s.Describe(ctx, name)
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	if m.Description != "lifecycle" || m.Tags["team"] != "pay" || m.CurrentVersion() != put.VersionID ||
		m.VersionWith(store.StagePrevious) != ref.VersionID || m.CreatedDate.IsZero() || m.DeletedDate != nil {
		t.Errorf("Describe = %+v", m)
	}
	list, err := s.List(ctx, store.ListOptions{Prefix: name, Tags: map[string]string{"team": "pay"}})
	if err != nil || len(list) != 1 || list[0].Name != name {
		t.Fatalf("List by prefix and tag = %v, %v", list, err)
	}
	if list, _ = s.List(ctx, store.ListOptions{Prefix: name, Tags: map[string]string{"team": "pa"}}); len(list) != 0 {
		t.Errorf("List with a tag value prefix matched %v; tags must match exactly", list)
	}
	if _, err := s.Update(ctx, name, store.UpdateInput{Description: new("changed")}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if m, _ := s.Describe(ctx, name); m.Description != "changed" {
		t.Errorf("Description after Update = %q", m.Description)
	}

	before := time.Now()
	_, when, err := s.Delete(ctx, name, store.DeleteOptions{RecoveryDays: 7})
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if d := when.Sub(before); d < 6*24*time.Hour || d > 8*24*time.Hour {
		t.Errorf("deletion date %v is not ~7 days ahead", when)
	}
	_, err = s.Get(ctx, name, store.GetOptions{})
	if !errors.Is(err, store.ErrMarkedForDeletion) {
		t.Errorf("Get after Delete: %v, want ErrMarkedForDeletion", err)
	}
	if err != nil && !strings.Contains(err.Error(), "InvalidRequestException") {
		t.Errorf("error %q lacks the AWS code", err)
	}
	_, err = s.Put(ctx, name, canary(t), store.PutOptions{})
	if !errors.Is(err, store.ErrMarkedForDeletion) {
		t.Errorf("Put after Delete: %v, want ErrMarkedForDeletion", err)
	}
	if m, err := s.Describe(ctx, name); err != nil || m.DeletedDate == nil {
		t.Errorf("Describe of a deleted secret: deleted %v, err %v", m.DeletedDate, err)
	}
	if list, _ := s.List(ctx, store.ListOptions{Prefix: name}); len(list) != 0 {
		t.Errorf("List shows a deleted secret: %v", list)
	}
	if list, _ := s.List(ctx, store.ListOptions{Prefix: name, IncludeDeleted: true}); len(list) != 1 {
		t.Errorf("List with IncludeDeleted = %v, want the deleted secret", list)
	}

	if _, _, err := s.Delete(ctx, name, store.DeleteOptions{Force: true}); err != nil {
		t.Fatalf("force Delete: %v", err)
	}
	_, err = s.Describe(ctx, name)
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Describe after force delete: %v, want ErrNotFound", err)
	}
	noLeak(t, v1, errText(err))
	noLeak(t, v2, errText(err))
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestKumoBinaryAndPaging(t *testing.T) {
	ctx := t.Context()
	s := kumoStore(t, awssm.Options{PageSize: 2})
	prefix := unique(t, "")
	raw := []byte{0, 1, 2, 0xff, 0xfe}
	for i := range 5 {
		in := store.CreateInput{Value: canary(t)}
		if i == 0 {
			in.Value = secret.NewBytes(raw, true)
		}
		if _, err := s.Create(ctx, prefix+string(rune('a'+i)), in); err != nil {
			t.Fatalf("Create %d: %v", i, err)
		}
	}
	list, err := s.List(ctx, store.ListOptions{Prefix: prefix})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(list) != 5 {
		t.Fatalf("List with page size 2 returned %d secrets, want 5", len(list))
	}
	for i, m := range list {
		if m.Name != prefix+string(rune('a'+i)) {
			t.Errorf("List[%d] = %q, not sorted by name", i, m.Name)
		}
	}
	got, err := s.Get(ctx, prefix+"a", store.GetOptions{})
	if err != nil || !got.Value.IsBinary() || string(got.Value.Reveal()) != string(raw) {
		t.Errorf("binary value did not round-trip (err %v, binary %v)", err, got.Value.IsBinary())
	}
}

func TestKumoClientSideValidation(t *testing.T) {
	ctx := t.Context()
	s := kumoStore(t, awssm.Options{})
	name := unique(t, "v")
	if _, err := s.Create(ctx, name, store.CreateInput{Value: canary(t)}); err != nil {
		t.Fatal(err)
	}
	for _, days := range []int{1, 6, 31} {
		if _, _, err := s.Delete(ctx, name, store.DeleteOptions{RecoveryDays: days}); !errors.Is(err, store.ErrInvalidParameter) {
			t.Errorf("Delete with %d days: %v, want ErrInvalidParameter", days, err)
		}
	}
	if _, _, err := s.Delete(ctx, name, store.DeleteOptions{RecoveryDays: 7, Force: true}); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("Delete with days and force: %v, want ErrInvalidParameter", err)
	}
	if _, err := s.Create(ctx, "bad name!", store.CreateInput{Value: canary(t)}); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("Create with a bad name: %v", err)
	}
	if _, err := s.Create(ctx, name, store.CreateInput{Value: canary(t)}); !errors.Is(err, store.ErrExists) ||
		!strings.Contains(err.Error(), "ResourceExistsException") {
		t.Errorf("Create existing: %v, want ErrExists with the AWS code", err)
	}
	// The secret is still live: the invalid Deletes never reached AWS.
	if _, err := s.Get(ctx, name, store.GetOptions{}); err != nil {
		t.Errorf("Get: %v", err)
	}
}

// kumoGaps are conformance cases kumo v0.33.1 cannot pass, with the reason
// found in its source (internal/service/secretsmanager/storage.go). The
// AWS behaviour behind each is proven against recorded responses instead
// (awssm_replay_test.go).
var kumoGaps = map[string]string{
	"CreateGetString":    "kumo's CreateSecret ignores ClientRequestToken (the version id is a fresh UUID)",
	"Describe":           "kumo's CreateSecret ignores ClientRequestToken",
	"PutMovesCurrent":    "kumo's CreateSecret ignores ClientRequestToken, and PutSecretValue leaves the old AWSPREVIOUS label in place (two versions end up AWSPREVIOUS)",
	"TokenIdempotency":   "kumo's PutSecretValue ignores ClientRequestToken idempotency (a reused token overwrites the version)",
	"CreateWithoutValue": "kumo's CreateSecret returns a VersionId even when no value (no version) was given",
	"DeleteWithRecovery": "kumo accepts a second DeleteSecret on a secret pending deletion, and answers CreateSecret on such a name with ResourceExistsException instead of InvalidRequestException",
}

// TestConformance runs the whole storetest suite through awssm and the real
// SDK against two Secrets Manager peers in one test: `secretctl serve` (over
// a local store, every case, no skips) and kumo (with the gaps above, listed
// in the README's "How the AWS backend is proven").
func TestConformance(t *testing.T) {
	t.Run("serve", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store {
			srv := servetest.Start(t)
			return awssm.New(srv.Client(), awssm.Options{PageSize: 2})
		}, storetest.Caps{})
	})
	t.Run("kumo", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store {
			if reason, ok := kumoGaps[t.Name()[strings.LastIndex(t.Name(), "/")+1:]]; ok {
				t.Skip("kumo gap: " + reason)
			}
			return kumoStore(t, awssm.Options{})
		}, storetest.Caps{
			NoRestore:      true,
			NoUpdateStage:  true,
			NoListVersions: true,
			NoTags:         true,
			NoPendingPut:   true,
		})
	})
}
