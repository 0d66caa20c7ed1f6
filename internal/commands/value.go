package commands

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
	"github.com/secretctl/secretctl/internal/ui"
)

// valueSource is where create and put read a value from. There is no flag
// that takes the value itself: flags end up in shell history and in ps.
type valueSource struct {
	FromFile string
	FromEnv  string
	Generate bool
	Binary   bool
	Password secret.PasswordOptions
}

func addValueFlags(cmd *cobra.Command, v *valueSource) {
	fl := cmd.Flags()
	fl.StringVar(&v.FromFile, "from-file", "", "read the value from a file (- for stdin)")
	fl.StringVar(&v.FromEnv, "from-env", "", "read the value from an environment variable")
	fl.BoolVar(&v.Generate, "generate", false, "generate a random value (see --length and --exclude-*)")
	fl.BoolVar(&v.Binary, "binary", false, "store the value as SecretBinary rather than SecretString (a value that is not UTF-8 always is)")
	fl.IntVar(&v.Password.Length, "length", 32, "length of a generated value (1-4096)")
	fl.StringVar(&v.Password.ExcludeCharacters, "exclude-chars", "", "characters a generated value never contains")
	fl.BoolVar(&v.Password.ExcludeNumbers, "exclude-numbers", false, "no digits in a generated value")
	fl.BoolVar(&v.Password.ExcludePunctuation, "exclude-punctuation", false, "no punctuation in a generated value")
	fl.BoolVar(&v.Password.ExcludeUppercase, "exclude-uppercase", false, "no uppercase letters in a generated value")
	fl.BoolVar(&v.Password.ExcludeLowercase, "exclude-lowercase", false, "no lowercase letters in a generated value")
	fl.BoolVar(&v.Password.IncludeSpace, "include-space", false, "allow spaces in a generated value")
	v.Password.RequireEachIncludedType = true
	fl.BoolVar(&v.Password.RequireEachIncludedType, "require-each-type", true, "a generated value has at least one character of each included class")
}

func (v *valueSource) count() int {
	n := 0
	for _, set := range []bool{v.FromFile != "", v.FromEnv != "", v.Generate} {
		if set {
			n++
		}
	}
	return n
}

// read returns the value, from the first source given: --from-file,
// --from-env, --generate, a no-echo prompt on a terminal, else stdin.
// allowEmpty lets create make a secret with no value when stdin is empty
// (never from the prompt). A value that is not UTF-8 is binary.
func (v *valueSource) read(ctx context.Context, io *ui.IOStreams, getenv func(string) string, name string, allowEmpty bool) (secret.Value, error) {
	if v.count() > 1 {
		return secret.Value{}, usageErrorf("give only one of --from-file, --from-env and --generate")
	}
	var b []byte
	var err error
	switch {
	case v.FromFile == "-":
		b, err = readLimited(io.In)
	case v.FromFile != "":
		var fh *os.File
		fh, err = os.Open(v.FromFile)
		if err == nil {
			b, err = readLimited(fh)
			fh.Close()
		}
		if err != nil {
			return secret.Value{}, fmt.Errorf("read %s: %w", v.FromFile, unwrapPathErr(err))
		}
	case v.FromEnv != "":
		s := getenv(v.FromEnv)
		if s == "" {
			return secret.Value{}, usageErrorf("environment variable %s is not set or empty", v.FromEnv)
		}
		b = []byte(s)
	case v.Generate:
		if v.Password.Length < 1 || v.Password.Length > 4096 {
			return secret.Value{}, usageErrorf("--length must be 1 to 4096, got %d", v.Password.Length)
		}
		val, err := secret.RandomPassword(v.Password)
		if err != nil {
			return secret.Value{}, &UsageError{Err: fmt.Errorf("generate: %w", err)}
		}
		return val, nil
	case io.CanPrompt():
		b, err = io.ReadSecret(ctx, fmt.Sprintf("Value for %s: ", name))
		allowEmpty = false // Enter at the prompt is no value
	default:
		b, err = readLimited(io.In)
		// A value piped through echo ends in one newline that is not part
		// of it, as with `read` in a shell.
		b = bytes.TrimSuffix(b, []byte("\n"))
		b = bytes.TrimSuffix(b, []byte("\r"))
	}
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return secret.Value{}, usageErrorf("the value is larger than %d bytes", store.MaxValueLen)
		}
		return secret.Value{}, fmt.Errorf("read value: %w", err)
	}
	if len(b) == 0 && v.FromFile != "" && v.FromFile != "-" {
		return secret.Value{}, usageErrorf("%s is empty: a secret value has 1 to %d bytes", v.FromFile, store.MaxValueLen)
	}
	if len(b) == 0 {
		if allowEmpty {
			return secret.Value{}, nil
		}
		return secret.Value{}, usageErrorf("no value given: pipe it on stdin, or use --from-file, --from-env or --generate")
	}
	// Bytes that are not UTF-8 text can only be SecretBinary: as a
	// SecretString AWS would replace them.
	val := secret.NewBytes(b, v.Binary || !utf8.Valid(b))
	for i := range b {
		b[i] = 0
	}
	if err := store.ValidateValue(val); err != nil {
		return secret.Value{}, &UsageError{Err: err}
	}
	return val, nil
}

var errTooLarge = errors.New("value too large")

func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, store.MaxValueLen+2))
	if err != nil {
		return nil, err
	}
	if len(b) > store.MaxValueLen+1 || (len(b) == store.MaxValueLen+1 && b[len(b)-1] != '\n') {
		return nil, errTooLarge
	}
	return b, nil
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parseTags turns k=v arguments into a map.
func parseTags(args []string) (map[string]string, error) {
	if len(args) == 0 {
		return nil, nil
	}
	tags := make(map[string]string, len(args))
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, usageErrorf("invalid tag %q: want key=value", a)
		}
		tags[k] = v
	}
	return tags, nil
}
