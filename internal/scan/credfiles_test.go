package scan

import "testing"

func TestTestPath(t *testing.T) {
	for p, want := range map[string]bool{
		"chacha20/vectors_test.go": true, "tests/test_auth.py": true, "src/app.spec.ts": true,
		"spec/models/user_spec.rb": true, "internal/config/config.go": false, "latest/app.py": false,
	} {
		if got := testPath(p); got != want {
			t.Errorf("testPath(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestAlgorithmName(t *testing.T) {
	for v, want := range map[string]bool{
		"curve25519-sha256": true, "diffie-hellman-group14-sha256": true, "ssh-userauth": true,
		"aes256-gcm@openssh.com": true, "shop-prod-2024": false, "correct-horse-battery": false, "k9x2-qq81-zz7a": false,
	} {
		if got := algorithmName(v); got != want {
			t.Errorf("algorithmName(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	for v, want := range map[string]bool{
		"md5" + "0123456789abcdef0123456789abcdef":                      true,
		"SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy":                 true,
		"0a1b2c3d4e5f6a7b$1$" + "0123456789abcdef" + "0123456789abcdef": true,
		"Md5-like-canary-password":                                      false,
	} {
		if got := passwordHash(v); got != want {
			t.Errorf("passwordHash(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestValueChecksNamedFalsePositives: documentation examples, GraphQL
// types, f-string fields and concatenations are not secrets; a canary is.
func TestValueChecksNamedFalsePositives(t *testing.T) {
	for _, v := range []string{"2YotnFZFEjr1zCsicMWpAA", "89h3f98hbwf987h3f98wenf89ehf", "String!", "k-`+c+`", "curve25519-sha256",
		"ssh-mldsa-65", "__AccessToken__", "dGhpcyBpcyBub3QgYSByZWFsIHZhbHVl", "0123456789abcdef", "Basic abc123", "urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2"} {
		if plausibleSecret(v, keyToken, "token") {
			t.Errorf("plausibleSecret(%q) = true", v)
		}
	}
	if plausibleShortSecret("{password}") {
		t.Error("plausibleShortSecret({password}) = true")
	}
	if !plausibleSecret("Bearer canary-9f3kQ2xLm7", keyToken, "token") || !plausibleSecret("sUperCanary123!", keyPassword, "password") {
		t.Error("a canary after Bearer, or a password ending in !, was rejected")
	}
}
