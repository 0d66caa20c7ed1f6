package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/google/uuid"
	"golang.org/x/crypto/scrypt"

	"github.com/secretctl/secretctl/internal/secret"
	"github.com/secretctl/secretctl/internal/store"
)

// ImportOptions say where Import stores a file's items.
type ImportOptions struct {
	To        string // the secret name; with Split, the prefix of one secret per key (To/KEY)
	Split     bool
	Overwrite bool // store a new version where a secret holds a different value
}

// Actions an import takes on one secret.
const (
	Created   = "created"
	Unchanged = "unchanged" // the secret already holds this value: nothing written
	Updated   = "updated"   // a new version; the old one keeps AWSPREVIOUS
)

// ImportResult is what Import did to one secret.
type ImportResult struct {
	ARN       string `json:"arn"`
	Name      string `json:"name"`
	Action    string `json:"action"`
	VersionID string `json:"versionId,omitempty"`
}

// ErrDiffers is wrapped by Import's error when a secret already holds a
// different value and ImportOptions.Overwrite is off.
var ErrDiffers = errors.New("already exists with a different value")

type target struct {
	name   string
	value  secret.Value
	object bool // compare as JSON objects rather than bytes
	action string
	arn    string // of an existing secret
}

// Import stores items in s: as one JSON object secret named o.To, or with
// o.Split as one secret per item named o.To/KEY. It first reads every
// target and decides, and writes only when no target is refused, so a
// refusal (a different existing value without Overwrite) writes nothing.
// Each write carries a ClientRequestToken derived from the name and value,
// so a retried or repeated import is idempotent; a secret that already
// holds the value is left alone.
func Import(ctx context.Context, s store.Store, items []Item, o ImportOptions) ([]ImportResult, error) {
	targets, err := plan(items, o)
	if err != nil {
		return nil, err
	}
	var refused []string
	for _, t := range targets {
		cur, err := s.Get(ctx, t.name, store.GetOptions{})
		switch {
		case errors.Is(err, store.ErrNotFound):
			t.action = Created
			continue
		case err != nil:
			return nil, err
		}
		t.arn = cur.ARN
		if sameValue(cur.Value, t.value, t.object) {
			t.action = Unchanged
			continue
		}
		if !o.Overwrite {
			refused = append(refused, t.name)
		}
		t.action = Updated
	}
	if len(refused) > 0 {
		return nil, fmt.Errorf("%s %w; nothing was written (--overwrite stores a new version and keeps the old one as AWSPREVIOUS)", strings.Join(refused, ", "), ErrDiffers)
	}
	var out []ImportResult
	for _, t := range targets {
		r := ImportResult{ARN: t.arn, Name: t.name, Action: t.action}
		tok, err := Token(t.name, t.value)
		if err != nil {
			return out, err
		}
		switch t.action {
		case Created:
			ref, err := s.Create(ctx, t.name, store.CreateInput{Value: t.value, Token: tok})
			if err != nil {
				return out, err
			}
			r.ARN, r.VersionID = ref.ARN, ref.VersionID
		case Updated:
			ref, err := s.Put(ctx, t.name, t.value, store.PutOptions{Token: tok})
			if err != nil {
				return out, err
			}
			r.ARN, r.VersionID = ref.ARN, ref.VersionID
		}
		out = append(out, r)
	}
	return out, nil
}

func plan(items []Item, o ImportOptions) ([]*target, error) {
	if len(items) == 0 {
		return nil, errors.New("the file holds no keys")
	}
	if !o.Split {
		if err := store.ValidateName(o.To); err != nil {
			return nil, fmt.Errorf("--to %s: %w", o.To, err)
		}
		m := make(map[string]string, len(items))
		for _, it := range items {
			m[it.Key] = it.Value
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m); err != nil { // keys sorted
			return nil, err
		}
		v := secret.NewBytes(bytes.TrimSuffix(b.Bytes(), []byte("\n")), false)
		if err := store.ValidateValue(v); err != nil {
			return nil, fmt.Errorf("--to %s: %w", o.To, err)
		}
		return []*target{{name: o.To, value: v, object: true}}, nil
	}
	prefix := strings.TrimSuffix(o.To, "/")
	var out []*target
	for _, it := range items {
		name := it.Key
		if prefix != "" {
			name = prefix + "/" + it.Key
		}
		if err := store.ValidateName(name); err != nil {
			return nil, fmt.Errorf("key %s: %w", it.Key, err)
		}
		v := secret.New(it.Value)
		if err := store.ValidateValue(v); err != nil {
			return nil, fmt.Errorf("key %s: %w", it.Key, err)
		}
		out = append(out, &target{name: name, value: v})
	}
	return out, nil
}

func sameValue(cur, next secret.Value, object bool) bool {
	if cur.Equal(next) {
		return true
	}
	if !object || cur.IsBinary() {
		return false
	}
	var a, b map[string]any
	return json.Unmarshal(cur.Reveal(), &a) == nil && json.Unmarshal(next.Reveal(), &b) == nil && reflect.DeepEqual(a, b)
}

// Token returns the ClientRequestToken for storing v under name: a UUID
// made from scrypt(v) salted with the name, so the same content always
// gives the same token (a repeated import is a no-op, a retried one cannot
// store twice), while the token, which AWS shows as the version id, costs
// an attacker an scrypt per guess rather than a hash.
func Token(name string, v secret.Value) (string, error) {
	k, err := scrypt.Key(v.Reveal(), []byte("secretctl-import-token-v1\x00"+name), 1<<14, 8, 1, 16)
	if err != nil {
		return "", err
	}
	k[6] = (k[6] & 0x0f) | 0x80 // version 8: custom
	k[8] = (k[8] & 0x3f) | 0x80 // RFC 4122 variant
	id, err := uuid.FromBytes(k)
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

// GitStatus says whether path is tracked by git: "tracked", "untracked"
// (inside a work tree but not in the index) or "" when it is not in a git
// work tree or git is missing.
func GitStatus(ctx context.Context, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	dir, base := filepath.Split(abs)
	if err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--is-inside-work-tree").Run(); err != nil {
		return ""
	}
	if exec.CommandContext(ctx, "git", "-C", dir, "ls-files", "--error-unmatch", "--", base).Run() == nil {
		return "tracked"
	}
	return "untracked"
}
