package check

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
	"github.com/secretctl/secretctl/internal/rotate"
	"github.com/secretctl/secretctl/internal/scan"
	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/store/awssm"
)

func TestCheckNoHardcoded(t *testing.T) {
	dir := t.TempDir()
	v := canary(t) + "Zx9"
	src := "const config = {\n  password: '" + v + "',\n};\n"
	if err := os.WriteFile(filepath.Join(dir, "config.js"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	c := NoHardcoded{Path: dir, Scan: scan.Options{Paths: []string{dir}}}
	r := c.Run(t.Context())
	if r.Status != Fail || !strings.HasPrefix(r.Summary, "1 hardcoded credential(s) in 1 file(s)") {
		t.Fatalf("%+v", r)
	}
	if len(r.Evidence) == 0 || !strings.HasPrefix(r.Evidence[0], "config.js: 1 finding(s) on line 2") || !strings.Contains(r.Fix, "secretctl migrate "+dir) {
		t.Errorf("evidence and fix: %+v", r)
	}
	assertNoLeak(t, v, r)

	// A baseline of today's findings suppresses them, as in `scan --baseline`.
	res, err := scan.Run(t.Context(), scan.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := scan.WriteBaseline(&b, res.Findings); err != nil {
		t.Fatal(err)
	}
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	if err := os.WriteFile(baseline, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	c.Scan.Baseline = baseline
	if r = c.Run(t.Context()); r.Status != Pass || !strings.Contains(strings.Join(r.Evidence, ""), "1 finding(s) suppressed") {
		t.Errorf("with the baseline: %+v", r)
	}

	c = NoHardcoded{Path: "missing", Scan: scan.Options{Paths: []string{filepath.Join(dir, "missing")}}}
	if r = c.Run(t.Context()); r.Status != Fail {
		t.Errorf("a missing path: %+v", r)
	}
}

func TestCheckRotation(t *testing.T) {
	s, _ := newLocal(t)
	ctx := t.Context()
	for _, n := range []string{"app/a", "app/b"} {
		if _, err := s.Create(ctx, n, store.CreateInput{Value: secret.New(canary(t))}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	e := &rotate.Engine{Store: s, Now: func() time.Time { return now }}
	c := Rotation{Engine: func(context.Context) (*rotate.Engine, error) { return e, nil }, Prefix: "app/", Now: func() time.Time { return now }}
	r := c.Run(ctx)
	if r.Status != Fail || !strings.Contains(r.Summary, "2 without rotation: app/a, app/b") || !strings.Contains(r.Fix, "rotation set") {
		t.Fatalf("none configured: %+v", r)
	}
	for _, n := range []string{"app/a", "app/b"} {
		if _, err := e.Configure(ctx, n, rotate.Config{Rotator: rotate.RotatorRandom, Schedule: "rate(30 days)"}); err != nil {
			t.Fatal(err)
		}
	}
	if r = c.Run(ctx); r.Status != Pass {
		t.Fatalf("configured: %+v", r)
	}
	c.Now = func() time.Time { return now.Add(40 * 24 * time.Hour) }
	if r = c.Run(ctx); r.Status != Fail || !strings.Contains(r.Summary, "2 overdue") {
		t.Errorf("40 days later: %+v", r)
	}
	// An unfinished rotation: a version labelled AWSPENDING only.
	if _, err := s.Put(ctx, "app/a", secret.New(canary(t)), store.PutOptions{Stages: []string{store.StagePending}}); err != nil {
		t.Fatal(err)
	}
	c.Now = func() time.Time { return now }
	if r = c.Run(ctx); r.Status != Fail || !strings.Contains(r.Summary, "1 with an unfinished rotation (AWSPENDING): app/a") {
		t.Errorf("pending: %+v", r)
	}
	c.Prefix = "none/"
	if r = c.Run(ctx); r.Status != Skip {
		t.Errorf("no secrets: %+v", r)
	}
}

// The AWS encrypted item against recorded responses (kumo has no
// GetResourcePolicy): a policy open to "*" fails, the AWS managed key warns.
func TestCheckAWSEncryptionRecorded(t *testing.T) {
	const recorded = "../../testdata/aws"
	sm := func(op string) string { return "secretsmanager." + op }
	const (
		apiARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/payments/api-key-Qw4rT1"
		dbARN  = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/payments/db-Xk3p9Q"
	)
	newItem := func(ex ...awsxtest.Exchange) AWSEncryption {
		r := awsxtest.NewReplay(t, recorded, ex...)
		cl := awsx.NewClients(awsxtest.Config(t, r.URL), r.URL)
		st := awssm.New(cl.SecretsManager, awssm.Options{})
		return AWSEncryption{Store: open(st), Prefix: "prod/payments/", Policies: cl.SecretsManager}
	}
	t.Run("public policy fails", func(t *testing.T) {
		c := newItem(
			awsxtest.Exchange{Target: sm("ListSecrets"), File: "ListSecrets-check.json"},
			awsxtest.Exchange{Target: sm("GetResourcePolicy"), Want: map[string]any{"SecretId": apiARN}, File: "GetResourcePolicy-none.json"},
			awsxtest.Exchange{Target: sm("GetResourcePolicy"), Want: map[string]any{"SecretId": dbARN}, File: "GetResourcePolicy-public.json"},
		)
		r := c.Run(t.Context())
		ev := strings.Join(r.Evidence, "\n")
		if r.Status != Fail || !strings.Contains(r.Summary, `1 secret(s) with a resource policy open to Principal "*": prod/payments/db`) ||
			!strings.Contains(ev, `prod/payments/db: resource policy allows Principal "*" (statement AnyoneMayRead)`) ||
			!strings.Contains(r.Summary, "1 secret(s) on the AWS managed key aws/secretsmanager: prod/payments/api-key") ||
			!strings.Contains(r.Fix, "delete-resource-policy") {
			t.Errorf("%+v", r)
		}
	})
	t.Run("default key warns", func(t *testing.T) {
		c := newItem(
			awsxtest.Exchange{Target: sm("ListSecrets"), File: "ListSecrets-check-default-key.json"},
			awsxtest.Exchange{Target: sm("GetResourcePolicy"), Want: map[string]any{"SecretId": apiARN}, File: "GetResourcePolicy-none.json"},
		)
		r := c.Run(t.Context())
		if r.Status != Warn || !strings.Contains(r.Evidence[0], "prod/payments/api-key: KMS key alias/aws/secretsmanager") || !strings.Contains(r.Fix, "--kms-key-id") {
			t.Errorf("%+v", r)
		}
	})
	t.Run("an unreadable policy fails, named in the summary", func(t *testing.T) {
		c := newItem(
			awsxtest.Exchange{Target: sm("ListSecrets"), File: "ListSecrets-check.json"},
			awsxtest.Exchange{Target: sm("GetResourcePolicy"), Want: map[string]any{"SecretId": apiARN}, File: "GetResourcePolicy-none.json"},
			awsxtest.Exchange{Target: sm("GetResourcePolicy"), Want: map[string]any{"SecretId": dbARN}, Status: 400, Body: `{"__type":"AccessDeniedException","Message":"not authorized to perform: secretsmanager:GetResourcePolicy"}`},
		)
		r := c.Run(t.Context())
		ev := strings.Join(r.Evidence, "\n")
		if r.Status != Fail || !strings.HasPrefix(r.Summary, "1 secret(s) whose resource policy could not be read: prod/payments/db; ") ||
			!strings.Contains(ev, "prod/payments/db: get resource policy: access denied (AccessDeniedException): not authorized to perform: secretsmanager:GetResourcePolicy") ||
			strings.Contains(ev, "RequestID") || !strings.Contains(r.Fix, "secretsmanager:GetResourcePolicy") {
			t.Errorf("%+v", r)
		}
	})
	t.Run("customer key and a named principal pass", func(t *testing.T) {
		c := newItem(
			awsxtest.Exchange{Target: sm("ListSecrets"), File: "ListSecrets-check.json"},
			awsxtest.Exchange{Target: sm("GetResourcePolicy"), Want: map[string]any{"SecretId": dbARN}, File: "GetResourcePolicy-private.json"},
		)
		c.Prefix = "prod/payments/db"
		r := c.Run(t.Context())
		if r.Status != Pass || !strings.Contains(strings.Join(r.Evidence, "\n"), "prod/payments/db: resource policy names its principals") {
			t.Errorf("%+v", r)
		}
	})
}
