package environ

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Entry is one assignment of a dotenv file.
type Entry struct {
	Key   string
	Value string
	Line  int  // 1-based line of the key
	Empty bool // KEY= with nothing after it: a variable that must be supplied (.env.example)
}

// ParseDotenv reads dotenv syntax:
//
//	# a comment line
//	KEY=bare value        # a comment after a bare value
//	export KEY=value      # "export " is allowed and ignored
//	KEY='literal $HOME and "quotes"'
//	KEY="escapes \n \t \r \" \\ \$ and
//	real newlines"
//	KEY=                  # empty: required (see Entry.Empty)
//
// Bare values are trimmed and end at " #"; single quotes are literal;
// double quotes understand \n \r \t \" \\ \$ and may span lines. No variable
// expansion happens: a value is exactly what the file says. Errors name the
// line, never the value.
func ParseDotenv(r io.Reader) ([]Entry, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	p := &dotenvParser{src: strings.ReplaceAll(string(data), "\r\n", "\n"), line: 1}
	var out []Entry
	seen := map[string]int{}
	for {
		e, ok, err := p.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		if first, dup := seen[e.Key]; dup {
			return nil, fmt.Errorf("line %d: %s is already set on line %d", e.Line, e.Key, first)
		}
		seen[e.Key] = e.Line
		out = append(out, e)
	}
}

type dotenvParser struct {
	src  string
	pos  int
	line int
}

func (p *dotenvParser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *dotenvParser) skipLine() {
	for p.pos < len(p.src) && p.src[p.pos] != '\n' {
		p.pos++
	}
	if p.pos < len(p.src) {
		p.pos++
		p.line++
	}
}

func (p *dotenvParser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *dotenvParser) next() (Entry, bool, error) {
	for {
		p.skipSpace()
		switch c := p.peek(); {
		case p.pos >= len(p.src):
			return Entry{}, false, nil
		case c == '\n':
			p.skipLine()
			continue
		case c == '#':
			p.skipLine()
			continue
		}
		break
	}
	line := p.line
	start := p.pos
	for p.pos < len(p.src) && p.src[p.pos] != '=' && p.src[p.pos] != '\n' {
		p.pos++
	}
	key := strings.TrimSpace(p.src[start:p.pos])
	if after, ok := strings.CutPrefix(key, "export "); ok {
		key = strings.TrimSpace(after)
	}
	if p.peek() != '=' {
		return Entry{}, false, fmt.Errorf("line %d: want KEY=VALUE", line)
	}
	if !Valid(key) {
		return Entry{}, false, fmt.Errorf("line %d: %q is not a valid variable name", line, key)
	}
	p.pos++ // '='
	p.skipSpace()
	e := Entry{Key: key, Line: line}
	var err error
	switch p.peek() {
	case '\'':
		e.Value, err = p.single(line)
	case '"':
		e.Value, err = p.double(line)
	default:
		e.Value = p.bare()
		e.Empty = e.Value == ""
		return e, true, nil
	}
	if err != nil {
		return Entry{}, false, err
	}
	// After a closing quote: spaces, then a comment or the end of the line.
	p.skipSpace()
	switch p.peek() {
	case '#', '\n', 0:
		p.skipLine()
	default:
		return Entry{}, false, fmt.Errorf("line %d: unexpected text after the closing quote of %s", p.line, key)
	}
	return e, true, nil
}

func (p *dotenvParser) bare() string {
	start := p.pos
	end := p.pos
	for p.pos < len(p.src) && p.src[p.pos] != '\n' {
		if p.src[p.pos] == '#' && p.pos > start && (p.src[p.pos-1] == ' ' || p.src[p.pos-1] == '\t') {
			break
		}
		p.pos++
		end = p.pos
	}
	v := strings.TrimSpace(p.src[start:end])
	p.skipLine()
	return v
}

func (p *dotenvParser) single(line int) (string, error) {
	p.pos++
	start := p.pos
	for p.pos < len(p.src) && p.src[p.pos] != '\'' {
		if p.src[p.pos] == '\n' {
			p.line++
		}
		p.pos++
	}
	if p.pos >= len(p.src) {
		return "", fmt.Errorf("line %d: unterminated single quote", line)
	}
	v := p.src[start:p.pos]
	p.pos++
	return v, nil
}

func (p *dotenvParser) double(line int) (string, error) {
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '"':
			p.pos++
			return b.String(), nil
		case '\\':
			if p.pos+1 >= len(p.src) {
				return "", fmt.Errorf("line %d: unterminated double quote", line)
			}
			p.pos++
			switch e := p.src[p.pos]; e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '"', '\\', '$', '\'', '`':
				b.WriteByte(e)
			case '\n':
				p.line++ // a line continuation
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case '\n':
			p.line++
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
		p.pos++
	}
	return "", fmt.Errorf("line %d: unterminated double quote", line)
}

// QuoteDotenv returns value as ParseDotenv reads it back exactly: bare when
// it holds only letters, digits and _-./:@%+,, in single quotes when it has
// no single quote, newline or carriage return, and otherwise in double quotes
// with \\ \" \$ \` \n and \r escaped.
func QuoteDotenv(value string) string {
	if value != "" && strings.Trim(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:@%+,") == "" {
		return value
	}
	if !strings.ContainsAny(value, "'\n\r") {
		return "'" + value + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(value); i++ {
		switch c := value[i]; c {
		case '\\', '"', '$', '`':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c) // tabs stay literal: not every parser knows \t
		}
	}
	b.WriteByte('"')
	return b.String()
}
