package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// FuzzConfigFile loads arbitrary config files: each gives a valid config or
// a one-line error naming the file.
func FuzzConfigFile(f *testing.F) {
	f.Add([]byte("backend: aws\nregion: eu-west-1\nprofile: prod\nretry-mode: adaptive\n"))
	f.Add([]byte("backend: local\nhome: /tmp/x\nno-color: true\n"))
	f.Add([]byte("backend: [a, b]\n"))
	f.Add([]byte("backend: gcp\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("\t- :\n"))
	f.Add([]byte("retry-mode: 3\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"SECRETCTL_CONFIG": p, "HOME": dir}
		c, err := Load(pflag.NewFlagSet("fuzz", pflag.ContinueOnError), func(k string) string { return env[k] })
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		if c.Backend != BackendLocal && c.Backend != BackendAWS {
			t.Fatalf("backend %q accepted", c.Backend)
		}
		if c.File != p {
			t.Fatalf("file %q, want %q", c.File, p)
		}
	})
}
