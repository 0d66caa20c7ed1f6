package scan

// One finding per secret: redaction, fingerprints, and the dedupe of
// findings that several rules or passes report for the same secret.

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// finish redacts and fingerprints a finding.
func finish(f *Finding) {
	raw := f.Secret.RevealString()
	f.Redacted = Redact(raw)
	if raw != "" {
		f.Match = strings.ReplaceAll(f.Match, raw, f.Redacted)
	}
	f.Fingerprint = Fingerprint(f.File, f.RuleID, raw)
}

// Fingerprint is file:rule:h, h the first 16 hex digits of a SHA-256 of the
// rule and secret. No line number: an edit above a finding keeps it, a new
// secret on a known line gets a new one.
func Fingerprint(file, rule, raw string) string {
	sum := sha256.Sum256([]byte("secretctl/v1\x00" + rule + "\x00" + raw))
	return file + ":" + rule + ":" + hex.EncodeToString(sum[:8])
}

// Redact keeps the first and last characters of a secret (two of each
// from 12 characters on, one of each from 6), masking the rest.
// Short secrets are fully masked.
func Redact(raw string) string {
	r := []rune(raw)
	switch {
	case len(r) == 0:
		return ""
	case len(r) < 6:
		return "****"
	case len(r) < 12:
		return string(r[:1]) + "****" + string(r[len(r)-1:])
	default:
		return string(r[:2]) + "****" + string(r[len(r)-2:])
	}
}

// rulePriority orders rules when several find the same secret on one line:
// provider rules first, generic ones last.
func rulePriority(id string) int {
	switch id {
	case "generic-api-key":
		return 4
	case ruleAssignment, ruleEnvPair:
		return 3
	case ruleCurlUser, "url-credentials", "mysql-dsn-password", "connection-string-password", "authorization-header", "curl-auth-header", "curl-auth-user", "hashicorp-tf-password":
		return 2
	case ruleK8sData, ruleK8sStringDat, ruleTFDefault, ruleAWSPair, rulePgpass, ruleCredCall:
		return 1
	}
	return 0
}

// dedupe drops findings whose secret overlaps a better finding on the same
// line of the same file and commit, then sorts.
func dedupe(in []Finding) []Finding {
	sort.SliceStable(in, func(i, j int) bool {
		a, b := in[i], in[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Commit != b.Commit {
			return a.Commit < b.Commit
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if decoded(a) != decoded(b) {
			return !decoded(a)
		}
		return rulePriority(a.RuleID) < rulePriority(b.RuleID)
	})
	out := in[:0]
	for i := 0; i < len(in); i++ {
		f := in[i]
		dup := false
		for k := len(out) - 1; k >= 0; k-- {
			o := out[k]
			if o.File != f.File || o.Commit != f.Commit || o.Line != f.Line {
				break
			}
			if decoded(f) {
				// A value found after decoding, on a line already reported.
				dup = true
				break
			}
			a, b := o.Secret.RevealString(), f.Secret.RevealString()
			if strings.Contains(a, b) || strings.Contains(b, a) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Commit < b.Commit
	})
	return out
}

func decoded(f Finding) bool {
	for _, t := range f.Tags {
		if strings.HasPrefix(t, "decoded:") {
			return true
		}
	}
	return false
}
