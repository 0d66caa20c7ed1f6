package awsxtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// signed returns a request signed by the SDK's signer as a client would,
// and its body.
func signed(t *testing.T, keyID, secretKey string) (*http.Request, []byte) {
	t.Helper()
	body := []byte(`{"SecretId":"prod/db"}`)
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "secretsmanager", Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	req.Host = req.URL.Host // as the server sees it
	return req, body
}

func TestVerifySigV4(t *testing.T) {
	req, body := signed(t, "AKIDSECRETCTLTEST", "secretctl-test-secret")
	if err := VerifySigV4(req, body); err != nil {
		t.Fatalf("a correctly signed request: %v", err)
	}
	cases := []struct {
		name   string
		change func(*http.Request, []byte) []byte
		want   string
	}{
		{"body changed", func(_ *http.Request, b []byte) []byte { return bytes.Replace(b, []byte("prod"), []byte("dev_"), 1) }, "does not match"},
		{"signed header changed", func(r *http.Request, b []byte) []byte {
			r.Header.Set("X-Amz-Target", "secretsmanager.DeleteSecret")
			return b
		}, "does not match"},
		{"wrong secret key", func(r *http.Request, b []byte) []byte {
			r2, b2 := signed(t, "AKIDSECRETCTLTEST", "another-secret")
			r.Header = r2.Header
			return b2
		}, "does not match"},
		{"unknown key", func(r *http.Request, b []byte) []byte {
			r2, b2 := signed(t, "AKIDNOTKNOWN", "x")
			r.Header = r2.Header
			return b2
		}, "does not know"},
		{"prefix only", func(r *http.Request, b []byte) []byte {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 whatever")
			return b
		}, "not a SigV4 signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, body := signed(t, "AKIDSECRETCTLTEST", "secretctl-test-secret")
			body = c.change(req, body)
			err := VerifySigV4(req, body)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("VerifySigV4 = %v, want an error containing %q", err, c.want)
			}
		})
	}
}
