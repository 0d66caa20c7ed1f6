package commands

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/ui"
)

// TestInitKeyMissing: init of an existing store whose key file is gone
// says the key is missing and the data cannot be read without it (exit 2),
// and makes no new key.
func TestInitKeyMissing(t *testing.T) {
	cli := newTestCLI(t)
	cli.mustRun("", "init")
	keyPath := filepath.Join(cli.home, "key.txt")
	if err := os.Remove(keyPath); err != nil {
		t.Fatal(err)
	}
	r := cli.run("", "init")
	if r.code != 2 || !strings.Contains(r.errOut, keyPath+" is missing: the data cannot be read without it") || strings.Contains(r.errOut, "already exists") {
		t.Errorf("init with key.txt missing = exit %d, %q; want exit 2 naming the missing key", r.code, r.errOut)
	}
	if _, err := os.Stat(keyPath); err == nil {
		t.Error("init made a new key for an existing store")
	}
}

// TestInitJSON: init -o json says what it did, on stdout.
func TestInitJSON(t *testing.T) {
	cli := newTestCLI(t)
	for _, want := range []bool{true, false} {
		r := cli.mustRun("", "init", "-o", "json")
		var got struct {
			Home    string `json:"home"`
			KeyFile string `json:"keyFile"`
			Created bool   `json:"created"`
		}
		if err := json.Unmarshal([]byte(r.out), &got); err != nil {
			t.Fatalf("init -o json: %v: %q", err, r.out)
		}
		if got.Created != want || got.Home != cli.home || got.KeyFile != filepath.Join(cli.home, "key.txt") {
			t.Errorf("init -o json = %+v; want created %v, home %s and its key file", got, want, cli.home)
		}
	}
}

// TestPromptEmptyValue: pressing Enter at the value prompt creates nothing;
// the prompt path refuses an empty value as stdin does.
func TestPromptEmptyValue(t *testing.T) {
	cli := newTestCLI(t)
	for _, args := range [][]string{{"create", "p/empty"}, {"put", "p/empty"}} {
		io, in, out, errOut := ui.Test()
		io.SetStdinTTY(true)
		io.SetStderrTTY(true)
		in.WriteString("\n") // Enter, nothing typed
		f := NewFactory(io, "test")
		f.Getenv = cli.env.get
		code := Run(context.Background(), f, args)
		if code != 2 || !strings.Contains(errOut.String(), "no value given") {
			t.Errorf("%v with an empty answer at the prompt = exit %d, %q; want exit 2, refused", args, code, errOut.String())
		}
		_ = out
	}
	if r := cli.run("", "describe", "p/empty"); r.code == 0 {
		t.Errorf("the empty prompt created a secret: %s", r.out)
	}
}

// TestLocalKMSKeyRefused: --kms-key-id on the local backend is refused,
// not stored: the local store never uses KMS.
func TestLocalKMSKeyRefused(t *testing.T) {
	cli := newTestCLI(t)
	r := cli.run(canary(t), "create", "k/kms", "--kms-key-id", "alias/payments")
	if r.code != 2 || !strings.Contains(r.errOut, "--kms-key-id is for the aws backend") {
		t.Errorf("create --kms-key-id on local = exit %d, %q; want it refused", r.code, r.errOut)
	}
	cli.mustRun(canary(t), "create", "k/kms")
	r = cli.run("", "update", "k/kms", "--kms-key-id", "alias/payments")
	if r.code != 2 || !strings.Contains(r.errOut, "--kms-key-id is for the aws backend") {
		t.Errorf("update --kms-key-id on local = exit %d, %q; want it refused", r.code, r.errOut)
	}
	if out := cli.mustRun("", "describe", "k/kms", "-o", "json").out; strings.Contains(out, "alias/payments") {
		t.Errorf("the refused key was stored: %s", out)
	}
}
