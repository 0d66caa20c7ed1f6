package serve

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Environment variables that set the server's credentials.
const (
	EnvAccessKeyID     = "SECRETCTL_SERVE_ACCESS_KEY_ID"
	EnvSecretAccessKey = "SECRETCTL_SERVE_SECRET_ACCESS_KEY"
)

// CredentialsFile is where generated credentials are kept, in the store's
// home, 0600.
const CredentialsFile = "serve-credentials.json"

// KeyIDPrefix starts every generated access key id. It is not an AWS
// prefix (AKIA, ASIA), so scanners do not take a local key for an AWS one.
const KeyIDPrefix = "SCTL"

type credentialsJSON struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// LoadCredentials returns the server's credentials: from the environment
// when both variables are set, else from home/serve-credentials.json,
// which is created with new random credentials the first time. source says
// where they came from ("environment", the file path, "created <path>").
func LoadCredentials(getenv func(string) string, home string) (c Credentials, source string, err error) {
	id, key := getenv(EnvAccessKeyID), getenv(EnvSecretAccessKey)
	switch {
	case id != "" && key != "":
		return Credentials{AccessKeyID: id, SecretAccessKey: key}, "environment", nil
	case id != "" || key != "":
		return Credentials{}, "", fmt.Errorf("set both %s and %s, or neither", EnvAccessKeyID, EnvSecretAccessKey)
	}
	path := filepath.Join(home, CredentialsFile)
	c, err = readCredentials(path)
	if err == nil {
		return c, path, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return Credentials{}, "", err
	}
	c, err = newCredentials()
	if err != nil {
		return Credentials{}, "", err
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return Credentials{}, "", fmt.Errorf("create serve credentials: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) { // another serve created it first
		c, err = readCredentials(path)
		return c, path, err
	}
	if err != nil {
		return Credentials{}, "", fmt.Errorf("create serve credentials: %w", err)
	}
	b, _ := json.MarshalIndent(credentialsJSON(c), "", "  ")
	_, werr := f.Write(append(b, '\n'))
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return Credentials{}, "", fmt.Errorf("write serve credentials: %w", err)
	}
	return c, "created " + path, nil
}

func readCredentials(path string) (Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Credentials{}, err
	}
	var cj credentialsJSON
	if err := json.Unmarshal(b, &cj); err != nil || cj.AccessKeyID == "" || cj.SecretAccessKey == "" {
		return Credentials{}, fmt.Errorf("read serve credentials: %s is not a credentials file; remove it to generate new credentials", path)
	}
	return Credentials(cj), nil
}

const keyIDChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func newCredentials() (Credentials, error) {
	b := make([]byte, 16+40)
	if _, err := rand.Read(b); err != nil {
		return Credentials{}, fmt.Errorf("generate serve credentials: %w", err)
	}
	var id, key strings.Builder
	id.WriteString(KeyIDPrefix)
	for _, c := range b[:16] {
		id.WriteByte(keyIDChars[int(c)%len(keyIDChars)])
	}
	const keyChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for _, c := range b[16:] {
		key.WriteByte(keyChars[int(c)%len(keyChars)])
	}
	return Credentials{AccessKeyID: id.String(), SecretAccessKey: key.String()}, nil
}

// ProfileSnippet is an ~/.aws/config profile for a server at endpoint. It
// names the key id and gets the secret key through credential_process
// (`secretctl serve credentials`), so the secret key is never printed or
// copied into the config file.
func ProfileSnippet(profile, endpoint, keyID string) string {
	return fmt.Sprintf(`[profile %s]
# access key id %s
credential_process = secretctl serve credentials
endpoint_url = %s
region = us-east-1
`, profile, keyID, endpoint)
}

// CredentialProcessJSON is what `secretctl serve credentials` prints for
// the SDKs' credential_process setting.
func CredentialProcessJSON(c Credentials) ([]byte, error) {
	return json.Marshal(struct {
		Version         int
		AccessKeyId     string //nolint:revive // the credential_process field name
		SecretAccessKey string
	}{1, c.AccessKeyID, c.SecretAccessKey})
}
