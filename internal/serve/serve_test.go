package serve_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/secretctl/secretctl/internal/auditlog"
	"github.com/secretctl/secretctl/internal/rotate"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/serve"
	"github.com/secretctl/secretctl/internal/serve/servetest"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/local"
)

func canary(t *testing.T) string {
	t.Helper()
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return "canary-" + hex.EncodeToString(b)
}

// records reads the server's access log.
func records(t *testing.T, srv *servetest.Server) []auditlog.Record {
	t.Helper()
	f, err := os.Open(srv.Store.AuditLogPath())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []auditlog.Record
	if err := auditlog.Read(f, func(r auditlog.Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestSDKTypedErrorsAndAudit(t *testing.T) {
	ctx := t.Context()
	srv := servetest.Start(t)
	c := srv.Client()
	v := canary(t)
	out, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/db"), SecretString: aws.String(v)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")})
	if err != nil || aws.ToString(got.SecretString) != v || aws.ToString(got.ARN) != aws.ToString(out.ARN) {
		t.Fatalf("GetSecretValue: %v (same value %v)", err, got != nil && aws.ToString(got.SecretString) == v)
	}

	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/missing")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) || rnf.ErrorMessage() != "Secrets Manager can't find the specified secret." {
		t.Errorf("missing secret: %v, want a typed ResourceNotFoundException with AWS's message", err)
	}
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/db"), SecretString: aws.String(canary(t))})
	var rex *types.ResourceExistsException
	if !errors.As(err, &rex) {
		t.Errorf("create existing: %v, want ResourceExistsException", err)
	}
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bad name!"), SecretString: aws.String(canary(t))})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Errorf("bad name: %v, want InvalidParameterException", err)
	}
	if _, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("app/db"), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")})
	var ire *types.InvalidRequestException
	if !errors.As(err, &ire) || !strings.Contains(ire.ErrorMessage(), "marked for deletion") {
		t.Errorf("get deleted: %v, want InvalidRequestException about the deletion", err)
	}
	for _, e := range []error{err} {
		if e != nil && strings.Contains(e.Error(), v) {
			t.Error("the value leaked into an error")
		}
	}

	recs := records(t, srv)
	if len(recs) != 7 {
		t.Fatalf("%d audit records, want 7 (one a call that reached the store)", len(recs))
	}
	for _, r := range recs {
		if r.UserIdentity.AccessKeyID != servetest.AccessKeyID || r.UserIdentity.UserName != servetest.AccessKeyID ||
			r.SourceIPAddress != "127.0.0.1" || !strings.Contains(r.UserAgent, "aws-sdk-go-v2") {
			t.Errorf("record %s: identity %+v from %q agent %q; want the caller's key id and address", r.EventName, r.UserIdentity, r.SourceIPAddress, r.UserAgent)
		}
	}
	if recs[1].EventName != "GetSecretValue" || recs[1].Failed() || recs[2].ErrorCode != "ResourceNotFoundException" {
		t.Errorf("records %s/%s and %s/%s", recs[1].EventName, recs[1].ErrorCode, recs[2].EventName, recs[2].ErrorCode)
	}
	b, _ := os.ReadFile(srv.Store.AuditLogPath())
	if bytes.Contains(b, []byte(v)) {
		t.Error("the value is in the access log")
	}
}

// client returns an SDK client for srv signing with the given key.
func client(srv *servetest.Server, id, key string, offset time.Duration) *secretsmanager.Client {
	cfg := srv.Config()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(id, key, "")
	cfg.RetryMaxAttempts = 1
	return secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
		o.Retryer = aws.NopRetryer{}
		if offset != 0 {
			o.HTTPSignerV4 = skewSigner{offset}
		}
	})
}

type skewSigner struct{ d time.Duration }

func (s skewSigner) SignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, hash, svc, region string, t time.Time, fns ...func(*v4SignerOptions)) error {
	return newSigner().SignHTTP(ctx, c, r, hash, svc, region, t.Add(s.d))
}

func TestAuthentication(t *testing.T) {
	ctx := t.Context()
	srv := servetest.Start(t)
	good := srv.Client()
	if _, err := good.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("auth/x"), SecretString: aws.String(canary(t))}); err != nil {
		t.Fatal(err)
	}
	before := records(t, srv)
	cases := []struct {
		name   string
		c      *secretsmanager.Client
		code   string
		inText string
	}{
		{"unknown key", client(srv, "SCTLNOTTHEKEY0000000", servetest.SecretAccessKey, 0), "UnrecognizedClientException", "security token included in the request is invalid"},
		{"wrong secret", client(srv, servetest.AccessKeyID, "not-the-secret", 0), "InvalidSignatureException", "signature we calculated does not match"},
		{"clock 6 min behind", client(srv, servetest.AccessKeyID, servetest.SecretAccessKey, -6*time.Minute), "InvalidSignatureException", "Signature expired"},
		{"clock 6 min ahead", client(srv, servetest.AccessKeyID, servetest.SecretAccessKey, 6*time.Minute), "InvalidSignatureException", "Signature not yet current"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := canary(t)
			_, err := tc.c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("auth/x"), SecretString: aws.String(v)})
			if apiCode(err) != tc.code || !strings.Contains(err.Error(), tc.inText) {
				t.Errorf("PutSecretValue: %v, want %s (%q)", err, tc.code, tc.inText)
			}
			if _, err := tc.c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("auth/x")}); apiCode(err) != tc.code {
				t.Errorf("GetSecretValue: %v, want %s", err, tc.code)
			}
			if err != nil && strings.Contains(err.Error(), v) {
				t.Error("value leaked into the error")
			}
		})
	}
	// Nothing was read or written: no new audit record, one version.
	if after := records(t, srv); len(after) != len(before) {
		t.Errorf("refused requests wrote %d audit records", len(after)-len(before))
	}
	vs, err := srv.Store.Versions(ctx, "auth/x", true)
	if err != nil || len(vs) != 1 {
		t.Errorf("versions after refused puts: %d, %v; want 1", len(vs), err)
	}
	// Within the allowed skew the request goes through.
	if _, err := client(srv, servetest.AccessKeyID, servetest.SecretAccessKey, 4*time.Minute).DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("auth/x")}); err != nil {
		t.Errorf("4 minutes of skew: %v", err)
	}

	// Unsigned and tampered requests.
	body := `{"SecretId":"auth/x"}`
	resp := post(t, srv.URL, "secretsmanager.GetSecretValue", body, nil)
	if resp.code != 400 || resp.typ != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned: %d %s", resp.code, resp.typ)
	}
	signed := signedRequest(t, srv, "secretsmanager.GetSecretValue", body)
	signed.Body = io.NopCloser(strings.NewReader(`{"SecretId":"auth/y"}`))
	signed.ContentLength = int64(len(`{"SecretId":"auth/y"}`))
	if r := do(t, signed); r.code != 400 || r.typ != "InvalidSignatureException" {
		t.Errorf("tampered body: %d %s", r.code, r.typ)
	}
}

type response struct {
	code int
	typ  string
	msg  string
	body []byte
}

func do(t *testing.T, req *http.Request) response {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(b, &e)
	if e.Type != "" && res.Header.Get("X-Amzn-ErrorType") != e.Type {
		t.Errorf("X-Amzn-ErrorType %q, __type %q", res.Header.Get("X-Amzn-ErrorType"), e.Type)
	}
	return response{res.StatusCode, e.Type, e.Message, b}
}

func post(t *testing.T, url, target, body string, hdr http.Header) response {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	for k, v := range hdr {
		req.Header[k] = v
	}
	return do(t, req)
}

// signedRequest signs a raw JSON 1.1 request with the server's key.
func signedRequest(t *testing.T, srv *servetest.Server, target, body string) *http.Request {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, strings.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if err := newSigner().SignHTTP(t.Context(), aws.Credentials{AccessKeyID: srv.Creds.AccessKeyID, SecretAccessKey: srv.Creds.SecretAccessKey},
		req, sha256Hex(body), "secretsmanager", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

func TestUnknownOperationAndLimits(t *testing.T) {
	srv := servetest.Start(t)
	r := do(t, signedRequest(t, srv, "secretsmanager.PutResourcePolicy", `{}`))
	if r.code != 400 || r.typ != "UnknownOperationException" {
		t.Errorf("unknown operation: %d %q", r.code, r.typ)
	}
	r = do(t, signedRequest(t, srv, "secretsmanager.GetSecretValue", `{"SecretId":`))
	if r.code != 400 || r.typ != "SerializationException" {
		t.Errorf("bad JSON: %d %q", r.code, r.typ)
	}

	// A body over the limit is refused before it is read whole: the
	// handler stops at MaxBody bytes of an endless stream.
	var read countingReader
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, &read)
	req.Header.Set("X-Amz-Target", "secretsmanager.CreateSecret")
	req.ContentLength = -1 // chunked: the server cannot rely on a length
	r = do(t, req)
	if r.code != http.StatusRequestEntityTooLarge || r.typ != "RequestEntityTooLargeException" {
		t.Errorf("huge body: %d %q", r.code, r.typ)
	}
	// The body is endless, so an answer at all shows the server stopped
	// reading; socket buffers let the client push a few MiB more meanwhile.
	if n := read.n.Load(); n > 64*serve.MaxBody {
		t.Errorf("the client sent %d bytes before the refusal; the server read far past the limit", n)
	}
	// With a declared length over the limit, nothing is read at all.
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, io.LimitReader(&read, serve.MaxBody+1))
	req.ContentLength = serve.MaxBody + 1
	req.Header.Set("X-Amz-Target", "secretsmanager.CreateSecret")
	if r = do(t, req); r.code != http.StatusRequestEntityTooLarge {
		t.Errorf("declared huge body: %d %q", r.code, r.typ)
	}
	if len(records(t, srv)) != 0 {
		t.Error("refused requests reached the store")
	}
}

func TestBatchGetRandomPasswordAndRotation(t *testing.T) {
	ctx := t.Context()
	srv := servetest.Start(t)
	c := srv.Client()
	vals := map[string]string{}
	for _, n := range []string{"b/one", "b/two", "b/three"} {
		vals[n] = canary(t)
		if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(n), SecretString: aws.String(vals[n]),
			Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("pay")}}}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"b/one", "b/two", "b/none"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.SecretValues) != 2 || len(out.Errors) != 1 || aws.ToString(out.Errors[0].ErrorCode) != "ResourceNotFoundException" || aws.ToString(out.Errors[0].SecretId) != "b/none" {
		t.Fatalf("BatchGetSecretValue: %d values, errors %+v", len(out.SecretValues), out.Errors)
	}
	for _, sv := range out.SecretValues {
		if aws.ToString(sv.SecretString) != vals[aws.ToString(sv.Name)] {
			t.Errorf("%s: wrong value", aws.ToString(sv.Name))
		}
	}
	// By filter, paged 2 at a time.
	var names []string
	p := secretsmanager.NewBatchGetSecretValuePaginator(c, &secretsmanager.BatchGetSecretValueInput{
		Filters: []types.Filter{{Key: types.FilterNameStringTypeTagValue, Values: []string{"pay"}}}, MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, sv := range pg.SecretValues {
			names = append(names, aws.ToString(sv.Name))
		}
	}
	if strings.Join(names, ",") != "b/one,b/three,b/two" {
		t.Errorf("BatchGet by filter read %v", names)
	}
	if _, err := c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"b/one"}, MaxResults: aws.Int32(2)}); apiCode(err) != "InvalidParameterException" {
		t.Errorf("MaxResults with SecretIdList: %v", err)
	}

	pw, err := c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(24), ExcludePunctuation: aws.Bool(true)})
	if err != nil || len(aws.ToString(pw.RandomPassword)) != 24 || strings.ContainsAny(aws.ToString(pw.RandomPassword), "!#$%&()*+,-./:;<=>?@[]^_`{|}~") {
		t.Errorf("GetRandomPassword: %v", err)
	}
	if _, err := c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{ExcludeNumbers: aws.Bool(true), ExcludeLowercase: aws.Bool(true),
		ExcludeUppercase: aws.Bool(true), ExcludePunctuation: aws.Bool(true)}); apiCode(err) != "InvalidParameterException" {
		t.Errorf("GetRandomPassword excluding everything: %v", err)
	}

	// RotateSecret runs the client-side rotator `rotation set` configured.
	if _, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("b/one")}); apiCode(err) != "InvalidRequestException" {
		t.Errorf("RotateSecret with no rotator: %v", err)
	}
	cfg := rotate.Config{Rotator: rotate.RotatorRandom}
	tags, _ := cfg.Tags()
	if err := srv.Store.Tag(ctx, "b/one", tags); err != nil {
		t.Fatal(err)
	}
	rot, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("b/one")})
	if err != nil {
		t.Fatal(err)
	}
	cur, err := srv.Store.Get(ctx, "b/one", store.GetOptions{})
	if err != nil || cur.VersionID != aws.ToString(rot.VersionId) || cur.Value.RevealString() == vals["b/one"] {
		t.Errorf("after RotateSecret: current %s (rotate said %s), err %v", cur.VersionID, aws.ToString(rot.VersionId), err)
	}
	prev, _ := srv.Store.Get(ctx, "b/one", store.GetOptions{Stage: store.StagePrevious})
	if prev.Value.RevealString() != vals["b/one"] {
		t.Error("AWSPREVIOUS does not hold the old value")
	}
	if _, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("b/one"), RotationLambdaARN: aws.String("arn:aws:lambda:us-east-1:1:function:f")}); apiCode(err) != "InvalidRequestException" {
		t.Errorf("RotateSecret with a Lambda: %v", err)
	}
	// CancelRotateSecret clears an unfinished rotation's AWSPENDING.
	pending, err := srv.Store.Put(ctx, "b/one", secret.New(canary(t)), store.PutOptions{Stages: []string{store.StagePending}})
	if err != nil {
		t.Fatal(err)
	}
	cr, err := c.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String("b/one")})
	if err != nil || aws.ToString(cr.VersionId) != pending.VersionID {
		t.Fatalf("CancelRotateSecret: %v (version %s, want %s)", err, aws.ToString(cr.VersionId), pending.VersionID)
	}
	if m, _ := srv.Store.Describe(ctx, "b/one"); m.VersionWith(store.StagePending) != "" {
		t.Error("AWSPENDING is still attached")
	}
}

func TestListSecretsFilters(t *testing.T) {
	ctx := t.Context()
	srv := servetest.Start(t)
	c := srv.Client()
	mk := func(name, desc string, tags map[string]string) {
		in := &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(canary(t)), Description: aws.String(desc)}
		for k, v := range tags {
			in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		if _, err := c.CreateSecret(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	mk("prod/db", "Main Database", map[string]string{"env": "prod"})
	mk("prod/api", "payments key", map[string]string{"env": "prod", "team": "pay"})
	mk("dev/db", "dev database", map[string]string{"env": "dev"})
	list := func(fs ...types.Filter) string {
		var names []string
		p := secretsmanager.NewListSecretsPaginator(c, &secretsmanager.ListSecretsInput{Filters: fs, MaxResults: aws.Int32(1)})
		for p.HasMorePages() {
			pg, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range pg.SecretList {
				names = append(names, aws.ToString(e.Name))
			}
		}
		return strings.Join(names, ",")
	}
	f := func(k types.FilterNameStringType, v ...string) types.Filter { return types.Filter{Key: k, Values: v} }
	for _, tc := range []struct {
		got, want string
	}{
		{list(), "dev/db,prod/api,prod/db"},
		{list(f(types.FilterNameStringTypeName, "prod/")), "prod/api,prod/db"},
		{list(f(types.FilterNameStringTypeName, "!prod/")), "dev/db"},
		{list(f(types.FilterNameStringTypeDescription, "database")), "dev/db,prod/db"},
		{list(f(types.FilterNameStringTypeTagKey, "team")), "prod/api"},
		{list(f(types.FilterNameStringTypeTagValue, "prod"), f(types.FilterNameStringTypeName, "prod/d")), "prod/db"},
		{list(f(types.FilterNameStringTypeName, "dev/", "prod/a")), "dev/db,prod/api"},
		{list(f(types.FilterNameStringTypeAll, "PAY")), "prod/api"},
	} {
		if tc.got != tc.want {
			t.Errorf("ListSecrets = %q, want %q", tc.got, tc.want)
		}
	}
	if _, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{NextToken: aws.String("garbage")}); apiCode(err) != "InvalidNextTokenException" {
		t.Errorf("bad NextToken: %v", err)
	}
}

// TestMixedWriters: writers through serve and directly on the store (a
// second local.Store on the same home, as a CLI process has) at the same
// time lose no version.
func TestMixedWriters(t *testing.T) {
	ctx := t.Context()
	srv := servetest.Start(t)
	if _, err := srv.Store.Create(ctx, "mixed/x", store.CreateInput{Value: secret.New(canary(t))}); err != nil {
		t.Fatal(err)
	}
	cli, err := local.Open(ctx, local.Options{Home: srv.Home})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	const each = 25
	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := srv.Client()
			for range each {
				var id string
				if w%2 == 0 {
					out, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("mixed/x"), SecretString: aws.String(canary(t))})
					if err != nil {
						t.Error(err)
						return
					}
					id = aws.ToString(out.VersionId)
				} else {
					ref, err := cli.Put(ctx, "mixed/x", secret.New(canary(t)), store.PutOptions{})
					if err != nil {
						t.Error(err)
						return
					}
					id = ref.VersionID
				}
				mu.Lock()
				acked[id] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	vs, err := cli.Versions(ctx, "mixed/x", true)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, v := range vs {
		have[v.VersionID] = true
	}
	for id := range acked {
		if !have[id] {
			t.Errorf("acknowledged version %s is lost", id)
		}
	}
	if len(acked) != 4*each || len(vs) != 4*each+1 {
		t.Errorf("%d acknowledged, %d versions; want %d and %d", len(acked), len(vs), 4*each, 4*each+1)
	}
}

// TestConcurrentReadsGroupCommitted: concurrent GetSecretValue calls share
// store transactions, yet each is answered with its own result and has its
// own audit record naming its own caller.
func TestConcurrentReadsGroupCommitted(t *testing.T) {
	ctx := t.Context()
	srv := servetest.Start(t)
	v := canary(t)
	if _, err := srv.Client().CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("gc/x"), SecretString: aws.String(v)}); err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := srv.Config()
			cfg.AppID = fmt.Sprintf("worker-%d", w)
			c := secretsmanager.NewFromConfig(cfg)
			for i := range each {
				id := "gc/x"
				if i%5 == 4 {
					id = "gc/missing"
				}
				out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
				switch {
				case id == "gc/x" && (err != nil || aws.ToString(out.SecretString) != v):
					t.Errorf("worker %d read %d: %v", w, i, err)
				case id == "gc/missing" && apiCode(err) != "ResourceNotFoundException":
					t.Errorf("worker %d read %d of a missing secret: %v", w, i, err)
				}
			}
		}()
	}
	wg.Wait()
	perWorker := map[string]int{}
	failed := 0
	for _, r := range records(t, srv) {
		if r.EventName != "GetSecretValue" {
			continue
		}
		if r.ErrorCode == "ResourceNotFoundException" {
			failed++
		}
		for w := range workers {
			if strings.Contains(r.UserAgent, fmt.Sprintf("app/worker-%d", w)) {
				perWorker[fmt.Sprint(w)]++
			}
		}
	}
	for w := range workers {
		if n := perWorker[fmt.Sprint(w)]; n != each {
			t.Errorf("worker %d has %d GetSecretValue records, want %d", w, n, each)
		}
	}
	if failed != workers*each/5 {
		t.Errorf("%d failed reads recorded, want %d", failed, workers*each/5)
	}
	if res, err := srv.Store.VerifyAudit(ctx); err != nil || !res.OK() {
		t.Errorf("audit log does not verify: %+v %v", res, err)
	}
}

// DeleteSecret's recovery-window checks answer as AWS does: the window's
// range first (an explicit 0 is out of range, not the default), then
// ForceDeleteWithoutRecovery with a window; nothing is deleted.
func TestDeleteSecretRecoveryWindow(t *testing.T) {
	ctx := t.Context()
	srv := servetest.Start(t)
	c := srv.Client()
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/db"), SecretString: aws.String(canary(t))}); err != nil {
		t.Fatal(err)
	}
	const (
		rangeMsg = "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."
		bothMsg  = "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."
	)
	for _, tc := range []struct {
		window *int64
		force  bool
		want   string
	}{
		{aws.Int64(0), false, rangeMsg},
		{aws.Int64(6), false, rangeMsg},
		{aws.Int64(31), false, rangeMsg},
		{aws.Int64(-7), false, rangeMsg},
		{aws.Int64(1 << 40), false, rangeMsg},
		{aws.Int64(3), true, rangeMsg},
		{aws.Int64(0), true, rangeMsg},
		{aws.Int64(7), true, bothMsg},
		{aws.Int64(30), true, bothMsg},
	} {
		_, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("app/db"), RecoveryWindowInDays: tc.window, ForceDeleteWithoutRecovery: aws.Bool(tc.force)})
		var ipe *types.InvalidParameterException
		if !errors.As(err, &ipe) || ipe.ErrorMessage() != tc.want {
			t.Errorf("window %d force %v: %v, want InvalidParameterException %q", *tc.window, tc.force, err, tc.want)
		}
	}
	if m, err := srv.Store.Describe(ctx, "app/db"); err != nil || m.DeletedDate != nil {
		t.Fatalf("after the refused deletes: %v %+v", err, m.DeletedDate)
	}
	out, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("app/db"), RecoveryWindowInDays: aws.Int64(30)})
	if err != nil || out.DeletionDate == nil {
		t.Fatalf("window 30: %v", err)
	}
	if _, err := c.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String("app/db")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("app/db"), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatalf("force: %v", err)
	}
	if _, err := srv.Store.Describe(ctx, "app/db"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after force delete: %v, want not found", err)
	}
}
