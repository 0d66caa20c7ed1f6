package commands

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/secretctl/secretctl/internal/ui"
)

// TestAuditAWSTimeout: against an endpoint that answers every request with
// HTTP 500, `audit --backend aws` shows its retries on a terminal's status
// line and, once --timeout has passed, ends with exit 2 and one line that
// names the endpoint, the bound and the last failure. Piped, it prints no
// status line, only that error.
func TestAuditAWSTimeout(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Requestid", "5d1a0c6e-0000-4000-8000-000000000500")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"__type":"InternalFailure","message":"An internal error occurred"}`))
	}))
	t.Cleanup(srv.Close)
	for _, tty := range []bool{true, false} {
		before := hits.Load()
		io, _, out, errOut := ui.Test()
		io.SetStderrTTY(tty)
		f := NewFactory(io, "test")
		env := testEnv{
			"SECRETCTL_HOME": t.TempDir(), "HOME": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(),
			"SECRETCTL_BACKEND": "aws", "SECRETCTL_REGION": "us-east-1", "SECRETCTL_ENDPOINT_URL": srv.URL,
		}
		f.Getenv = env.get
		awsEnv(t, "AKIDAUDITTEST", "audit-test-secret")
		code := Run(context.Background(), f, []string{"audit", "--timeout", "3s"})
		if code != 2 || out.Len() != 0 {
			t.Fatalf("tty=%v: exit %d, stdout %q, stderr %q", tty, code, out.String(), errOut.String())
		}
		if hits.Load()-before < 2 {
			t.Fatalf("tty=%v: %d requests, want the failed one retried", tty, hits.Load()-before)
		}
		// The error is the last line, after the status line was cleared.
		lines := strings.Split(strings.TrimSuffix(errOut.String(), "\n"), "\n")
		last := lines[len(lines)-1]
		if i := strings.LastIndex(last, "\r\033[K"); i >= 0 {
			last = last[i+len("\r\033[K"):]
		}
		for _, want := range []string{"secretctl: audit: gave up after --timeout 3s", srv.URL, "us-east-1", "HTTP 500"} {
			if !strings.Contains(last, want) {
				t.Errorf("tty=%v: error line %q lacks %q", tty, last, want)
			}
		}
		retry := strings.Contains(errOut.String(), "LookupEvents attempt 1 failed")
		if retry != tty {
			t.Errorf("tty=%v: retry line shown = %v, stderr %q", tty, retry, errOut.String())
		}
		if !tty && len(lines) != 1 {
			t.Errorf("piped: stderr has %d lines, want the error only: %q", len(lines), errOut.String())
		}
	}
}
