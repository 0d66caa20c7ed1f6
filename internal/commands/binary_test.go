package commands

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/awsx/awsxtest"
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
				if err := json.Unmarshal(awsxtest.AWSCLI(t, ep, "secretsmanager", "get-secret-value", "--secret-id", id), &got); err != nil {
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
