package local

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/secretctl/secretctl/internal/store"
)

// FuzzRecordDecode feeds arbitrary bytes to the record decoder as a row whose
// MAC is right, so the decoder itself is reached. A record that decodes and
// matches its row must survive what every operation first does with it; one
// that does not is ErrIntegrity, never a panic.
func FuzzRecordDecode(f *testing.F) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	good, _ := json.Marshal(&record{ARN: newARN("app/db"), Name: "app/db", Created: now,
		Versions: []*version{{ID: "v1", Stages: []string{"AWSCURRENT"}, Created: now, Sealed: []byte{1, 2, 3}}}})
	f.Add(good, false, int64(0))
	f.Add([]byte(`{"arn":"a","name":"n","deleted":"2026-01-02T00:00:00Z"}`), true, int64(1767312000))
	f.Add([]byte(`{"arn":"a","name":"n","versions":[null,{"id":""}]}`), false, int64(0))
	f.Add([]byte(`{"arn":"a","name":"n","versions":[{"id":"x","stages":["AWSCURRENT","AWSCURRENT"]}]}`), false, int64(0))
	f.Add([]byte(`{`), false, int64(0))
	f.Add([]byte(`null`), false, int64(0))
	key := bytes.Repeat([]byte{7}, 32)
	f.Fuzz(func(t *testing.T, rec []byte, deleted bool, at int64) {
		var probe struct {
			ARN  string `json:"arn"`
			Name string `json:"name"`
		}
		_ = json.Unmarshal(rec, &probe)
		w := row{arn: probe.ARN, name: probe.Name, deleted: sql.NullInt64{Int64: at, Valid: deleted}, rec: rec}
		w.mac = recordMAC(key, w.arn, w.name, w.deleted, w.rec)
		r, err := w.open(key)
		if err != nil {
			if !errors.Is(err, ErrIntegrity) {
				t.Fatalf("open: %v, want ErrIntegrity", err)
			}
			return
		}
		// A decoded record goes through what a read and a listing do.
		_ = r.meta()
		_ = r.versionList(true)
		_, _ = r.get(store.GetOptions{}, now)
		_, _ = r.get(store.GetOptions{Stage: "AWSPREVIOUS"}, now)
		_ = r.checkLabels()
		_ = r.hasValue()
		r.prune(now)

		// A wrong MAC is always refused.
		w.mac = append([]byte(nil), w.mac...)
		w.mac[0] ^= 1
		if _, err := w.open(key); !errors.Is(err, ErrIntegrity) {
			t.Fatalf("open with a wrong MAC: %v", err)
		}
	})
}

// FuzzKeyFile reads arbitrary key files: an identity that parses is one
// age accepts, anything else is ErrDecryption, and the file's content never
// appears in the error (it would be the private key).
func FuzzKeyFile(f *testing.F) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(id.String() + "\n"))
	f.Add([]byte("# created: 2026-01-01\n# public key: " + id.Recipient().String() + "\n" + id.String() + "\n"))
	f.Add([]byte(""))
	f.Add([]byte("\n\n# only comments\n"))
	f.Add([]byte("AGE-SECRET-KEY-1CANARY\n"))
	f.Add([]byte(strings.ToLower(id.String())))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "key.txt")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := readIdentity(p)
		if err != nil {
			if !errors.Is(err, store.ErrDecryption) {
				t.Fatalf("readIdentity: %v, want ErrDecryption", err)
			}
			for _, l := range strings.Split(string(b), "\n") {
				if l = strings.TrimSpace(l); len(l) >= 8 && !strings.HasPrefix(l, "#") && strings.Contains(err.Error(), l) {
					t.Fatalf("error quotes the key file: %v", err)
				}
			}
			return
		}
		again, err := age.ParseX25519Identity(got.String())
		if err != nil || again.String() != got.String() {
			t.Fatalf("identity does not round-trip: %v", err)
		}
	})
}

// FuzzSealed opens arbitrary sealed data keys and sealed values: every
// failure is ErrDecryption, and nothing that was not sealed with the key
// opens. The identity is new in each process, so the sealed data key seed
// mostly exercises the header parser.
func FuzzSealed(f *testing.F) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		f.Fatal(err)
	}
	key := bytes.Repeat([]byte{9}, dataKeyLen)
	sk, err := sealDataKey(key, id.Recipient())
	if err != nil {
		f.Fatal(err)
	}
	sv, err := sealValue(key, []byte("canary-fuzz-value"), valueAD("a", "v", false))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sk)
	f.Add(sv)
	f.Add([]byte("age-encryption.org/v1\n-> X25519 \n--- \n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if k, err := openDataKey(b, id); err != nil {
			if !errors.Is(err, store.ErrDecryption) {
				t.Fatalf("openDataKey: %v", err)
			}
		} else if len(k) != dataKeyLen {
			t.Fatalf("openDataKey returned %d bytes", len(k))
		}
		// Only the value sealed above opens (fuzzing workers seal their own
		// copy, with another nonce, under the same key).
		if p, err := openValue(key, b, valueAD("a", "v", false)); err == nil && string(p) != "canary-fuzz-value" {
			t.Fatalf("a value opened that was not sealed: %q", p)
		} else if err != nil && !errors.Is(err, store.ErrDecryption) {
			t.Fatalf("openValue: %v", err)
		}
	})
}
