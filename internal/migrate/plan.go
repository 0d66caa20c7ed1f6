package migrate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/secretctl/secretctl/internal/environ"
	"github.com/secretctl/secretctl/internal/scan"
	"github.com/secretctl/secretctl/internal/secret"
)

// Input is what a plan is built from: findings and the content of the
// files they are in. BuildPlan does no I/O.
type Input struct {
	Root     string
	To       string // the secret NAME (--to)
	Split    bool   // one secret per value: NAME/ENV
	RDS      bool   // store password groups in the RDS rotation shape
	Findings []scan.Finding
	Files    map[string][]byte // by Finding.File
	// EnvExample is the env example file (relative to Root); "" for none.
	EnvExample string
	// Stored maps env names already held by the target secrets to a digest
	// of their value (Digest): a rerun after a partial migration reuses the
	// name that holds the same value.
	Stored map[string]string
}

// Digest is the digest of a value that plans compare (never shown).
func Digest(v secret.Value) string {
	sum := sha256.Sum256(append([]byte("secretctl-migrate/v1\x00"), v.Reveal()...))
	return hex.EncodeToString(sum[:16])
}

// BuildPlan decides every move of a migration.
func BuildPlan(in Input) (*Plan, error) {
	if in.To == "" {
		return nil, fmt.Errorf("a target secret name is required (--to)")
	}
	p := &Plan{Root: in.Root, To: in.To, Split: in.Split, RDS: in.RDS, EnvExample: in.EnvExample}
	fs := append([]scan.Finding(nil), in.Findings...)
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].File != fs[j].File {
			return fs[i].File < fs[j].File
		}
		if fs[i].Line != fs[j].Line {
			return fs[i].Line < fs[j].Line
		}
		return fs[i].Column < fs[j].Column
	})
	seen := map[string]bool{}
	byFile := map[string][]*Item{}
	for _, f := range fs {
		if f.Commit != "" {
			continue // history findings are not in the working tree
		}
		src, ok := in.Files[f.File]
		if !ok {
			continue
		}
		it := itemFor(f, src)
		k := fmt.Sprintf("%s:%d:%d", it.File, it.start, it.end)
		if it.Action != ActionManual && seen[k] {
			continue // two rules found the same literal
		}
		seen[k] = true
		byFile[f.File] = append(byFile[f.File], it)
		p.Items = append(p.Items, it)
	}
	p.groups(in, byFile)
	p.name(in)
	if err := p.rewrite(in, byFile); err != nil {
		return nil, err
	}
	p.secrets(in)
	p.kubernetes(in, byFile)
	return p, nil
}

// itemFor places one finding: its literal, key path, syntax and action.
func itemFor(f scan.Finding, src []byte) *Item {
	syn := syntaxOf(f.File, src)
	it := &Item{File: f.File, Line: f.Line, RuleID: f.RuleID, Fingerprint: f.Fingerprint, Syntax: syn, Action: ActionRewrite}
	line0, line := lineAt(src, f.Line)
	it.line0 = line0
	it.Column = f.Column
	if f.EndLine > f.Line {
		it.Action, it.Reason = ActionManual, "the value spans several lines"
	}
	lit := locate(syn, line, f.Secret.RevealString(), f.Column)
	if lit.reason == "" || lit.start < lit.end {
		it.start, it.end, it.vstart, it.vend = line0+lit.start, line0+lit.end, line0+lit.vstart, line0+lit.vend
		it.quoted = lit.quote != 0
		it.Column = lit.start + 1
		it.value = secret.New(line[lit.vstart:lit.vend])
	}
	if r, ok := manualReasons[syn]; ok {
		it.Action, it.Reason = ActionManual, r
	}
	if it.Action != ActionManual && lit.reason != "" {
		it.Action, it.Reason = ActionManual, lit.reason
	}
	if it.value.IsZero() {
		it.value = f.Secret
	}
	keys := parentKeys(syn, src, it.start)
	leaf := ""
	if it.start > line0 || lit.reason == "" {
		leaf = leafKey(syn, line[:it.start-line0])
	}
	if leaf == "" {
		leaf = strings.ReplaceAll(f.RuleID, "-", "_")
	}
	if syn == synSpringProp || syn == synDotenv || syn == synTFVars || syn == synShell || syn == synMake {
		keys = nil
	}
	it.KeyPath = strings.Join(append(keys, leaf), ".")
	it.Env = EnvName(append(keys, leaf))
	switch syn {
	case synTFVars:
		it.Env = "TF_VAR_" + leaf
	case synTerraform:
		if leaf == "default" {
			if name, s, e, ok := tfVariableBlock(src, it.start); ok {
				it.tfDefault, it.tfBlockStart, it.tfBlockEnd = true, s, e
				it.Env, it.KeyPath = "TF_VAR_"+name, "variable."+name
			}
		}
	}
	if it.Action == ActionRewrite {
		switch syn {
		case synDotenv, synTFVars:
			it.Action = ActionRemove
		case synPHP:
			if phpPropRe.MatchString(line) {
				it.Action, it.Reason = ActionManual, "a PHP class property or constant default must be a constant expression: set it in the constructor"
			}
		case synJava:
			if strings.Contains(line, "@") && annotationRe.MatchString(line[:it.start-line0]) {
				it.Action, it.Reason = ActionManual, "an annotation argument must be a constant"
			}
		case synTerraform:
			if strings.Contains(line[:it.start-line0], "${") {
				it.Action, it.Reason = ActionManual, "inside an interpolation"
			}
		}
	}
	return it
}

var (
	phpPropRe    = regexp.MustCompile(`^\s*(?:(?:public|private|protected|static|readonly|var|const|final)\s+)+`)
	annotationRe = regexp.MustCompile(`@\w+\s*\([^)]*$`)
)

// lineAt returns the byte offset and text of 1-based line n.
func lineAt(src []byte, n int) (int, string) {
	off := 0
	for i := 1; i < n; i++ {
		k := bytes.IndexByte(src[off:], '\n')
		if k < 0 {
			return len(src), ""
		}
		off += k + 1
	}
	end := bytes.IndexByte(src[off:], '\n')
	if end < 0 {
		return off, strings.TrimRight(string(src[off:]), "\r")
	}
	return off, strings.TrimRight(string(src[off:off+end]), "\r")
}

// name makes env names unique (the same value shares a name) and reuses the
// stored name of a value on a rerun.
func (p *Plan) name(in Input) {
	// One name per distinct (name, value): the same value shares its name,
	// a different value under the same name gets NAME_2, NAME_3 (in plan
	// order, so every run names alike).
	type pair struct{ base, digest string }
	var pairs []pair
	index := map[pair]int{}
	of := make([]int, len(p.Items))
	for i, it := range p.Items {
		base := it.Env
		if (it.Syntax == synTerraform || it.Syntax == synTFVars) && !strings.HasPrefix(base, "TF_VAR_") {
			base = "TF_VAR_" + tfVarName(base)
		}
		k := pair{base, Digest(it.value)}
		if _, ok := index[k]; !ok {
			index[k] = len(pairs)
			pairs = append(pairs, k)
		}
		of[i] = index[k]
	}
	bases := make([]string, len(pairs))
	for i, k := range pairs {
		bases[i] = k.base
	}
	names := environ.Dedupe(bases)
	for i, k := range pairs {
		if d, ok := in.Stored[names[i]]; !ok || d == k.digest {
			continue
		}
		// A rerun after a partial migration: the value may already be
		// stored under another suffix of its name. Otherwise the store
		// step reports the conflict (or overwrites, when asked).
		for n := 1; n < 100; n++ {
			cand := k.base
			if n > 1 {
				cand = fmt.Sprintf("%s_%d", k.base, n)
			}
			if in.Stored[cand] == k.digest {
				names[i] = cand
				break
			}
		}
	}
	for i, it := range p.Items {
		it.Env = names[of[i]]
	}
	field := map[int]*Group{}
	fieldName := map[int]string{}
	for _, g := range p.Groups {
		for f, idx := range g.members {
			g.Fields[f] = p.Items[idx].Env
			if g.Applied {
				field[idx], fieldName[idx] = g, f
			}
		}
	}
	for i, it := range p.Items {
		if it.Action == ActionManual {
			p.Manual++
			continue
		}
		p.Migrate++
		switch g := field[i]; {
		case g != nil:
			it.Secret, it.Key = g.Secret, fieldName[i]
		case p.Split:
			it.Secret = p.To + "/" + it.Env
		default:
			it.Secret, it.Key = p.To, it.Env
		}
	}
}

// rewrite builds the new text and masked diff of every file.
func (p *Plan) rewrite(in Input, byFile map[string][]*Item) error {
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	names := map[string]bool{}
	ignore := map[string]bool{}
	for _, f := range files {
		var todo []*Item
		for _, it := range byFile[f] {
			if it.Action == ActionManual {
				continue
			}
			todo = append(todo, it)
			names[it.Env] = true
			if it.Syntax == synDotenv {
				ignore[f] = true
			}
		}
		if len(todo) == 0 {
			continue
		}
		old := in.Files[f]
		nw, err := rewriteFile(todo[0].Syntax, old, todo)
		if err != nil {
			for _, it := range todo {
				it.Action, it.Reason = ActionManual, err.Error()
				p.Migrate--
				p.Manual++
				delete(names, it.Env)
			}
			continue
		}
		ch := &FileChange{Path: f, Syntax: todo[0].Syntax, Items: len(todo), old: old, new: nw}
		ch.Diff = maskedDiff(in.Root, f, old, nw, byFile[f])
		p.Files = append(p.Files, ch)
	}
	for n := range names {
		p.EnvNames = append(p.EnvNames, n)
	}
	sort.Strings(p.EnvNames)
	for f := range ignore {
		p.GitIgnore = append(p.GitIgnore, relPath(in.Root, f))
	}
	sort.Strings(p.GitIgnore)
	return nil
}

// secrets gathers what will be stored, and the exec arguments that give
// the code its variables back.
func (p *Plan) secrets(in Input) {
	bySecret := map[string]*StoredSecret{}
	var order []string
	rds := map[string]*Group{}
	for _, g := range p.Groups {
		if g.Applied {
			rds[g.Secret] = g
		}
	}
	for _, it := range p.Items {
		if it.Action == ActionManual {
			continue
		}
		s := bySecret[it.Secret]
		if s == nil {
			s = &StoredSecret{Name: it.Secret, Shape: "json", fields: map[string]secret.Value{}}
			switch g := rds[it.Secret]; {
			case g != nil:
				s.Shape, s.Group = "rds", g.ID
				if g.Engine != "" {
					s.fields["engine"] = secret.New(g.Engine)
					s.Keys = append(s.Keys, "engine")
				}
			case p.Split:
				s.Shape = "plain"
			}
			bySecret[it.Secret] = s
			order = append(order, it.Secret)
		}
		if s.Shape == "plain" {
			s.plain = it.value
		} else if _, dup := s.fields[it.Key]; !dup {
			s.fields[it.Key] = it.value
			s.Keys = append(s.Keys, it.Key)
		}
		s.prints = append(s.prints, it.Fingerprint)
	}
	sort.Strings(order)
	args := map[string]bool{}
	for _, name := range order {
		s := bySecret[name]
		sort.Strings(s.Keys)
		sort.Strings(s.prints)
		p.Secrets = append(p.Secrets, *s)
		switch s.Shape {
		case "plain":
			args["--secret "+p.To+"/"] = true
			if env := s.Name[len(p.To)+1:]; !environ.Canonical(env) {
				// exec upper-cases other names; Terraform's TF_VAR_name is
				// case-sensitive, so the variable is named explicitly.
				args["--secret '"+s.Name+"="+env+"'"] = true
			}
		case "json":
			args["--secret "+s.Name] = true
			for _, k := range s.Keys {
				if !environ.Canonical(k) {
					args["--secret '"+s.Name+"#"+k+"="+k+"'"] = true
				}
			}
		}
	}
	for _, it := range p.Items {
		if it.Action != ActionManual && rds[it.Secret] != nil {
			args["--secret '"+it.Secret+"#"+it.Key+"="+it.Env+"'"] = true
		}
	}
	if len(args) > 0 {
		p.Run = "secretctl exec " + strings.Join(sortedKeys(args), " ") + " -- COMMAND"
	}
}

// rdsField maps a sibling key to its field in the RDS rotation shape.
func rdsField(key string) string {
	k := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(key))
	switch k {
	case "host", "hostname", "server", "address", "dbhost", "databasehost":
		return "host"
	case "user", "username", "login", "dbuser", "databaseuser", "dbusername", "uid":
		return "username"
	case "port", "dbport":
		return "port"
	case "database", "dbname", "databasename", "db", "name", "schema":
		return "dbname"
	case "engine", "dialect", "driver", "adapter", "client":
		return "engine"
	case "password", "pass", "passwd", "pwd", "dbpassword", "databasepassword":
		return "password"
	}
	return ""
}

var siblingRe = regexp.MustCompile(`^\s*["']?([A-Za-z_][\w\-]*)["']?\s*(?::|=>|=)\s*(?:"([^"\\\n]*)"|'([^'\\\n]*)'|(\d{2,5})\b)\s*[,;]?\s*(?:#.*|//.*)?$`)

// groups finds passwords with connection siblings in the same object.
func (p *Plan) groups(in Input, byFile map[string][]*Item) {
	idx := map[*Item]int{}
	for i, it := range p.Items {
		idx[it] = i
	}
	for _, f := range sortedKeys(byFile) {
		src := in.Files[f]
		lines := strings.Split(string(src), "\n")
		for _, it := range byFile[f] {
			if it.Action == ActionManual {
				continue
			}
			leaf := it.KeyPath[strings.LastIndex(it.KeyPath, ".")+1:]
			if rdsField(leaf) != "password" {
				continue
			}
			parents := parentKeys(it.Syntax, src, it.start)
			if len(parents) == 0 {
				continue
			}
			g := &Group{ID: strings.Join(parents, "."), File: f, Line: it.Line, Path: strings.Join(parents, "."), Fields: map[string]string{}, members: map[string]int{"password": idx[it]}}
			for ln := it.Line - 12; ln <= it.Line+12; ln++ {
				if ln < 1 || ln > len(lines) || ln == it.Line {
					continue
				}
				m := siblingRe.FindStringSubmatchIndex(lines[ln-1])
				if m == nil {
					continue
				}
				key := lines[ln-1][m[2]:m[3]]
				field := rdsField(key)
				if field == "" || field == "password" {
					continue
				}
				line0, _ := lineAt(src, ln)
				if strings.Join(parentKeys(it.Syntax, src, line0+m[2]), ".") != g.Path {
					continue
				}
				var vs, ve int
				for gi := 2; gi <= 4; gi++ {
					if m[2*gi] >= 0 {
						vs, ve = m[2*gi], m[2*gi+1]
						break
					}
				}
				if field == "engine" {
					g.Engine = engineName(lines[ln-1][vs:ve])
					continue
				}
				if _, dup := g.members[field]; dup {
					continue
				}
				sib := &Item{File: f, Line: ln, Column: vs + 1, RuleID: "rds-sibling", Syntax: it.Syntax, Action: ActionRewrite, Sibling: true, Group: g.ID,
					KeyPath: strings.Join(append(append([]string{}, parents...), key), "."), line0: line0,
					value: secret.New(lines[ln-1][vs:ve]), vstart: line0 + vs, vend: line0 + ve, start: line0 + vs, end: line0 + ve}
				if m[8] < 0 { // quoted
					sib.start, sib.end, sib.quoted = sib.vstart-1, sib.vend+1, true
					sib.Column--
				}
				sib.Fingerprint = scan.Fingerprint(f, "rds-sibling", sib.value.RevealString())
				sib.Env = EnvName(append(append([]string{}, parents...), key))
				g.sib = append(g.sib, sib)
				g.members[field] = -1
			}
			if len(g.sib) == 0 {
				continue
			}
			if g.Engine == "" {
				g.Engine = guessEngine(src, g)
			}
			it.Group = g.ID
			p.Groups = append(p.Groups, g)
		}
	}
	taken := map[string]int{}
	for _, g := range p.Groups {
		g.Secret = p.To + "/" + strings.ToLower(strings.ReplaceAll(g.Path, ".", "-"))
		// Two connections under the same key path (in two files) get two
		// secrets: database, database-2.
		if taken[g.Secret]++; taken[g.Secret] > 1 {
			g.Secret = fmt.Sprintf("%s-%d", g.Secret, taken[g.Secret])
			g.ID = fmt.Sprintf("%s-%d", g.ID, taken[g.Secret])
			p.Items[g.members["password"]].Group = g.ID
			for _, sib := range g.sib {
				sib.Group = g.ID
			}
		}
		if !p.RDS {
			g.Hint = "rerun with --rds to also store " + strings.Join(g.fieldNames(), ", ") + " in the RDS rotation shape as " + g.Secret + " (then `secretctl rotation set " + g.Secret + "` works on it)"
			continue
		}
		g.Applied = true
		for _, sib := range g.sib {
			for f, i := range g.members {
				if i == -1 && rdsField(sib.KeyPath[strings.LastIndex(sib.KeyPath, ".")+1:]) == f {
					g.members[f] = len(p.Items)
				}
			}
			p.Items = append(p.Items, sib)
			byFile[g.File] = append(byFile[g.File], sib)
		}
		sort.SliceStable(byFile[g.File], func(i, j int) bool { return byFile[g.File][i].start < byFile[g.File][j].start })
	}
	for _, g := range p.Groups {
		for f, i := range g.members {
			if i < 0 {
				delete(g.members, f)
			}
		}
	}
}

func (g *Group) fieldNames() []string {
	var out []string
	for _, s := range g.sib {
		out = append(out, s.KeyPath[strings.LastIndex(s.KeyPath, ".")+1:])
	}
	return out
}

func engineName(v string) string {
	v = strings.ToLower(v)
	switch {
	case strings.Contains(v, "postgres") || v == "pg":
		return "postgres"
	case strings.Contains(v, "mariadb"):
		return "mariadb"
	case strings.Contains(v, "mysql"):
		return "mysql"
	case strings.Contains(v, "oracle"):
		return "oracle"
	case strings.Contains(v, "sqlserver") || strings.Contains(v, "mssql"):
		return "sqlserver"
	}
	return ""
}

// guessEngine reads the engine from the port or the file's imports.
func guessEngine(src []byte, g *Group) string {
	for _, s := range g.sib {
		if strings.HasSuffix(s.KeyPath, "port") {
			switch s.value.RevealString() {
			case "5432":
				return "postgres"
			case "3306":
				return "mysql"
			case "1433":
				return "sqlserver"
			}
		}
	}
	low := strings.ToLower(string(src))
	for _, w := range []string{"postgres", "mariadb", "mysql"} {
		if strings.Contains(low, w) {
			return engineName(w)
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// relPath is a plan path relative to root, for display.
func relPath(root, p string) string {
	root = path.Clean(root)
	if root == "." {
		return p
	}
	if r := strings.TrimPrefix(p, root+"/"); r != p {
		return r
	}
	return p
}

var tfVarLineRe = regexp.MustCompile(`^\s*variable\s+"([^"]+)"\s*\{\s*$`)

// tfVariableBlock finds the variable block enclosing pos: its name, start
// and the start of its closing-brace line.
func tfVariableBlock(src []byte, pos int) (string, int, int, bool) {
	lines := strings.SplitAfter(string(src), "\n")
	off := 0
	start, name := -1, ""
	for _, l := range lines {
		if off > pos {
			break
		}
		if m := tfVarLineRe.FindStringSubmatch(strings.TrimRight(l, "\r\n")); m != nil {
			start, name = off, m[1]
		}
		off += len(l)
	}
	if start < 0 {
		return "", 0, 0, false
	}
	depth := 0
	for k := start; k < len(src); k++ {
		switch src[k] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				if k < pos {
					return "", 0, 0, false
				}
				e := k
				for e > 0 && src[e-1] != '\n' {
					e--
				}
				return name, start, e, true
			}
		}
	}
	return "", 0, 0, false
}
