package commands

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/secretctl/secretctl/internal/serve/servetest"
)

// TestExecServeBatch: exec on the AWS backend against serve, which has
// BatchGetSecretValue, reads 25 secrets through the real SDK in two batch
// calls (20 + 5), and the child sees every value, masked in its output.
func TestExecServeBatch(t *testing.T) {
	srv := servetest.Start(t)
	c := srv.Client()
	v := canary(t)
	for i := range 25 {
		_, err := c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{
			Name: aws.String(fmt.Sprintf("app/batch/s%02d", i)), SecretString: aws.String(fmt.Sprintf(`{"KEY_%02d":"%s-%02d"}`, i, v, i)),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// A proxy in front of serve counts the operations; it keeps the Host
	// header the SDK signed.
	var mu sync.Mutex
	ops := map[string]int{}
	target, _ := url.Parse(srv.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ops[strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")]++
		mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	p, _ := newProc(t)
	p.env = []string{"SECRETCTL_BACKEND=aws", "SECRETCTL_ENDPOINT_URL=" + proxy.URL, "SECRETCTL_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=" + servetest.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + servetest.SecretAccessKey, "AWS_SESSION_TOKEN=",
		"AWS_PROFILE=", "AWS_CONFIG_FILE=" + filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(t.TempDir(), "none")}
	args := []string{"exec"}
	for i := range 25 {
		args = append(args, "--secret", fmt.Sprintf("app/batch/s%02d", i))
	}
	r := p.run(append(args, "--mask", "--", "sh", "-c", `env | grep -c '^KEY_'; printf '%s\n' "$KEY_07"`)...)
	if r.code != 0 || r.out != "25\n<KEY_07>\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.out, r.errOut)
	}
	assertNoLeak(t, v, r.out, r.errOut)
	mu.Lock()
	defer mu.Unlock()
	if ops["BatchGetSecretValue"] != 2 || ops["GetSecretValue"] != 0 {
		t.Errorf("operations %v, want 2 BatchGetSecretValue (20 + 5 ids) and no GetSecretValue", ops)
	}
}
