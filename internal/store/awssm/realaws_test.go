package awssm_test

import (
	"context"
	"os"
	"testing"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/awssm"
	"github.com/secretctl/secretctl/internal/store/storetest"
)

// TestRealAWSConformance runs the conformance suite against real AWS Secrets
// Manager with the ambient credentials and region (profile, SSO, env...). It
// is opt-in because it creates secrets; it force-deletes them afterwards.
func TestRealAWSConformance(t *testing.T) {
	if os.Getenv("SECRETCTL_TEST_AWS") != "1" {
		t.Skip("set SECRETCTL_TEST_AWS=1 to run the conformance suite against real AWS (it creates, then force-deletes, secrets named storetest/TestRealAWSConformance/...)")
	}
	c, err := awsx.New(t.Context(), awsx.Options{UserAgentVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	s := awssm.New(c.SecretsManager, awssm.Options{})
	t.Cleanup(func() {
		ctx := context.Background()
		ms, err := s.List(ctx, store.ListOptions{Prefix: "storetest/TestRealAWSConformance/", IncludeDeleted: true})
		if err != nil {
			t.Errorf("list secrets to clean up: %v", err)
			return
		}
		for _, m := range ms {
			if _, _, err := s.Delete(ctx, m.ARN, store.DeleteOptions{Force: true}); err != nil {
				t.Errorf("clean up %s: %v", m.Name, err)
			}
		}
	})
	storetest.Run(t, func(*testing.T) store.Store { return s }, storetest.Caps{})
}
