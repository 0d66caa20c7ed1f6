package rotate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/secretctl/secretctl/internal/secret"
)

// Random replaces the value, or one field of a JSON object value, with a
// random password. Nothing outside the store changes, so Set is a no-op.
type Random struct {
	Params Params
}

var (
	_ Rotator = (*Random)(nil)
	_ Checker = (*Random)(nil)
)

// Check needs a JSON object when a field is rotated; any value otherwise.
func (r *Random) Check(current secret.Value) error {
	if r.Params.Field == "" {
		return nil
	}
	_, err := jsonObject(current)
	return err
}

// Create returns a new random value.
func (r *Random) Create(ctx context.Context, req *Request) (secret.Value, error) {
	pwv, err := secret.RandomPassword(r.Params.passwordOptions(""))
	pw := pwv.RevealString()
	if err != nil {
		return secret.Value{}, err
	}
	if r.Params.Field == "" {
		return secret.New(pw), nil
	}
	obj, err := jsonObject(req.Current)
	if err != nil {
		return secret.Value{}, err
	}
	obj[r.Params.Field] = pw
	return encodeJSON(obj)
}

// Set does nothing: the value lives only in the store.
func (r *Random) Set(ctx context.Context, req *Request) error { return nil }

// Test checks the pending value's shape.
func (r *Random) Test(ctx context.Context, req *Request) error {
	if req.Pending.IsZero() {
		return errors.New("the AWSPENDING value is empty")
	}
	if r.Params.Field == "" {
		return nil
	}
	obj, err := jsonObject(req.Pending)
	if err != nil {
		return err
	}
	if s, ok := obj[r.Params.Field].(string); !ok || s == "" {
		return fmt.Errorf("the AWSPENDING value has no field %q", r.Params.Field)
	}
	return nil
}

// jsonObject decodes a JSON object value; the error never quotes the value.
func jsonObject(v secret.Value) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(v.Reveal()))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, errors.New("the secret value is not a JSON object")
	}
	return obj, nil
}

// encodeJSON writes obj compactly, without HTML escaping (a password's
// '<' stays '<').
func encodeJSON(obj map[string]any) (secret.Value, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(obj); err != nil {
		return secret.Value{}, errors.New("encode the secret JSON")
	}
	return secret.NewBytes(bytes.TrimRight(buf.Bytes(), "\n"), false), nil
}
