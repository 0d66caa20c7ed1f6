package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func flags(args ...string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.String(KeyBackend, "local", "")
	fs.String(KeyRegion, "", "")
	fs.String(KeyOutput, "table", "")
	fs.String(KeyConfig, "", "")
	fs.Bool(KeyNoColor, false, "")
	if err := fs.Parse(args); err != nil {
		panic(err)
	}
	return fs
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secretctl", "config.yaml")
	os.MkdirAll(filepath.Dir(file), 0o700)
	os.WriteFile(file, []byte("backend: aws\nregion: eu-west-1\noutput: yaml\nhome: /from/file\n"), 0o600)
	env := map[string]string{"XDG_CONFIG_HOME": dir, "HOME": dir}
	getenv := func(k string) string { return env[k] }

	c, err := Load(flags(), getenv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Backend != "aws" || c.Region != "eu-west-1" || c.Output != "yaml" || c.Home != "/from/file" || c.File != file {
		t.Errorf("file values not used: %+v", c)
	}
	env["SECRETCTL_REGION"] = "us-west-2"
	env["SECRETCTL_OUTPUT"] = "json"
	c, _ = Load(flags(), getenv)
	if c.Region != "us-west-2" || c.Output != "json" || c.Backend != "aws" {
		t.Errorf("env does not beat the file: %+v", c)
	}
	c, _ = Load(flags("--region", "ap-south-1", "--backend", "local"), getenv)
	if c.Region != "ap-south-1" || c.Backend != "local" || c.Output != "json" {
		t.Errorf("flags do not beat env: %+v", c)
	}
}

func TestDefaults(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(flags(), func(k string) string { return map[string]string{"HOME": dir}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Backend != "local" || c.Output != "table" || c.Home != filepath.Join(dir, ".local", "share", "secretctl") || c.File != "" {
		t.Errorf("defaults: %+v", c)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string { return map[string]string{"HOME": dir}[k] }
	if _, err := Load(flags("--backend", "vault"), getenv); err == nil {
		t.Error("an unknown backend is accepted")
	}
	if _, err := Load(flags("--config", filepath.Join(dir, "missing.yaml")), getenv); err == nil {
		t.Error("a missing explicit config file is accepted")
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("backend: [unclosed\n"), 0o600)
	if _, err := Load(flags("--config", bad), getenv); err == nil {
		t.Error("a malformed config file is accepted")
	}
}

func TestNoColorValues(t *testing.T) {
	dir := t.TempDir()
	for v, want := range map[string]bool{"1": true, "true": true, "YES": true, "0": false, "false": false, "": false} {
		c, err := Load(flags(), func(k string) string { return map[string]string{"HOME": dir, "SECRETCTL_NO_COLOR": v}[k] })
		if err != nil {
			t.Fatal(err)
		}
		if c.NoColor != want {
			t.Errorf("SECRETCTL_NO_COLOR=%q: NoColor = %v, want %v", v, c.NoColor, want)
		}
	}
}

// TestUnknownKeysWarn: a typo in the config file is reported, one line a
// key naming the file, and the settings still load (issue 9, item 21).
func TestUnknownKeysWarn(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	os.WriteFile(file, []byte("backend: aws\noutptu: json\nregoin: eu-west-1\ncolour: off\nOutput: yaml\n"), 0o600)
	c, err := Load(flags("--config", file), func(k string) string { return map[string]string{"HOME": dir}[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`config file ` + file + `: unknown key "colour" (known: backend, region, profile, endpoint-url, output, no-color, home, key-file, retry-mode)`,
		`config file ` + file + `: unknown key "outptu" (did you mean "output"?)`,
		`config file ` + file + `: unknown key "regoin" (did you mean "region"?)`,
	}
	if strings.Join(c.Warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(c.Warnings, "\n"), strings.Join(want, "\n"))
	}
	if c.Backend != "aws" || c.Output != "yaml" {
		t.Errorf("known keys not read: %+v", c)
	}
	// A file with only known keys, and no file, warn of nothing.
	os.WriteFile(file, []byte("backend: aws\nregion: eu-west-1\nno-color: true\nretry-mode: adaptive\n"), 0o600)
	if c, _ := Load(flags("--config", file), func(string) string { return "" }); len(c.Warnings) != 0 {
		t.Errorf("known keys warned: %q", c.Warnings)
	}
	if c, _ := Load(flags(), func(k string) string { return map[string]string{"HOME": dir}[k] }); len(c.Warnings) != 0 {
		t.Errorf("no file warned: %q", c.Warnings)
	}
}
