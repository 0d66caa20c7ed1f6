package scan

// The structural pass's look at one line: a list of steps, one per shape
// of a secret on a line (a credentials call, a quoted assignment, a flag,
// an XML element...), tried in order until one reports a finding.

import (
	"regexp"
	"strings"
)

// maxLineScan bounds the work on one line (minified code).
const maxLineScan = 4096

// lineStep looks for one shape of secret on line i, whose text (at most
// maxLineScan bytes) is l. It reports whether it added a finding, which
// ends the line.
type lineStep func(a *analyzer, i int, l string) bool

// lineSteps are tried in this order: the specific shapes (calls, SQL,
// returns) before the generic key/value ones, so each line is reported once,
// under the most specific rule.
var lineSteps = []lineStep{
	(*analyzer).curlUser,
	(*analyzer).awsKeyPair,
	(*analyzer).credentialsCall,
	(*analyzer).connectCall,
	(*analyzer).literalPattern,
	(*analyzer).snmp,
	(*analyzer).redisACL,
	(*analyzer).wpSalt,
	(*analyzer).csharpProperty,
	(*analyzer).wrappedLiteral,
	(*analyzer).elixirAttribute,
	(*analyzer).headerDirective,
	(*analyzer).returnedLiteral,
	(*analyzer).netrc,
	(*analyzer).quotedAssignments,
	(*analyzer).quotedEnv,
	(*analyzer).escapedQuoted,
	(*analyzer).escapedKey,
	(*analyzer).flowMapping,
	(*analyzer).queryParam,
	(*analyzer).tuple,
	(*analyzer).codePair,
	(*analyzer).flags,
	(*analyzer).xml,
	(*analyzer).phpDefine,
	(*analyzer).unquoted,
	(*analyzer).envPair,
	(*analyzer).envNameValue,
}

// line looks for secret-named keys assigned literals on line i.
func (a *analyzer) line(i int) {
	l := a.lines[i]
	if len(l) > maxLineScan {
		l = l[:maxLineScan]
	}
	if hasAllowMarker(l) {
		return
	}
	for _, step := range lineSteps {
		if step(a, i, l) {
			return
		}
	}
}

// pair adds the match m of a key (group 1) and value (group 2) regexp on
// l, if there is one and the judge holds the value for a secret.
func (a *analyzer) pair(i int, l string, m []int) bool {
	if m == nil {
		return false
	}
	key, v := l[m[2]:m[3]], l[m[4]:m[5]]
	if !a.judge(i, m[2], key, v) {
		return false
	}
	a.add(ruleAssignment, i, m[4]+1, v, key)
	return true
}

// firstPair adds the first match of re on l that pair accepts.
func (a *analyzer) firstPair(i int, l string, re *regexp.Regexp) bool {
	for _, m := range re.FindAllStringSubmatchIndex(l, -1) {
		if a.pair(i, l, m) {
			return true
		}
	}
	return false
}

// curlUser: the password in curl --user (user, a colon, then the password).
func (a *analyzer) curlUser(i int, l string) bool {
	if !strings.Contains(l, "curl") {
		return false // curlUserRe needs it
	}
	if m := curlUserRe.FindStringSubmatchIndex(l); m != nil {
		if v := l[m[4]:m[5]]; plausibleShortSecret(v) {
			a.add(ruleCurlUser, i, m[4]+1, v, "curl --user")
			return true
		}
	}
	return false
}

// awsKeyPair: an AWS access key id, whose secret key awsPair looks for on
// the next lines. The line goes on to the other steps.
func (a *analyzer) awsKeyPair(i int, l string) bool {
	if m := awsIDRe.FindStringIndex(l); m != nil && !strings.Contains(l[m[0]:m[1]], "EXAMPLE") {
		a.awsPair(i, m[1])
	}
	return false
}

// credentialsCall: SetBasicAuth("user", "pass"), auth=("u", "p").
func (a *analyzer) credentialsCall(i int, l string) bool {
	if !strings.Contains(l, ",") || !strings.ContainsAny(l, `"'`) || !mayContainFold(l, "auth", "cred", "usernamepassword") {
		return false // credCallRe needs all three
	}
	if m := credCallRe.FindStringSubmatchIndex(l); m != nil {
		if v := l[m[4]:m[5]]; plausibleSecret(v, keyPassword, "") {
			a.add(ruleCredCall, i, m[4]+1, v, "credentials")
			return true
		}
	}
	return false
}

// connectCall: the user and password arguments of getConnection, PDO,
// mysqli and the like.
func (a *analyzer) connectCall(i int, l string) bool {
	if !strings.Contains(l, ",") || !strings.ContainsAny(l, `"'`) ||
		!mayContainFold(l, "connect", "pdo", "mysql", "basic_auth", "passwordcredential", "smtp.", "login") {
		return false // dbCallRe needs all three
	}
	if m := dbCallRe.FindStringSubmatchIndex(l); m != nil {
		if v := l[m[4]:m[5]]; plausibleSecret(v, keyPassword, "") && !plausibleHostOrName(l[m[2]:m[3]], v) {
			a.add(ruleCredCall, i, m[4]+1, v, "credentials")
			return true
		}
	}
	return false
}

// literalPatterns capture a literal in group 1 that the value check then
// judges; they are tried in order and the first that holds wins. pre is a
// cheap test that every line re matches passes (a literal re requires), so
// most lines skip the regexp.
var literalPatterns = []struct {
	re         *regexp.Regexp
	pre        func(l string) bool
	class      keyClass
	hint, rule string
	key        string // what the finding names as its key
}{
	{mysqlPRe, func(l string) bool { return strings.Contains(l, "mysql") && strings.Contains(l, "-p") },
		keyPassword, "password", ruleAssignment, "mysql -p"},
	{jwtCallRe, func(l string) bool { return mayContainFold(l, "jwt") }, keyToken, "secret", ruleCredCall, "jwt secret"},
	{jwtKeyRe, func(l string) bool {
		return strings.Contains(l, "HMAC") || strings.Contains(l, "hmacShaKeyFor(") ||
			strings.Contains(l, "SymmetricSecurityKey(") || strings.Contains(l, "joken")
	}, keyToken, "secret", ruleCredCall, "jwt secret"},
	{keystoreRe, func(l string) bool { return strings.Contains(l, ".toCharArray()") },
		keyPassword, "password", ruleCredCall, "keystore password"},
	{netUseRe, func(l string) bool { return strings.IndexByte(l, '/') >= 0 && mayContainFold(l, "net") },
		keyPassword, "password", ruleCredCall, "net use"},
	{winPassRe, func(l string) bool { return strings.IndexByte(l, '/') >= 0 && mayContainFold(l, "cmd", "cht") },
		keyPassword, "password", ruleCredCall, "password"},
	{authCallRe, func(l string) bool { return strings.Contains(l, "auth(") }, keyPassword, "password", ruleCredCall, "auth"},
	{libpqRe, func(l string) bool { return strings.Contains(l, "password=") }, keyPassword, "password", ruleAssignment, "password"},
	{secureStringRe, func(l string) bool { return mayContainFold(l, "convertto-") },
		keyPassword, "", ruleCredCall, "ConvertTo-SecureString"},
	{sqlPassRe, func(l string) bool { return strings.IndexByte(l, '\'') >= 0 && mayContainFold(l, "word", "identified") },
		keyPassword, "password", ruleSQLPassword, "password"},
}

// mayContainFold reports whether l may hold one of words (lower-case
// ASCII) under (?i) matching: ASCII lines are searched ignoring ASCII
// case; a line with any other byte always may, since Unicode folding maps
// other runes onto ASCII letters (the Kelvin sign onto k, ſ onto s).
func mayContainFold(l string, words ...string) bool {
	for i := 0; i < len(l); i++ {
		if l[i] >= 0x80 {
			return true
		}
	}
	for _, w := range words {
		if indexFoldASCII(l, w) >= 0 {
			return true
		}
	}
	return false
}

// indexFoldASCII is the index of the lower-case ASCII word w in l,
// ignoring ASCII case, or -1.
func indexFoldASCII(l, w string) int {
	if len(w) == 0 {
		return 0
	}
	c0, n := w[0], len(w)
outer:
	for i := 0; i+n <= len(l); i++ {
		if l[i]|0x20 != c0 {
			continue
		}
		for j := 1; j < n; j++ {
			if c := l[i+j]; c != w[j] && (c < 'A' || c > 'Z' || c|0x20 != w[j]) {
				continue outer
			}
		}
		return i
	}
	return -1
}

// literalPattern: mysql -p, jwt.sign, ConvertTo-SecureString, SQL
// passwords (literalPatterns).
func (a *analyzer) literalPattern(i int, l string) bool {
	for _, p := range literalPatterns {
		if !p.pre(l) {
			continue
		}
		if m := p.re.FindStringSubmatchIndex(l); m != nil {
			if v := l[m[2]:m[3]]; plausibleSecret(v, p.class, p.hint) {
				a.add(p.rule, i, m[2]+1, v, p.key)
				return true
			}
		}
	}
	return false
}

// returnedLiteral: a secret-named function or method returning a literal.
func (a *analyzer) returnedLiteral(i int, l string) bool {
	if !strings.ContainsAny(l, `"'`) || strings.IndexByte(l, '=') < 0 && !strings.Contains(l, "return") {
		return false // returnRe needs a quote and one of them
	}
	m := returnRe.FindStringSubmatchIndex(l)
	if m == nil {
		return false
	}
	name := a.enclosingFunc(i, l[:m[0]], strings.HasPrefix(l[m[0]:], "return"))
	if name == "" {
		return false
	}
	for g := 1; g <= 2; g++ {
		if m[2*g] >= 0 {
			v := l[m[2*g]:m[2*g+1]]
			if c := classifyKey(name); c >= keyToken && plausibleSecret(v, c, name) {
				a.add(ruleAssignment, i, m[2*g]+1, v, name)
				return true
			}
		}
	}
	return false
}

// netrc: "machine host login user password p" in a .netrc-like file.
func (a *analyzer) netrc(i int, l string) bool {
	if a.kind != kindProps || !netrcRe.MatchString(l) || !strings.Contains(l, "machine") && a.base != ".netrc" && a.base != "_netrc" {
		return false
	}
	m := netrcRe.FindStringSubmatchIndex(l)
	if v := l[m[2]:m[3]]; plausibleSecret(v, keyPassword, "password") {
		a.add(ruleAssignment, i, m[2]+1, v, "password")
		return true
	}
	return false
}

// quotedAssignments: key <sep> "quoted value", in every language. Every
// such assignment on the line is reported.
// sepBeforeQuote reports whether l holds what every match of quotedRe
// holds: a quote preceded, past blanks and up to two string-prefix letters
// (r, b, u, f), by the end of a separator (=, : or >).
func sepBeforeQuote(l string) bool {
	for i := 0; i < len(l); i++ {
		if c := l[i]; c != '"' && c != '\'' && c != '`' {
			continue
		}
		for j, n := i, 0; ; n++ {
			k := j
			for k > 0 && strings.IndexByte(" \t\r\f\v", l[k-1]) >= 0 {
				k--
			}
			if k > 0 && strings.IndexByte("=:>", l[k-1]) >= 0 {
				return true
			}
			if n == 2 || j == 0 || strings.IndexByte("rRbBuUfF", l[j-1]) < 0 {
				break
			}
			j--
		}
	}
	return false
}

func (a *analyzer) quotedAssignments(i int, l string) bool {
	if !sepBeforeQuote(l) {
		return false // quotedRe needs a separator, then a quote
	}
	found := false
	for _, m := range quotedRe.FindAllStringSubmatchIndex(l, -1) {
		key := l[m[2]:m[3]]
		vs, ve := -1, -1
		for g := 2; g <= 4; g++ {
			if m[2*g] >= 0 {
				vs, ve = m[2*g], m[2*g+1]
				break
			}
		}
		if vs < 0 {
			continue
		}
		if inStructTag(l, m[2], m[3]) || concatenated(l, vs, ve) {
			continue
		}
		if m[2] > 0 && l[m[2]-1] == '$' && strings.EqualFold(key, "env") && m[3] < len(l) && l[m[3]] == ':' {
			// PowerShell's $env:NAME = "v": the name follows the drive.
			key = strings.TrimSpace(l[m[3]+1:])
			if e := strings.IndexAny(key, " =\t"); e > 0 {
				key = key[:e]
			}
		}
		if a.goDecl {
			// Go declares `Name Type = "v"`: the name is the first word.
			if gm := goDeclRe.FindStringSubmatch(l[:m[3]]); gm != nil && gm[2] == key && gm[1] != "var" && gm[1] != "const" {
				key = gm[1]
			}
		}
		if a.judge(i, m[2], key, l[vs:ve]) {
			a.add(ruleAssignment, i, vs+1, l[vs:ve], key)
			found = true
		}
	}
	return found
}

// quotedEnv: "NAME=value" inside quotes (systemd, compose, argv arrays).
func (a *analyzer) quotedEnv(i int, l string) bool {
	return strings.Contains(l, "=") && a.firstPair(i, l, quotedEnvRe)
}

// escapedQuoted: key = \"value\" inside a string (notebooks, JSON-embedded
// code).
func (a *analyzer) escapedQuoted(i int, l string) bool {
	return strings.Contains(l, `\"`) && a.firstPair(i, l, escQuotedRe)
}

// flowMapping: {user: u, password: p} in YAML.
func (a *analyzer) flowMapping(i int, l string) bool {
	return strings.Contains(l, "{") && (a.kind == kindYAML || a.kind == kindUnknown) && a.firstPair(i, l, flowRe)
}

// tuple: {password, "p"}, {:password, "p"} in Erlang and Elixir.
func (a *analyzer) tuple(i int, l string) bool {
	if !strings.Contains(l, "{") || !a.tupleFile() {
		return false
	}
	for _, m := range tupleRe.FindAllStringSubmatchIndex(l, -1) {
		ks, ke := m[2], m[3]
		if ks < 0 {
			ks, ke = m[4], m[5]
		}
		if key, v := l[ks:ke], l[m[6]:m[7]]; a.judge(i, ks, key, v) {
			a.add(ruleAssignment, i, m[6]+1, v, key)
			return true
		}
	}
	return false
}

// codePair: #define NAME "v", and call("NAME", "v") in code.
func (a *analyzer) codePair(i int, l string) bool {
	if a.kind != kindCode && a.kind != kindUnknown {
		return false
	}
	return strings.Contains(l, "define") && a.pair(i, l, cDefineRe.FindStringSubmatchIndex(l)) ||
		strings.Contains(l, "(") && strings.Contains(l, ",") && a.firstPair(i, l, pairCallRe)
}

// flags: --password X and the like on a command line.
func (a *analyzer) flags(i int, l string) bool {
	if !strings.Contains(l, "-") {
		return false
	}
	for _, m := range flagRe.FindAllStringSubmatchIndex(l, -1) {
		name, v := l[m[2]:m[3]], l[m[4]:m[5]]
		if isLower(v) || strings.HasSuffix(v, "=") && m[5] < len(l) && l[m[5]] == '"' || strings.HasPrefix(v, "-") || strings.Contains(strings.TrimRight(v, "="), "=") {
			// "the --password option": prose about a flag; --creds
			// User="u",Password="p" and --auth a=b,c=d lists are judged
			// by their own keys; "--no-secret --next" has no value.
			continue
		}
		if name == "p" && (strings.Contains(l, " -u ") || strings.Contains(l, " login ")) {
			// docker login -u user -p pass, mysql -u root -p pass
			name = "password"
		}
		if c := classifyKey(name); c >= keyToken && plausibleSecret(v, c, name) {
			a.add(ruleAssignment, i, m[4]+1, v, name)
			return true
		}
	}
	return false
}

// xml: <password>v</password> and <add key="password" value="v"/>.
func (a *analyzer) xml(i int, l string) bool {
	if a.kind != kindXML && a.kind != kindUnknown {
		return false
	}
	for _, m := range xmlElemRe.FindAllStringSubmatchIndex(l, -1) {
		open, close := l[m[2]:m[3]], l[m[6]:m[7]]
		if open != close {
			continue
		}
		if a.judge(i, m[2], open, l[m[4]:m[5]]) {
			a.add(ruleAssignment, i, m[4]+1, l[m[4]:m[5]], open)
			return true
		}
	}
	return a.firstPair(i, l, xmlPairRe)
}

// phpDefine: define('DB_PASSWORD', 'v').
func (a *analyzer) phpDefine(i int, l string) bool {
	if a.kind != kindCode && a.kind != kindUnknown || !strings.Contains(l, "define(") {
		return false
	}
	return a.pair(i, l, defineRe.FindStringSubmatchIndex(l))
}

// unquoted: key: value and KEY=value without quotes (YAML, .env, shell,
// properties), server directives in .conf files, and KEY=value anywhere
// on a shell line.
func (a *analyzer) unquoted(i int, l string) bool {
	switch a.kind {
	case kindYAML, kindShell, kindProps, kindUnknown:
	default:
		return false
	}
	if m := unquotedRe.FindStringSubmatchIndex(l); m != nil {
		sep := l[m[4]:m[5]]
		key, v := l[m[2]:m[3]], strings.TrimRight(l[m[6]:m[7]], ";,")
		// "key value" (space separated) only in .properties/.conf.
		if (strings.TrimSpace(sep) != "" || a.kind == kindProps) && a.judge(i, m[2], key, v) {
			a.add(ruleAssignment, i, m[6]+1, v, key)
			return true
		}
	}
	if a.kind == kindProps && !strings.HasPrefix(strings.TrimSpace(l), "#") {
		// Server directives: the password is the last word, after its
		// key. A lower-case word there is prose ("the password database").
		if m := directiveRe.FindStringSubmatchIndex(l); m != nil && classifyKey(l[m[2]:m[3]]) == keyPassword {
			if key, v := l[m[2]:m[3]], strings.TrimRight(l[m[4]:m[5]], ";"); !isLower(v) && a.judge(i, m[2], key, v) {
				a.add(ruleAssignment, i, m[4]+1, v, key)
				return true
			}
		}
	}
	if a.kind != kindProps {
		for _, m := range shellRe.FindAllStringSubmatchIndex(l, -1) {
			key, v := l[m[2]:m[3]], strings.TrimRight(l[m[4]:m[5]], ";,")
			if a.judge(i, m[2], key, v) {
				a.add(ruleAssignment, i, m[4]+1, v, key)
				return true
			}
		}
	}
	return false
}

// envPair: name/value pairs on one line (ECS task definitions, JSON).
func (a *analyzer) envPair(i int, l string) bool {
	if !strings.Contains(l, "name") || !strings.Contains(l, "value") {
		return false // envPairRe needs both
	}
	if m := envPairRe.FindStringSubmatchIndex(l); m != nil {
		if a.judgeNamed(l[m[2]:m[3]], l[m[4]:m[5]]) {
			a.add(ruleEnvPair, i, m[4]+1, l[m[4]:m[5]], l[m[2]:m[3]])
			return true
		}
	}
	return false
}

// envNameValue: "- name: DB_PASSWORD" with "value: v" on one of the next
// three lines (Kubernetes env). A valueFrom there ends the search.
func (a *analyzer) envNameValue(i int, l string) bool {
	if !strings.Contains(l, "name") && !strings.Contains(l, "key") {
		return false // envNameRe needs one
	}
	m := envNameRe.FindStringSubmatch(l)
	if m == nil || classifyKey(m[1]) < keyToken {
		return false
	}
	for j := i + 1; j < len(a.lines) && j <= i+3; j++ {
		vm := envValueRe.FindStringSubmatchIndex(a.lines[j])
		if vm == nil {
			if strings.Contains(a.lines[j], "valueFrom") {
				return false
			}
			continue
		}
		for g := 1; g <= 3; g++ {
			if vm[2*g] >= 0 {
				v := a.lines[j][vm[2*g]:vm[2*g+1]]
				if !a.judgeNamed(m[1], v) {
					return false
				}
				a.add(ruleEnvPair, j, vm[2*g]+1, v, m[1])
				return true
			}
		}
	}
	return false
}
