package commands

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNotUTF8ValueIsBinary: a value that is not UTF-8 is stored as
// SecretBinary on both backends (AWS would otherwise replace its bytes with
// U+FFFD), comes back byte for byte, shows as valueBase64 in -o json, and is
// not dumped on a terminal unless --raw asks for it. On kumo the AWS CLI
// reads the same bytes back as SecretBinary.
func TestNotUTF8ValueIsBinary(t *testing.T) {
	raw := []byte{0x00, 0x01, 0x02, 0xff, 0xfe}
	file := filepath.Join(t.TempDir(), "bin.dat")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, cli := range backends(t) {
		t.Run(name, func(t *testing.T) {
			cli.t = t
			id := "bin/" + strings.ReplaceAll(t.Name(), "/", "-")
			cli.mustRun("", "create", id, "--from-file", file)
			if got := cli.mustRun("", "get", id).out; got != string(raw) {
				t.Errorf("get (piped) = %x, want %x", got, raw)
			}
			var js map[string]any
			r := cli.mustRun("", "get", id, "-o", "json")
			if err := json.Unmarshal([]byte(r.out), &js); err != nil {
				t.Fatalf("get -o json: %v: %s", err, r.out)
			}
			if _, ok := js["value"]; ok {
				t.Errorf("get -o json of a binary value has a value field: %s", r.out)
			}
			b64, _ := js["valueBase64"].(string)
			if b, err := base64.StdEncoding.DecodeString(b64); err != nil || !bytes.Equal(b, raw) {
				t.Errorf("get -o json valueBase64 = %v (%v), want the bytes base64-encoded", js["valueBase64"], err)
			}
			if r := cli.mustRun("", "describe", id); strings.Contains(r.out, "\ufffd") {
				t.Errorf("describe shows a replacement character: %s", r.out)
			}

			cli.tty = true
			defer func() { cli.tty = false }()
			r = cli.run("", "get", id)
			if r.code != 2 || r.out != "" || !strings.Contains(r.errOut, "binary") || !strings.Contains(r.errOut, "--raw") {
				t.Errorf("get of a binary value on a terminal = exit %d, out %q, err %q; want it refused, pointing at --raw", r.code, r.out, r.errOut)
			}
			if got := cli.mustRun("", "get", id, "--raw").out; got != string(raw) {
				t.Errorf("get --raw on a terminal = %x, want %x", got, raw)
			}
			cli.tty = false

			// put, too, stores it as binary.
			raw2 := append([]byte{0xc3, 0x28}, raw...) // 0xc3 0x28: an invalid UTF-8 sequence
			cli.mustRun(string(raw2), "put", id)
			if got := cli.mustRun("", "get", id).out; got != string(raw2) {
				t.Errorf("get after put = %x, want %x", got, raw2)
			}

			if ep := cli.env["SECRETCTL_ENDPOINT_URL"]; ep != "" {
				var got struct{ SecretString, SecretBinary string }
				if err := json.Unmarshal(awsCLIRead(t, ep, "secretsmanager", "get-secret-value", "--secret-id", id), &got); err != nil {
					t.Fatal(err)
				}
				b, err := base64.StdEncoding.DecodeString(got.SecretBinary)
				if got.SecretString != "" || err != nil || !bytes.Equal(b, raw2) {
					t.Errorf("the AWS CLI read SecretString %q SecretBinary %q; want the bytes as SecretBinary", got.SecretString, got.SecretBinary)
				}
			}
		})
	}
}

// awsCLIRead runs the AWS CLI against endpoint with dummy credentials and
// no shared config, and returns stdout. It never logs stdout: it holds values.
func awsCLIRead(t *testing.T, endpoint string, args ...string) []byte {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the AWS CLI (aws) is not on PATH; CI must install it")
		}
		t.Skip("SKIPPING the AWS CLI cross-check: `aws` is not on PATH; it is required under CI=true")
	}
	dir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), bin, append(args, "--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json")...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"AWS_ACCESS_KEY_ID=AKIDSECRETCTLTEST", "AWS_SECRET_ACCESS_KEY=secretctl-test-secret", "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
	}
	if v := os.Getenv("PYENV_VERSION"); v != "" {
		cmd.Env = append(cmd.Env, "PYENV_VERSION="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws %s: %v: %s", args[1], err, stderr.String())
	}
	return out
}
