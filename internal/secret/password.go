package secret

import (
	"crypto/rand"
	"errors"
	"math/big"
	"strings"
)

// PasswordOptions mirror Secrets Manager's GetRandomPassword.
type PasswordOptions struct {
	Length             int    // 1-4096; 0 means 32
	ExcludeCharacters  string // characters never used
	ExcludeNumbers     bool
	ExcludePunctuation bool
	ExcludeUppercase   bool
	ExcludeLowercase   bool
	IncludeSpace       bool
	RequireEachType    bool // at least one character of each included class
}

// DefaultPasswordOptions are GetRandomPassword's defaults: 32 characters of
// letters, digits and punctuation, with one of each class.
func DefaultPasswordOptions() PasswordOptions {
	return PasswordOptions{Length: 32, RequireEachType: true}
}

const (
	lower       = "abcdefghijklmnopqrstuvwxyz"
	upper       = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits      = "0123456789"
	punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// ErrPasswordOptions is returned for options that cannot give a password.
var ErrPasswordOptions = errors.New("invalid password options")

// RandomPassword returns a random password drawn with crypto/rand, the way
// GetRandomPassword draws one.
func RandomPassword(o PasswordOptions) (Value, error) {
	if o.Length == 0 {
		o.Length = 32
	}
	if o.Length < 1 || o.Length > 4096 {
		return Value{}, errors.Join(ErrPasswordOptions, errors.New("length must be 1 to 4096"))
	}
	keep := func(set string) string {
		var b strings.Builder
		for _, r := range set {
			if !strings.ContainsRune(o.ExcludeCharacters, r) {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	var classes []string
	add := func(excluded bool, set string) {
		if !excluded {
			if s := keep(set); s != "" {
				classes = append(classes, s)
			}
		}
	}
	add(o.ExcludeLowercase, lower)
	add(o.ExcludeUppercase, upper)
	add(o.ExcludeNumbers, digits)
	add(o.ExcludePunctuation, punctuation)
	add(!o.IncludeSpace, " ")
	if len(classes) == 0 {
		return Value{}, errors.Join(ErrPasswordOptions, errors.New("every character class is excluded"))
	}
	if o.RequireEachType && o.Length < len(classes) {
		return Value{}, errors.Join(ErrPasswordOptions, errors.New("length is shorter than the number of required character classes"))
	}
	all := strings.Join(classes, "")
	out := make([]byte, o.Length)
	for {
		for i := range out {
			out[i] = all[randInt(len(all))]
		}
		if !o.RequireEachType || hasEach(out, classes) {
			return NewBytes(out, false), nil
		}
	}
}

func hasEach(b []byte, classes []string) bool {
	for _, c := range classes {
		if !strings.ContainsAny(string(b), c) {
			return false
		}
	}
	return true
}

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("crypto/rand failed: " + err.Error()) // the OS RNG is broken: nothing safe can continue
	}
	return int(v.Int64())
}
