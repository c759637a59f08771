package elastic

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds a fast TOML reader for the subset that rule files use.
// BurntSushi/toml lexes rune by rune through a channel and needs about 0.6 ms
// per rule file, which alone would take most of the time budget of a run over
// the Elastic corpus. decodeFast reads a file in one pass into the same
// shapes BurntSushi gives for map[string]any (string, int64, float64, bool,
// []any, map[string]any, and []map[string]any for arrays of tables). It
// gives up (ok = false) on anything outside the subset or malformed —
// datetimes, invalid numbers, duplicate keys or tables, unterminated strings —
// and Load then decodes the file with BurntSushi, which is the reference and
// reports errors with their position. A differential test checks that both
// decoders agree on every file of the corpora.

// maxNesting bounds the nesting of arrays and inline tables.
const maxNesting = 64

type fastDecoder struct {
	s       string
	i       int
	root    map[string]any
	cur     map[string]any
	defined map[string]bool // table headers seen, by path with array indices
	depth   int
	keyBuf  []string // reused by keyPath
}

// decodeFast decodes data; ok is false when the caller must fall back to the
// reference decoder.
func decodeFast(data string) (m map[string]any, ok bool) {
	d := &fastDecoder{s: data, root: map[string]any{}, defined: map[string]bool{}}
	d.cur = d.root
	if !d.document() {
		return nil, false
	}
	return d.root, true
}

func (d *fastDecoder) document() bool {
	if strings.HasPrefix(d.s, "\ufeff") {
		d.i = 3
	}
	for {
		d.skipBlankLines()
		if d.i >= len(d.s) {
			return true
		}
		switch d.s[d.i] {
		case '[':
			if !d.header() {
				return false
			}
		default:
			if !d.keyValue(d.cur) {
				return false
			}
		}
		if !d.endOfLine() {
			return false
		}
	}
}

// skipBlankLines skips whitespace, newlines and comments.
func (d *fastDecoder) skipBlankLines() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n':
			d.i++
		case '\r':
			d.i++
		case '#':
			d.skipComment()
		default:
			return
		}
	}
}

func (d *fastDecoder) skipComment() {
	if j := strings.IndexByte(d.s[d.i:], '\n'); j >= 0 {
		d.i += j
	} else {
		d.i = len(d.s)
	}
}

func (d *fastDecoder) skipSpaces() {
	for d.i < len(d.s) && (d.s[d.i] == ' ' || d.s[d.i] == '\t') {
		d.i++
	}
}

// endOfLine accepts trailing spaces, a comment and a newline (or EOF).
func (d *fastDecoder) endOfLine() bool {
	d.skipSpaces()
	if d.i < len(d.s) && d.s[d.i] == '#' {
		d.skipComment()
	}
	if d.i >= len(d.s) {
		return true
	}
	if d.s[d.i] == '\r' && d.i+1 < len(d.s) && d.s[d.i+1] == '\n' {
		d.i += 2
		return true
	}
	if d.s[d.i] == '\n' {
		d.i++
		return true
	}
	return false
}

// header reads `[a.b]` or `[[a.b]]` and makes its table current.
func (d *fastDecoder) header() bool {
	array := strings.HasPrefix(d.s[d.i:], "[[")
	if array {
		d.i += 2
	} else {
		d.i++
	}
	d.skipSpaces()
	keys, ok := d.keyPath()
	if !ok {
		return false
	}
	d.skipSpaces()
	if array {
		if !strings.HasPrefix(d.s[d.i:], "]]") {
			return false
		}
		d.i += 2
	} else {
		if d.i >= len(d.s) || d.s[d.i] != ']' {
			return false
		}
		d.i++
	}
	t := d.root
	var path strings.Builder
	for _, k := range keys[:len(keys)-1] {
		path.WriteString(k)
		path.WriteByte(0)
		switch v := t[k].(type) {
		case nil:
			n := map[string]any{}
			t[k] = n
			t = n
		case map[string]any:
			t = v
		case []map[string]any:
			path.WriteString(strconv.Itoa(len(v) - 1))
			path.WriteByte(0)
			t = v[len(v)-1]
		default:
			return false
		}
	}
	last := keys[len(keys)-1]
	path.WriteString(last)
	if array {
		switch v := t[last].(type) {
		case nil:
			n := map[string]any{}
			t[last] = []map[string]any{n}
			d.cur = n
		case []map[string]any:
			if !d.defined[path.String()] {
				return false // an array made by an inline value, not by [[ ]]
			}
			n := map[string]any{}
			t[last] = append(v, n)
			d.cur = n
		default:
			return false
		}
		d.defined[path.String()] = true
		return true
	}
	key := path.String()
	if d.defined[key] {
		return false
	}
	d.defined[key] = true
	switch v := t[last].(type) {
	case nil:
		n := map[string]any{}
		t[last] = n
		d.cur = n
	case map[string]any:
		d.cur = v
	default:
		return false
	}
	return true
}

// keyPath reads a dotted key. The result is valid until the next call.
func (d *fastDecoder) keyPath() ([]string, bool) {
	keys := d.keyBuf[:0]
	defer func() { d.keyBuf = keys[:0] }()
	for {
		d.skipSpaces()
		k, ok := d.key()
		if !ok {
			return nil, false
		}
		keys = append(keys, k)
		d.skipSpaces()
		if d.i < len(d.s) && d.s[d.i] == '.' {
			d.i++
			continue
		}
		return keys, true
	}
}

func isBareKey(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func (d *fastDecoder) key() (string, bool) {
	if d.i >= len(d.s) {
		return "", false
	}
	switch d.s[d.i] {
	case '"':
		if strings.HasPrefix(d.s[d.i:], `"""`) {
			return "", false
		}
		return d.basicString()
	case '\'':
		if strings.HasPrefix(d.s[d.i:], `'''`) {
			return "", false
		}
		return d.literalString()
	}
	start := d.i
	for d.i < len(d.s) && isBareKey(d.s[d.i]) {
		d.i++
	}
	return d.s[start:d.i], d.i > start
}

// keyValue reads `key = value` into t.
func (d *fastDecoder) keyValue(t map[string]any) bool {
	keys, ok := d.keyPath()
	if !ok {
		return false
	}
	if d.i >= len(d.s) || d.s[d.i] != '=' {
		return false
	}
	d.i++
	d.skipSpaces()
	for _, k := range keys[:len(keys)-1] {
		switch v := t[k].(type) {
		case nil:
			n := map[string]any{}
			t[k] = n
			t = n
		case map[string]any:
			t = v
		default:
			return false
		}
	}
	last := keys[len(keys)-1]
	if _, dup := t[last]; dup {
		return false
	}
	v, ok := d.value()
	if !ok {
		return false
	}
	t[last] = v
	return true
}

func (d *fastDecoder) value() (any, bool) {
	if d.i >= len(d.s) {
		return nil, false
	}
	switch c := d.s[d.i]; {
	case c == '"':
		if strings.HasPrefix(d.s[d.i:], `"""`) {
			return d.multiBasic()
		}
		return d.basicString()
	case c == '\'':
		if strings.HasPrefix(d.s[d.i:], `'''`) {
			return d.multiLiteral()
		}
		return d.literalString()
	case c == '[':
		return d.array()
	case c == '{':
		return d.inlineTable()
	case strings.HasPrefix(d.s[d.i:], "true"):
		d.i += 4
		return true, d.atValueEnd()
	case strings.HasPrefix(d.s[d.i:], "false"):
		d.i += 5
		return false, d.atValueEnd()
	}
	return d.number()
}

// atValueEnd reports whether a value ends at the current position.
func (d *fastDecoder) atValueEnd() bool {
	if d.i >= len(d.s) {
		return true
	}
	switch d.s[d.i] {
	case ' ', '\t', '\r', '\n', '#', ',', ']', '}':
		return true
	}
	return false
}

func (d *fastDecoder) number() (any, bool) {
	start := d.i
	for d.i < len(d.s) && (isBareKey(d.s[d.i]) || d.s[d.i] == '+' || d.s[d.i] == '.') {
		d.i++
	}
	tok := d.s[start:d.i]
	if tok == "" || !d.atValueEnd() {
		return nil, false
	}
	digits := strings.TrimLeft(tok, "+-")
	if len(digits) > 1 && digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9' {
		return nil, false // leading zero, or a date
	}
	if strings.Contains(tok, "__") || strings.HasPrefix(digits, "_") || strings.HasSuffix(tok, "_") {
		return nil, false
	}
	clean := strings.ReplaceAll(tok, "_", "")
	if len(digits) > 1 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'o' || digits[1] == 'b') {
		if tok[0] == '+' || tok[0] == '-' {
			return nil, false
		}
		n, err := strconv.ParseInt(clean, 0, 64)
		return n, err == nil
	}
	if n, err := strconv.ParseInt(clean, 10, 64); err == nil {
		return n, true
	}
	// Floats: digits with a fraction and/or exponent; no inf/nan or
	// hex floats (the reference decoder handles those).
	for i := 0; i < len(clean); i++ {
		c := clean[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return nil, false
		}
	}
	if strings.HasPrefix(digits, ".") || strings.Contains(clean, ".e") || strings.Contains(clean, ".E") || strings.HasSuffix(clean, ".") {
		return nil, false
	}
	f, err := strconv.ParseFloat(clean, 64)
	return f, err == nil
}

func (d *fastDecoder) array() (any, bool) {
	if d.depth++; d.depth > maxNesting {
		return nil, false
	}
	defer func() { d.depth-- }()
	d.i++ // '['
	out := []any{}
	for {
		d.skipBlankLines()
		if d.i >= len(d.s) {
			return nil, false
		}
		if d.s[d.i] == ']' {
			d.i++
			return out, true
		}
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		d.skipBlankLines()
		if d.i < len(d.s) && d.s[d.i] == ',' {
			d.i++
			continue
		}
		d.skipBlankLines()
		if d.i < len(d.s) && d.s[d.i] == ']' {
			d.i++
			return out, true
		}
		return nil, false
	}
}

func (d *fastDecoder) inlineTable() (any, bool) {
	if d.depth++; d.depth > maxNesting {
		return nil, false
	}
	defer func() { d.depth-- }()
	d.i++ // '{'
	t := map[string]any{}
	d.skipSpaces()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return t, true
	}
	for {
		d.skipSpaces()
		if !d.keyValue(t) {
			return nil, false
		}
		d.skipSpaces()
		if d.i >= len(d.s) {
			return nil, false
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return t, true
		default:
			return nil, false
		}
	}
}

func (d *fastDecoder) literalString() (string, bool) {
	d.i++
	j := strings.IndexAny(d.s[d.i:], "'\n")
	if j < 0 || d.s[d.i+j] != '\'' {
		return "", false
	}
	v := d.s[d.i : d.i+j]
	d.i += j + 1
	return v, validText(v)
}

func (d *fastDecoder) multiLiteral() (any, bool) {
	d.i += 3
	d.skipFirstNewline()
	j := strings.Index(d.s[d.i:], `'''`)
	if j < 0 {
		return nil, false
	}
	end := d.i + j
	// Up to two quotes may precede the closing delimiter.
	for k := 0; k < 2 && end+3 < len(d.s) && d.s[end+3] == '\''; k++ {
		end++
	}
	v := d.s[d.i:end]
	d.i = end + 3
	return v, validText(strings.ReplaceAll(v, "\r\n", "\n"))
}

func (d *fastDecoder) skipFirstNewline() {
	if strings.HasPrefix(d.s[d.i:], "\r\n") {
		d.i += 2
	} else if strings.HasPrefix(d.s[d.i:], "\n") {
		d.i++
	}
}

// validText rejects control characters other than tab and newline, as
// TOML does.
func validText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
			return false
		}
	}
	return utf8.ValidString(s)
}

func (d *fastDecoder) basicString() (string, bool) {
	d.i++
	start := d.i
	for d.i < len(d.s) {
		switch c := d.s[d.i]; c {
		case '"':
			v := d.s[start:d.i]
			d.i++
			return v, validText(v) && !strings.Contains(v, "\n")
		case '\\':
			d.i = start - 1
			return d.escapedString(false)
		case '\n':
			return "", false
		}
		d.i++
	}
	return "", false
}

func (d *fastDecoder) multiBasic() (any, bool) {
	d.i += 3
	d.skipFirstNewline()
	return d.escapedString(true)
}

// escapedString reads a basic string with escapes from d.i (at the opening
// quote for single-line strings, after the delimiter for multi-line ones).
func (d *fastDecoder) escapedString(multi bool) (string, bool) {
	if !multi {
		d.i++
	}
	var b strings.Builder
	for d.i < len(d.s) {
		// Copy the run of plain characters in one go.
		j := d.i
		for j < len(d.s) {
			c := d.s[j]
			if c == '"' || c == '\\' || c == '\r' || c < 0x20 && c != '\t' && c != '\n' || c == 0x7f || c == '\n' && !multi {
				break
			}
			j++
		}
		if j > d.i {
			if b.Len() == 0 {
				b.Grow(j - d.i + 16)
			}
			b.WriteString(d.s[d.i:j])
			d.i = j
			continue
		}
		c := d.s[d.i]
		switch {
		case c == '"':
			if !multi {
				d.i++
				return b.String(), utf8.ValidString(b.String())
			}
			if strings.HasPrefix(d.s[d.i:], `"""`) {
				n := 3
				for n < 5 && d.i+n < len(d.s) && d.s[d.i+n] == '"' {
					n++
				}
				b.WriteString(strings.Repeat(`"`, n-3))
				d.i += n
				return b.String(), utf8.ValidString(b.String())
			}
			b.WriteByte('"')
			d.i++
		case c == '\\':
			if d.i+1 >= len(d.s) {
				return "", false
			}
			e := d.s[d.i+1]
			d.i += 2
			switch e {
			case 'b':
				b.WriteByte('\b')
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'f':
				b.WriteByte('\f')
			case 'r':
				b.WriteByte('\r')
			case '"':
				b.WriteByte('"')
			case '\\':
				b.WriteByte('\\')
			case 'u', 'U':
				n := 4
				if e == 'U' {
					n = 8
				}
				if d.i+n > len(d.s) {
					return "", false
				}
				r, err := strconv.ParseUint(d.s[d.i:d.i+n], 16, 32)
				if err != nil || !utf8.ValidRune(rune(r)) {
					return "", false
				}
				b.WriteRune(rune(r))
				d.i += n
			case ' ', '\t', '\r', '\n':
				// Line-ending backslash: trim whitespace up to the next
				// non-whitespace character.
				if !multi {
					return "", false
				}
				d.i--
				j := d.i
				for j < len(d.s) && (d.s[j] == ' ' || d.s[j] == '\t') {
					j++
				}
				if j >= len(d.s) || (d.s[j] != '\n' && d.s[j] != '\r') {
					return "", false
				}
				for j < len(d.s) && (d.s[j] == ' ' || d.s[j] == '\t' || d.s[j] == '\n' || d.s[j] == '\r') {
					j++
				}
				d.i = j
			default:
				return "", false
			}
		case c == '\n' && !multi:
			return "", false
		case c == '\r' && multi && d.i+1 < len(d.s) && d.s[d.i+1] == '\n':
			b.WriteString("\r\n") // kept as written, like BurntSushi/toml
			d.i += 2
		case c < 0x20 && c != '\t' && (c != '\n' || !multi) || c == 0x7f:
			return "", false
		default:
			b.WriteByte(c)
			d.i++
		}
	}
	return "", false
}
