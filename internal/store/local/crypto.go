package local

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/secretctl/secretctl/internal/store"
)

// Key modes, kept in the settings table.
const (
	modeKeyFile    = "x25519"
	modePassphrase = "scrypt"
)

// scryptWorkFactor is age's scrypt cost (log2 N) for new stores; tests lower it.
var scryptWorkFactor = 18

const dataKeyLen = chacha20poly1305.KeySize

var errUnlock = fmt.Errorf("cannot unlock the local store: wrong passphrase or key file: %w", store.ErrDecryption)

// sealDataKey encrypts the data key with age to the recipient of the mode.
func sealDataKey(dataKey []byte, r age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("seal data key: %w", err)
	}
	if _, err := w.Write(dataKey); err != nil {
		return nil, fmt.Errorf("seal data key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("seal data key: %w", err)
	}
	return buf.Bytes(), nil
}

// openDataKey decrypts the sealed data key. Any failure to decrypt is
// ErrDecryption: with the unlock message when the key or passphrase is not
// the one it was sealed to, with ErrDamaged when it is but the sealed key
// is damaged. It never returns a wrong key.
func openDataKey(sealed []byte, id age.Identity) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(sealed), id)
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) {
		return nil, errUnlock
	}
	if err != nil { // the header does not parse or authenticate
		return nil, fmt.Errorf("the sealed data key does not open: %v: %w", err, errors.Join(ErrDamaged, store.ErrDecryption))
	}
	key, err := io.ReadAll(io.LimitReader(r, dataKeyLen+1))
	if err != nil || len(key) != dataKeyLen {
		return nil, fmt.Errorf("the sealed data key does not open: %w", errors.Join(ErrDamaged, store.ErrDecryption))
	}
	return key, nil
}

// readIdentity loads the age X25519 identity from a key file.
func readIdentity(path string) (*age.X25519Identity, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("cannot unlock the local store: key file %s does not exist (set SECRETCTL_PASSPHRASE if the store uses a passphrase): %w", path, store.ErrDecryption)
	}
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	if err := checkKeyMode(path, st); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, err := age.ParseX25519Identity(line)
		if err != nil {
			return nil, fmt.Errorf("cannot unlock the local store: key file %s holds no age identity: %w", path, store.ErrDecryption)
		}
		return id, nil
	}
	return nil, fmt.Errorf("cannot unlock the local store: key file %s is empty: %w", path, store.ErrDecryption)
}

// loadOrCreateIdentity returns the identity in path, creating the file
// (0600, exclusively) with a new identity when it does not exist.
func loadOrCreateIdentity(path string) (*age.X25519Identity, bool, error) {
	if _, err := os.Stat(path); err == nil {
		id, err := readIdentity(path)
		return id, false, err
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, false, fmt.Errorf("generate key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) { // another process won the race
		id, err := readIdentity(path)
		return id, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("create key file: %w", err)
	}
	content := "# secretctl local store key (age X25519 identity). Keep it private and backed up:\n" +
		"# without it the local store cannot be decrypted.\n" +
		"# public key: " + id.Recipient().String() + "\n" + id.String() + "\n"
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("write key file: %w", err)
	}
	return id, true, nil
}

// valueAD binds a sealed value to its secret and version, so a ciphertext
// moved to another secret or version does not decrypt.
func valueAD(arn, versionID string, binary bool) []byte {
	kind := "s"
	if binary {
		kind = "b"
	}
	return []byte("secretctl/value/v1\x00" + arn + "\x00" + versionID + "\x00" + kind)
}

// sealValue encrypts a value with XChaCha20-Poly1305: nonce || ciphertext.
func sealValue(key, plain, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("seal value: %w", err)
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal value: %w", err)
	}
	return aead.Seal(nonce, nonce, plain, ad), nil
}

// openValue decrypts what sealValue produced.
func openValue(key, sealed, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("open value: %w", err)
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("open value: ciphertext too short: %w", store.ErrDecryption)
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], ad)
	if err != nil {
		return nil, fmt.Errorf("open value: authentication failed (wrong key or altered data): %w", store.ErrDecryption)
	}
	return plain, nil
}
