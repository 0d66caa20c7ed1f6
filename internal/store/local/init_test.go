package local

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitChecksTheKey: init of an existing store whose key file is gone
// says so, and does not make a new key; a wrong key file or passphrase is
// an error too.
func TestInitChecksTheKey(t *testing.T) {
	home := t.TempDir()
	if _, _, err := Init(t.Context(), Options{Home: home, Actor: testActor}); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(home, KeyFile)
	if err := os.Rename(keyPath, keyPath+".bak"); err != nil {
		t.Fatal(err)
	}
	_, _, err := Init(t.Context(), Options{Home: home, Actor: testActor})
	if err == nil || !strings.Contains(err.Error(), "its key file "+keyPath+" is missing: the data cannot be read without it") {
		t.Errorf("Init with the key file missing = %v; want it named as missing", err)
	}
	if _, err := os.Stat(keyPath); err == nil {
		t.Error("Init made a new key file for an existing store")
	}
	other := filepath.Join(t.TempDir(), "other.txt")
	if _, _, err := loadOrCreateIdentity(other); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Init(t.Context(), Options{Home: home, KeyFile: other, Actor: testActor}); err == nil || !strings.Contains(err.Error(), "wrong passphrase or key file") {
		t.Errorf("Init with another key file = %v; want the unlock error", err)
	}
	if err := os.Rename(keyPath+".bak", keyPath); err != nil {
		t.Fatal(err)
	}
	if created, _, err := Init(t.Context(), Options{Home: home, Actor: testActor}); err != nil || created {
		t.Errorf("Init with the key back = %v, %v; want false, nil", created, err)
	}

	pp := t.TempDir()
	if _, _, err := Init(t.Context(), Options{Home: pp, Passphrase: "correct horse", Actor: testActor}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Init(t.Context(), Options{Home: pp, Passphrase: "wrong horse", Actor: testActor}); err == nil {
		t.Error("Init with a wrong passphrase succeeded")
	}
	if _, _, err := Init(t.Context(), Options{Home: pp, Actor: testActor}); err != nil {
		t.Errorf("Init of a passphrase store without the passphrase: %v", err)
	}
}
