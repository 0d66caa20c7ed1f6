package scan

import (
	"encoding/base64"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
	"unsafe"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
)

// Rule ids of the structural pass.
const (
	ruleAssignment   = "secret-assignment"
	ruleK8sData      = "kubernetes-secret-data"
	ruleK8sStringDat = "kubernetes-secret-stringdata"
	ruleTFDefault    = "terraform-variable-default"
	ruleEnvPair      = "env-name-value"
	ruleCredCall     = "credentials-call"
	ruleAWSPair      = "aws-secret-access-key"
	rulePgpass       = "pgpass-password"
	ruleCurlUser     = "curl-user-password"
	ruleSQLPassword  = "sql-password"
	ruleCredFile     = "credentials-file"
	ruleRailsKey     = "rails-master-key"
	ruleSNMP         = "snmp-community"
	ruleWeak         = "weak-password"
)

var ruleDescriptions = map[string]string{
	ruleAssignment:   "Secret-named key assigned a literal value in code or configuration.",
	ruleK8sData:      "Kubernetes Secret data value (base64-decoded) is a literal credential.",
	ruleK8sStringDat: "Kubernetes Secret stringData value is a literal credential.",
	ruleTFDefault:    "Terraform variable for a secret has a literal default.",
	ruleEnvPair:      "Secret-named environment variable (name/value pair) set to a literal value.",
	ruleCredCall:     "Literal password passed to a credentials call (SetBasicAuth, NetworkCredential, auth=(...)).",
	ruleAWSPair:      "AWS secret access key next to an AWS access key id.",
	rulePgpass:       "Password in a .pgpass file.",
	ruleCurlUser:     "Password in a curl --user argument.",
	ruleSQLPassword:  "Literal password in a SQL user or role statement (IDENTIFIED BY, WITH PASSWORD).",
	ruleCredFile:     "Password or token in a credentials file (.gem/credentials, postfix sasl_passwd, pgbouncer userlist.txt).",
	ruleRailsKey:     "Rails master key (config/master.key or config/credentials/*.key): it decrypts the app's credentials.",
	ruleSNMP:         "SNMP community string or SNMPv3 passphrase in snmpd.conf.",
	ruleWeak:         "Weak or default password (root, postgres, guest, changeit...) held by a password-named key.",
}

// hit is a structural finding inside one fragment.
type hit struct {
	rule   string
	line   int // 0-based line within the fragment
	col    int // 1-based byte column of the secret
	secret string
	key    string
}

// fileKind decides which value syntaxes apply to a file.
type fileKind int

const (
	kindUnknown fileKind = iota // stdin, extension-less files: every syntax
	kindCode                    // quoted values only
	kindYAML
	kindShell // KEY=value, export, Dockerfile ENV
	kindProps // .properties, .ini, .env, .conf
	kindXML
	kindJSON
	kindHCL
)

func kindOf(p string) fileKind {
	base := strings.ToLower(path.Base(p))
	ext := strings.TrimPrefix(path.Ext(base), ".")
	switch {
	case base == "dockerfile" || strings.HasPrefix(base, "dockerfile.") || strings.HasSuffix(base, ".dockerfile") || base == "makefile" || base == ".envrc":
		return kindShell
	case base == ".env" || strings.HasPrefix(base, ".env.") || ext == "env":
		return kindProps
	}
	switch ext {
	case "js", "jsx", "ts", "tsx", "mjs", "cjs", "py", "go", "java", "kt", "kts", "scala", "rb", "php", "cs", "c", "cc", "cpp", "h", "hpp", "rs", "swift", "pyi", "vue", "svelte", "dart", "groovy", "gradle", "m", "ex", "exs", "erl", "clj", "lua", "pl", "r", "jl", "fs", "vb":
		return kindCode
	case "yml", "yaml":
		return kindYAML
	case "sh", "bash", "zsh", "ksh", "fish", "ps1", "bat", "cmd", "mk":
		return kindShell
	case "properties", "ini", "cfg", "conf", "cnf", "toml", "secrets", "npmrc", "pypirc", "netrc", "gitconfig", "msmtprc", "s3cfg", "boto":
		return kindProps
	case "xml", "config", "csproj", "vbproj", "props", "plist", "xaml", "html", "htm", "jsp", "aspx":
		return kindXML
	case "json", "jsonc", "json5":
		return kindJSON
	case "tf", "hcl", "tfvars":
		return kindHCL
	}
	if base == ".npmrc" || base == ".pypirc" || base == ".netrc" || base == ".gitconfig" {
		return kindProps
	}
	return kindUnknown
}

var structKeywords = []string{"pass", "bindpw", "rootpw", "salt", "/user:", "tochararray", "hmac", "joken", "community", "createuser", " on >", "pwd", "secret", "token", "key", "auth", "cred", "bearer", "private", "kind:", "variable", "akia", "asia", "abia", "acca", "return", "curl", "identified", "login ", "connect(", "connection(", "pdo(", "securestring", "smtp.start(", "mysql", "jwt", "psk"}

var structTrie = ahocorasick.NewTrieBuilder().AddStrings(structKeywords).Build()

var (
	// key <sep> "quoted value", for every language.
	quotedRe = regexp.MustCompile(`(?:^|[^\w.$\-]|\$env:)[$@:]?["']?([A-Za-z_][\w.\-]*)["']?\]?\s*(?:(?::\s*&?(?:'\w+\s+)?[A-Za-z_][\w.]*(?:<[^<>\n]*>)?(?:\[\])*\??\s*)?(?::=|\?\?=|\|\|=|\+=|=)|:|=>)\s*(?:[rRbBuUfF]{1,2})?(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|` + "`" + `([^` + "`" + `\n]*)` + "`" + `)`)
	// key: value / key=value unquoted, one per line (YAML, .env, properties, INI).
	unquotedRe = regexp.MustCompile(`^\s*(?:-\s+)?(?:export\s+|ENV\s+|ARG\s+|set\s+|setx\s+)?["']?([A-Za-z_][\w.\-\[\]]*)["']?\s*(\?=|:=|\+=|=|:|\s)\s*([^\s'"` + "`" + `#{}\[\]|>&!*%][^\s]*)\s*(?:#.*)?$`)
	// KEY=value anywhere on a shell line: docker -e, env prefixes.
	shellRe = regexp.MustCompile(`(?:^|[\s;])(?:-e\s+|--env[=\s]+|--build-arg[=\s]+)?([A-Za-z_][A-Za-z0-9_]*)=([^\s'"` + "`" + `$;&|<>(){}]+)`)
	// <password>value</password>
	xmlElemRe = regexp.MustCompile(`<([A-Za-z_][\w.\-:]*)(?:\s[^>]*)?>([^<\s]{1,512})</([A-Za-z_][\w.\-:]*)>`)
	// <add key="DbPassword" value="..."/>, <property name="x" value="..."/>
	xmlPairRe = regexp.MustCompile(`(?i)\b(?:key|name)\s*=\s*"([^"]+)"\s+value\s*=\s*"([^"]*)"`)
	// define('DB_PASSWORD', 'x')
	defineRe = regexp.MustCompile(`\bdefine\(\s*['"]([\w]+)['"]\s*,\s*['"]([^'"]+)['"]`)
	// env name/value pairs.
	envNameRe  = regexp.MustCompile(`^\s*-?\s*\{?\s*["']?(?:name|key)["']?\s*:\s*["']?([\w.\-]+)["']?\s*,?\s*$`)
	envValueRe = regexp.MustCompile(`^\s*["']?value["']?\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s'"{}\[\]|>&!*#][^\s#]*))\s*,?\s*(?:#.*)?$`)
	envPairRe  = regexp.MustCompile(`["']?name["']?\s*:\s*["']([\w.\-]+)["']\s*,\s*["']?value["']?\s*:\s*["']([^"']*)["']`)
	// section headers of INI/TOML
	sectionRe = regexp.MustCompile(`^\s*\[+\s*([\w.\-" ]+?)\s*\]+\s*$`)
	// parent of an indented block: "api:" or "api: {" or "const api = {"
	parentRe   = regexp.MustCompile(`["']?([A-Za-z_][\w.\-]*)["']?\s*(?::|=|\()\s*(?:[A-Za-z_][\w.]*\s*)?[\{\(\[]?\s*$`)
	kindRe     = regexp.MustCompile(`^kind:\s*["']?([A-Za-z]+)["']?\s*$`)
	blockKeyRe = regexp.MustCompile(`^(\s*)["']?([\w.\-]+)["']?\s*:\s*(.*?)\s*$`)
	// --password X, "--requirepass", "X", -p=X style command-line flags
	flagRe = regexp.MustCompile(`(?:^|[\s\[,"'])--?([A-Za-z][\w-]*)(?:=|["']?\s*,\s*["']|\s+["']?)([^\s"',\]\[;&|]+)`)
	// AWS key id, then its secret within a few lines
	awsIDRe     = regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b`)
	awsSecretRe = regexp.MustCompile(`(?:^|[^A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)`)
	// credential-taking calls: SetBasicAuth("user", "pass"), auth=("u", "p")
	credCallRe = regexp.MustCompile(`(?i)(?:\b(?:set)?basic_?auth|\bhttp(?:basic|digest)auth|\bnetworkcredential|\bpasswordauthentication|\busernamepassword\w*|\bbasiccredentials|\bstaticcredentials(?:provider)?|\bcreds?|\bcredentials?|\bauth)\s*(?:\(|=\s*[\(\[])\s*["']([^"']*)["']\s*,\s*["']([^"']+)["']`)
	// a secret-named function or method that returns a literal
	funcDeclRe = regexp.MustCompile(`(?:\b(?:func|def|fun|function|get)\s+|\b[\w<>\[\]]+\s+)(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*\([^)]*\)`)
	returnRe   = regexp.MustCompile(`(?:\breturn\s+|=\s*|=>\s*)[rbu]?(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*;?\s*\}?\s*$`)
	// positional user and password arguments, the last two literals of
	// getConnection(url, "u", "p"), new PDO(dsn, 'u', 'p'), DBI->connect,
	// basic_auth("u", Some("p")), Net::SMTP.start(..., 'u', 'p', :login)
	dbCallRe = regexp.MustCompile(`(?i)(?:\bgetconnection|\bnew\s+pdo|->connect|\bmysqli(?:_connect|_real_connect)?|\bmysql_connect|\bbasic_auth|\w*passwordcredentials?|\bsmtp\.start|\bftp\.login|\bimap\.login|\bsmtp\.login)\s*\([^()]*?(?:[^()]*,\s*)?["']([^"']*)["']\s*,\s*(?:Some\(\s*)?["']([^"']+)["']\s*\)?\s*(?:[,)]|$)`)
	// ConvertTo-SecureString "p" -AsPlainText
	secureStringRe = regexp.MustCompile(`(?i)\bconvertto-securestring\s+(?:-string\s+)?["']([^"']+)["']`)
	// "NAME=value" inside quotes: systemd Environment=, compose lists, argv arrays
	quotedEnvRe = regexp.MustCompile(`["']([A-Za-z_][A-Za-z0-9_.]*)=([^\s"'&;]+)["']`)
	// {password, "p"}, {:password, "p"}, {default_pass, <<"p">>}: Erlang and Elixir tuples
	tupleRe = regexp.MustCompile(`\{\s*(?::?([a-z_][a-z0-9_]*)|["']([A-Za-z_][\w.\-]*)["'])\s*,\s*(?:<<)?["']([^"'\n]*)["']`)
	// #define DB_PASS "p"
	cDefineRe = regexp.MustCompile(`^\s*#\s*define\s+([A-Za-z_]\w*)\s+"([^"\\]*)"`)
	// call("NAME", "value"), call("String", "NAME", "\"value\""): setProperty, buildConfigField, put
	pairCallRe = regexp.MustCompile(`\(\s*(?:"[^"]*"\s*,\s*)?["']([A-Za-z_][\w.\-]*)["']\s*,\s*["'](?:\\")?([^"'\\\s]+)(?:\\")?["']\s*\)`)
	// a directive whose last word before the value is the key: "AuthLDAPBindPassword "p"", "user admin insecure-password p"
	directiveRe = regexp.MustCompile(`(?:^|\s)([A-Za-z_][\w.\-]*)\s+"?([^\s"]+)"?\s*;?\s*$`)
	// CREATE USER x IDENTIFIED BY 'p', ALTER USER x WITH PASSWORD 'p', CREATE ROLE x LOGIN PASSWORD 'p'
	sqlPassRe = regexp.MustCompile(`(?i)\b(?:identified\s+by|password)\s+'([^'\s]+)'`)
	// mysql -uroot -pSecret (the password attached to -p)
	mysqlPRe = regexp.MustCompile(`\bmysql(?:dump|admin|import|sh)?\b[^|;&]*\s-p([^\s'"$-][^\s'"]*)`)
	// jwt.sign(payload, 'secret'), jwt.encode(claims, "secret", ...)
	jwtCallRe = regexp.MustCompile(`(?i)\bjwt(?:\.|::)(?:sign|verify|encode|decode)\s*\(\s*[^,()]+,\s*["']([^"']+)["']`)
	// Algorithm.HMAC256("k"), Keys.hmacShaKeyFor("k".getBytes()),
	// SymmetricSecurityKey(Encoding.UTF8.GetBytes("k")), joken's default_signer
	jwtKeyRe = regexp.MustCompile(`(?:\bAlgorithm\.HMAC(?:256|384|512)\(|\bhmacShaKeyFor\(|\bSymmetricSecurityKey\(\s*Encoding\.\w+\.GetBytes\(|\bjoken\b.*\bdefault_signer:)\s*"([^"\\]+)"`)
	// ks.load(in, "p".toCharArray()), kmf.init(ks, "p".toCharArray())
	keystoreRe = regexp.MustCompile(`\.(?:load|init|getKey|setKeyEntry|store)\s*\([^()]*?,\s*"([^"\\]+)"\.toCharArray\(\)`)
	// net use Z: \\host\share /user:DOMAIN\user password
	netUseRe = regexp.MustCompile(`(?i)\bnet\s+use\b.*?\s/u(?:ser)?:\S+\s+([^\s/*"][^\s"]*)`)
	// cmdkey /pass:p, schtasks /rp p
	winPassRe = regexp.MustCompile(`(?i)\b(?:cmdkey\b.*?\s/pass:|schtasks\b.*?\s/rp\s+)"?([^\s"]+)`)
	// red:auth("p") (lua-resty-redis), conn.auth("p")
	authCallRe = regexp.MustCompile(`[:.]auth\(\s*["']([^"']+)["']\s*\)`)
	// libpq key=value strings: host=h dbname=d user=u password=p
	libpqRe = regexp.MustCompile(`\b(?:host|hostaddr|dbname|user|port)=\S+\s.*?\bpassword=([^\s'"]+)`)
	// key = \"value\" inside a string: notebooks, JSON-embedded code
	escQuotedRe = regexp.MustCompile(`([A-Za-z_][\w.\-]*)\s*(?::|=)\s*\\"([^"\\]+)\\"`)
	// {user: u, password: p}: YAML flow mappings
	flowRe      = regexp.MustCompile(`(?:[{,]|\s)\s*([A-Za-z_][\w.\-]*)\s*:\s+([^\s,{}'"\[\]]+)\s*[,}]`)
	curlUserRe  = regexp.MustCompile(`\bcurl\b.*?\s(?:-u|--user)(?:=|\s+)["']?([^\s"':]+):([^\s"']+)`)
	urlPassRe   = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]{1,20}://[^\s:@/]{0,64}:([^\s@/]{2,128})@[\w.-]+`)
	netrcRe     = regexp.MustCompile(`\bpassword\s+(\S+)`)
	goDeclRe    = regexp.MustCompile(`^\s*(?:const\s+|var\s+)?([A-Za-z_]\w*)\s+(?:\[\]|\*)?([A-Za-z_][\w.]*)$`)
	tfVarRe     = regexp.MustCompile(`^\s*variable\s+"([^"]+)"\s*\{`)
	tfDefaultRe = regexp.MustCompile(`^\s*default\s*=\s*"([^"]*)"`)
	tfSensRe    = regexp.MustCompile(`^\s*sensitive\s*=\s*true`)
)

// secretManifestKinds hold references or ciphertext, never plain secrets.
var secretManifestKinds = map[string]bool{"SealedSecret": true, "ExternalSecret": true, "ClusterExternalSecret": true, "SecretStore": true, "ClusterSecretStore": true, "PushSecret": true, "SecretProviderClass": true, "VaultStaticSecret": true, "VaultDynamicSecret": true, "OnePasswordItem": true}

// analyze runs the structural pass over one fragment of a file. muted holds
// the 0-based lines where no finding may be reported (manifests that only
// reference or encrypt secrets), for gitleaks' rules too.
func analyze(raw, filePath string) (hits []hit, muted map[int]bool) {
	return analyzeLower(raw, asciiLower(raw), filePath)
}

// asciiLower lower-cases ASCII letters only, so byte offsets are kept.
func asciiLower(s string) string {
	i := 0
	for i < len(s) && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, len(s))
	copy(b, s)
	for ; i < len(b); i++ {
		if c := b[i]; c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	// b is never written again: the string can share it.
	return unsafe.String(&b[0], len(b))
}

// lineStarts returns the byte offset of each line of raw.
func lineStarts(raw string) []int {
	starts := make([]int, 1, strings.Count(raw, "\n")+1)
	for i := 0; ; {
		j := strings.IndexByte(raw[i:], '\n')
		if j < 0 {
			return starts
		}
		i += j + 1
		starts = append(starts, i)
	}
}

func analyzeLower(raw, lower, filePath string) (hits []hit, muted map[int]bool) {
	var pos []int
	for _, m := range structTrie.MatchString(lower) {
		pos = append(pos, int(m.Pos()))
	}
	return analyzeAt(raw, lower, filePath, pos, nil)
}

// analyzeAt is analyzeLower with the keyword positions (byte offsets in
// lower) and, optionally, the line starts already computed.
func analyzeAt(raw, lower, filePath string, pos []int, starts []int) (hits []hit, muted map[int]bool) {
	base := strings.ToLower(path.Base(filePath))
	whole := wholeFileKind(filePath)
	if len(pos) == 0 && base != ".pgpass" && whole == "" {
		return nil, nil
	}
	lines := strings.Split(raw, "\n")
	if starts == nil {
		starts = lineStarts(raw)
	}
	lineOf := func(p int) int {
		return sort.Search(len(starts), func(i int) bool { return starts[i] > p }) - 1
	}
	cand := make(map[int]bool)
	for _, p := range pos {
		cand[lineOf(p)] = true
	}
	kind := kindOf(filePath)
	a := &analyzer{lines: lines, kind: kind, goDecl: strings.HasSuffix(base, ".go"), base: base, ext: strings.TrimPrefix(path.Ext(base), "."), test: testPath(filePath)}

	owned := map[int]bool{} // lines owned by the Kubernetes pass
	muted = map[int]bool{}
	a.muted = muted
	if strings.Contains(lower, "kind:") {
		a.kubernetes(owned, muted)
	}
	if base == ".pgpass" {
		a.pgpass()
	}
	if whole != "" {
		a.credentialsFile(whole, owned)
	}
	if kind == kindHCL && strings.Contains(lower, "variable") {
		a.terraform()
	}
	idx := make([]int, 0, len(cand))
	for i := range cand {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		if owned[i] {
			continue
		}
		a.line(i)
	}
	return a.hits, muted
}

type analyzer struct {
	lines  []string
	kind   fileKind
	goDecl bool   // a Go file: `Name Type = value` declarations
	base   string // the file's lower-case base name
	ext    string // its extension, without the dot
	test   bool   // a test file or test data (see testPath)
	// weak is set by judge when the value it accepted is a weak or default
	// password: the next secret-assignment is reported as weak-password.
	weak bool
	hits []hit
	// muted are the lines where no finding may be reported: test vectors
	// and password hashes judged here, which gitleaks' generic rule would
	// otherwise report.
	muted map[int]bool
}

func (a *analyzer) add(rule string, line, col int, secret, key string) {
	if a.weak && rule == ruleAssignment {
		rule = ruleWeak
	}
	a.weak = false
	a.hits = append(a.hits, hit{rule: rule, line: line, col: col, secret: secret, key: key})
}

// inStructTag reports whether the key at l[ks:ke] is part of a Go struct
// tag (`json:"password" protobuf_key:"bytes,1"`): metadata, not a value.
func inStructTag(l string, ks, ke int) bool {
	if ke+1 >= len(l) || l[ke] != ':' || l[ke+1] != '"' {
		return false
	}
	return strings.Count(l[:ks], "`")%2 == 1
}

func (a *analyzer) judgeNamed(name, v string) bool {
	c := classifyKey(name)
	return c >= keyToken && plausibleSecret(v, c, name)
}

// judge decides whether value v assigned to key on line i (key at byte
// offset keyPos) is a hardcoded secret.
func (a *analyzer) judge(i, keyPos int, key, v string) bool {
	a.weak = false
	c := classifyKey(key)
	switch c {
	case keyNone:
		return false
	case keyGeneric:
		if a.testVector(i, v) {
			a.muted[i] = true
			return false
		}
		if p := a.parent(i, keyPos); p != "" && contextIsSecret(p) {
			c = keyToken
		}
	case keyPassword:
		if weakPassword(v) {
			a.weak = true
			return true
		}
		if a.base == "tomcat-users.xml" && hexRe.MatchString(strings.ToLower(v)) && (len(v) == 32 || len(v) == 40 || len(v) == 64 || len(v) == 128) {
			a.muted[i] = true
			return false // a digest: Tomcat's MessageDigestCredentialHandler
		}
		if passwordHash(v) {
			a.muted[i] = true
			return false
		}
	}
	return plausibleSecret(v, c, key)
}

// parent finds the name of the object or section enclosing the key at
// (line i, byte keyPos): an unclosed "{" to its left on the same line, an
// unclosed "{" on an earlier line, a less-indented "name:" line (YAML) or an
// INI/TOML [section].
func (a *analyzer) parent(i, keyPos int) string {
	if p := openerName(a.lines[i][:keyPos]); p != "" {
		return p
	}
	ind := indentOf(a.lines[i])
	depth := 0
	for j := i - 1; j >= 0 && j >= i-200; j-- {
		l := a.lines[j]
		if strings.TrimSpace(l) == "" {
			continue
		}
		if m := sectionRe.FindStringSubmatch(l); m != nil && ind == 0 {
			return strings.Trim(m[1], `" `)
		}
		for k := len(l) - 1; k >= 0; k-- {
			switch l[k] {
			case '}', ']', ')':
				depth++
			case '{', '[', '(':
				if depth == 0 {
					return openerName(l[:k+1])
				}
				depth--
			}
		}
		if depth == 0 && indentOf(l) < ind && a.kind != kindCode {
			if m := parentRe.FindStringSubmatch(l); m != nil {
				return m[1]
			}
			return ""
		}
	}
	return ""
}

// openerName returns the name before the last unclosed opening brace of s:
// "api: {" → "api", "const stripe = {" → "stripe", `"auth": {` → "auth".
func openerName(s string) string {
	depth := 0
	for k := len(s) - 1; k >= 0; k-- {
		switch s[k] {
		case '}', ']', ')':
			depth++
		case '{', '[', '(':
			if depth > 0 {
				depth--
				continue
			}
			pre := strings.TrimRight(s[:k], " \t")
			pre = strings.TrimRight(pre, ":=(, \t")
			pre = strings.TrimRight(pre, `"'`)
			e := len(pre)
			b := e
			for b > 0 && (isWordByte(pre[b-1]) || pre[b-1] == '.' || pre[b-1] == '-') {
				b--
			}
			if b == e {
				// `x = Foo{` / `Foo(`: the type or call name
				return ""
			}
			name := pre[b:e]
			// Go and Java composite literals: StripeConfig{ → use the type
			return name
		}
	}
	return ""
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func indentOf(l string) int {
	n := 0
	for n < len(l) && (l[n] == ' ' || l[n] == '\t') {
		n++
	}
	return n
}

// kubernetes judges the data and stringData values of `kind: Secret`
// manifests, and mutes every line of manifests that only reference or
// encrypt secrets (ExternalSecret, SealedSecret...).
func (a *analyzer) kubernetes(owned, muted map[int]bool) {
	start := 0
	for i := 0; i <= len(a.lines); i++ {
		if i == len(a.lines) || strings.HasPrefix(a.lines[i], "---") {
			a.k8sDoc(start, i, owned, muted)
			start = i + 1
		}
	}
}

func (a *analyzer) k8sDoc(from, to int, owned, muted map[int]bool) {
	kind := ""
	for i := from; i < to; i++ {
		if m := kindRe.FindStringSubmatch(a.lines[i]); m != nil {
			kind = m[1]
			break
		}
	}
	if secretManifestKinds[kind] {
		for i := from; i < to; i++ {
			owned[i] = true
			muted[i] = true
		}
		return
	}
	if kind != "Secret" {
		return
	}
	for i := from; i < to; i++ {
		l := a.lines[i]
		var rule string
		switch {
		case strings.HasPrefix(l, "data:"):
			rule = ruleK8sData
		case strings.HasPrefix(l, "stringData:"):
			rule = ruleK8sStringDat
		default:
			continue
		}
		for j := i + 1; j < to; j++ {
			cl := a.lines[j]
			if strings.TrimSpace(cl) == "" || strings.HasPrefix(strings.TrimSpace(cl), "#") {
				continue
			}
			if indentOf(cl) == 0 {
				break
			}
			m := blockKeyRe.FindStringSubmatchIndex(cl)
			if m == nil {
				continue
			}
			owned[j] = true
			key, v := cl[m[4]:m[5]], cl[m[6]:m[7]]
			vStart := m[6]
			if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
				v = v[1 : len(v)-1]
				vStart++
			}
			if v == "" || v == "|" || v == ">" || strings.HasPrefix(v, "|") || strings.HasPrefix(v, ">") {
				// Block scalars: their lines are left to the assignment pass.
				continue
			}
			if k8sPublicKey(key) {
				// A URL or DSN: secret only if it carries a password.
				dec := v
				if rule == ruleK8sData {
					dec, _ = decodeBase64(v)
				}
				if m := urlPassRe.FindStringSubmatch(dec); m == nil || !plausibleShortSecret(m[1]) {
					continue
				}
				a.add(rule, j, vStart+1, v, key)
				continue
			}
			if strings.Contains(strings.ToLower(cl), "secretctl:allow") || strings.Contains(strings.ToLower(cl), "gitleaks:allow") {
				continue
			}
			judged := v
			if rule == ruleK8sData {
				dec, ok := decodeBase64(v)
				if !ok {
					continue
				}
				judged = dec
			}
			if k8sSecretValue(key, judged) {
				a.add(rule, j, vStart+1, v, key)
			}
		}
	}
}

// k8sPublicKey: data keys that hold non-secret material.
func k8sPublicKey(key string) bool {
	c := classifyKey(key)
	if c >= keyToken {
		return false
	}
	lk := strings.ToLower(key)
	if lk == "tls.key" || strings.HasSuffix(lk, ".key") || strings.HasPrefix(lk, ".docker") || strings.HasSuffix(lk, "pem") && strings.Contains(lk, "key") {
		return false
	}
	for _, w := range splitWords(key) {
		switch w {
		case "user", "username", "login", "email", "host", "hostname", "port", "database", "db", "name", "url", "uri", "endpoint", "region", "bucket", "namespace", "server", "address", "addr", "ca", "crt", "cert", "certificate", "pub", "public", "id", "account", "project", "domain", "path", "mode", "type", "version", "config", "username0":
			return true
		}
	}
	return false
}

func k8sSecretValue(key, v string) bool {
	t := strings.TrimSpace(v)
	if t == "" {
		return false
	}
	if !utf8.ValidString(t) {
		return len(t) >= 8 // binary key material
	}
	lt := strings.ToLower(t)
	if strings.HasPrefix(lt, "-----begin") && !strings.Contains(lt, "private key") {
		return false // certificates and public keys
	}
	if strings.HasPrefix(t, "{") || strings.Contains(t, "\n") {
		// A credentials file (.dockerconfigjson, application.yaml...):
		// secret if the structural pass finds a secret in it.
		if hits, _ := analyze(t, key); len(hits) > 0 {
			return true
		}
		return !strings.HasPrefix(t, "{") && len(t) >= 16 && classifyKey(key) >= keyToken
	}
	c := classifyKey(key)
	if c < keyPassword {
		c = keyPassword // every Secret value is secret by context
	}
	return plausibleSecret(t, c, key)
}

func decodeBase64(v string) (string, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil {
			return string(b), true
		}
	}
	return "", false
}

// terraform judges the defaults of variables named for secrets or marked
// sensitive.
func (a *analyzer) terraform() {
	for i := 0; i < len(a.lines); i++ {
		m := tfVarRe.FindStringSubmatch(a.lines[i])
		if m == nil {
			continue
		}
		name := m[1]
		sensitive := false
		defLine, defCol, def := -1, 0, ""
		// same-line body: variable "x" { default = "y" }
		if k := strings.Index(a.lines[i], "default"); k > 0 {
			if dm := tfDefaultRe.FindStringSubmatchIndex(a.lines[i][k:]); dm != nil {
				defLine, defCol, def = i, k+dm[2]+1, a.lines[i][k+dm[2]:k+dm[3]]
			}
		}
		for j := i + 1; j < len(a.lines) && !strings.Contains(a.lines[i], "}"); j++ {
			l := a.lines[j]
			if strings.HasPrefix(l, "}") {
				break
			}
			if tfSensRe.MatchString(l) {
				sensitive = true
			}
			if dm := tfDefaultRe.FindStringSubmatchIndex(l); dm != nil && defLine < 0 {
				defLine, defCol, def = j, dm[2]+1, l[dm[2]:dm[3]]
			}
		}
		if defLine < 0 {
			continue
		}
		c := classifyKey(name)
		if sensitive && c < keyPassword {
			c = keyPassword
		}
		if c >= keyToken && plausibleSecret(def, c, name) {
			a.add(ruleTFDefault, defLine, defCol, def, name)
		}
	}
}

// awsPair looks for a 40-character secret access key on the line of an AWS
// access key id (from byte pos) or on the three lines after it.
func (a *analyzer) awsPair(i, pos int) {
	for j := i; j < len(a.lines) && j <= i+3; j++ {
		l := a.lines[j]
		from := 0
		if j == i {
			from = pos
		}
		for _, m := range awsSecretRe.FindAllStringSubmatchIndex(l[from:], -1) {
			v := l[from+m[2] : from+m[3]]
			if entropy(v) < 4.0 || hexRe.MatchString(strings.ToLower(v)) || strings.Contains(v, "EXAMPLE") {
				continue
			}
			var upper, lower, digit bool
			for _, r := range v {
				switch {
				case r >= 'A' && r <= 'Z':
					upper = true
				case r >= 'a' && r <= 'z':
					lower = true
				case r >= '0' && r <= '9':
					digit = true
				}
			}
			if upper && lower && digit {
				a.add(ruleAWSPair, j, from+m[2]+1, v, "aws_secret_access_key")
				return
			}
		}
	}
}

// enclosingFunc returns the name of a function declared on line i (before
// the return) or on one of the two lines above, when line i returns.
func (a *analyzer) enclosingFunc(i int, before string, isReturn bool) string {
	if m := funcDeclRe.FindStringSubmatch(before); m != nil {
		return m[1]
	}
	if !isReturn || strings.TrimSpace(before) != "" {
		return ""
	}
	for j := i - 1; j >= 0 && j >= i-2; j-- {
		l := strings.TrimSpace(a.lines[j])
		if l == "" {
			continue
		}
		if m := funcDeclRe.FindStringSubmatch(l); m != nil && (strings.HasSuffix(l, "{") || strings.HasSuffix(l, ":")) {
			return m[1]
		}
		return ""
	}
	return ""
}

// pgpass reports the password field of host:port:database:user:password.
func (a *analyzer) pgpass() {
	for i, l := range a.lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		parts := strings.SplitN(t, ":", 5)
		if len(parts) != 5 {
			continue
		}
		v := parts[4]
		if plausibleShortSecret(v) && v != "*" {
			a.add(rulePgpass, i, strings.LastIndex(l, v)+1, v, "password")
		}
	}
}

// plausibleHostOrName: in a positional call the "user" literal may be a
// host and the "password" a database or service name; a value that holds a
// dot and no digit or symbol (corp.io, db.example) is a name.
func plausibleHostOrName(user, v string) bool {
	return isNamePath(strings.ToLower(v)) && strings.ToLower(v) == v
}

// concatenated reports whether the quoted literal l[vs:ve] is one operand of
// a string expression ("--user=" + name, 'x' * 10, "%s" % v): a fragment,
// not a value.
func concatenated(l string, vs, ve int) bool {
	if ve+1 < len(l) {
		if r := strings.TrimLeft(l[ve+1:], " \t"); r != "" && (r[0] == '+' || r[0] == '*' || r[0] == '%' || strings.HasPrefix(r, ". ") || strings.HasPrefix(r, ".format(")) {
			return true
		}
	}
	if vs > 1 {
		if r := strings.TrimRight(l[:vs-1], " \t"); r != "" && r[len(r)-1] == '+' {
			return true
		}
	}
	return false
}

func isLower(v string) bool {
	for _, r := range v {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return v != ""
}
