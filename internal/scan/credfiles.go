package scan

// Credential files judged whole (Rails keys, postfix sasl_passwd,
// pgbouncer's userlist, gem credentials), the shapes of secrets in server
// configs, Windows scripts and code that the generic key/value steps miss,
// weak passwords, and the test-vector policy.

import (
	"path"
	"regexp"
	"strings"
)

// wholeFileKind names the credential files whose every value is a secret,
// whatever their lines look like; "" for other files.
func wholeFileKind(filePath string) string {
	p := strings.ToLower(filePath)
	base, dir := path.Base(p), path.Base(path.Dir(p))
	switch {
	case base == "master.key" && dir == "config", strings.HasSuffix(base, ".key") && dir == "credentials" && path.Base(path.Dir(path.Dir(p))) == "config":
		return "rails"
	case base == "sasl_passwd":
		return "sasl"
	case base == "userlist.txt":
		return "pgbouncer"
	case base == "credentials" && dir == ".gem":
		return "gem"
	}
	return ""
}

var (
	railsKeyRe    = regexp.MustCompile(`^[0-9a-f]{32}$`)
	saslRe        = regexp.MustCompile(`^\s*(\S+)\s+([^\s:]+):(\S+)\s*$`)
	userlistRe    = regexp.MustCompile(`^\s*"([^"]*)"\s+"([^"]*)"`)
	gemCredRe     = regexp.MustCompile(`^\s*(\S+):\s+(\S+)\s*$`)
	wpSaltRe      = regexp.MustCompile(`\bdefine\(\s*['"]((?:SECURE_)?AUTH_(?:KEY|SALT)|LOGGED_IN_(?:KEY|SALT)|NONCE_(?:KEY|SALT))['"]\s*,\s*'([^']*)'`)
	csPropRe      = regexp.MustCompile(`\b([A-Za-z_]\w*)\s*\{\s*(?:get|init)\s*;\s*(?:(?:private\s+|protected\s+|internal\s+)?(?:set|init)\s*;\s*)?\}\s*=\s*@?"((?:[^"\\]|\\.)*)"`)
	wrappedRe     = regexp.MustCompile(`\b([A-Za-z_][\w.]*)\s*(?::=|=)\s*(?:\[\]byte|Buffer\.from|bytes|new\s+TextEncoder\(\)\.encode)\(\s*["']([^"'\\]+)["']`)
	exAttrRe      = regexp.MustCompile(`^\s*@([a-z_]\w*)\s+"([^"\\]*)"`)
	headerDirRe   = regexp.MustCompile(`\b(?:proxy_set_header|add_header|more_set_headers|grpc_set_header|fastcgi_param|uwsgi_param|RequestHeader\s+set)\s+["']?([\w-]+)["']?:?\s+"?([^\s";]+)"?\s*;?\s*$`)
	redisACLRe    = regexp.MustCompile(`^\s*user\s+\S+\s+(?:\S+\s+)*?>(\S+)`)
	snmpComRe     = regexp.MustCompile(`^\s*(?:(?:ro|rw)community6?|trap2?community|informcommunity)\s+(\S+)`)
	snmpSecRe     = regexp.MustCompile(`^\s*com2sec6?\s+(?:-Cn\s+\S+\s+)?\S+\s+\S+\s+(\S+)`)
	snmpUserRe    = regexp.MustCompile(`(?i)^\s*createUser\s+(?:-e\s+\S+\s+)?\S+\s+(?:MD5|SHA[\w-]*)\s+"?([^"\s]+)"?`)
	escKeyRe      = regexp.MustCompile(`\\"([A-Za-z_][\w.\-]*)\\"\s*:\s*\\"([^"\\]+)\\"`)
	exampleHostRe = regexp.MustCompile(`://(?:[\w-]+\.)*example\.(?:com|org|net)\b`)
	queryRe       = regexp.MustCompile(`[?&]([A-Za-z_][\w.\-]*)=([^&\s"'#{}<>\\]+)`)
	vectorWords   = []string{"nonce", "iv:", "iv =", "tag:", "tag =", "plaintext", "ciphertext", "aad", " in:", "output", "expected", "vector"}
)

// credentialsFile reports the secrets of a whole-file credential file of
// the given kind (see wholeFileKind); its lines are then owned.
func (a *analyzer) credentialsFile(kind string, owned map[int]bool) {
	for i, l := range a.lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") || t == "---" {
			continue
		}
		owned[i] = true
		switch kind {
		case "rails":
			if railsKeyRe.MatchString(t) {
				a.add(ruleRailsKey, i, strings.Index(l, t)+1, t, "master.key")
			}
		case "sasl":
			if m := saslRe.FindStringSubmatchIndex(l); m != nil && plausibleShortSecret(l[m[6]:m[7]]) {
				a.add(ruleCredFile, i, m[6]+1, l[m[6]:m[7]], "sasl_passwd")
			}
		case "pgbouncer":
			if m := userlistRe.FindStringSubmatchIndex(l); m != nil && plausibleShortSecret(l[m[4]:m[5]]) {
				a.add(ruleCredFile, i, m[4]+1, l[m[4]:m[5]], "userlist.txt")
			}
		case "gem":
			if m := gemCredRe.FindStringSubmatchIndex(l); m != nil {
				if v := l[m[4]:m[5]]; len(v) >= 16 && plausibleSecret(v, keyPassword, "api_key") {
					a.add(ruleCredFile, i, m[4]+1, v, strings.TrimPrefix(l[m[2]:m[3]], ":"))
				}
			}
		}
	}
}

// weakPasswords are default and well-known weak passwords. A
// password-named key holding one is reported as weak-password; nothing
// else about these values makes them secret.
var weakPasswords = map[string]bool{"root": true, "admin": true, "guest": true, "postgres": true, "mysql": true, "hunter2": true, "changeit": true, "toor": true, "letmein": true, "qwerty": true, "123456": true, "12345678": true, "admin123": true, "passw0rd": true, "password1": true, "password123": true, "p@ssw0rd": true, "welcome1": true, "secret123": true, "rabbitmq": true, "redis": true, "oracle": true, "sa": true, "manager": true, "tomcat": true, "elastic": true, "minioadmin": true}

func weakPassword(v string) bool {
	return weakPasswords[strings.ToLower(strings.TrimSpace(v))]
}

// testPath reports whether p names a test file: Go's _test.go, Python's
// test_*.py and *_test.py, JavaScript's .test. and .spec., Ruby's _spec.rb,
// and files under test/, tests/ or spec/ directories.
func testPath(p string) bool {
	lp := strings.ToLower(p)
	base := path.Base(lp)
	switch {
	case strings.HasSuffix(base, "_test.go"), strings.HasPrefix(base, "test_") && strings.HasSuffix(base, ".py"), strings.HasSuffix(base, "_test.py"),
		strings.Contains(base, ".test."), strings.Contains(base, ".spec."), strings.HasSuffix(base, "_spec.rb"), strings.Contains(base, "vectors"):
		return true
	}
	for _, d := range []string{"test/", "tests/", "spec/"} {
		if strings.HasPrefix(lp, d) || strings.Contains(lp, "/"+d) {
			return true
		}
	}
	return false
}

// testVector: a hex value under a generic key name ("key", "keys") is a
// test vector in a test file, or anywhere when the nearby lines hold the
// other fields of a vector (nonce, iv, tag, plaintext, ciphertext...).
// Secret-named keys (api_key, secret) in test files are still judged.
func (a *analyzer) testVector(i int, v string) bool {
	if len(v) < 16 || !hexRe.MatchString(strings.ToLower(v)) {
		return false
	}
	if a.test {
		return true
	}
	for j := max(0, i-3); j < len(a.lines) && j <= i+3; j++ {
		l := strings.ToLower(a.lines[j])
		for _, w := range vectorWords {
			if strings.Contains(l, w) {
				return true
			}
		}
	}
	return false
}

// wpSalt: WordPress's authentication keys and salts in wp-config.php,
// which hold punctuation a token check would reject.
func (a *analyzer) wpSalt(i int, l string) bool {
	if !strings.Contains(l, "define") {
		return false
	}
	m := wpSaltRe.FindStringSubmatchIndex(l)
	if m == nil {
		return false
	}
	v := l[m[4]:m[5]]
	if len(v) < 32 || strings.ContainsAny(v, " \t") || entropy(v) < 4 || !plausibleShortSecret(v) {
		return false
	}
	a.add(ruleAssignment, i, m[4]+1, v, l[m[2]:m[3]])
	return true
}

// csharpProperty: public string Password { get; set; } = "v";
func (a *analyzer) csharpProperty(i int, l string) bool {
	return strings.Contains(l, "get") && strings.Contains(l, "{") && a.firstPair(i, l, csPropRe)
}

// wrappedLiteral: jwtKey = []byte("v"), key = Buffer.from('v'): a literal
// converted to bytes on its way to a secret-named variable.
func (a *analyzer) wrappedLiteral(i int, l string) bool {
	if !strings.Contains(l, "(") || !strings.ContainsAny(l, `"'`) ||
		!strings.Contains(l, "byte") && !strings.Contains(l, "Buffer.from") && !strings.Contains(l, "TextEncoder") {
		return false // wrappedRe needs all three
	}
	m := wrappedRe.FindStringSubmatchIndex(l)
	if m == nil || a.test && classifyKey(l[m[2]:m[3]]) == keyPassword {
		return false // a password as bytes in a test: the input of a hashing test
	}
	return a.pair(i, l, m)
}

// elixirAttribute: @api_token "v" in an Elixir module.
func (a *analyzer) elixirAttribute(i int, l string) bool {
	return (a.ext == "ex" || a.ext == "exs") && a.pair(i, l, exAttrRe.FindStringSubmatchIndex(l))
}

// headerDirective: proxy_set_header X-Api-Key v; (nginx), RequestHeader
// set (Apache).
func (a *analyzer) headerDirective(i int, l string) bool {
	if a.kind != kindProps && a.kind != kindUnknown || !strings.Contains(l, "eader") && !strings.Contains(l, "_param") {
		return false
	}
	m := headerDirRe.FindStringSubmatchIndex(l)
	if m == nil || strings.EqualFold(l[m[2]:m[3]], "authorization") {
		return false // the authorization-header rule reads those
	}
	return a.pair(i, l, m)
}

// redisACL: user worker on >password ~keys +@all (redis.conf, users.acl).
func (a *analyzer) redisACL(i int, l string) bool {
	if a.kind != kindProps && a.ext != "acl" {
		return false
	}
	if m := redisACLRe.FindStringSubmatchIndex(l); m != nil {
		if v := l[m[2]:m[3]]; plausibleSecret(v, keyPassword, "password") {
			a.add(ruleAssignment, i, m[2]+1, v, "redis acl")
			return true
		}
	}
	return false
}

// snmp: community strings and SNMPv3 passphrases in snmpd.conf. The
// defaults public and private are not reported.
func (a *analyzer) snmp(i int, l string) bool {
	if a.kind != kindProps && a.kind != kindUnknown {
		return false
	}
	for _, re := range []*regexp.Regexp{snmpComRe, snmpSecRe, snmpUserRe} {
		if m := re.FindStringSubmatchIndex(l); m != nil {
			if v := l[m[2]:m[3]]; plausibleShortSecret(v) && !strings.EqualFold(v, "public") && !strings.EqualFold(v, "private") {
				a.add(ruleSNMP, i, m[2]+1, v, "community")
				return true
			}
			return false
		}
	}
	return false
}

// escapedKey: \"password\": \"v\" in JSON held in a string (a HAR request
// body, a Postman raw body, a notebook cell).
func (a *analyzer) escapedKey(i int, l string) bool {
	return strings.Contains(l, `\"`) && a.firstPair(i, l, escKeyRe)
}

// queryParam: ?api_key=v&... in a URL. Template fields ({api_key}) do not
// match.
func (a *analyzer) queryParam(i int, l string) bool {
	if !strings.Contains(l, "://") || !strings.Contains(l, "?") || exampleHostRe.MatchString(l) {
		return false // https://example.com/…?token=…: documentation
	}
	return a.firstPair(i, l, queryRe)
}

// tupleFile: Erlang and Elixir files, where {key, "value"} is a setting.
// In other languages a brace, a name and a string are a list.
func (a *analyzer) tupleFile() bool {
	switch a.ext {
	case "ex", "exs", "erl", "hrl", "config", "app", "src", "script", "eex", "heex":
		return true
	}
	return a.kind == kindUnknown
}
