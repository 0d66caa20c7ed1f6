package awsx_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/secretctl/secretctl/internal/awsx"
	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
)

const recorded = "../../testdata/aws"

var awsEnv = []string{
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_SESSION_TOKEN",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL_CLOUDTRAIL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	"AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
	"AWS_SDK_UA_APP_ID", "AWS_CA_BUNDLE", "AWS_DEFAULTS_MODE",
}

// isolate clears every AWS variable, points the shared files at an empty
// temporary directory (returned) and disables IMDS, so the machine's own AWS
// setup cannot leak into a test.
func isolate(t *testing.T) string {
	t.Helper()
	for _, k := range awsEnv {
		t.Setenv(k, "")
		os.Unsetenv(k) // t.Setenv restores the old value at cleanup
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return dir
}

func dummyCreds(t *testing.T) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDSECRETCTLTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secretctl-test-secret")
}

func oneLine(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
		t.Errorf("error is not one line: %q", err)
	}
}

func TestLoadRegionPrecedence(t *testing.T) {
	cases := []struct {
		name                       string
		flag, env, envDefault, prf string
		want                       string
	}{
		{"flag wins", "eu-north-1", "us-west-2", "us-east-2", "other", "eu-north-1"},
		{"AWS_REGION over AWS_DEFAULT_REGION", "", "us-west-2", "us-east-2", "other", "us-west-2"},
		{"AWS_DEFAULT_REGION over profile", "", "", "us-east-2", "other", "us-east-2"},
		{"named profile", "", "", "", "other", "ap-south-1"},
		{"default profile", "", "", "", "", "eu-west-3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := isolate(t)
			cfgFile := "[default]\nregion = eu-west-3\n\n[profile other]\nregion = ap-south-1\n"
			if err := os.WriteFile(filepath.Join(dir, "config"), []byte(cfgFile), 0o600); err != nil {
				t.Fatal(err)
			}
			if c.env != "" {
				t.Setenv("AWS_REGION", c.env)
			}
			if c.envDefault != "" {
				t.Setenv("AWS_DEFAULT_REGION", c.envDefault)
			}
			cfg, err := awsx.Load(t.Context(), awsx.Options{Region: c.flag, Profile: c.prf})
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Region != c.want {
				t.Errorf("region = %q, want %q", cfg.Region, c.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	isolate(t)
	_, err := awsx.Load(t.Context(), awsx.Options{})
	if !errors.Is(err, awsx.ErrNoRegion) || err.Error() != "no AWS region: set --region, AWS_REGION or a profile region" {
		t.Errorf("no region: %v", err)
	}
	_, err = awsx.Load(t.Context(), awsx.Options{Region: "us-east-1", Profile: "nope"})
	if err == nil || !strings.Contains(err.Error(), `AWS profile "nope" not found`) {
		t.Errorf("missing profile: %v", err)
	}
	oneLine(t, err)
	for _, o := range []awsx.Options{
		{Region: "us-east-1", RetryMode: "legacy"},
		{Region: "us-east-1", MaxAttempts: -1},
		{Region: "us-east-1", EndpointURL: "localhost:4566"},
	} {
		if _, err := awsx.Load(t.Context(), o); err == nil {
			t.Errorf("Load(%+v) succeeded", o)
		}
	}
}

func describe(t *testing.T, c *awsx.Clients) error {
	t.Helper()
	_, err := c.SecretsManager.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("prod/payments/db")})
	return awsx.Classify(err)
}

func TestEndpointPrecedence(t *testing.T) {
	isolate(t)
	dummyCreds(t)
	ok := awsxtest.Exchange{Target: "secretsmanager.DescribeSecret", File: "DescribeSecret-pending.json"}
	global := awsxtest.NewReplay(t, recorded, ok)
	service := awsxtest.NewReplay(t, recorded, ok)
	flag := awsxtest.NewReplay(t, recorded, ok)

	t.Setenv("AWS_ENDPOINT_URL", global.URL)
	c, err := awsx.New(t.Context(), awsx.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := describe(t, c); err != nil {
		t.Fatalf("AWS_ENDPOINT_URL: %v", err)
	}

	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", service.URL)
	if c, err = awsx.New(t.Context(), awsx.Options{Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	if err := describe(t, c); err != nil {
		t.Fatalf("AWS_ENDPOINT_URL_SECRETS_MANAGER: %v", err)
	}

	if c, err = awsx.New(t.Context(), awsx.Options{Region: "us-east-1", EndpointURL: flag.URL}); err != nil {
		t.Fatal(err)
	}
	if err := describe(t, c); err != nil {
		t.Fatalf("--endpoint-url: %v", err)
	}
	// Each replay server has exactly one exchange: a request to the wrong
	// one fails the test there, and an unused one fails it at cleanup.
}

func TestRetryerRetriesThrottling(t *testing.T) {
	isolate(t)
	dummyCreds(t)
	throttle := awsxtest.Exchange{Target: "secretsmanager.GetSecretValue", Status: 400, File: "errors/ThrottlingException.json"}
	ok := awsxtest.Exchange{Target: "secretsmanager.GetSecretValue", Want: map[string]any{"SecretId": "prod/payments/db"}, File: "GetSecretValue.json"}
	r := awsxtest.NewReplay(t, recorded, throttle, throttle, ok)
	c, err := awsx.New(t.Context(), awsx.Options{Region: "us-east-1", EndpointURL: r.URL, MaxAttempts: 3, UserAgentVersion: "1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.SecretsManager.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/payments/db")})
	if err != nil {
		t.Fatalf("GetSecretValue after two throttles: %v", awsx.Classify(err))
	}
	if aws.ToString(out.VersionId) != "3d8f7a21-6c5e-4b9a-8f0d-1e2c3b4a5d6e" {
		t.Errorf("VersionId = %q", aws.ToString(out.VersionId))
	}
	hs := r.Headers()
	if len(hs) != 3 {
		t.Fatalf("%d requests, want 3", len(hs))
	}
	if ua := hs[0].Get("User-Agent"); !strings.Contains(ua, "secretctl/1.2.3") {
		t.Errorf("User-Agent %q lacks secretctl/1.2.3", ua)
	}
	// The SDK's retryer numbers its attempts.
	if got := hs[2].Get("Amz-Sdk-Request"); !strings.Contains(got, "attempt=3") {
		t.Errorf("amz-sdk-request on the third request = %q, want attempt=3", got)
	}
}

func TestRetryerGivesUp(t *testing.T) {
	isolate(t)
	dummyCreds(t)
	throttle := awsxtest.Exchange{Target: "secretsmanager.GetSecretValue", Status: 400, File: "errors/ThrottlingException.json"}
	quota := awsxtest.Exchange{Target: "secretsmanager.PutSecretValue", Status: 400, File: "errors/LimitExceededException.json"}
	r := awsxtest.NewReplay(t, recorded, throttle, throttle, quota)
	c, err := awsx.New(t.Context(), awsx.Options{Region: "us-east-1", EndpointURL: r.URL, MaxAttempts: 2, RetryMode: "adaptive"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SecretsManager.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("x")})
	err = awsx.Classify(err)
	if !errors.Is(err, awsx.ErrThrottled) || err.Error() != "request throttled by AWS (ThrottlingException): Rate exceeded (after 2 attempts)" {
		t.Errorf("throttled: %v", err)
	}
	// LimitExceededException is a quota in Secrets Manager: one attempt only
	// (a retry would find the script exhausted).
	_, err = c.SecretsManager.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String("x"), SecretString: aws.String("canary-quota-1f3a")})
	err = awsx.Classify(err)
	if !errors.Is(err, awsx.ErrLimitExceeded) || strings.Contains(err.Error(), "canary-quota-1f3a") {
		t.Errorf("quota: %v", err)
	}
}

func TestUnreachableEndpoint(t *testing.T) {
	isolate(t)
	dummyCreds(t)
	c, err := awsx.New(t.Context(), awsx.Options{Region: "us-east-1", EndpointURL: "http://127.0.0.1:1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	err = describe(t, c)
	if !errors.Is(err, awsx.ErrUnreachable) || err.Error() != "cannot reach the AWS endpoint http://127.0.0.1:1: connection refused" {
		t.Errorf("err = %v", err)
	}
	oneLine(t, err)
}

func TestNoCredentials(t *testing.T) {
	dir := isolate(t)
	r := awsxtest.NewReplay(t, recorded) // no exchange: nothing may be sent
	c, err := awsx.New(t.Context(), awsx.Options{Region: "us-east-1", EndpointURL: r.URL, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	err = describe(t, c)
	if !errors.Is(err, awsx.ErrNoCredentials) || !strings.HasPrefix(err.Error(), "no AWS credentials found: ") {
		t.Errorf("err = %v", err)
	}
	oneLine(t, err)
	if strings.Contains(err.Error(), "IMDS") {
		t.Errorf("the no-credentials error talks about IMDS: %v", err)
	}

	// A profile whose source fails says so, on one line.
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte("[profile broken]\ncredential_process = /nonexistent/secretctl-creds\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err = awsx.New(t.Context(), awsx.Options{Region: "us-east-1", Profile: "broken", EndpointURL: r.URL, MaxAttempts: 1}); err != nil {
		t.Fatal(err)
	}
	err = describe(t, c)
	if !errors.Is(err, awsx.ErrNoCredentials) || !strings.Contains(err.Error(), "the configured source failed: ") {
		t.Errorf("broken profile: %v", err)
	}
	oneLine(t, err)
	t.Log(err)
}

func TestClassify(t *testing.T) {
	api := func(code, msg string) error {
		return &smithy.OperationError{ServiceID: "Secrets Manager", OperationName: "GetSecretValue",
			Err: fmt.Errorf("https response error StatusCode: 400, RequestID: abc, %w", &smithy.GenericAPIError{Code: code, Message: msg})}
	}
	cases := []struct {
		err    error
		target error
		text   string
	}{
		// The message only names the secret again: the caller's error does that.
		{api("ResourceNotFoundException", "Secrets Manager can't find the specified secret."), awsx.ErrNotFound,
			"secret not found (ResourceNotFoundException)"},
		{&types.ResourceNotFoundException{Message: aws.String("gone")}, awsx.ErrNotFound, "secret not found (ResourceNotFoundException)"},
		{api("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: 0b6c"), awsx.ErrVersionNotFound,
			"version not found (ResourceNotFoundException)"},
		{api("ResourceNotFoundException", "Secrets Manager can't find the specified secret version."), awsx.ErrNotFound, "version not found (ResourceNotFoundException)"},
		{api("ResourceExistsException", "You can't use ClientRequestToken 0b6c because that value is already in use for a version of secret x."), awsx.ErrExists,
			"secret already exists (ResourceExistsException): You can't use ClientRequestToken 0b6c because that value is already in use for a version of secret x."},
		{api("ResourceExistsException", "The operation failed because the secret a already exists."), awsx.ErrExists, "secret already exists (ResourceExistsException)"},
		{api("InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion."), awsx.ErrMarkedForDeletion, "secret is marked for deletion (InvalidRequestException)"},
		{api("InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion."), awsx.ErrMarkedForDeletion, ""},
		{api("InvalidRequestException", "You tried to perform the operation on a secret that's currently marked deleted."), awsx.ErrMarkedForDeletion, ""},
		{api("InvalidRequestException", "This secret is managed by an AWS service, and you must use that service to update it."), awsx.ErrInvalidRequest, ""},
		{api("InvalidParameterException", "bad"), awsx.ErrInvalidParameter, "invalid parameter (InvalidParameterException): bad"},
		{api("LimitExceededException", "too many versions"), awsx.ErrLimitExceeded, ""},
		{api("AccessDeniedException", "User: x is not\nauthorized"), awsx.ErrAccessDenied, "access denied (AccessDeniedException): User: x is not authorized"},
		{api("AccessDenied", "no"), awsx.ErrAccessDenied, ""},
		{api("DecryptionFailure", "kms"), awsx.ErrDecryption, ""},
		{api("ThrottlingException", "Rate exceeded"), awsx.ErrThrottled, "request throttled by AWS (ThrottlingException): Rate exceeded"},
		{api("UnrecognizedClientException", "The security token included in the request is invalid."), awsx.ErrCredentials, ""},
		{api("InternalServiceError", "oops"), nil, "AWS error InternalServiceError: oops"},
	}
	for _, c := range cases {
		got := awsx.Classify(c.err)
		if c.target != nil && !errors.Is(got, c.target) {
			t.Errorf("Classify(%v) = %v, want %v", c.err, got, c.target)
		}
		if c.text != "" && got.Error() != c.text {
			t.Errorf("Classify(%v) = %q, want %q", c.err, got, c.text)
		}
		oneLine(t, got)
		if again := awsx.Classify(got); again != got {
			t.Errorf("Classify is not idempotent: %v -> %v", got, again)
		}
	}
	if awsx.Classify(nil) != nil {
		t.Error("Classify(nil) != nil")
	}
	if err := awsx.Classify(fmt.Errorf("op: %w", context.Canceled)); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
	if awsx.ErrAccessDenied != awsx.ErrAccessDenied {
		t.Error("awsx.ErrAccessDenied is not awsx.ErrAccessDenied")
	}
}

// RotateSecret and CancelRotateSecret are not emulated by kumo: prove the
// client wiring and request shape against recorded responses.
func TestRotateThroughClients(t *testing.T) {
	tok := "5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b"
	r := awsxtest.NewReplay(t, recorded,
		awsxtest.Exchange{Target: "secretsmanager.RotateSecret", Want: map[string]any{
			"SecretId": "prod/payments/db", "ClientRequestToken": tok, "RotateImmediately": true,
			"RotationLambdaARN": "arn:aws:lambda:us-east-1:111122223333:function:rotate-payments-db",
			"RotationRules":     map[string]any{"ScheduleExpression": "rate(30 days)", "Duration": "3h"},
		}, File: "RotateSecret.json"},
		awsxtest.Exchange{Target: "secretsmanager.RotateSecret", Status: 400, File: "errors/InvalidRequestException-rotation.json"},
		awsxtest.Exchange{Target: "secretsmanager.CancelRotateSecret", Want: map[string]any{"SecretId": "prod/payments/db"}, File: "CancelRotateSecret.json"},
	)
	c := awsx.NewClients(awsxtest.Config(t, r.URL), r.URL)
	in := &secretsmanager.RotateSecretInput{
		SecretId:           aws.String("prod/payments/db"),
		ClientRequestToken: aws.String(tok),
		RotateImmediately:  aws.Bool(true),
		RotationLambdaARN:  aws.String("arn:aws:lambda:us-east-1:111122223333:function:rotate-payments-db"),
		RotationRules:      &types.RotationRulesType{ScheduleExpression: aws.String("rate(30 days)"), Duration: aws.String("3h")},
	}
	out, err := c.SecretsManager.RotateSecret(t.Context(), in)
	if err != nil || aws.ToString(out.VersionId) != tok {
		t.Fatalf("RotateSecret = %v, %v", out, err)
	}
	_, err = c.SecretsManager.RotateSecret(t.Context(), in)
	if err = awsx.Classify(err); !errors.Is(err, awsx.ErrInvalidRequest) || errors.Is(err, awsx.ErrMarkedForDeletion) {
		t.Errorf("RotateSecret during a rotation: %v", err)
	}
	cout, err := c.SecretsManager.CancelRotateSecret(t.Context(), &secretsmanager.CancelRotateSecretInput{SecretId: aws.String("prod/payments/db")})
	if err != nil || aws.ToString(cout.VersionId) != tok {
		t.Errorf("CancelRotateSecret = %v, %v", cout, err)
	}
}

// The lazily built clients reach kumo through the endpoint given: Secrets
// Manager's GetRandomPassword and CloudTrail's DescribeTrails.
func TestClientsAgainstKumo(t *testing.T) {
	ep := awsxtest.StartKumo(t)
	c := awsx.NewClients(awsxtest.Config(t, ep), ep)
	pw, err := c.SecretsManager.GetRandomPassword(t.Context(), &secretsmanager.GetRandomPasswordInput{
		PasswordLength: aws.Int64(40), ExcludePunctuation: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("GetRandomPassword: %v", awsx.Classify(err))
	}
	p := aws.ToString(pw.RandomPassword)
	if len(p) != 40 || strings.ContainsAny(p, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") {
		t.Errorf("password of %d characters, punctuation excluded: %v", len(p), !strings.ContainsAny(p, "!#$%"))
	}
	if _, err := c.CloudTrail.DescribeTrails(t.Context(), &cloudtrail.DescribeTrailsInput{}); err != nil {
		t.Errorf("DescribeTrails: %v", awsx.Classify(err))
	}
}

// TestNotTheAPI: an endpoint that answers with something else (a web server,
// a proxy page) gives a one-line error naming the operation and status.
func TestNotTheAPI(t *testing.T) {
	isolate(t)
	dummyCreds(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<html><body>\n<h1>Not Found</h1>\n</body></html>")
	}))
	defer srv.Close()
	c, err := awsx.New(t.Context(), awsx.Options{Region: "us-east-1", EndpointURL: srv.URL, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	err = describe(t, c)
	if !errors.Is(err, awsx.ErrAWS) || !strings.Contains(err.Error(), "DescribeSecret got an unexpected answer (HTTP 404)") {
		t.Errorf("err = %v", err)
	}
	oneLine(t, err)
}
