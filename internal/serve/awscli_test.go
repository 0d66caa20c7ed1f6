package serve_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/serve/servetest"
)

type cliResult struct {
	out    []byte
	stderr string
	code   int
}

// awsCLI runs `aws secretsmanager ARGS` against srv with the given key and
// no shared config. It never logs stdout: it holds values.
func awsCLI(t *testing.T, srv *servetest.Server, keyID, key string, args ...string) cliResult {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the AWS CLI (aws) is not on PATH; CI must install it (apt-get install awscli)")
		}
		t.Skip("SKIPPING the AWS CLI test: `aws` is not on PATH (apt-get install awscli); it is required under CI=true")
	}
	dir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), bin, append(append([]string{"secretsmanager"}, args...), "--endpoint-url", srv.URL, "--region", "us-east-1", "--output", "json")...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"AWS_ACCESS_KEY_ID=" + keyID, "AWS_SECRET_ACCESS_KEY=" + key,
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1",
	}
	if v := os.Getenv("PYENV_VERSION"); v != "" {
		cmd.Env = append(cmd.Env, "PYENV_VERSION="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	r := cliResult{out: out, stderr: stderr.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("aws %s: %v", args[0], err)
	}
	return r
}

// TestAWSCLI drives serve with the AWS CLI, an independent client with its
// own signer and parser, through every operation it has a command for.
func TestAWSCLI(t *testing.T) {
	srv := servetest.Start(t)
	run := func(args ...string) []byte {
		t.Helper()
		r := awsCLI(t, srv, srv.Creds.AccessKeyID, srv.Creds.SecretAccessKey, args...)
		if r.code != 0 {
			t.Fatalf("aws %s: exit %d: %s", args[0], r.code, r.stderr)
		}
		return r.out
	}
	// fail runs a command that must fail and returns its stderr line.
	fail := func(args ...string) string {
		t.Helper()
		r := awsCLI(t, srv, srv.Creds.AccessKeyID, srv.Creds.SecretAccessKey, args...)
		if r.code == 0 {
			t.Fatalf("aws %s succeeded; want an error", args[0])
		}
		return strings.TrimSpace(r.stderr)
	}
	decode := func(b []byte, v any) {
		t.Helper()
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("parse CLI output: %v", err)
		}
	}
	v1, v2 := canary(t), canary(t)
	var created struct{ ARN, Name, VersionId string }
	decode(run("create-secret", "--name", "cli/db", "--secret-string", v1, "--description", "cli test", "--tags", "Key=team,Value=pay"), &created)
	if created.Name != "cli/db" || !strings.Contains(created.ARN, ":secret:cli/db-") || created.VersionId == "" {
		t.Fatalf("create-secret printed %+v", created)
	}
	type value struct {
		ARN, Name, VersionId, SecretString string
		VersionStages                      []string
	}
	var got value
	decode(run("get-secret-value", "--secret-id", "cli/db"), &got)
	if got.SecretString != v1 || got.VersionId != created.VersionId || strings.Join(got.VersionStages, ",") != "AWSCURRENT" {
		t.Errorf("get-secret-value: version %s stages %v, same value %v", got.VersionId, got.VersionStages, got.SecretString == v1)
	}
	var put struct {
		VersionId     string
		VersionStages []string
	}
	decode(run("put-secret-value", "--secret-id", created.ARN, "--secret-string", v2), &put)
	if put.VersionId == "" || put.VersionId == created.VersionId || strings.Join(put.VersionStages, ",") != "AWSCURRENT" {
		t.Errorf("put-secret-value printed %+v", put)
	}
	var list struct {
		SecretList []struct{ Name, Description string }
	}
	decode(run("list-secrets", "--filters", "Key=name,Values=cli/"), &list)
	if len(list.SecretList) != 1 || list.SecretList[0].Name != "cli/db" || list.SecretList[0].Description != "cli test" {
		t.Errorf("list-secrets printed %+v", list)
	}
	var desc struct {
		Name, Description  string
		Tags               []struct{ Key, Value string }
		VersionIdsToStages map[string][]string
	}
	decode(run("describe-secret", "--secret-id", "cli/db"), &desc)
	if desc.Description != "cli test" || len(desc.Tags) != 1 || desc.Tags[0].Key != "team" ||
		strings.Join(desc.VersionIdsToStages[created.VersionId], ",") != "AWSPREVIOUS" || strings.Join(desc.VersionIdsToStages[put.VersionId], ",") != "AWSCURRENT" {
		t.Errorf("describe-secret printed %+v", desc)
	}
	var versions struct {
		Name     string
		Versions []struct{ VersionId string }
	}
	decode(run("list-secret-version-ids", "--secret-id", "cli/db"), &versions)
	if versions.Name != "cli/db" || len(versions.Versions) != 2 {
		t.Errorf("list-secret-version-ids printed %+v", versions)
	}

	// Staging labels: moving AWSCURRENT back needs RemoveFromVersionId.
	line := fail("update-secret-version-stage", "--secret-id", "cli/db", "--version-stage", "AWSCURRENT", "--move-to-version-id", created.VersionId)
	if !strings.HasPrefix(line, "An error occurred (InvalidParameterException) when calling the UpdateSecretVersionStage operation: ") {
		t.Errorf("update-secret-version-stage without remove-from: %q", line)
	}
	run("update-secret-version-stage", "--secret-id", "cli/db", "--version-stage", "AWSCURRENT", "--move-to-version-id", created.VersionId, "--remove-from-version-id", put.VersionId)
	decode(run("get-secret-value", "--secret-id", "cli/db"), &got)
	if got.SecretString != v1 || got.VersionId != created.VersionId {
		t.Error("after update-secret-version-stage AWSCURRENT is not the first version")
	}

	if out := run("tag-resource", "--secret-id", "cli/db", "--tags", "Key=env,Value=dev"); len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("tag-resource printed %q; it prints nothing against AWS", out)
	}
	decode(run("describe-secret", "--secret-id", "cli/db"), &desc)
	if len(desc.Tags) != 2 {
		t.Errorf("tags after tag-resource: %+v", desc.Tags)
	}

	var batch struct {
		SecretValues []value
		Errors       []struct{ SecretId, ErrorCode, Message string }
	}
	decode(run("batch-get-secret-value", "--secret-id-list", "cli/db", "cli/none"), &batch)
	if len(batch.SecretValues) != 1 || batch.SecretValues[0].SecretString != v1 || len(batch.Errors) != 1 ||
		batch.Errors[0].SecretId != "cli/none" || batch.Errors[0].ErrorCode != "ResourceNotFoundException" {
		t.Errorf("batch-get-secret-value: %d values, errors %+v", len(batch.SecretValues), batch.Errors)
	}

	var pw struct{ RandomPassword string }
	decode(run("get-random-password", "--password-length", "20", "--exclude-punctuation"), &pw)
	if len(pw.RandomPassword) != 20 || strings.ContainsAny(pw.RandomPassword, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") {
		t.Errorf("get-random-password printed a password of %d characters with punctuation", len(pw.RandomPassword))
	}

	// Errors print as they print against AWS.
	if line := fail("get-secret-value", "--secret-id", "cli/none"); line != "An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager can't find the specified secret." {
		t.Errorf("get of a missing secret printed %q", line)
	}
	if line := fail("create-secret", "--name", "cli/db", "--secret-string", canary(t)); line != "An error occurred (ResourceExistsException) when calling the CreateSecret operation: The operation failed because the secret cli/db already exists." {
		t.Errorf("create of an existing secret printed %q", line)
	}

	var del struct {
		Name         string
		DeletionDate any
	}
	decode(run("delete-secret", "--secret-id", "cli/db", "--recovery-window-in-days", "7"), &del)
	if del.Name != "cli/db" || del.DeletionDate == nil {
		t.Errorf("delete-secret printed %+v", del)
	}
	if line := fail("get-secret-value", "--secret-id", "cli/db"); line != "An error occurred (InvalidRequestException) when calling the GetSecretValue operation: You can't perform this operation on the secret because it was marked for deletion." {
		t.Errorf("get of a deleted secret printed %q", line)
	}
	var restored struct{ ARN, Name string }
	decode(run("restore-secret", "--secret-id", "cli/db"), &restored)
	if restored.ARN != created.ARN {
		t.Errorf("restore-secret printed %+v", restored)
	}
	decode(run("get-secret-value", "--secret-id", "cli/db"), &got)
	if got.SecretString != v1 {
		t.Error("the restored secret reads a different value")
	}
	decode(run("delete-secret", "--secret-id", "cli/db", "--force-delete-without-recovery"), &del)
	if line := fail("describe-secret", "--secret-id", "cli/db"); !strings.Contains(line, "(ResourceNotFoundException)") {
		t.Errorf("describe after a forced delete printed %q", line)
	}

	// Refused credentials.
	r := awsCLI(t, srv, "SCTLNOTTHEKEY0000000", srv.Creds.SecretAccessKey, "list-secrets")
	if r.code == 0 || !strings.Contains(r.stderr, "An error occurred (UnrecognizedClientException) when calling the ListSecrets operation: The security token included in the request is invalid.") {
		t.Errorf("unknown key: exit %d, %q", r.code, r.stderr)
	}
	r = awsCLI(t, srv, srv.Creds.AccessKeyID, "wrong-secret-key", "list-secrets")
	if r.code == 0 || !strings.Contains(r.stderr, "(InvalidSignatureException)") {
		t.Errorf("wrong secret key: exit %d, %q", r.code, r.stderr)
	}

	for _, rec := range records(t, srv) {
		if rec.UserIdentity.AccessKeyID != srv.Creds.AccessKeyID || !strings.Contains(rec.UserAgent, "aws-cli") {
			t.Errorf("audit record %s names %q with agent %q", rec.EventName, rec.UserIdentity.AccessKeyID, rec.UserAgent)
		}
	}
	b, _ := os.ReadFile(srv.Store.AuditLogPath())
	if bytes.Contains(b, []byte(v1)) || bytes.Contains(b, []byte(v2)) {
		t.Error("a value is in the access log")
	}
}
