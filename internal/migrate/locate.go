package migrate

import (
	"path"
	"regexp"
	"strings"
)

// Syntaxes migrate knows how to rewrite (and a few it knows it cannot).
const (
	synJS          = "javascript"
	synPython      = "python"
	synGo          = "go"
	synJava        = "java"
	synKotlin      = "kotlin"
	synRuby        = "ruby"
	synPHP         = "php"
	synCSharp      = "csharp"
	synShell       = "shell"
	synMake        = "makefile"
	synCompose     = "docker-compose"
	synSpringYAML  = "spring-yaml"
	synSpringProp  = "spring-properties"
	synDotenv      = "dotenv"
	synTerraform   = "terraform"
	synTFVars      = "tfvars"
	synK8sManifest = "kubernetes-secret"
	synOther       = "other"
)

// syntaxOf decides how a file is rewritten, from its name and content.
func syntaxOf(p string, content []byte) string {
	base := strings.ToLower(path.Base(p))
	ext := strings.TrimPrefix(path.Ext(base), ".")
	switch {
	case base == "makefile" || base == "gnumakefile" || ext == "mk":
		return synMake
	case base == ".env.example" || base == ".env.sample" || base == ".env.template":
		return synOther
	case base == ".env" || strings.HasPrefix(base, ".env.") || ext == "env":
		return synDotenv
	case base == ".envrc":
		return synShell
	}
	switch ext {
	case "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts":
		return synJS
	case "py":
		return synPython
	case "go":
		return synGo
	case "java":
		return synJava
	case "kt", "kts":
		return synKotlin
	case "rb":
		return synRuby
	case "php":
		return synPHP
	case "cs":
		return synCSharp
	case "sh", "bash", "zsh", "ksh":
		return synShell
	case "tf":
		return synTerraform
	case "tfvars":
		return synTFVars
	case "properties":
		if strings.HasPrefix(base, "application") || strings.HasPrefix(base, "bootstrap") {
			return synSpringProp
		}
	case "yml", "yaml":
		if k8sSecretRe.Match(content) {
			return synK8sManifest
		}
		if strings.HasPrefix(base, "application") || strings.HasPrefix(base, "bootstrap") {
			return synSpringYAML
		}
		if strings.Contains(base, "compose") || composeRe.Match(content) {
			return synCompose
		}
	}
	return synOther
}

var (
	k8sSecretRe = regexp.MustCompile(`(?m)^kind:\s*["']?Secret["']?\s*$`)
	composeRe   = regexp.MustCompile(`(?m)^services:\s*$`)
)

// manualReasons say why a syntax is left to the user.
var manualReasons = map[string]string{
	synK8sManifest: "a Kubernetes Secret manifest: replace it with an ExternalSecret that reads the stored secret",
	synOther:       "this format has no environment substitution: read the variable in the code that loads the file",
}

// literal is where a value sits on its line.
type literal struct {
	start, end   int // the literal with its quotes (or the bare value), offsets in the line
	vstart, vend int // the value
	quote        byte
	reason       string // set when the literal cannot be moved
}

// findValue returns the offset in line of the occurrence of sec nearest to
// the 1-based column col, or -1.
func findValue(line, sec string, col int) int {
	best, bestDist := -1, 0
	for off := 0; ; {
		i := strings.Index(line[off:], sec)
		if i < 0 {
			break
		}
		i += off
		d := i - (col - 1)
		if d < 0 {
			d = -d
		}
		if best < 0 || d < bestDist {
			best, bestDist = i, d
		}
		off = i + 1
	}
	return best
}

// quotedAround finds the string literal of line enclosing [i, j): the
// nearest quote to the left whose partner closes after j.
func quotedAround(line string, i, j int) (literal, bool) {
	for s := i - 1; s >= 0; s-- {
		q := line[s]
		if q != '"' && q != '\'' && q != '`' || s > 0 && line[s-1] == '\\' {
			continue
		}
		if !opensAt(line, s) {
			return literal{}, false
		}
		e := closing(line, s+1, q)
		if e < j {
			return literal{}, false
		}
		return literal{start: s, end: e + 1, vstart: s + 1, vend: e, quote: q}, true
	}
	return literal{}, false
}

// opensAt reports whether the quote at s opens a string: the quotes of its
// kind before it (unescaped) are balanced.
func opensAt(line string, s int) bool {
	q := line[s]
	n := 0
	for k := 0; k < s; k++ {
		c := line[k]
		if c == '\\' {
			k++
			continue
		}
		if c == q {
			n++
		} else if (c == '"' || c == '\'' || c == '`') && n%2 == 0 {
			// skip another kind of string entirely
			if e := closing(line, k+1, c); e >= 0 && e < s {
				k = e
			}
		}
	}
	return n%2 == 0
}

// closing returns the index of the unescaped quote q at or after from, or -1.
func closing(line string, from int, q byte) int {
	for k := from; k < len(line); k++ {
		if line[k] == '\\' && q != '`' {
			k++
			continue
		}
		if line[k] == q {
			return k
		}
	}
	return -1
}

// bareAround returns the unquoted value token of line around [i, j): from
// after the separator to the end of the value (whitespace, comment, end).
func bareAround(line string, i, j int, stops string) literal {
	s := i
	for s > 0 && !strings.ContainsRune(" \t=:"+stops, rune(line[s-1])) {
		s--
	}
	e := j
	for e < len(line) && !strings.ContainsRune(" \t"+stops, rune(line[e])) {
		e++
	}
	return literal{start: s, end: e, vstart: s, vend: e}
}

// locate finds the literal holding the finding's value on its line, for a
// syntax. The value moved is the whole literal: a password inside a
// connection string moves the connection string.
func locate(syntax, line, sec string, col int) literal {
	i := findValue(line, sec, col)
	if i < 0 {
		return literal{reason: "the value is not on the reported line"}
	}
	j := i + len(sec)
	lit, ok := quotedAround(line, i, j)
	switch syntax {
	case synShell, synMake, synDotenv, synCompose, synSpringYAML, synSpringProp, synTFVars, synK8sManifest, synOther:
		if !ok || syntax == synSpringProp || syntax == synMake {
			lit = bareAround(line, i, j, ";")
			if syntax == synSpringProp || syntax == synDotenv || syntax == synTFVars {
				// the rest of the line is the value
				lit.end = len(strings.TrimRight(line, " \t\r"))
				lit.vend = lit.end
			}
			if syntax == synMake {
				lit.end = len(strings.TrimRight(line, " \t\r"))
				if k := strings.Index(line[lit.start:], " #"); k >= 0 {
					lit.end = lit.start + k
				}
				lit.vend = lit.end
			}
		}
	default:
		if !ok {
			return literal{reason: "the value is not a string literal"}
		}
	}
	v := line[lit.vstart:lit.vend]
	switch {
	case strings.Contains(v, `\`):
		lit.reason = "the literal has escape sequences"
	case lit.quote == '`' && strings.Contains(v, "${"),
		lit.quote == '"' && (syntax == synShell || syntax == synPHP) && strings.Contains(v, "$"),
		lit.quote == '"' && syntax == synRuby && strings.Contains(v, "#{"),
		(syntax == synKotlin || syntax == synTerraform) && strings.Contains(v, "${"):
		lit.reason = "the literal interpolates other values"
	case lit.quote == '`' && syntax == synShell:
		lit.reason = "the value is a command substitution"
	}
	if syntax == synPython && lit.start > 0 {
		switch p := strings.ToLower(prefixWord(line[:lit.start])); p {
		case "":
		case "r", "u":
			lit.start -= len(p)
		default:
			lit.reason = "a " + p + "-string: bytes or formatted"
		}
	}
	if syntax == synGo && lit.quote == '\'' {
		lit.reason = "a rune literal"
	}
	return lit
}

// prefixWord returns the letters right before the end of s.
func prefixWord(s string) string {
	b := len(s)
	for b > 0 && (s[b-1] >= 'a' && s[b-1] <= 'z' || s[b-1] >= 'A' && s[b-1] <= 'Z') {
		b--
	}
	return s[b:]
}

// leafRe is the key in front of a value: `password: `, `"password" => `,
// `$password = `, `DB_PASSWORD=`, `spring.datasource.password=`,
// `private static final String API_KEY = `, `dbPassword := `.
var leafRe = regexp.MustCompile(`([A-Za-z_][\w.\-]*)["']?\s*\]?\s*(?::=|\?=|\+=|=>|=|:)\s*$`)

// leafKey returns the key a literal is assigned to, from the text of its
// line before it.
func leafKey(syntax, before string) string {
	before = strings.TrimRight(before, " \t")
	if syntax == synCompose || syntax == synShell || syntax == synDotenv {
		before = strings.TrimLeft(before, " \t-")
		before = strings.TrimPrefix(before, "export ")
	}
	m := leafRe.FindStringSubmatch(before)
	if m == nil {
		return ""
	}
	return m[1]
}

// parentKeys returns the keys of the objects enclosing offset pos of src,
// outermost first: brace nesting for code, HCL and JSON, indentation for
// YAML. Variable declarations (`const config = {`) are not keys.
func parentKeys(syntax string, src []byte, pos int) []string {
	switch syntax {
	case synCompose, synSpringYAML, synK8sManifest:
		return yamlParents(src, pos)
	case synSpringProp, synDotenv, synShell, synMake, synTFVars:
		return nil
	}
	var keys []string
	depth := 0
	inStr := byte(0)
	lines := 0
	for k := pos - 1; k >= 0 && lines < 400; k-- {
		c := src[k]
		if c == '\n' {
			lines++
			inStr = 0 // strings do not span lines in the syntaxes handled
			continue
		}
		if inStr != 0 {
			if c == inStr && (k == 0 || src[k-1] != '\\') {
				inStr = 0
			}
			continue
		}
		switch c {
		case '"', '\'', '`':
			if lineHasClosing(src, k, c) {
				inStr = c
			}
		case '}', ']', ')':
			depth++
		case '{', '[', '(':
			if depth > 0 {
				depth--
				continue
			}
			if c == '(' {
				continue
			}
			if name, ok := openerKey(syntax, lineBefore(src, k)); ok {
				keys = append(keys, name)
			}
		}
	}
	for a, b := 0, len(keys)-1; a < b; a, b = a+1, b-1 {
		keys[a], keys[b] = keys[b], keys[a]
	}
	return keys
}

// lineHasClosing reports whether the quote at k closes a string that opened
// earlier on its line (so walking left we enter the string).
func lineHasClosing(src []byte, k int, q byte) bool {
	n := 0
	for j := k - 1; j >= 0 && src[j] != '\n'; j-- {
		if src[j] == q && (j == 0 || src[j-1] != '\\') {
			n++
		}
	}
	return n%2 == 1
}

func lineBefore(src []byte, k int) string {
	s := k
	for s > 0 && src[s-1] != '\n' {
		s--
	}
	return string(src[s:k])
}

var (
	openerKeyRe  = regexp.MustCompile(`["']?([A-Za-z_][\w\-]*)["']?\s*\]?\s*(:|=>|=)\s*(?:&?[A-Za-z_][\w.]*(?:<[^<>]*>)?)?\s*$`)
	hclBlockRe   = regexp.MustCompile(`^\s*[A-Za-z_][\w\-]*((?:\s+"[^"]*")*)\s*$`)
	hclLabelLast = regexp.MustCompile(`"([^"]*)"\s*$`)
)

// openerKey names the object opened at the end of before, when it is a key
// (`db: {`, `"db" => [`, HCL `db = {` or a block `resource "x" "main" {`).
func openerKey(syntax, before string) (string, bool) {
	if syntax == synTerraform {
		if m := hclBlockRe.FindStringSubmatch(before); m != nil {
			if l := hclLabelLast.FindStringSubmatch(m[1]); l != nil {
				return l[1], true
			}
			return "", false
		}
	}
	m := openerKeyRe.FindStringSubmatch(before)
	if m == nil {
		return "", false
	}
	if m[2] == "=" && syntax != synTerraform {
		return "", false // a declaration: const config = {
	}
	return m[1], true
}

var yamlKeyRe = regexp.MustCompile(`^(\s*)(?:-\s+)?["']?([A-Za-z_][\w.\-]*)["']?\s*:(?:\s*\{)?\s*(?:#.*)?$`)

// yamlParents walks up less-indented "key:" lines.
func yamlParents(src []byte, pos int) []string {
	lines := strings.Split(string(src[:pos]), "\n")
	cur := lines[len(lines)-1]
	ind := len(cur) - len(strings.TrimLeft(cur, " -"))
	var keys []string
	for i := len(lines) - 2; i >= 0 && ind > 0; i-- {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		li := len(l) - len(strings.TrimLeft(l, " "))
		if li >= ind {
			continue
		}
		if m := yamlKeyRe.FindStringSubmatch(l); m != nil {
			keys = append([]string{m[2]}, keys...)
		}
		ind = li
	}
	return keys
}
