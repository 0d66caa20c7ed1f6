// Package servetest starts `secretctl serve`'s handler for tests: over a
// fresh local store in a temporary directory, on a loopback port, with
// test credentials.
package servetest

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/serve"
	"github.com/secretctl/secretctl/internal/store/local"
)

// Test credentials; the key id is what the audit log names.
const (
	AccessKeyID     = "SCTLTESTKEY0000000001"
	SecretAccessKey = "secretctl-serve-test-secret-key"
)

// Server is a running handler.
type Server struct {
	URL   string
	Store *local.Store
	Home  string
	Creds serve.Credentials
}

// Start serves a new local store in t.TempDir() until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	home := t.TempDir()
	st, err := local.Open(context.Background(), local.Options{Home: home})
	if err != nil {
		t.Fatalf("open local store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return StartWith(t, st, home)
}

// StartWith serves st (whose home is home) until the test ends.
func StartWith(t testing.TB, st *local.Store, home string) *Server {
	t.Helper()
	creds := serve.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey}
	srv := httptest.NewServer(serve.New(serve.Options{Store: st, Credentials: creds}))
	t.Cleanup(srv.Close)
	return &Server{URL: srv.URL, Store: st, Home: home, Creds: creds}
}

// Config is an aws.Config for the server with its credentials, region
// us-east-1 and the project's retryer; it reads no environment.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(s.Creds.AccessKeyID, s.Creds.SecretAccessKey, "")),
		BaseEndpoint: aws.String(s.URL),
		Retryer:      func() aws.Retryer { return awsx.NewRetryer(aws.RetryModeStandard, 0) },
	}
}

// Client is a Secrets Manager SDK client for the server.
func (s *Server) Client() *secretsmanager.Client {
	return secretsmanager.NewFromConfig(s.Config())
}
