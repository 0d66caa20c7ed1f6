package audit

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// This file holds the hot path of --from-logs: a splitter that cuts the
// elements of the Records array out of the stream, and a parser that reads
// only the fields Record needs from one element, without reflection.
// encoding/json scans each record two or three times and decodes through
// reflection, which caps it near 100,000 records a second a core; this
// reads each byte about twice. Anything it does not understand is an error
// naming the record, never a silent guess.

var errSyntax = errors.New("invalid JSON")

// splitter yields the raw elements of a JSON array from a stream that is
// positioned just after the array's '['.
type splitter struct {
	r          io.Reader
	buf        []byte
	start, end int
	eof        bool
}

// splitBufs recycles the splitters' 256 KiB buffers: a tree of many small
// log files (or a fuzz run) would otherwise allocate and zero one a file.
var splitBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

func newSplitter(r io.Reader) *splitter {
	b := splitBufs.Get().(*[]byte)
	return &splitter{r: r, buf: *b}
}

// release returns the buffer; s must not be used after.
func (s *splitter) release() {
	if len(s.buf) == 256<<10 { // grown ones are left to the collector
		b := s.buf
		splitBufs.Put(&b)
	}
	s.buf = nil
}

// fill reads more input, keeping buf[start:end].
func (s *splitter) fill() error {
	if s.eof {
		return io.ErrUnexpectedEOF
	}
	if s.start > 0 {
		n := copy(s.buf, s.buf[s.start:s.end])
		s.start, s.end = 0, n
	}
	if s.end == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if err == io.EOF {
		s.eof = true
		if n == 0 {
			return io.ErrUnexpectedEOF
		}
		return nil
	}
	return err
}

// next returns the next element, or nil after the closing ']'. The slice is
// valid until the next call.
func (s *splitter) next() ([]byte, error) {
	// Skip whitespace and the comma between elements.
	for {
		for s.start < s.end {
			switch s.buf[s.start] {
			case ' ', '\t', '\n', '\r', ',':
				s.start++
				continue
			case ']':
				s.start++
				return nil, nil
			}
			goto value
		}
		if err := s.fill(); err != nil {
			return nil, err
		}
	}
value:
	depth, inStr := 0, false
	i := s.start
	for {
		for i < s.end {
			if inStr {
				// Jump to the next quote; it ends the string unless an odd
				// number of backslashes precede it.
				j := bytes.IndexByte(s.buf[i:s.end], '"')
				if j < 0 {
					i = s.end
					break
				}
				q := i + j
				bs := 0
				for k := q - 1; k >= s.start && s.buf[k] == '\\'; k-- {
					bs++
				}
				i = q + 1
				if bs%2 == 0 {
					inStr = false
				}
				continue
			}
			switch s.buf[i] {
			case '"':
				inStr = true
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					v := s.buf[s.start : i+1]
					s.start = i + 1
					return v, nil
				}
			case ',':
				if depth == 0 { // a scalar element
					v := s.buf[s.start:i]
					s.start = i
					return v, nil
				}
			}
			i++
		}
		off := i - s.start
		if err := s.fill(); err != nil {
			return nil, err
		}
		i = s.start + off
	}
}

// after consumes whitespace and returns the next byte (0 at the end).
func (s *splitter) after() (byte, error) {
	for {
		for s.start < s.end {
			c := s.buf[s.start]
			s.start++
			switch c {
			case ' ', '\t', '\n', '\r':
				continue
			}
			return c, nil
		}
		if err := s.fill(); err != nil {
			if err == io.ErrUnexpectedEOF {
				return 0, nil
			}
			return 0, err
		}
	}
}

// rest returns the unread input: what the splitter buffered, then r.
func (s *splitter) rest() io.Reader {
	return io.MultiReader(bytes.NewReader(s.buf[s.start:s.end]), s.r)
}

// parser reads one JSON value held in memory.
type parser struct {
	b     []byte
	i     int
	depth int
}

func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) peek() byte {
	p.ws()
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *parser) expect(c byte) error {
	if p.peek() != c {
		return fmt.Errorf("%w: want %q at offset %d", errSyntax, c, p.i)
	}
	p.i++
	return nil
}

// str reads a string, unescaping only when it must.
func (p *parser) str() (string, error) {
	raw, esc, err := p.rawStr()
	if err != nil {
		return "", err
	}
	if !esc && utf8.Valid(raw) {
		return string(raw), nil
	}
	return unescape(raw) // escapes, or bytes that encoding/json turns into U+FFFD
}

// rawStr returns the bytes between the quotes and whether they hold an
// escape. It checks the string as encoding/json does: no control
// characters, only valid escapes (bytes that are not UTF-8 are accepted,
// as encoding/json accepts them).
func (p *parser) rawStr() ([]byte, bool, error) {
	if err := p.expect('"'); err != nil {
		return nil, false, err
	}
	start, esc := p.i, false
	for {
		j := strSpecial(p.b[p.i:])
		if j < 0 {
			return nil, false, fmt.Errorf("%w: unterminated string", errSyntax)
		}
		p.i += j
		switch c := p.b[p.i]; {
		case c == '"':
			raw := p.b[start:p.i]
			p.i++
			return raw, esc, nil
		case c == '\\':
			esc = true
			if p.i+1 >= len(p.b) {
				return nil, false, fmt.Errorf("%w: unterminated string", errSyntax)
			}
			switch p.b[p.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i += 2
			case 'u':
				if p.i+6 > len(p.b) || !isHex4(p.b[p.i+2:p.i+6]) {
					return nil, false, fmt.Errorf("%w: bad \\u escape at offset %d", errSyntax, p.i)
				}
				p.i += 6
			default:
				return nil, false, fmt.Errorf("%w: bad escape at offset %d", errSyntax, p.i)
			}
		default:
			return nil, false, fmt.Errorf("%w: control character in string at offset %d", errSyntax, p.i)
		}
	}
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// strSpecial returns the index of the first byte of b that a string scan
// must stop at — '"', '\\' or a control character — or -1. It tests eight
// bytes at a time (the classic "has a zero byte" trick: a match can only
// set false flags above itself, so the lowest flag is exact).
func strSpecial(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q := x ^ ('"' * swarOnes)
		bs := x ^ ('\\' * swarOnes)
		m := ((q - swarOnes) &^ q) | ((bs - swarOnes) &^ bs) | ((x - 0x20*swarOnes) &^ x)
		if m &= swarHighs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return -1
}

func unescape(raw []byte) (string, error) {
	q := make([]byte, 0, len(raw)+2)
	q = append(q, '"')
	q = append(q, raw...)
	q = append(q, '"')
	var s string
	if err := json.Unmarshal(q, &s); err != nil { // rare: let the standard decoder do escapes
		return "", err
	}
	return s, nil
}

// strOrNull reads a string; any other value is skipped and gives "".
func (p *parser) strOrNull() (string, error) {
	if p.peek() == '"' {
		return p.str()
	}
	return "", p.skip()
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// skip skips one value, checking its syntax as encoding/json does.
func (p *parser) skip() error {
	switch c := p.peek(); c {
	case '"':
		_, _, err := p.rawStr()
		return err
	case '{':
		return p.nested(func() error { return p.object(func([]byte) error { return p.skip() }) })
	case '[':
		return p.nested(func() error { return p.array(p.skip) })
	case 0:
		return fmt.Errorf("%w: unexpected end", errSyntax)
	case 't', 'f', 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(p.b[p.i:], []byte(lit)) {
				p.i += len(lit)
				return nil
			}
		}
		return fmt.Errorf("%w: at offset %d", errSyntax, p.i)
	default:
		return p.number()
	}
}

// nested runs fn one level deeper, refusing what encoding/json refuses.
func (p *parser) nested(fn func() error) error {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return fmt.Errorf("%w: nested too deeply", errSyntax)
	}
	return fn()
}

// number skips a number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) number() error {
	b, i := p.b, p.i
	digits := func() bool {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return fmt.Errorf("%w: at offset %d", errSyntax, p.i)
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return fmt.Errorf("%w: bad number at offset %d", errSyntax, p.i)
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return fmt.Errorf("%w: bad number at offset %d", errSyntax, p.i)
		}
	}
	p.i = i
	return nil
}

// object calls fn for each key of an object (fn must consume the value).
// null is an empty object.
func (p *parser) object(fn func(key []byte) error) error {
	if p.peek() == 'n' {
		return p.skip()
	}
	if err := p.expect('{'); err != nil {
		return err
	}
	if p.peek() == '}' {
		p.i++
		return nil
	}
	for {
		key, esc, err := p.rawStr()
		if err != nil {
			return err
		}
		if esc { // rare: compare the key as encoding/json does, unescaped
			k, err := unescape(key)
			if err != nil {
				return err
			}
			key = []byte(k)
		}
		if err := p.expect(':'); err != nil {
			return err
		}
		if err := fn(key); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			return nil
		default:
			return fmt.Errorf("%w: want , or } at offset %d", errSyntax, p.i)
		}
	}
}

// array calls fn for each element (fn must consume it). null is empty.
func (p *parser) array(fn func() error) error {
	if p.peek() == 'n' {
		return p.skip()
	}
	if err := p.expect('['); err != nil {
		return err
	}
	if p.peek() == ']' {
		p.i++
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return fmt.Errorf("%w: want , or ] at offset %d", errSyntax, p.i)
		}
	}
}

// setStr reads a string-or-anything value into *dst.
func (p *parser) setStr(dst *string) error {
	s, err := p.strOrNull()
	*dst = s
	return err
}

// parseRecord fills r from one record's JSON (r is reset first).
func parseRecord(b []byte, r *Record) error {
	*r = Record{}
	p := &parser{b: b}
	err := p.object(func(k []byte) error {
		switch string(k) {
		case "eventTime":
			s, err := p.strOrNull()
			if err != nil {
				return err
			}
			r.EventTime, err = parseEventTime(s)
			return err
		case "eventSource":
			return p.setStr(&r.EventSource)
		case "eventName":
			return p.setStr(&r.EventName)
		case "awsRegion":
			return p.setStr(&r.AWSRegion)
		case "sourceIPAddress":
			return p.setStr(&r.SourceIPAddress)
		case "userAgent":
			return p.setStr(&r.UserAgent)
		case "errorCode":
			return p.setStr(&r.ErrorCode)
		case "errorMessage":
			return p.setStr(&r.ErrorMessage)
		case "eventID":
			return p.setStr(&r.EventID)
		case "eventVersion":
			return p.setStr(&r.EventVersion)
		case "readOnly":
			switch p.peek() {
			case 't':
				r.ReadOnly = true
			case '"':
				s, err := p.str()
				r.ReadOnly = s == "true"
				return err
			}
			return p.skip()
		case "userIdentity":
			return p.identity(&r.UserIdentity)
		case "requestParameters":
			if p.peek() != '{' {
				return p.skip()
			}
			r.RequestParameters = &requestParams{}
			rp := r.RequestParameters
			return p.object(func(k []byte) error {
				switch string(k) {
				case "secretId":
					return p.setFlex(&rp.SecretID)
				case "versionId":
					return p.setFlex(&rp.VersionID)
				case "versionStage":
					return p.setFlex(&rp.VersionStage)
				case "name":
					return p.setFlex(&rp.Name)
				}
				return p.skip()
			})
		case "responseElements":
			if p.peek() != '{' {
				return p.skip()
			}
			r.ResponseElements = &responseElems{}
			re := r.ResponseElements
			return p.object(func(k []byte) error {
				switch string(k) {
				case "arn", "ARN":
					return p.setFlex(&re.ARN)
				case "aRN":
					return p.setFlex(&re.ARNOld)
				case "name":
					return p.setFlex(&re.Name)
				case "versionId":
					return p.setFlex(&re.VersionID)
				}
				return p.skip()
			})
		case "additionalEventData":
			if p.peek() != '{' {
				return p.skip()
			}
			r.AdditionalEventData = &additional{}
			ad := r.AdditionalEventData
			return p.object(func(k []byte) error {
				if string(k) == "SecretId" {
					return p.setFlex(&ad.SecretID)
				}
				return p.skip()
			})
		case "resources":
			return p.array(func() error {
				var res resource
				err := p.object(func(k []byte) error {
					switch string(k) {
					case "ARN":
						return p.setStr(&res.ARN)
					case "type":
						return p.setStr(&res.Type)
					}
					return p.skip()
				})
				r.Resources = append(r.Resources, res)
				return err
			})
		}
		return p.skip()
	})
	if err != nil {
		return err
	}
	if p.ws(); p.i < len(p.b) { // peek gives 0 for a NUL byte too
		return fmt.Errorf("%w: trailing data", errSyntax)
	}
	return nil
}

func (p *parser) setFlex(dst *flexString) error {
	s, err := p.strOrNull()
	*dst = flexString(s)
	return err
}

func (p *parser) identity(u *Identity) error {
	return p.object(func(k []byte) error {
		switch string(k) {
		case "type":
			return p.setStr(&u.Type)
		case "principalId":
			return p.setStr(&u.PrincipalID)
		case "arn":
			return p.setStr(&u.ARN)
		case "accountId":
			return p.setStr(&u.AccountID)
		case "accessKeyId":
			return p.setStr(&u.AccessKeyID)
		case "userName":
			return p.setStr(&u.UserName)
		case "invokedBy":
			return p.setStr(&u.InvokedBy)
		case "host":
			return p.setStr(&u.Host)
		case "sessionContext":
			if p.peek() != '{' {
				return p.skip()
			}
			if u.SessionContext == nil {
				u.SessionContext = &sessionContext{}
			}
			sc := u.SessionContext
			return p.object(func(k []byte) error {
				if string(k) != "sessionIssuer" {
					return p.skip()
				}
				return p.object(func(k []byte) error {
					switch string(k) {
					case "type":
						return p.setStr(&sc.SessionIssuer.Type)
					case "arn":
						return p.setStr(&sc.SessionIssuer.ARN)
					case "userName":
						return p.setStr(&sc.SessionIssuer.UserName)
					}
					return p.skip()
				})
			})
		}
		return p.skip()
	})
}

// parseEventTime reads CloudTrail's "2006-01-02T15:04:05Z" quickly, and
// any other RFC 3339 form the slow way.
func parseEventTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if len(s) == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z' {
		n := func(a, b int) int {
			v := 0
			for _, c := range []byte(s[a:b]) {
				if c < '0' || c > '9' {
					return -1
				}
				v = v*10 + int(c-'0')
			}
			return v
		}
		y, mo, d, h, mi, se := n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19)
		if y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h < 24 && mi >= 0 && mi < 60 && se >= 0 && se < 61 {
			return time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC), nil
		}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("eventTime %s: %w", strconv.Quote(s), err)
	}
	return t, nil
}
