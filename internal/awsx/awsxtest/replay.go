package awsxtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Keys are the test credentials a Replay server knows, by access key id:
// the ones Config uses and the ones the command tests put in the
// environment. A request signed with any other key fails the test.
var Keys = map[string]string{
	"AKIDSECRETCTLTEST": "secretctl-test-secret",
	"AKIDROTATETEST":    "rotate-test-secret",
	"AKIDAUDITTEST":     "audit-test-secret",
}

// Exchange is one scripted request/response of a Replay server.
type Exchange struct {
	Target string         // expected X-Amz-Target, e.g. "secretsmanager.RestoreSecret"
	Want   map[string]any // body fields that must be present with exactly these (JSON) values
	Absent []string       // body fields that must not be present
	Status int            // response status; 0 means 200
	File   string         // response body file, relative to the Replay directory (sent as is, even empty)
	Body   string         // inline response body when File is empty ("{}" when both are empty)
}

// Replay is an httptest server that answers AWS JSON 1.1 requests from a
// script of recorded responses, in order, and checks each request's shape:
// POST, the X-Amz-Target header, the JSON 1.1 content type, the SigV4
// signature (recomputed with the SDK's signer over the received method,
// path, signed headers and body, with the secret key from Keys, and
// compared with the one sent), and the body fields named in the Exchange. It fails
// the test on any mismatch and, at cleanup, if exchanges are left unused.
type Replay struct {
	URL string

	t       testing.TB
	dir     string
	mu      sync.Mutex
	script  []Exchange
	next    int
	bodies  []map[string]any
	headers []http.Header
}

// NewReplay starts a Replay server reading response files from dir.
func NewReplay(t testing.TB, dir string, script ...Exchange) *Replay {
	t.Helper()
	r := &Replay{t: t, dir: dir, script: script}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	r.URL = srv.URL
	t.Cleanup(func() {
		srv.Close()
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.next != len(r.script) {
			t.Errorf("replay: %d of %d scripted exchanges were not used", len(r.script)-r.next, len(r.script))
		}
	})
	return r
}

// Requests returns the decoded request bodies received so far.
func (r *Replay) Requests() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.bodies...)
}

// Headers returns the request headers received so far.
func (r *Replay) Headers() []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]http.Header(nil), r.headers...)
}

func (r *Replay) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	raw, _ := io.ReadAll(req.Body)
	target := req.Header.Get("X-Amz-Target")
	if r.next >= len(r.script) {
		r.t.Errorf("replay: unexpected request %s (script exhausted)", target)
		writeErr(w, "ReplayScriptExhausted", "no scripted response left")
		return
	}
	ex := r.script[r.next]
	r.next++

	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		r.t.Errorf("replay %s: request body is not a JSON object: %v", target, err)
	}
	r.bodies = append(r.bodies, body)
	r.headers = append(r.headers, req.Header.Clone())
	if req.Method != http.MethodPost {
		r.t.Errorf("replay %s: method %s, want POST", target, req.Method)
	}
	if target != ex.Target {
		r.t.Errorf("replay #%d: X-Amz-Target %q, want %q", r.next, target, ex.Target)
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		r.t.Errorf("replay %s: Content-Type %q, want application/x-amz-json-1.1", target, ct)
	}
	if err := VerifySigV4(req, raw); err != nil {
		r.t.Errorf("replay %s: %v", target, err)
	}
	for k, want := range normalize(r.t, ex.Want) {
		got, ok := body[k]
		if !ok {
			r.t.Errorf("replay %s: body field %s missing", target, k)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			r.t.Errorf("replay %s: body field %s = %v, want %v", target, k, got, want)
		}
	}
	for _, k := range ex.Absent {
		if _, ok := body[k]; ok {
			r.t.Errorf("replay %s: body field %s present, want absent", target, k)
		}
	}

	resp := []byte(ex.Body)
	if ex.File != "" {
		b, err := os.ReadFile(filepath.Join(r.dir, ex.File))
		if err != nil {
			r.t.Errorf("replay: %v", err)
		}
		resp = b
	}
	if ex.File == "" && len(bytes.TrimSpace(resp)) == 0 {
		resp = []byte("{}")
	}
	status := ex.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", "5c5d0f47-3a43-4a0d-9e3c-2b1f0c1e9a11")
	w.WriteHeader(status)
	_, _ = w.Write(resp)
}

func normalize(t testing.TB, m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func writeErr(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "Message": msg})
}

var authRE = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$`)

// VerifySigV4 checks req's SigV4 signature: it rebuilds the request from
// what was received (method, path and query, the headers named in
// SignedHeaders, the body), signs it again with the SDK's v4 signer, the
// secret key Keys holds for the access key id, and the date, region and
// service of the credential scope, and compares the two signatures. It also
// checks that X-Amz-Date falls on the scope's date and that a sent
// X-Amz-Content-Sha256 is the body's hash.
func VerifySigV4(req *http.Request, body []byte) error {
	m := authRE.FindStringSubmatch(req.Header.Get("Authorization"))
	if m == nil {
		return fmt.Errorf("the Authorization header is not a SigV4 signature: %q", req.Header.Get("Authorization"))
	}
	keyID, date, region, service, signed, sig := m[1], m[2], m[3], m[4], m[5], m[6]
	secretKey, ok := Keys[keyID]
	if !ok {
		return fmt.Errorf("signed with access key %s, which the replay server does not know", keyID)
	}
	when, err := time.Parse("20060102T150405Z", req.Header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("X-Amz-Date: %v", err)
	}
	if when.Format("20060102") != date {
		return fmt.Errorf("X-Amz-Date %s is not on the credential scope's date %s", req.Header.Get("X-Amz-Date"), date)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	if h := req.Header.Get("X-Amz-Content-Sha256"); h != "" && h != hash {
		return fmt.Errorf("X-Amz-Content-Sha256 %s is not the body's hash %s", h, hash)
	}
	u := *req.URL
	u.Scheme, u.Host = "http", req.Host
	again, err := http.NewRequest(req.Method, u.String(), nil)
	if err != nil {
		return err
	}
	for _, h := range strings.Split(signed, ";") {
		switch h {
		case "host": // the signer takes it from the URL
		case "content-length":
			again.ContentLength = int64(len(body))
		default:
			vs := req.Header.Values(h)
			if len(vs) == 0 {
				return fmt.Errorf("signed header %s is missing", h)
			}
			again.Header[http.CanonicalHeaderKey(h)] = vs
		}
	}
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secretKey, SessionToken: req.Header.Get("X-Amz-Security-Token")}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, hash, service, region, when); err != nil {
		return fmt.Errorf("recompute the signature: %v", err)
	}
	m2 := authRE.FindStringSubmatch(again.Header.Get("Authorization"))
	if m2 == nil || m2[5] != signed {
		return fmt.Errorf("the recomputed signature covers other headers (%q, sent %q)", again.Header.Get("Authorization"), signed)
	}
	if m2[6] != sig {
		return fmt.Errorf("the SigV4 signature does not match the request (signed headers %s)", signed)
	}
	return nil
}
