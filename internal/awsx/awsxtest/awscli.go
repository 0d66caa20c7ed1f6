package awsxtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// AWSCLI runs the AWS CLI (`aws`) against endpoint with the test keys and no
// shared config, and returns stdout. It never logs stdout, which may hold
// values. Without the CLI the test skips, and fails under CI=true.
func AWSCLI(t testing.TB, endpoint string, args ...string) []byte {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the AWS CLI (aws) is not on PATH; CI must install it (apt-get install awscli)")
		}
		t.Skip("SKIPPING the AWS CLI cross-check: `aws` is not on PATH (apt-get install awscli); it is required under CI=true")
	}
	dir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), bin, append(args, "--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json")...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"AWS_ACCESS_KEY_ID=AKIDSECRETCTLTEST",
		"AWS_SECRET_ACCESS_KEY=secretctl-test-secret",
		"AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_PAGER=",
		"AWS_EC2_METADATA_DISABLED=true",
	}
	if v := os.Getenv("PYENV_VERSION"); v != "" {
		cmd.Env = append(cmd.Env, "PYENV_VERSION="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws %v: %v: %s", args, err, stderr.String())
	}
	return out
}
