package local

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretctl/secretctl/internal/store"
)

// TestDamagedKeyToldFromWrongKey flips each byte of the sealed data key in
// turn: every flip is reported as damage naming store.db, never as a wrong
// key; a wrong key file or passphrase is still reported as one.
func TestDamagedKeyToldFromWrongKey(t *testing.T) {
	for _, pass := range []string{"", "correct horse"} {
		home := t.TempDir()
		s := openWith(t, Options{Home: home, Passphrase: pass})
		if _, err := s.Create(t.Context(), "k", store.CreateInput{Value: canary(t)}); err != nil {
			t.Fatal(err)
		}
		s.Close()
		dbPath := filepath.Join(home, DBFile)
		db, err := sql.Open("sqlite", dbPath)
		if err != nil {
			t.Fatal(err)
		}
		var sealed []byte
		if err := db.QueryRow(`SELECT v FROM store_settings WHERE k = 'datakey'`).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		for i := range sealed {
			d := append([]byte(nil), sealed...)
			d[i] ^= 0x01
			if _, err := db.Exec(`UPDATE store_settings SET v = ? WHERE k = 'datakey'`, d); err != nil {
				t.Fatal(err)
			}
			s := openWith(t, Options{Home: home, Passphrase: pass})
			_, err := s.Get(t.Context(), "k", store.GetOptions{})
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), dbPath) || strings.Contains(err.Error(), "wrong passphrase") {
				t.Fatalf("mode %q, sealed key byte %d flipped: Get = %v; want damage naming %s", pass, i, err, dbPath)
			}
			s.Close()
		}
		if _, err := db.Exec(`UPDATE store_settings SET v = ? WHERE k = 'datakey'`, sealed); err != nil {
			t.Fatal(err)
		}
		db.Close()
		// A wrong key or passphrase is no damage.
		o := Options{Home: home, Passphrase: "wrong horse"}
		if pass == "" {
			o = Options{Home: home, KeyFile: filepath.Join(t.TempDir(), "other.txt")}
			if _, _, err := loadOrCreateIdentity(o.KeyFile); err != nil {
				t.Fatal(err)
			}
		}
		s = openWith(t, o)
		_, err = s.Get(t.Context(), "k", store.GetOptions{})
		if errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "wrong passphrase or key file") {
			t.Errorf("mode %q, wrong key: Get = %v; want the unlock message", pass, err)
		}
	}
}

// TestNotADatabase: a store.db that is not SQLite, or is cut short, is
// refused at once naming the file, and left as it was.
func TestNotADatabase(t *testing.T) {
	home := t.TempDir()
	s := openWith(t, Options{Home: home})
	if _, err := s.Create(t.Context(), "k", store.CreateInput{Value: canary(t)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	dbPath := filepath.Join(home, DBFile)
	orig, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), orig...)
	flipped[0] ^= 0x5a // "\tQLite format 3"
	for name, data := range map[string][]byte{"flipped magic": flipped, "truncated": orig[:50], "emptied": nil} {
		if err := os.WriteFile(dbPath, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(t.Context(), Options{Home: home, Actor: testActor})
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), dbPath) {
			t.Errorf("%s: Open = %v; want damage naming %s", name, err, dbPath)
		}
		if got, _ := os.ReadFile(dbPath); string(got) != string(data) {
			t.Errorf("%s: Open changed the damaged file", name)
		}
	}
}
