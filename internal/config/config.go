// Package config resolves secretctl's settings from a private viper
// instance with the precedence flag > SECRETCTL_* environment > config file
// > default.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/secretctl/secretctl/internal/text"
)

// Keys of the settings. Each is also a flag of the same name (where there is
// one), SECRETCTL_<KEY> in the environment and a key in the config file.
const (
	KeyBackend     = "backend"
	KeyRegion      = "region"
	KeyProfile     = "profile"
	KeyEndpointURL = "endpoint-url"
	KeyOutput      = "output"
	KeyNoColor     = "no-color"
	KeyConfig      = "config"
	KeyHome        = "home"
	KeyKeyFile     = "key-file"
	KeyPassphrase  = "passphrase"
	KeyRetryMode   = "retry-mode"
)

// Config holds the resolved settings.
type Config struct {
	Backend     Backend
	Region      string
	Profile     string
	EndpointURL string
	Output      string
	NoColor     bool
	Home        string // the local backend's data directory
	KeyFile     string // the local backend's age identity file
	Passphrase  string // unlocks the local store instead of the key file
	RetryMode   string // AWS SDK retry mode: standard or adaptive
	File        string // the config file that was read, if any

	// Warnings are one-line problems of the config file that do not stop
	// secretctl, such as an unknown key: the caller prints them.
	Warnings []string
}

// fileKeys are the keys a config file may set. config (the file's own
// name) and passphrase (read from SECRETCTL_PASSPHRASE only, never from a
// file) are not among them.
var fileKeys = []string{KeyBackend, KeyRegion, KeyProfile, KeyEndpointURL, KeyOutput, KeyNoColor, KeyHome, KeyKeyFile, KeyRetryMode}

// unknownKeys reports each top-level key of the config file that secretctl
// does not read, with the known key it is closest to. A warning rather than
// an error: a file written for a newer secretctl still works.
func unknownKeys(file string, settings map[string]any) []string {
	var keys []string
	for k := range settings {
		if !slices.Contains(fileKeys, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []string
	for _, k := range keys {
		msg := fmt.Sprintf("config file %s: unknown key %q", file, k)
		if near := nearest(k, fileKeys); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		} else {
			msg += " (known: " + strings.Join(fileKeys, ", ") + ")"
		}
		out = append(out, msg)
	}
	return out
}

// nearest is the candidate within two edits of s (or a permutation of it,
// such as "outptu"), or "".
func nearest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		d := editDistance(s, c)
		if sameLetters(s, c) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func sameLetters(a, b string) bool {
	x, y := []rune(a), []rune(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	prev := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur := make([]int, len(y)+1)
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(y)]
}

// Backend names a secret store backend.
type Backend string

// The backends secretctl knows.
const (
	BackendLocal Backend = "local" // the embedded encrypted store, the default
	BackendAWS   Backend = "aws"   // AWS Secrets Manager
)

// Backends lists the known backends, the default first.
var Backends = []Backend{BackendLocal, BackendAWS}

// IsAWS reports whether the configured backend is AWS Secrets Manager.
// A nil Config (flags not parsed yet) is the local default.
func (c *Config) IsAWS() bool { return c != nil && c.Backend == BackendAWS }

// Load resolves the settings. flags are the root command's parsed flags;
// getenv is os.Getenv in production.
func Load(flags *pflag.FlagSet, getenv func(string) string) (*Config, error) {
	v := viper.New()
	v.SetDefault(KeyBackend, string(BackendLocal))
	v.SetDefault(KeyOutput, "table")
	v.SetDefault(KeyRetryMode, "standard")

	for _, k := range []string{KeyBackend, KeyRegion, KeyProfile, KeyEndpointURL, KeyOutput, KeyNoColor, KeyConfig, KeyHome, KeyKeyFile, KeyPassphrase, KeyRetryMode} {
		envName := "SECRETCTL_" + strings.ToUpper(strings.ReplaceAll(k, "-", "_"))
		if val := getenv(envName); val != "" {
			v.Set("env."+k, val)
		}
		if f := flags.Lookup(k); f != nil {
			if err := v.BindPFlag("flag."+k, f); err != nil {
				return nil, err
			}
		}
	}

	file := ""
	if f := flags.Lookup(KeyConfig); f != nil && f.Changed {
		file = f.Value.String()
	} else if e := getenv("SECRETCTL_CONFIG"); e != "" {
		file = e
	}
	explicit := file != ""
	if !explicit {
		file = filepath.Join(configHome(getenv), "secretctl", "config.yaml")
	}
	fileVals := viper.New()
	fileVals.SetConfigFile(file)
	fileVals.SetConfigType("yaml")
	if err := fileVals.ReadInConfig(); err != nil {
		var pe *fs.PathError
		if !explicit && (errors.As(err, &pe) || os.IsNotExist(err)) {
			file = ""
		} else if explicit || !errors.As(err, &pe) {
			return nil, fmt.Errorf("read config file %s: %s", file, text.OneLine(err.Error()))
		}
	}

	get := func(k string) string {
		if f := flags.Lookup(k); f != nil && f.Changed {
			return f.Value.String()
		}
		if s := v.GetString("env." + k); s != "" {
			return s
		}
		if file != "" && fileVals.IsSet(k) {
			return fileVals.GetString(k)
		}
		return v.GetString(k)
	}

	c := &Config{
		Backend:     Backend(get(KeyBackend)),
		Region:      get(KeyRegion),
		Profile:     get(KeyProfile),
		EndpointURL: get(KeyEndpointURL),
		Output:      get(KeyOutput),
		NoColor:     truthy(get(KeyNoColor)),
		Home:        get(KeyHome),
		KeyFile:     get(KeyKeyFile),
		Passphrase:  getenv("SECRETCTL_PASSPHRASE"),
		RetryMode:   get(KeyRetryMode),
		File:        file,
	}
	if file != "" {
		c.Warnings = unknownKeys(file, fileVals.AllSettings())
	}
	if c.Home == "" {
		c.Home = filepath.Join(dataHome(getenv), "secretctl")
	}
	if !slices.Contains(Backends, c.Backend) {
		return nil, fmt.Errorf("invalid backend %q: want local or aws", c.Backend)
	}
	if c.RetryMode != "standard" && c.RetryMode != "adaptive" {
		return nil, fmt.Errorf("invalid retry mode %q: want standard or adaptive", c.RetryMode)
	}
	return c, nil
}

func configHome(getenv func(string) string) string {
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return d
	}
	return filepath.Join(home(getenv), ".config")
}

func dataHome(getenv func(string) string) string {
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return d
	}
	return filepath.Join(home(getenv), ".local", "share")
}

func home(getenv func(string) string) string {
	if h := getenv("HOME"); h != "" {
		return h
	}
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return "."
}

// truthy reads a boolean setting the way NO_COLOR-style variables are
// written: 1, true, yes and on (any case) are true.
func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on", "t", "y":
		return true
	}
	return false
}
