package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValueSources: every way a value comes in stores it exactly, and none
// of them echoes it.
func TestValueSources(t *testing.T) {
	cli := newTestCLI(t)
	v := canary(t)
	file := filepath.Join(t.TempDir(), "value.txt")
	if err := os.WriteFile(file, []byte(v+"-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// --from-env reads through the factory's Getenv, never os.Getenv: the
	// process environment does not have the variable.
	cli.env["SECRETCTL_TEST_VALUE"] = v + "-env"
	var outs []string
	check := func(name, want string) {
		t.Helper()
		if got := cli.mustRun("", "get", name).out; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	r := cli.mustRun(v+"-stdin\n", "create", "src/stdin")
	outs = append(outs, r.out, r.errOut)
	check("src/stdin", v+"-stdin") // one trailing newline from echo is dropped
	r = cli.mustRun("", "create", "src/file", "--from-file", file)
	outs = append(outs, r.out, r.errOut)
	check("src/file", v+"-file\n") // a file is stored byte for byte
	r = cli.mustRun("", "create", "src/env", "--from-env", "SECRETCTL_TEST_VALUE")
	outs = append(outs, r.out, r.errOut)
	check("src/env", v+"-env")
	r = cli.mustRun("", "create", "src/gen", "--generate", "--length", "40", "--exclude-punctuation", "-o", "json")
	outs = append(outs, r.out, r.errOut)
	gen := cli.mustRun("", "get", "src/gen").out
	if len(gen) != 40 || strings.ContainsAny(gen, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") {
		t.Errorf("generated value %q: want 40 characters without punctuation", gen)
	}
	assertNoLeak(t, gen, outs...)
	r = cli.mustRun(v+"-put", "put", "src/stdin", "--stage", "AWSPENDING")
	outs = append(outs, r.out, r.errOut)
	check("src/stdin", v+"-stdin") // AWSPENDING leaves AWSCURRENT alone
	if got := cli.mustRun("", "get", "src/stdin", "--stage", "AWSPENDING").out; got != v+"-put" {
		t.Errorf("AWSPENDING = %q", got)
	}
	assertNoLeak(t, v, outs...)

	// A value never reaches the disk in plaintext, in any file of the store.
	filepath.Walk(cli.home, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), v) || strings.Contains(string(b), gen) {
			t.Errorf("%s holds a value in plaintext", p)
		}
		return nil
	})
}

func TestCreateWithoutValue(t *testing.T) {
	cli := newTestCLI(t)
	r := cli.mustRun("", "create", "empty/one")
	if !strings.Contains(r.errOut, "with no value") {
		t.Errorf("stderr %q", r.errOut)
	}
	if r := cli.run("", "get", "empty/one"); r.code != 2 || !strings.Contains(r.errOut, "not found") {
		t.Errorf("get of a secret with no value: exit %d %q", r.code, r.errOut)
	}
	cli.mustRun("first", "put", "empty/one")
	if got := cli.mustRun("", "get", "empty/one").out; got != "first" {
		t.Errorf("get = %q", got)
	}
}
