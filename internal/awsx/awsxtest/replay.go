package awsxtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

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
// POST, the X-Amz-Target header, the JSON 1.1 content type, a SigV4
// Authorization header, and the body fields named in the Exchange. It fails
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
	if a := req.Header.Get("Authorization"); !strings.HasPrefix(a, "AWS4-HMAC-SHA256 ") {
		r.t.Errorf("replay %s: request is not SigV4-signed", target)
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
