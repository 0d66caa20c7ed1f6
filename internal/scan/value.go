package scan

import (
	"math"
	"regexp"
	"strings"
	"unicode"
)

// keyClass says how a key's name bears on whether its value is a secret.
type keyClass int

const (
	keyNone     keyClass = iota // not secret-named: "name", "primary_key", "passwordLabel"
	keyGeneric                  // secret only by context or by its value: "key", "stripe_key"
	keyToken                    // tokens, API keys, secrets: "api_key", "client_secret"
	keyPassword                 // passwords: "password", "db_pass", "pwd"
)

// Words that make a name secret-named on their own.
var (
	passwordWords = map[string]bool{"password": true, "passwd": true, "pwd": true, "pass": true, "passphrase": true, "passcode": true, "pword": true, "requirepass": true, "masterauth": true, "psk": true, "bindpw": true, "rootpw": true, "authtok": true}
	tokenWords    = map[string]bool{"secret": true, "secrets": true, "token": true, "apikey": true, "credential": true, "credentials": true, "creds": true, "privatekey": true, "accesskey": true, "secretkey": true, "authtoken": true, "accesstoken": true, "refreshtoken": true, "clientsecret": true, "bearer": true, "auth": true, "sas": true, "signingkey": true, "webhooksecret": true, "pat": true}
	// Prefixes of "<prefix>pass" joined names that are passwords (not "bypass", "compass").
	passQualifiers = map[string]bool{"db": true, "admin": true, "root": true, "user": true, "sql": true, "mysql": true, "pg": true, "ldap": true, "smtp": true, "mail": true, "ftp": true, "redis": true, "sudo": true, "my": true, "web": true, "app": true, "api": true, "svc": true, "default_": true, "bind": true, "auth": true, "login": true, "master": true, "store": true, "key": true, "srcstore": true, "deststore": true, "keystore": true, "truststore": true, "srckey": true, "destkey": true}
	// Qualifiers that make "<qualifier>_key" a secret key.
	keyQualifiers = map[string]bool{"api": true, "access": true, "secret": true, "private": true, "signing": true, "encryption": true, "encrypt": true, "master": true, "license": true, "licence": true, "app": true, "client": true, "auth": true, "service": true, "account": true, "subscription": true, "consumer": true, "shared": true, "hmac": true, "jwt": true, "session": true, "cookie": true, "admin": true, "root": true, "storage": true, "crypto": true, "cipher": true, "aes": true, "server": true, "dev": true, "live": true, "prod": true, "write": true, "read": true, "deploy": true}
	// Qualifiers that make a "<qualifier>_key" or "<qualifier>_token" name not
	// a secret.
	nonSecretQualifiers = map[string]bool{"public": true, "pub": true, "primary": true, "foreign": true, "sort": true, "partition": true, "cache": true, "idempotency": true, "i18n": true, "translation": true, "lookup": true, "map": true, "hash": true, "row": true, "range": true, "unique": true, "composite": true, "csrf": true, "xsrf": true, "page": true, "next": true, "cursor": true, "continuation": true, "pagination": true, "sync": true, "publishable": true, "site": true, "react": true, "object": true, "dedup": true, "existing": true, "dedupe": true, "group": true, "label": true, "message": true, "storage_class": true, "ssh": true, "gpg": true, "pgp": true, "host": true, "known": true, "max": true, "min": true, "num": true, "total": true, "input": true, "output": true, "prompt": true, "completion": true, "tokenizer": true, "design": true, "eof": true, "bos": true, "pad": true, "unk": true, "sep": true, "mask": true, "cls": true, "verifier": true, "verify": true, "verification": true, "change": true, "lock": true, "creation": true, "update": true, "request": true, "unit": true, "exchange": true}
	// Joined words that start with "secret" and name a secret.
	secretCompounds = map[string]bool{"secretkey": true, "secretaccesskey": true, "secrettoken": true, "secretvalue": true, "secretstring": true}
	proxyWords      = map[string]bool{"proxy": true, "fastcgi": true, "uwsgi": true, "scgi": true, "grpc": true, "memcached": true}
	// Words that make a name a reference to a secret held elsewhere.
	referenceWords = map[string]bool{"existing": true, "secretref": true, "keyref": true, "from": true}
	// Last words that describe a secret rather than hold one.
	descriptiveWords = map[string]bool{"name": true, "names": true, "id": true, "ids": true, "type": true, "types": true, "length": true, "len": true, "min": true, "max": true, "size": true, "label": true, "labels": true, "placeholder": true, "hint": true, "field": true, "fields": true, "file": true, "files": true, "filename": true, "path": true, "paths": true, "dir": true, "url": true, "uri": true, "endpoint": true, "regex": true, "regexp": true, "pattern": true, "policy": true, "prompt": true, "message": true, "msg": true, "text": true, "title": true, "header": true, "env": true, "ref": true, "version": true, "count": true, "expiry": true, "expires": true, "expiration": true, "expire": true, "ttl": true, "timeout": true, "enabled": true, "enable": true, "required": true, "algorithm": true, "algo": true, "format": true, "mode": true, "description": true, "desc": true, "help": true, "error": true, "errors": true, "input": true, "form": true, "button": true, "link": true, "route": true, "page": true, "strength": true, "rules": true, "rule": true, "validator": true, "validation": true, "provider": true, "source": true, "location": true, "arn": true, "key": false, "secret": false, "manager": true, "store": true, "vault": true, "mount": true, "volume": true, "class": true, "kind": true, "prefix": true, "suffix": true, "hash": true, "hashed": true, "digest": true, "salt": false, "pos": true, "position": true, "index": true, "idx": true, "limit": true, "usage": true, "used": true, "param": true, "parameter": true, "var": true, "variable": true, "column": true, "col": true, "table": true, "schema": true, "struct": true, "entity": true, "model": true, "test": true, "tests": true, "reset": true, "changed": true, "change": true, "updated": true, "created": true, "at": true, "date": true, "time": true, "status": true, "state": true, "flag": true, "option": true, "options": true, "config": true, "settings": true, "callback": true, "handler": true, "service": true, "client": true, "auth": false, "mask": true, "masked": true, "visible": true, "visibility": true, "show": true, "hidden": true, "hide": true, "toggle": true, "icon": true, "style": true, "class_name": true, "classname": true, "confirmation": false, "metadata": true, "meta": true, "annotation": true, "scope": true, "scopes": true, "audience": true, "issuer": true, "claim": true, "claims": true, "response": true, "request": true, "req": true, "res": true, "uses": true, "usage_limit": true, "bits": true, "cost": true, "rounds": true, "iterations": true, "encoding": true, "charset": true, "env_var": true, "envvar": true, "alias": true, "backend": true, "region": true, "zone": true, "host": true, "hostname": true, "port": true, "user": true, "username": true, "email": true, "login": true, "domain": true, "bucket": true, "namespace": true, "project": true, "binary": true, "preference": true, "preferences": true, "scheme": true, "schemes": true, "method": true, "methods": true, "mechanism": true, "providers": true, "strategy": true, "backends": true, "selector": true, "annotations": true, "secretref": true, "fingerprint": true, "stdin": true, "encryption": true, "hashing": true, "hasher": true, "encoder": true, "magic": true}
)

// splitWords splits an identifier into lower-case words: "apiKey",
// "API_KEY", "api-key" and "spring.datasource.password" all work.
func splitWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if unicode.IsUpper(r) && len(cur) > 0 {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					flush()
				}
			}
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return words
}

// classifyKey says whether name is secret-named.
func classifyKey(name string) keyClass {
	words := splitWords(name)
	// Trailing numbers do not change what a name means: keySize768.
	for len(words) > 1 && isDigits(words[len(words)-1]) {
		words = words[:len(words)-1]
	}
	if len(words) == 0 {
		return keyNone
	}
	last := strings.TrimRight(words[len(words)-1], "0123456789")
	if len(words) > 1 && descriptiveWords[last] {
		return keyNone
	}
	nonSecret := false
	for _, w := range words {
		if referenceWords[w] {
			return keyNone
		}
		if nonSecretQualifiers[w] {
			nonSecret = true
		}
	}
	if nonSecret {
		// public_key, cache_key, csrf_token: not secrets, but a password
		// stays a password (ssh_password, cache_password).
		for _, w := range words {
			if passwordWords[w] || strings.HasSuffix(w, "password") {
				return keyPassword
			}
		}
		return keyNone
	}
	best := keyNone
	for i, w := range words {
		switch {
		case w == "pass" && i > 0 && proxyWords[words[i-1]]:
			// nginx's proxy_pass, fastcgi_pass...: an upstream, not a password.
			return keyNone
		case passwordWords[w]:
			return keyPassword
		case strings.HasSuffix(w, "pass") && passQualifiers[strings.TrimSuffix(w, "pass")]:
			// dbpass, adminpass, smtppass
			return keyPassword
		case strings.HasPrefix(w, "password") || strings.HasSuffix(w, "password") || strings.HasSuffix(w, "passwd"):
			// "dbpassword", "passwordconfirm"
			return keyPassword
		case tokenWords[w]:
			best = keyToken
		case w == "key" || w == "keys":
			if i > 0 && keyQualifiers[words[i-1]] {
				best = max(best, keyToken)
			} else {
				best = max(best, keyGeneric)
			}
		case strings.HasSuffix(w, "token") || strings.HasSuffix(w, "secret") || secretCompounds[w] || strings.HasSuffix(w, "apikey"):
			best = max(best, keyToken)
		case strings.HasSuffix(w, "key") && len(w) > 3:
			// "apikey" handled above; "secretkey", "accesskey" via tokenWords;
			// others ("stripekey") need context or a token-like value.
			if keyQualifiers[strings.TrimSuffix(w, "key")] {
				best = max(best, keyToken)
			}
		}
	}
	// A single generic word such as "auth" alone is a token name; "auth" as a
	// qualifier ("auth_mode") was caught by descriptiveWords.
	return best
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// contextNames are parent objects that make a generic "key" secret-named.
var contextWords = map[string]bool{"api": true, "apis": true, "auth": true, "authentication": true, "oauth": true, "oauth2": true, "credential": true, "credentials": true, "creds": true, "secret": true, "secrets": true, "token": true, "tokens": true, "jwt": true, "signing": true, "encryption": true, "hmac": true, "private": true, "license": true, "stripe": true, "aws": true, "s3": true, "gcp": true, "google": true, "azure": true, "github": true, "gitlab": true, "slack": true, "twilio": true, "sendgrid": true, "mailgun": true, "mailchimp": true, "openai": true, "anthropic": true, "paypal": true, "braintree": true, "algolia": true, "firebase": true, "sentry": true, "datadog": true, "newrelic": true, "pusher": true, "cloudinary": true, "mapbox": true, "shopify": true, "heroku": true, "digitalocean": true, "cloudflare": true, "okta": true, "auth0": true, "segment": true, "mixpanel": true, "intercom": true, "zendesk": true, "hubspot": true, "salesforce": true, "twitter": true, "facebook": true, "plaid": true, "square": true, "coinbase": true, "smtp": true, "mail": true, "email": true, "payment": true, "payments": true, "billing": true, "webhook": true, "webhooks": true, "service": true, "account": true, "client": true, "app": true, "access": true}

// contextIsSecret reports whether a parent name makes a generic key secret.
// A parent that names a reference ("secretKeyRef", "secret_name") does not.
func contextIsSecret(parent string) bool {
	words := splitWords(parent)
	if len(words) == 0 {
		return false
	}
	if last := words[len(words)-1]; descriptiveWords[last] || last == "ref" {
		return false
	}
	for _, w := range words {
		if nonSecretQualifiers[w] {
			return false
		}
	}
	for _, w := range words {
		if contextWords[w] {
			return true
		}
	}
	return classifyKey(parent) >= keyToken
}

var (
	uuidRe       = regexp.MustCompile(`^(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	hexRe        = regexp.MustCompile(`^[0-9a-f]+$`)
	identRe      = regexp.MustCompile(`^[A-Za-z_$][\w$]*(?:(?:\.|::|->)[A-Za-z_$][\w$]*)+(?:\(\))?$`)
	envVarRe     = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	repeatRe     = regexp.MustCompile(`(?i)x{4,}|\*{3,}|\.{3,}|#{3,}|_{3,}|0{6,}|1{6,}|9{6,}`)
	integrityRe  = regexp.MustCompile(`^(?:sha(?:1|224|256|384|512)[-:]|h1:|md5[-:]|blake2b[-:])`)
	validationRe = regexp.MustCompile(`^[a-z_]+(?::[\w,.]+)?(?:\|[a-z_]+(?::[\w,.]+)?)+$`)
	credPathRe   = regexp.MustCompile(`^[\w.-]*:/[\w.-]+(?:/[\w.-]+)+$`)
	colorRe      = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$`)
	numberRe     = regexp.MustCompile(`^(?i)[+-]?[0-9][0-9_.,]*(?:e[+-]?[0-9]+)?$`)
	// Environment and template references, anywhere in the value.
	refMarkers = []string{"process.env", "import.meta.env", "os.environ", "os.getenv", "getenv(", "system.getenv", "env[", "env(", "env.", "environ[", "secretkeyref", "valuefrom", "secrets.", "vault(", "lookup(", "var.", "local.", "data.", "module.", "keyvault", "secretsmanager", "ssm:", "{{", "}}", "${", "$(", "#{", "%{", "@{", "<%", "%>", "ref+", "!ref", "!sub", "!getatt", "fn::", "${{", "config.get", "settings.", "params."}
	// Placeholders and masks, anywhere in the value (lower case).
	placeholderMarkers = []string{"changeme", "change_me", "change-me", "changethis", "change_this", "replace_me", "replace-me", "replaceme", "replace_with", "replace-with", "your_", "your-", "yourpass", "yoursecret", "yourtoken", "yourkey", "<your", "placeholder", "redacted", "todo", "fixme", "tbd", "notreal", "not-a-real", "not_a_real", "notasecret", "not-a-secret", "insert", "enter_", "enter-", "put_your", "put-your", "goes_here", "goes-here", "_here", "-here", "xxx", "foobar", "lorem", "\u2026"}
	// Placeholder words that count only in values without digits:
	// "example-password" is a placeholder, "example-Pg-pass-9f3k" is not.
	softPlaceholderMarkers = []string{"example", "dummy", "sample", "fake", "mock"}
	// Values that are words, not secrets (lower case).
	placeholderValues = map[string]bool{"password": true, "passwd": true, "secret": true, "token": true, "apikey": true, "api_key": true, "none": true, "null": true, "nil": true, "undefined": true, "true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "string": true, "str": true, "required": true, "optional": true, "hidden": true, "sensitive": true, "default": true, "empty": true, "unset": true, "test": true, "testing": true, "admin": true, "root": true, "user": true, "username": true, "guest": true, "demo": true, "value": true, "secretvalue": true, "mysecret": true, "mypassword": true, "pass": true, "bearer": true, "basic": true, "private": true, "public": true, "na": true, "n/a": true, "tbd": true, "pending": true, "auto": true, "generated": true, "random": true, "env": true, "environment": true, "disabled": true, "enabled": true, "chararray": true, "bytes": true, "byte[]": true, "char[]": true, "int": true, "number": true, "boolean": true, "bool": true, "object": true, "any": true, "scrypt": true, "bcrypt": true, "argon2": true, "argon2id": true, "pbkdf2": true, "sha256": true, "sha512": true, "hmac": true, "plain": true, "plaintext": true, "oauth": true, "oauth2": true, "secrets": true, "passphrase": true, "credentials": true, "foo": true, "bar": true, "hunter2": true, "baz": true, "qux": true, "foobar": true}
	// Prefixes of public keys, certificates and ciphertext.
	nonSecretPrefixes = []string{"ssh-rsa ", "ssh-ed25519 ", "ssh-dss ", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-", "-----begin public key", "-----begin rsa public key", "-----begin certificate", "-----begin pgp public", "-----begin age encrypted", "-----begin pgp message", "-----begin x509", "age1", "enc[", "enc(", "vault:v", "$ansible_vault", "{cipher}", "{bcrypt}", "{sha", "agecrypt", "sops:", "aqicah", "encrypted:", "kms:", "$2a$", "$2b$", "$2y$", "$argon2", "$pbkdf2", "$scrypt", "$6$", "$5$", "$1$", "sha256:", "sha512:", "pbkdf2_sha256$", "https://", "http://", "file://", "arn:aws:", "did:key:", "did:web:", "did:plc:", "scram-sha-256$", "scram-sha-1$", "{ssha}", "{smd5}", "{crypt}", "{md5}", "{ssha256}", "{ssha512}", "pk_live_", "pk_test_", "pk.eyj", "urn:"}
)

// valueVerdict judges a literal value assigned to a key of class k (or found
// by a rule): ok reports whether it may be a secret.
func plausibleSecret(v string, k keyClass, key string) bool {
	v = strings.TrimSpace(v)
	if v == "" {
		return false
	}
	lv := strings.ToLower(v)
	if docExamples[v] || passwordHash(v) {
		return false
	}
	for _, p := range authSchemes {
		if len(lv) > len(p) && strings.HasPrefix(lv, p) {
			// token = "Bearer <token>": judge the credential after the
			// scheme, which must look machine-made ("Basic abc123" is a
			// test stand-in).
			rest := v[len(p):]
			return tokenLike(rest) && plausibleSecret(rest, k, key)
		}
	}
	if strings.HasPrefix(lv, "pass:") && len(v) > 5 {
		// OpenSSL's passphrase argument: pass:literal.
		return plausibleSecret(v[5:], k, key)
	}
	if strings.HasPrefix(lv, "env:") || strings.HasPrefix(lv, "file:") || strings.HasPrefix(lv, "fd:") {
		return false // OpenSSL's env:VAR, file:path, fd:n
	}
	// Length: passwords can be short, tokens are not.
	minLen := 6
	switch k {
	case keyGeneric:
		minLen = 8
	}
	if len(v) < minLen || len(v) > 4096 {
		return false
	}
	if strings.ContainsAny(v, " \t\r\n") {
		// UI strings ("Enter your password"), sentences, type expressions.
		return false
	}
	if placeholderValues[lv] || strings.EqualFold(v, key) || namesKey(lv, key) {
		return false
	}
	switch lv[0] {
	case '"', '\'', '`', '+', ')', ',':
		// A string concatenation or nested quotes: "…'"+x+"'…".
		return false
	}
	if last := lv[len(lv)-1]; last == '+' || last == '(' {
		return false
	}
	if len(v) >= 8 && (strings.Contains(sequenceChars, lv) || strings.Contains(sequenceDigits, lv)) {
		return false // 0123456789abcdef, abcdefgh: a run of the alphabet
	}
	if strings.HasPrefix(v, "__") && strings.HasSuffix(v, "__") || encodedProse(v) {
		return false // __AccessToken__: a marker; base64 of a sentence
	}
	if k >= keyToken && namedWords(lv) {
		return false // ecs-full-path-ecs-secret-key: a stand-in named as one
	}
	if concatMarks(v) {
		return false // "k-`+c+`": a piece of a string expression
	}
	if graphQLTypeRe.MatchString(v) {
		return false // password: String! in a GraphQL schema
	}
	if k < keyPassword && algorithmName(lv) {
		return false // curve25519-sha256, ssh-userauth: protocol names
	}
	if strings.HasPrefix(v, "\\u") || strings.HasPrefix(v, "\\x") {
		return false // escaped characters (an emoji, a byte string)
	}
	if lk := strings.ToLower(key); len(lk) >= 4 && (strings.HasPrefix(lv, lk) || strings.HasPrefix(lk, lv)) {
		// A renaming map: "generateKey": "generateKey1024".
		return false
	}
	if k != keyPassword && (isLetters(strings.TrimLeft(v, "_")) || snakeRe.MatchString(v) && maxDigitRun(v) <= 2 || wordySnake(v)) {
		// A word or identifier ("addition", "SharedKey", "aws_session_token",
		// "ec2_metadata_v1_disabled") is not a machine-made token.
		return false
	}
	if k != keyPassword && isNamePath(v) {
		// prod/payments/db: the name of a secret, not its value.
		return false
	}
	if strings.HasSuffix(v, "=") {
		if b, ok := decodeBase64(v); ok && len(b) < 6 {
			return false
		}
	}
	if lv[0] == '<' && strings.HasSuffix(lv, ">") || lv[0] == '[' && strings.HasSuffix(lv, "]") || lv[0] == '(' && strings.HasSuffix(lv, ")") {
		return false
	}
	if lv[0] == '$' || lv[0] == '%' && strings.HasSuffix(lv, "%") || lv[0] == '@' && strings.HasSuffix(lv, "@") {
		// $VAR, ${VAR}, $(cmd), %VAR%, @VAR@ (and $2a$ hashes).
		return false
	}
	for _, m := range refMarkers {
		if strings.Contains(lv, m) {
			return false
		}
	}
	for _, m := range placeholderMarkers {
		if markerIn(lv, m) {
			return false
		}
	}
	if isSoftPlaceholder(lv) || strings.Contains(v, "EXAMPLE") {
		// AWS documentation keys end in EXAMPLE and EXAMPLEKEY.
		return false
	}
	for _, p := range nonSecretPrefixes {
		if p != "" && strings.HasPrefix(lv, p) {
			return false
		}
	}
	if lv[0] == '{' && strings.HasSuffix(lv, "}") {
		// {cipher}…, Maven's {encrypted} passwords, JSON or template blocks.
		return false
	}
	if repeatRe.MatchString(v) || isOneChar(v) {
		return false
	}
	if integrityRe.MatchString(lv) || numberRe.MatchString(v) {
		return false
	}
	if strings.HasPrefix(v, "/") || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../") || strings.HasPrefix(v, "~/") || len(v) > 2 && v[1] == ':' && (v[2] == '\\' || v[2] == '/') {
		return false // a file path
	}
	if k != keyPassword && identWords(v) {
		return false // PublicIpv4Pools, s3Resources: an identifier
	}
	if regexLike(v) {
		return false // a pattern or a format string: [^\W\d]\w*, {}\{:0.1f}, %s
	}
	if timestampRe.MatchString(v) {
		return false // 2019-04-25T11:00:00Z
	}
	if m := schemeURLRe.FindString(lv); m != "" && !strings.Contains(lv, "@") {
		return false // fileb://ImportToken.bin, s3://bucket/key: a location
	}
	if testWords(lv) {
		return false // secretctl-test-secret, test-token: a test stand-in
	}
	if k >= keyToken && passwordWordsIn(lv) {
		return false // new-password, old_password: a stand-in
	}
	if k >= keyToken && namesItsKind(lv) {
		return false // proxypass, repopwd, NewPassword, generatedpassword1: stand-ins
	}
	if k == keyPassword && emailRe.MatchString(v) {
		return false // an e-mail address: the anonymous FTP convention
	}
	if hasFileExt(lv) || strings.HasSuffix(v, "/") {
		return false // a file name, a path or prefix ("reports/2024/")
	}
	if colorRe.MatchString(v) {
		return false // a colour: #d0d0d0
	}
	if strings.Contains(v, "[]") || strings.Contains(v, "[*]") {
		return false // a selector: Items[].Token
	}
	if strings.HasSuffix(lv, "example") {
		return false // documentation values: "asdf34example", "123Example"
	}
	if validationRe.MatchString(lv) {
		return false // a validation rule list: required|string|min:8
	}
	if credPathRe.MatchString(v) {
		return false // token:/etc/app/token: a name and the file that holds it
	}
	if callRe.MatchString(v) {
		return false // a call: word2key($1), getenv("X")
	}
	if identRe.MatchString(v) {
		// config.password, this.secret, Settings::TOKEN, getToken()
		return false
	}
	if envVarRe.MatchString(v) && strings.Contains(v, "_") {
		// DB_PASSWORD: the name of a variable, not its value.
		return false
	}
	if uuidRe.MatchString(v) && k != keyPassword {
		return false
	}
	if hexRe.MatchString(v) && (len(v) == 40 || len(v) == 7) && k != keyPassword && !looksHexSecretKey(key) {
		return false // a git SHA
	}
	if k == keyGeneric && !tokenLike(v) {
		return false
	}
	return true
}

// boundedMarkers are short placeholder words that a long random token
// holds by chance ("…ltbdm…"): they count only with a non-letter on each
// side ("TODO_set", "tbd").
var boundedMarkers = map[string]bool{"todo": true, "tbd": true, "fixme": true, "lorem": true, "insert": true, "foobar": true}

func markerIn(lv, m string) bool {
	if !boundedMarkers[m] {
		return strings.Contains(lv, m)
	}
	for from := 0; ; {
		i := strings.Index(lv[from:], m)
		if i < 0 {
			return false
		}
		i += from
		e := i + len(m)
		if (i == 0 || !isLetterByte(lv[i-1])) && (e == len(lv) || !isLetterByte(lv[e])) {
			return true
		}
		from = i + 1
	}
}

func isLetterByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// namesKey: the value repeats the key's own words (KeyPassphrase =
// "passphrase", DB_PASSWORD: "db-password").
func namesKey(lv, key string) bool {
	words := splitWords(key)
	flat := strings.NewReplacer("-", "", "_", "", ".", "").Replace(lv)
	for i := range words {
		if flat == strings.Join(words[i:], "") {
			return true
		}
	}
	return false
}

func isLetters(v string) bool {
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

var emailRe = regexp.MustCompile(`^[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$`)

// urlUserinfoRe takes a URL apart: user, password, host.
var urlUserinfoRe = regexp.MustCompile(`://([^\s:@/]*):([^\s@/]+)@([\w.-]+)`)

// docURL reports whether the credentials of a URL are a documentation
// example: the password repeats the user (test:test), holds a colon
// (cvs://:pserver:anoncvs@), is a stand-in under the user "user"
// (user:pass, user:password), or the host is a bare reserved example
// domain (abc:xyz@example.com).
func docURL(match string) bool {
	m := urlUserinfoRe.FindStringSubmatch(match)
	if m == nil {
		return false
	}
	user, pw, host := strings.ToLower(m[1]), strings.ToLower(m[2]), strings.ToLower(m[3])
	switch {
	case pw == user, strings.Contains(pw, ":"):
		return true
	case (user == "user" || user == "username") && (placeholderValues[pw] || pw == "pwd" || pw == "pw"):
		return true
	case host == "example.com" || host == "example.org" || host == "example.net":
		return true
	}
	return false
}

var (
	timestampRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}`)
	schemeURLRe = regexp.MustCompile(`^[a-z][a-z0-9+.-]{1,15}://`)
)

var callRe = regexp.MustCompile(`^[A-Za-z_][\w.:>-]*\(.*\)$`)

var lowerSnakeRe = regexp.MustCompile(`^[a-z0-9]+(?:_[a-z0-9]+)+$`)

var snakeRe = regexp.MustCompile(`^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$`)

func maxDigitRun(v string) int {
	best, run := 0, 0
	for i := 0; i < len(v); i++ {
		if v[i] >= '0' && v[i] <= '9' {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// isNamePath: lower-case words joined by "/", "." or ":" (a secret's name,
// a path or a qualified identifier such as "js.fetch:credentials").
func isNamePath(v string) bool {
	if !strings.ContainsAny(v, "/.:") {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' && strings.Contains(v, "/") || r == '/' || r == '-' || r == '_' || r == '.' || r == ':') {
			return false
		}
	}
	return true
}

func isSoftPlaceholder(lv string) bool {
	if strings.ContainsAny(lv, "0123456789") {
		return false
	}
	for _, m := range softPlaceholderMarkers {
		if strings.Contains(lv, m) {
			return true
		}
	}
	return false
}

func looksHexSecretKey(key string) bool {
	c := classifyKey(key)
	return c >= keyToken
}

func isOneChar(v string) bool {
	for i := 1; i < len(v); i++ {
		if v[i] != v[0] {
			return false
		}
	}
	return true
}

var fileExts = []string{".pem", ".key", ".crt", ".cer", ".der", ".p12", ".pfx", ".jks", ".keystore", ".json", ".yaml", ".yml", ".txt", ".env", ".conf", ".cfg", ".ini", ".toml", ".xml", ".properties", ".pub", ".gpg", ".asc", ".html", ".js", ".ts", ".py", ".go", ".rb", ".java", ".sh", ".png", ".jpg", ".svg", ".css", ".zip", ".tar", ".gz", ".tgz", ".ova", ".jar", ".war", ".whl", ".bin", ".csv", ".log", ".pdf", ".exe", ".dll", ".so"}

func hasFileExt(lv string) bool {
	for _, e := range fileExts {
		if strings.HasSuffix(lv, e) && len(lv) > len(e) {
			return true
		}
	}
	return false
}

// tokenLike reports whether v looks like a machine-made token rather than a
// word or identifier: long enough, mixed letters and digits, some entropy.
func tokenLike(v string) bool {
	if len(v) < 12 {
		return false
	}
	var letters, digits, other int
	for _, r := range v {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			digits++
		default:
			other++
		}
	}
	if letters == 0 || digits == 0 {
		return false
	}
	if strings.Contains(v, ",") || strings.Contains(strings.TrimRight(v, "="), "=") {
		// Parameter lists ("bytes,1,opt,name=key"), not tokens.
		return false
	}
	return entropy(v) >= 3.0
}

// entropy is the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	var h float64
	n := float64(len(s))
	for _, c := range counts {
		if c == 0 {
			continue
		}
		p := float64(c) / n
		h -= p * math.Log2(p)
	}
	return h
}

// plausibleShortSecret judges passwords found in URLs and connection
// strings, where context is strong and passwords may be short.
func plausibleShortSecret(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < 3 || len(v) > 1024 || strings.ContainsAny(v, " \t\r\n") {
		return false
	}
	lv := strings.ToLower(v)
	if placeholderValues[lv] && lv != "pass" && lv != "admin" && lv != "root" && lv != "test" {
		return false
	}
	if lv[0] == '<' || lv[0] == '[' || lv[0] == '$' || lv[0] == '%' && strings.HasSuffix(lv, "%") {
		return false
	}
	if fieldRefRe.MatchString(v) || docExamples[v] || passwordHash(v) {
		return false // {password}: an f-string field; a documentation example; a hash
	}
	for _, m := range refMarkers {
		if strings.Contains(lv, m) {
			return false
		}
	}
	for _, m := range placeholderMarkers {
		if strings.Contains(lv, m) {
			return false
		}
	}
	if isSoftPlaceholder(lv) || repeatRe.MatchString(v) || isOneChar(v) {
		return false
	}
	return true
}

// docExamples are values that standards and well-known READMEs print as
// examples: the sample tokens and client credentials of RFC 6749 and RFC
// 6750, and the token in spf13/viper's README. They are not secrets
// wherever they are copied.
var docExamples = map[string]bool{
	"2YotnFZFEjr1zCsicMWpAA":       true, // RFC 6749 access token
	"tGzv3JOkF0XG5Qx2TlKWIA":       true, // RFC 6749 refresh token
	"SplxlOBeZQQYbYS6WxSbIA":       true, // RFC 6749 authorization code
	"czZCaGRSa3F0MzpnWDFmQmF0M2JW": true, // RFC 6749 client s6BhdRkqt3:gX1fBat3bV
	"gX1fBat3bV":                   true,
	"7Fjfp0ZBr1KtDRbnfVdmIw":       true, // RFC 6749 client secret
	"A3ddj3w":                      true, // RFC 6749 resource owner password
	"8xLOxBtZp8":                   true, // RFC 6749 implicit grant token
	"mF_9.B5f-4.1JqM":              true, // RFC 6750 bearer token
	"89h3f98hbwf987h3f98wenf89ehf": true, // spf13/viper README
	"dGhlIHNhbXBsZSBub25jZQ==":     true, // RFC 6455 sample WebSocket key
	"h480djs93hd8":                 true, // RFC 6749 MAC token example
	"SlAV32hkKG":                   true, // OpenID Connect Core access token
	"dpf43f3p2l4k3l03":             true, // RFC 5849 client and token credentials
	"kd94hf93k423kf44":             true,
	"nnch734d00sl2jdk":             true,
	"pfkkdhi9sl3r4s00":             true,
	"hh5s93j4hdidpola":             true,
	"hdhd0244k9j7ao03":             true,
	"0685bd9184jfhq22":             true,
	"ad180jjd733klru7":             true,
}

// encodedProse: base64 that decodes to a sentence ("this is not a real
// value"): test text, not key material.
func encodedProse(v string) bool {
	if len(v) < 16 {
		return false
	}
	d, ok := decodeBase64(v)
	if !ok || strings.Count(d, " ") < 2 {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < 0x20 || d[i] > 0x7e {
			return false
		}
	}
	return true
}

// namedWords: four or more letter words joined by "-" or "_", one of them
// secret, key, token or password ("ecs-full-path-ecs-secret-key").
func namedWords(lv string) bool {
	words := strings.FieldsFunc(lv, func(r rune) bool { return r == '-' || r == '_' })
	if len(words) < 4 {
		return false
	}
	found := false
	for _, w := range words {
		if !isLetters(w) {
			return false
		}
		found = found || w == "secret" || w == "key" || w == "token" || w == "password" || w == "credential" || w == "credentials"
	}
	return found
}

const (
	sequenceChars  = "0123456789abcdefghijklmnopqrstuvwxyz"
	sequenceDigits = "12345678901234567890"
)

// authSchemes are HTTP authentication schemes written in front of a
// credential in one value ("Bearer <token>").
var authSchemes = []string{"bearer ", "token ", "basic "}

var (
	md5HashRe     = regexp.MustCompile(`^md5[0-9a-f]{32}$`)
	digestHashRe  = regexp.MustCompile(`^[0-9a-f]{8,}\$[0-9]+\$[0-9a-f]{32,}$`)
	mysqlHashRe   = regexp.MustCompile(`^\*[0-9A-F]{40}$`)
	graphQLTypeRe = regexp.MustCompile(`^\[?(?:String|ID|Int|Float|Boolean|JSON|DateTime|Date|Time|URL|UUID|Upload|Password|Secret|Token)!?\]?!$`)
	fieldRefRe    = regexp.MustCompile(`^\{[A-Za-z_][\w.\[\]'"]*\}$`)
	algoPartRe    = regexp.MustCompile(`^(?:sha|md|aes|des|rsa|curve|ed|x|p|group|hmac|chacha|poly|blake|gcm|cbc|ctr|v|nistp|secp|prime|ec|ecdh|umac|cast|arcfour|camellia|kyber|mlkem|sntrup|fips|rfc|pkcs)[0-9]+$`)
)

// passwordHash: PostgreSQL md5 and SCRAM verifiers, MySQL native hashes and
// Tomcat's salt$iterations$digest. A hash lets no one authenticate.
func passwordHash(v string) bool {
	lv := strings.ToLower(v)
	return md5HashRe.MatchString(lv) || digestHashRe.MatchString(lv) || mysqlHashRe.MatchString(v) ||
		strings.HasPrefix(lv, "scram-sha-256$") || strings.HasPrefix(lv, "scram-sha-1$")
}

// concatMarks: a quote next to a concatenation operator inside the value,
// as when a pattern cut a string expression in the middle.
func concatMarks(v string) bool {
	for _, m := range []string{"`+", "+`", "\"+", "+\"", "'+", "+'"} {
		if strings.Contains(v, m) {
			return true
		}
	}
	return false
}

// protoPrefixes start the names of protocols and algorithms.
var protoPrefixes = map[string]bool{"ssh": true, "openssh": true, "hmac": true, "aes": true, "rsa": true, "ecdsa": true, "ecdh": true, "diffie": true, "rsassa": true, "tls": true, "sha": true, "kex": true, "chacha20": true, "curve25519": true, "ed25519": true}

// algorithmName: lower-case words and algorithm tokens joined by "-", "."
// or "@" ("curve25519-sha256", "diffie-hellman-group14-sha256",
// "ssh-userauth", "aes256-gcm@openssh.com"): the name of a protocol or an
// algorithm, not a key.
func algorithmName(lv string) bool {
	parts := strings.FieldsFunc(lv, func(r rune) bool { return r == '-' || r == '.' || r == '@' })
	if len(parts) < 2 {
		return false
	}
	algo := protoPrefixes[parts[0]]
	for _, p := range parts {
		w := strings.TrimRight(p, "0123456789")
		if w == "" {
			continue // ssh-mldsa-65: a parameter set's number
		}
		if !isLetters(w) {
			return false
		}
		if w != p && algoPartRe.MatchString(p) {
			algo = true
		} else if w != p {
			return false
		}
	}
	return algo
}

// wordySnake: a snake_case name of three or more letter-only words
// ("0012_alter_user_first_name_max_length", a migration's name).
func wordySnake(v string) bool {
	if !lowerSnakeRe.MatchString(v) {
		return false
	}
	n := 0
	for _, w := range strings.Split(v, "_") {
		if isLetters(w) {
			n++
		}
	}
	return n >= 3
}

// namesItsKind: letters (and trailing digits) that spell out what the value
// is ("repopwd", "newpassword", "mysecret2"): a stand-in, not a secret.
func namesItsKind(lv string) bool {
	w := strings.TrimRight(lv, "0123456789")
	if !isLetters(w) {
		return false
	}
	for _, s := range []string{"pass", "pwd", "secret", "token"} {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

// identWords: an identifier of whole words ("PublicIpv4Pools",
// "s3Resources"): letters and at most two digits, in words of three or more
// characters when split at case changes.
func identWords(v string) bool {
	digits := 0
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		default:
			return false
		}
	}
	words := splitWords(v)
	if digits > 2 || len(words) < 2 {
		return false
	}
	for _, w := range words {
		if len(w) < 3 && !(len(w) == 2 && w[1] >= '0' && w[1] <= '9') {
			return false
		}
		if !isLetters(strings.TrimRight(w, "0123456789")) {
			return false
		}
	}
	return true
}

// regexMarks are sequences found in regular expressions and format strings,
// not in credentials.
var regexMarks = []string{`\.`, `\w`, `\d`, `\s`, `\b`, `[^`, `(?:`, `(?i)`, `.*`, `.+`, `{}`, `{:`, `%s`, `%d`, `%(`, `%v`, `%q`}

func regexLike(v string) bool {
	for _, m := range regexMarks {
		if strings.Contains(v, m) {
			return true
		}
	}
	return false
}

// passwordWordsIn: letters split by "-" or "_" with "password" or "passwd"
// among the words ("new-password").
func passwordWordsIn(lv string) bool {
	found := false
	for _, w := range strings.FieldsFunc(lv, func(r rune) bool { return r == '-' || r == '_' }) {
		if !isLetters(w) {
			return false
		}
		found = found || w == "password" || w == "passwd"
	}
	return found
}

// testWords: lower-case letter words joined by "-" or "_", one of them
// "test" ("audit-test-secret"): a stand-in named as one.
func testWords(lv string) bool {
	words := strings.FieldsFunc(lv, func(r rune) bool { return r == '-' || r == '_' })
	if len(words) < 2 {
		return false
	}
	found := false
	for _, w := range words {
		if !isLetters(w) {
			return false
		}
		found = found || w == "test"
	}
	return found
}
