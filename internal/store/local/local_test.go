package local

import (
	"testing"

	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/storetest"
)

func openTest(t *testing.T, home string) *Store {
	t.Helper()
	s, err := Open(t.Context(), Options{Home: home, Actor: Actor{UserName: "tester", PrincipalID: "1000", Host: "testhost", UserAgent: "secretctl/test"}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTest(t, t.TempDir()) }, storetest.Caps{})
}
