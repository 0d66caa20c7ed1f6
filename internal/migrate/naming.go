package migrate

import (
	"strconv"
	"strings"
	"unicode"
)

// envStyle reports whether k is already an environment variable name
// (DB_PASSWORD, POSTGRES_PASSWORD): it is then used as it is.
func envStyle(k string) bool {
	if k == "" || !strings.ContainsAny(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		return false
	}
	for i, r := range k {
		switch {
		case r >= 'A' && r <= 'Z', r == '_':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// EnvName turns a key path into an environment variable name:
// database.password → DATABASE_PASSWORD, api.secretKey → API_SECRET_KEY,
// spring.datasource.password → SPRING_DATASOURCE_PASSWORD. A leaf that is
// already an environment variable name is kept as it is.
func EnvName(path []string) string {
	if len(path) == 0 {
		return "SECRET"
	}
	if leaf := path[len(path)-1]; envStyle(leaf) {
		return leaf
	}
	var words []string
	for _, p := range path {
		words = append(words, splitWords(p)...)
	}
	if len(words) == 0 {
		return "SECRET"
	}
	name := strings.ToUpper(strings.Join(words, "_"))
	if name[0] >= '0' && name[0] <= '9' {
		name = "_" + name
	}
	return name
}

// splitWords splits on anything but letters and digits, and at camelCase
// boundaries: "secretKey" → [secret Key], "DBPassword" → [DB Password].
func splitWords(s string) []string {
	var words []string
	var cur []rune
	rs := []rune(s)
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = nil
		}
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) || r > unicode.MaxASCII {
			flush()
			continue
		}
		if unicode.IsUpper(r) && len(cur) > 0 {
			prev := cur[len(cur)-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || unicode.IsUpper(prev) && nextLower {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// tfVarName is the Terraform variable for an env name: DB_PASSWORD →
// db_password (read from TF_VAR_db_password).
func tfVarName(env string) string { return strings.ToLower(env) }

// namer hands out unique names deterministically: the first value to claim
// a name keeps it, the same value shares it, a different value gets _2, _3.
type namer struct {
	byName map[string]string // name → value digest
}

func newNamer() *namer { return &namer{byName: map[string]string{}} }

func (n *namer) claim(base, digest string) string {
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			name = base + "_" + strconv.Itoa(i)
		}
		if d, ok := n.byName[name]; !ok || d == digest {
			n.byName[name] = digest
			return name
		}
	}
}
