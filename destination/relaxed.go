package destination

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits on what the parser accepts: a destination is a small, flat object,
// so anything far bigger or deeper is a mistake or an attack, and the
// recursion depth bounds the stack.
const (
	MaxSize  = 1 << 20 // bytes of JSON
	MaxDepth = 32      // nested objects and arrays
)

// jsonKind is the type of a parsed JSON value.
type jsonKind uint8

const (
	kindNull jsonKind = iota
	kindBool
	kindNumber
	kindString
	kindObject
	kindArray
)

// String names the kind the way error messages say it ("got a number").
func (k jsonKind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an object", "an array"}[k]
}

// jsonNode is one parsed value. Objects keep their members in file order so
// that errors follow the file.
type jsonNode struct {
	kind    jsonKind
	text    string // string value, number literal as written, or "true"/"false"
	members []jsonMember
	elems   []*jsonNode
}

// jsonMember is one key and its value; off is the key's byte offset.
type jsonMember struct {
	key   string
	off   int
	value *jsonNode
}

// jsonParser is a hand-written recursive-descent parser for strict JSON
// (RFC 8259) and the relaxed form integration platforms write: single
// quotes, unquoted keys, trailing commas and comments.
type jsonParser struct {
	data   []byte
	pos    int
	depth  int
	strict bool
}

// parseJSON parses data into a tree. Any error is a *SyntaxError.
func parseJSON(data []byte, strict bool) (*jsonNode, error) {
	p := &jsonParser{data: data, strict: strict}
	p.pos = len(utf8BOM(data)) // editors on Windows add one; RFC 8259 lets parsers ignore it
	if err := p.skipSpace(); err != nil {
		return nil, err
	}
	if p.pos >= len(p.data) {
		return nil, p.errorAt(p.pos, "empty input; a destination is a JSON object: { ... }")
	}
	if p.data[p.pos] != '{' {
		return nil, p.errorAt(p.pos, "expected '{'; a destination is a JSON object: { ... }")
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if err := p.skipSpace(); err != nil {
		return nil, err
	}
	if p.pos < len(p.data) {
		return nil, p.errorAt(p.pos, "unexpected text after the closing '}'")
	}
	return v, nil
}

func utf8BOM(data []byte) []byte {
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		return data[:3]
	}
	return nil
}

// errorAt returns a *SyntaxError at byte offset off, counting lines and
// characters from the start: errors are rare, so positions are computed
// only then.
func (p *jsonParser) errorAt(off int, format string, args ...any) *SyntaxError {
	line, col := 1, 1
	for i := 0; i < off && i < len(p.data); {
		if p.data[i] == '\n' {
			line, col = line+1, 1
			i++
			continue
		}
		_, size := utf8.DecodeRune(p.data[i:])
		i += size
		col++
	}
	return &SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// skipSpace skips whitespace and, in relaxed mode, comments.
func (p *jsonParser) skipSpace() error {
	for p.pos < len(p.data) {
		switch c := p.data[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.pos++
		case c == '/' && p.pos+1 < len(p.data) && (p.data[p.pos+1] == '/' || p.data[p.pos+1] == '*'):
			if p.strict {
				return p.errorAt(p.pos, "comments are not allowed in strict JSON")
			}
			if err := p.skipComment(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

func (p *jsonParser) skipComment() error {
	start := p.pos
	if p.data[p.pos+1] == '/' {
		end := bytes.IndexByte(p.data[p.pos:], '\n')
		if end < 0 {
			p.pos = len(p.data)
		} else {
			p.pos += end + 1
		}
		return nil
	}
	end := bytes.Index(p.data[p.pos+2:], []byte("*/"))
	if end < 0 {
		return p.errorAt(start, "unterminated comment: close it with */")
	}
	p.pos += 2 + end + 2
	return nil
}

// value parses any value at p.pos (whitespace already skipped).
func (p *jsonParser) value() (*jsonNode, error) {
	if p.pos >= len(p.data) {
		return nil, p.errorAt(p.pos, "unexpected end of input; expected a value")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"' || c == '\'':
		s, err := p.str()
		return &jsonNode{kind: kindString, text: s}, err
	case c == '-' || isDigit(c):
		return p.number()
	case isIdentByte(c):
		return p.literal()
	default:
		return nil, p.errorAt(p.pos, "unexpected %s; expected a value", describeByte(p.data[p.pos:]))
	}
}

// enter counts one level of nesting and refuses to go deeper than MaxDepth,
// so hostile input cannot exhaust the stack.
func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errorAt(p.pos, "nested deeper than %d levels", MaxDepth)
	}
	return nil
}

func (p *jsonParser) object() (*jsonNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.pos++ // {
	n := &jsonNode{kind: kindObject}
	seen := map[string]int{}
	for {
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.pos < len(p.data) && p.data[p.pos] == '}' {
			if len(n.members) > 0 && p.strict {
				return nil, p.errorAt(p.pos, "trailing comma before '}'; strict JSON allows none")
			}
			p.pos++
			return n, nil
		}
		m, err := p.member(seen)
		if err != nil {
			return nil, err
		}
		n.members = append(n.members, m)
		more, err := p.next('}')
		if err != nil || !more {
			return n, err
		}
	}
}

// member parses `key: value`, refusing a key already in seen.
func (p *jsonParser) member(seen map[string]int) (jsonMember, error) {
	m := jsonMember{off: p.pos}
	var err error
	if m.key, err = p.key(); err != nil {
		return m, err
	}
	id := m.key
	if !p.strict {
		id = strings.ToLower(id) // keys match case-insensitively, so duplicates do too
	}
	if first, dup := seen[id]; dup {
		return m, p.errorAt(m.off, "duplicate key %q (first on line %d); give each key once", shortKey(m.key), p.errorAt(first, "").Line)
	}
	seen[id] = m.off
	if err := p.skipSpace(); err != nil {
		return m, err
	}
	if p.pos >= len(p.data) || p.data[p.pos] != ':' {
		return m, p.errorAt(p.pos, "expected ':' after key %q", shortKey(m.key))
	}
	p.pos++
	if err := p.skipSpace(); err != nil {
		return m, err
	}
	m.value, err = p.value()
	return m, err
}

// key parses an object key: a string, or in relaxed mode an identifier.
func (p *jsonParser) key() (string, error) {
	if p.pos >= len(p.data) {
		return "", p.errorAt(p.pos, "unexpected end of input; expected a key or '}'")
	}
	c := p.data[p.pos]
	switch {
	case c == '"' || c == '\'':
		return p.str()
	case isIdentByte(c) && !p.strict:
		start := p.pos
		for p.pos < len(p.data) && isIdentByte(p.data[p.pos]) {
			p.pos++
		}
		return string(p.data[start:p.pos]), nil
	case isIdentByte(c):
		return "", p.errorAt(p.pos, "unquoted key; strict JSON needs keys in double quotes")
	default:
		return "", p.errorAt(p.pos, "unexpected %s; expected a key or '}'", describeByte(p.data[p.pos:]))
	}
}

// next consumes the ',' or the closing byte after a member or element. It
// reports whether another member or element may follow.
func (p *jsonParser) next(closing byte) (bool, error) {
	if err := p.skipSpace(); err != nil {
		return false, err
	}
	if p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ',':
			p.pos++
			return true, nil
		case closing:
			p.pos++
			return false, nil
		}
	}
	if p.pos >= len(p.data) {
		return false, p.errorAt(p.pos, "unexpected end of input; expected ',' or '%c'", closing)
	}
	return false, p.errorAt(p.pos, "expected ',' or '%c' after value", closing)
}

func (p *jsonParser) array() (*jsonNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.pos++ // [
	n := &jsonNode{kind: kindArray}
	for {
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.pos < len(p.data) && p.data[p.pos] == ']' {
			if len(n.elems) > 0 && p.strict {
				return nil, p.errorAt(p.pos, "trailing comma before ']'; strict JSON allows none")
			}
			p.pos++
			return n, nil
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.elems = append(n.elems, v)
		more, err := p.next(']')
		if err != nil || !more {
			return n, err
		}
	}
}

// literal parses true, false or null. Any other bare word is most likely an
// unquoted string; the message must not repeat it, as it may be a password.
func (p *jsonParser) literal() (*jsonNode, error) {
	start := p.pos
	for p.pos < len(p.data) && isIdentByte(p.data[p.pos]) {
		p.pos++
	}
	switch word := string(p.data[start:p.pos]); word {
	case "true", "false":
		return &jsonNode{kind: kindBool, text: word}, nil
	case "null":
		return &jsonNode{kind: kindNull}, nil
	}
	if p.strict {
		return nil, p.errorAt(start, "unquoted value; strings need double quotes, and true, false and null are lower case")
	}
	return nil, p.errorAt(start, "unquoted value; put strings in quotes ('...' or \"...\"), and write true, false and null in lower case")
}

// number parses an RFC 8259 number and keeps its text as written.
func (p *jsonParser) number() (*jsonNode, error) {
	start := p.pos
	p.accept('-')
	switch {
	case p.accept('0'):
		if p.pos < len(p.data) && isDigit(p.data[p.pos]) {
			return nil, p.errorAt(start, "invalid number: no leading zeros")
		}
	case p.digits() == 0:
		return nil, p.errorAt(start, "invalid number")
	}
	if p.accept('.') && p.digits() == 0 {
		return nil, p.errorAt(start, "invalid number: expected a digit after '.'")
	}
	if p.accept('e') || p.accept('E') {
		if !p.accept('+') {
			p.accept('-')
		}
		if p.digits() == 0 {
			return nil, p.errorAt(start, "invalid number: expected a digit in the exponent")
		}
	}
	if p.pos < len(p.data) && (isIdentByte(p.data[p.pos]) || p.data[p.pos] == '.') {
		return nil, p.errorAt(start, "invalid number; put values like 30s in quotes")
	}
	return &jsonNode{kind: kindNumber, text: string(p.data[start:p.pos])}, nil
}

func (p *jsonParser) accept(c byte) bool {
	if p.pos < len(p.data) && p.data[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *jsonParser) digits() int {
	start := p.pos
	for p.pos < len(p.data) && isDigit(p.data[p.pos]) {
		p.pos++
	}
	return p.pos - start
}

// str parses a double-quoted string, or in relaxed mode a single-quoted one.
// Messages point at the offending character but never quote the string's
// content.
func (p *jsonParser) str() (string, error) {
	start, quote := p.pos, p.data[p.pos]
	if quote == '\'' && p.strict {
		return "", p.errorAt(start, "single-quoted string; strict JSON needs double quotes")
	}
	p.pos++
	var b strings.Builder
	plain := p.pos // start of the run not yet copied into b
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == quote:
			s := string(p.data[plain:p.pos])
			p.pos++
			if b.Len() == 0 {
				return s, nil
			}
			b.WriteString(s)
			return b.String(), nil
		case c == '\\':
			b.Write(p.data[plain:p.pos])
			if err := p.escape(&b); err != nil {
				return "", err
			}
			plain = p.pos
		case c == '\n' || c == '\r':
			return "", p.errorAt(start, "unterminated string: close the quote before the end of the line")
		case c < 0x20 && (p.strict || c != '\t'):
			return "", p.errorAt(p.pos, "control character in string; write it as an escape such as \\t")
		case c < utf8.RuneSelf:
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errorAt(p.pos, "invalid UTF-8; save the file as UTF-8")
			}
			p.pos += size
		}
	}
	return "", p.errorAt(start, "unterminated string: the closing quote is missing")
}

// escape decodes the escape sequence at p.pos into b.
func (p *jsonParser) escape(b *strings.Builder) error {
	start := p.pos
	if p.pos+1 >= len(p.data) {
		return p.errorAt(start, "unterminated string: the closing quote is missing")
	}
	c := p.data[p.pos+1]
	p.pos += 2
	if r, ok := simpleEscapes[c]; ok && (c != '\'' || !p.strict) {
		b.WriteByte(r)
		return nil
	}
	if c != 'u' {
		if c == '\'' {
			return p.errorAt(start, "invalid escape \\'; strict JSON needs no escape for ' inside double quotes")
		}
		return p.errorAt(start, "invalid escape; use \\\\ for a backslash")
	}
	r, ok := p.hex4()
	if !ok {
		return p.errorAt(start, "invalid \\u escape; it takes four hex digits")
	}
	if utf16.IsSurrogate(r) {
		r = p.lowSurrogate(r)
	}
	b.WriteRune(r)
	return nil
}

// lowSurrogate combines high surrogate hi with a following \uDCxx escape;
// a lone surrogate becomes U+FFFD, as encoding/json does.
func (p *jsonParser) lowSurrogate(hi rune) rune {
	save := p.pos
	if p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
		p.pos += 2
		if lo, ok := p.hex4(); ok {
			if r := utf16.DecodeRune(hi, lo); r != utf8.RuneError {
				return r
			}
		}
	}
	p.pos = save
	return utf8.RuneError
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 16)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(v), true
}

var simpleEscapes = map[byte]byte{
	'"': '"', '\'': '\'', '\\': '\\', '/': '/',
	'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t',
}

// shortKey cuts a key down for a message: real keys are short, and a
// hostile one must not make the message huge.
func shortKey(key string) string {
	const limit = 64
	if len(key) <= limit {
		return key
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(key[cut]) {
		cut--
	}
	return key[:cut] + "..."
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isIdentByte reports whether c may appear in an unquoted key.
func isIdentByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) ||
		c == '_' || c == '$' || c == '-' || c == '.'
}

// describeByte names the character at the start of b for a message: JSON
// punctuation is quoted, anything else is described, so a stray character
// from a secret is never echoed.
func describeByte(b []byte) string {
	if len(b) == 0 {
		return "end of input"
	}
	if strings.IndexByte(`{}[]:,"'=;`, b[0]) >= 0 {
		return fmt.Sprintf("'%c'", b[0])
	}
	if r, size := utf8.DecodeRune(b); r == utf8.RuneError && size == 1 {
		return "invalid UTF-8"
	}
	return "character"
}
