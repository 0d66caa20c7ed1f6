package secret

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// Character classes of GetRandomPassword.
const (
	upperChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lowerChars = "abcdefghijklmnopqrstuvwxyz"
	digitChars = "0123456789"
	punctChars = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// PasswordOptions mirrors GetRandomPassword's parameters.
type PasswordOptions struct {
	Length                  int // 1-4096; 0 means 32
	ExcludeCharacters       string
	ExcludeNumbers          bool
	ExcludePunctuation      bool
	ExcludeUppercase        bool
	ExcludeLowercase        bool
	IncludeSpace            bool
	RequireEachIncludedType bool // GetRandomPassword's default is true
}

// DefaultPasswordOptions are GetRandomPassword's defaults: 32 characters
// from all four classes, at least one of each.
func DefaultPasswordOptions() PasswordOptions {
	return PasswordOptions{Length: 32, RequireEachIncludedType: true}
}

// RandomPassword returns a password drawn with crypto/rand as
// GetRandomPassword would.
func RandomPassword(o PasswordOptions) (Value, error) {
	s, err := randomPassword(o)
	if err != nil {
		return Value{}, err
	}
	return New(s), nil
}

// Validate reports whether a password can be drawn with o: a length of 1
// to 4096, at least one character left, and room for one of each included
// type when that is required.
func (o PasswordOptions) Validate() error {
	_, _, err := o.classes()
	return err
}

func randomPassword(o PasswordOptions) (string, error) {
	n, classes, err := o.classes()
	if err != nil {
		return "", fmt.Errorf("generate password: %w", err)
	}
	all := strings.Join(classes, "")
	out := make([]byte, 0, n)
	if o.RequireEachIncludedType {
		for _, c := range classes {
			ch, err := pick(c)
			if err != nil {
				return "", err
			}
			out = append(out, ch)
		}
	}
	for len(out) < n {
		ch, err := pick(all)
		if err != nil {
			return "", err
		}
		out = append(out, ch)
	}
	// Shuffle so the required characters are not always first.
	for i := len(out) - 1; i > 0; i-- {
		j, err := randInt(i + 1)
		if err != nil {
			return "", err
		}
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}

func (o PasswordOptions) classes() (int, []string, error) {
	n := o.Length
	if n == 0 {
		n = 32
	}
	if n < 1 || n > 4096 {
		return 0, nil, fmt.Errorf("password length %d: want 1 to 4096", n)
	}
	var classes []string
	add := func(skip bool, chars string) {
		if skip {
			return
		}
		var b strings.Builder
		for _, r := range chars {
			if !strings.ContainsRune(o.ExcludeCharacters, r) {
				b.WriteRune(r)
			}
		}
		if b.Len() > 0 {
			classes = append(classes, b.String())
		}
	}
	add(o.ExcludeUppercase, upperChars)
	add(o.ExcludeLowercase, lowerChars)
	add(o.ExcludeNumbers, digitChars)
	add(o.ExcludePunctuation, punctChars)
	add(!o.IncludeSpace, " ")
	if len(classes) == 0 {
		return 0, nil, errors.New("every character is excluded")
	}
	if o.RequireEachIncludedType && n < len(classes) {
		return 0, nil, fmt.Errorf("a length of %d cannot hold one character of each of the %d included types", n, len(classes))
	}
	return n, classes, nil
}

func pick(chars string) (byte, error) {
	i, err := randInt(len(chars))
	if err != nil {
		return 0, err
	}
	return chars[i], nil
}

func randInt(n int) (int, error) {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0, fmt.Errorf("generate password: %w", err)
	}
	return int(v.Int64()), nil
}
