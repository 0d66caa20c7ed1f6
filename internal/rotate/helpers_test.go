package rotate

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/rotate/rotatetest"

	"github.com/google/uuid"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/local"
)

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// openLocal opens the real local store in home (a new temp dir when "").
func openLocal(t *testing.T, home string) *local.Store {
	t.Helper()
	if home == "" {
		home = t.TempDir()
	}
	s, err := local.Open(context.Background(), local.Options{Home: home})
	if err != nil {
		t.Fatalf("open local store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// syncBuf is a goroutine-safe progress sink.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func canary(t *testing.T) string {
	return "canary-" + strings.ReplaceAll(uuid.NewString(), "-", "")
}

func assertNoLeak(t *testing.T, secrets []string, outs ...string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, o := range outs {
			if strings.Contains(o, s) {
				t.Fatalf("a secret value leaked into output:\n%s", o)
			}
		}
	}
}

func mustCreate(t *testing.T, s store.Store, name, value string, tags map[string]string) {
	t.Helper()
	if _, err := s.Create(context.Background(), name, store.CreateInput{Value: secret.New(value), Tags: tags}); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
}

func getStage(t *testing.T, s store.Store, name, stage string) (store.Secret, error) {
	t.Helper()
	return s.Get(context.Background(), name, store.GetOptions{Stage: stage})
}

func mustStage(t *testing.T, s store.Store, name, stage string) store.Secret {
	t.Helper()
	sec, err := getStage(t, s, name, stage)
	if err != nil {
		t.Fatalf("get %s %s: %v", name, stage, err)
	}
	return sec
}

func configure(t *testing.T, s store.Store, name string, c Config) {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	set, _ := c.Tags()
	if err := s.Tag(context.Background(), name, set); err != nil {
		t.Fatalf("tag: %v", err)
	}
}

// needService skips when a database is missing, but fails in CI.
func needService(t *testing.T, what string, err error) { rotatetest.NeedService(t, what, err) }

func openLocalForChild(home string) (*local.Store, error) {
	return local.Open(context.Background(), local.Options{Home: home})
}
