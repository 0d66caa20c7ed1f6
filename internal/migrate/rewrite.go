package migrate

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
)

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

func applyEdits(src []byte, edits []edit) ([]byte, error) {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte(nil), src...)
	last := len(src) + 1
	for _, e := range edits {
		if e.end > last || e.start > e.end || e.end > len(src) {
			return nil, fmt.Errorf("overlapping rewrites on one line")
		}
		out = append(out[:e.start:e.start], append([]byte(e.text), out[e.end:]...)...)
		last = e.start
	}
	return out, nil
}

// replacement is the expression that reads name in a syntax.
func replacement(syntax, name string, src []byte) string {
	switch syntax {
	case synJS:
		return "process.env." + name
	case synPython:
		return `os.environ["` + name + `"]`
	case synGo:
		return `os.Getenv("` + name + `")`
	case synJava, synKotlin:
		return `System.getenv("` + name + `")`
	case synRuby:
		return `ENV.fetch("` + name + `")`
	case synPHP:
		return `getenv('` + name + `')`
	case synCSharp:
		if usingSystemRe.Match(src) {
			return `Environment.GetEnvironmentVariable("` + name + `")`
		}
		return `System.Environment.GetEnvironmentVariable("` + name + `")`
	case synShell:
		return `"${` + name + `}"`
	case synMake:
		return "$(" + name + ")"
	case synCompose, synSpringYAML, synSpringProp:
		return "${" + name + "}"
	case synTerraform:
		return "var." + strings.TrimPrefix(name, "TF_VAR_")
	}
	return ""
}

var (
	usingSystemRe = regexp.MustCompile(`(?m)^\s*using\s+System\s*;`)
	pyImportOSRe  = regexp.MustCompile(`(?m)^import\s+(?:[\w.]+\s*,\s*)*os\b`)
	pyFirstImport = regexp.MustCompile(`(?m)^(?:import\s|from\s+(?:[\w.]+)\s+import\s)`)
	pyFutureRe    = regexp.MustCompile(`(?m)^from\s+__future__\s+import\s.*\n`)
	makeOpRe      = regexp.MustCompile(`(\s*)(::=|:=|\?=|\+=|!=|=)\s*$`)
	tfVarBlockRe  = regexp.MustCompile(`(?m)^\s*variable\s+"([^"]+)"\s*\{`)
	tfSensRe      = regexp.MustCompile(`(?m)^\s*sensitive\s*=`)
	csConstRe     = regexp.MustCompile(`\bconst\s+`)
	typeDeclRe    = regexp.MustCompile(`\b(?:class|struct|record|interface)\s+\w+`)
	ktConstRe     = regexp.MustCompile(`\bconst\s+val\b`)
)

// rewriteFile returns src with every item moved out. Items must be of one
// file, not manual.
func rewriteFile(syntax string, src []byte, items []*Item) ([]byte, error) {
	var edits []edit
	lineOf := func(it *Item) (int, int) {
		end := bytes.IndexByte(src[it.line0:], '\n')
		if end < 0 {
			return it.line0, len(src)
		}
		return it.line0, it.line0 + end + 1
	}
	if syntax == synGo {
		return rewriteGo(src, items)
	}
	var tfVars []string
	for _, it := range items {
		switch {
		case it.Action == ActionRemove:
			s, e := lineOf(it)
			edits = append(edits, edit{s, e, ""})
		case syntax == synTerraform && it.tfDefault:
			s, e := lineOf(it)
			edits = append(edits, edit{s, e, ""})
		case syntax == synMake && !it.Sibling && strings.EqualFold(leafOf(it.KeyPath), it.Env):
			// NAME = value: make already imports NAME from the environment.
			before := string(src[it.line0:it.start])
			m := makeOpRe.FindStringSubmatchIndex(before)
			if m == nil {
				return nil, fmt.Errorf("no assignment operator before the value")
			}
			edits = append(edits, edit{it.line0 + m[2], it.end, " ?="})
		default:
			edits = append(edits, edit{it.start, it.end, replacement(syntax, it.Env, src)})
		}
		s, _ := lineOf(it)
		line := string(src[s:it.start])
		switch syntax {
		case synKotlin:
			if m := ktConstRe.FindStringIndex(line); m != nil {
				edits = append(edits, edit{s + m[0], s + m[0] + len("const "), ""})
			}
		case synCSharp:
			if m := csConstRe.FindStringIndex(line); m != nil {
				// A constant member becomes static readonly (a const is
				// static); a local constant a plain local.
				text := ""
				if typeBody(src, s) {
					text = "static readonly "
				}
				edits = append(edits, edit{s + m[0], s + m[1], text})
			}
		case synTerraform:
			if !it.tfDefault {
				tfVars = append(tfVars, strings.TrimPrefix(it.Env, "TF_VAR_"))
			}
		}
	}
	if syntax == synPython && !pyImportOSRe.Match(src) {
		edits = append(edits, edit{pyImportAt(src), pyImportAt(src), "import os\n"})
	}
	if syntax == synTerraform {
		declared := map[string]bool{}
		for _, m := range tfVarBlockRe.FindAllSubmatch(src, -1) {
			declared[string(m[1])] = true
		}
		var b strings.Builder
		for _, v := range tfVars {
			if declared[v] {
				continue
			}
			declared[v] = true
			fmt.Fprintf(&b, "\nvariable %q {\n  type      = string\n  sensitive = true\n}\n", v)
		}
		for _, it := range items {
			if it.tfDefault && it.tfBlockEnd > 0 && !tfSensRe.Match(src[it.tfBlockStart:it.tfBlockEnd]) {
				edits = append(edits, edit{it.tfBlockEnd, it.tfBlockEnd, "  sensitive = true\n"})
			}
		}
		if b.Len() > 0 {
			at := len(src)
			pre := ""
			if at > 0 && src[at-1] != '\n' {
				pre = "\n"
			}
			edits = append(edits, edit{at, at, pre + b.String()})
		}
	}
	out, err := applyEdits(src, edits)
	if err != nil || syntax != synTerraform {
		return out, err
	}
	// hclwrite's formatter is terraform fmt: aligned, and unchanged where
	// the file was formatted already.
	return hclwrite.Format(out), nil
}

// typeBody reports whether offset pos sits directly in a class, struct or
// record body (not in a method): the nearest unclosed brace opens a type.
func typeBody(src []byte, pos int) bool {
	depth := 0
	for k := pos - 1; k >= 0; k-- {
		switch src[k] {
		case '}':
			depth++
		case '{':
			if depth > 0 {
				depth--
				continue
			}
			// the declaration may sit on the line before its brace
			s := k
			for n := 0; s > 0 && n < 2; s-- {
				if src[s-1] == '\n' {
					n++
				}
			}
			return typeDeclRe.Match(src[s:k])
		}
	}
	return false
}

func leafOf(keyPath string) string { return keyPath[strings.LastIndex(keyPath, ".")+1:] }

// pyImportAt is where `import os` goes: before the first import, else after
// the leading comments, docstring and __future__ imports.
func pyImportAt(src []byte) int {
	at := 0
	if m := pyFutureRe.FindAllIndex(src, -1); m != nil {
		at = m[len(m)-1][1]
	}
	if m := pyFirstImport.FindIndex(src[at:]); m != nil {
		return at + m[0]
	}
	if at > 0 {
		return at
	}
	// after comments and a module docstring
	rest := src
	off := 0
	for len(rest) > 0 {
		nl := bytes.IndexByte(rest, '\n')
		line := rest
		if nl >= 0 {
			line = rest[:nl+1]
		}
		t := bytes.TrimSpace(line)
		if len(t) == 0 || t[0] == '#' {
			off += len(line)
			rest = rest[len(line):]
			continue
		}
		if bytes.HasPrefix(t, []byte(`"""`)) || bytes.HasPrefix(t, []byte(`'''`)) {
			q := t[:3]
			body := rest[bytes.Index(rest, q)+3:]
			if e := bytes.Index(body, q); e >= 0 {
				end := len(rest) - len(body) + e + 3
				if nl2 := bytes.IndexByte(rest[end:], '\n'); nl2 >= 0 {
					end += nl2 + 1
				} else {
					end = len(rest)
				}
				return off + end
			}
		}
		break
	}
	return off
}

// rewriteGo replaces literals with os.Getenv calls, turns the constants
// that held them into variables, adds the import and gofmts the result.
func rewriteGo(src []byte, items []*Item) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "src.go", src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("go source does not parse: %v", err)
	}
	tf := fset.File(f.Pos())
	off := func(p token.Pos) int { return tf.Offset(p) }
	lineStart := func(o int) int {
		for o > 0 && src[o-1] != '\n' {
			o--
		}
		return o
	}
	lineEnd := func(o int) int {
		if k := bytes.IndexByte(src[o:], '\n'); k >= 0 {
			return o + k + 1
		}
		return len(src)
	}
	var edits []edit
	handled := map[*Item]bool{}
	constDone := map[*ast.GenDecl]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		d, ok := n.(*ast.GenDecl)
		if !ok || d.Tok != token.CONST {
			return true
		}
		for _, sp := range d.Specs {
			vs := sp.(*ast.ValueSpec)
			s, e := off(vs.Pos()), off(vs.End())
			var in []*Item
			for _, it := range items {
				if it.start >= s && it.end <= e {
					in = append(in, it)
				}
			}
			if len(in) == 0 {
				continue
			}
			if !d.Lparen.IsValid() {
				if !constDone[d] {
					edits = append(edits, edit{off(d.TokPos), off(d.TokPos) + len("const"), "var"})
					constDone[d] = true
				}
				continue
			}
			// A grouped constant: move it out of the group as a variable.
			text := string(src[s:e])
			for k := len(in) - 1; k >= 0; k-- {
				it := in[k]
				text = text[:it.start-s] + `os.Getenv("` + it.Env + `")` + text[it.end-s:]
				handled[it] = true
			}
			ls, le := lineStart(s), lineEnd(e)
			if strings.TrimSpace(string(src[ls:s])) != "" || strings.TrimSpace(strings.TrimSuffix(string(src[e:le]), "\n")) != "" && !strings.HasPrefix(strings.TrimSpace(string(src[e:le])), "//") {
				return false // shares its line with other specs: left for the error below
			}
			edits = append(edits, edit{ls, le, ""})
			rp := lineEnd(off(d.Rparen))
			edits = append(edits, edit{rp, rp, "\nvar " + text + "\n"})
		}
		return true
	})
	for _, it := range items {
		if !handled[it] {
			edits = append(edits, edit{it.start, it.end, `os.Getenv("` + it.Env + `")`})
		}
	}
	hasOS := false
	for _, im := range f.Imports {
		if im.Path.Value == `"os"` && (im.Name == nil || im.Name.Name == "os") {
			hasOS = true
		}
	}
	if !hasOS {
		switch {
		case len(f.Imports) == 0:
			at := lineEnd(off(f.Name.End()))
			edits = append(edits, edit{at, at, "\nimport \"os\"\n"})
		default:
			var first *ast.GenDecl
			for _, d := range f.Decls {
				if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
					first = g
					break
				}
			}
			if first.Lparen.IsValid() {
				at := off(first.Lparen) + 1
				edits = append(edits, edit{at, at, "\n\t\"os\""})
			} else {
				at := off(first.TokPos) + len("import")
				spec := string(src[at:off(first.End())])
				edits = append(edits, edit{at, off(first.End()), " (\n\t\"os\"\n\t" + strings.TrimSpace(spec) + "\n)"})
			}
		}
	}
	out, err := applyEdits(src, edits)
	if err != nil {
		return nil, err
	}
	formatted, err := format.Source(out)
	if err != nil {
		return nil, fmt.Errorf("the rewritten go source does not parse: %v", err)
	}
	return formatted, nil
}
