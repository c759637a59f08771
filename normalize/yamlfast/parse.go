package yamlfast

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// ErrUnsupported is wrapped by every error Parse returns: the input is
// outside the supported subset (or is not valid YAML), and the caller should
// use yaml.v3 instead.
var ErrUnsupported = errors.New("yamlfast: unsupported YAML")

// MaxInput is the largest input Parse accepts (larger inputs are unsupported).
const MaxInput = 16 << 20

// MaxDepth is the deepest collection nesting Parse accepts.
const MaxDepth = 200

// maxKeyLen bounds simple keys (yaml.v3 allows at most 1024 characters).
const maxKeyLen = 1000

// Parse parses data into one DocumentNode per YAML document, with the same
// trees yaml.v3 builds (comments excepted). Inputs outside the supported
// subset return an error wrapping ErrUnsupported.
func Parse(data []byte) (docs []*yaml.Node, err error) {
	if len(data) > MaxInput {
		return nil, fmt.Errorf("%w: input larger than %d bytes", ErrUnsupported, MaxInput)
	}
	p := &parser{s: data}
	if err := p.validate(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			if u, ok := r.(unsupported); ok {
				docs, err = nil, fmt.Errorf("%w: line %d: %s", ErrUnsupported, u.line+1, u.msg)
				return
			}
			panic(r)
		}
	}()
	return p.stream(), nil
}

// Unmarshal decodes the first document of data into v like yaml.Unmarshal,
// using Parse when it can and yaml.Unmarshal otherwise (so errors are
// yaml.v3's).
func Unmarshal(data []byte, v any) error {
	docs, err := Parse(data)
	if err != nil {
		return yaml.Unmarshal(data, v)
	}
	if len(docs) == 0 {
		return nil
	}
	return docs[0].Decode(v)
}

// Documents returns one DocumentNode per document of data, using Parse when
// it can and a yaml.v3 Decoder loop otherwise.
func Documents(data []byte) ([]*yaml.Node, error) {
	docs, err := Parse(data)
	if err == nil {
		return docs, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	docs = docs[:0]
	for {
		n := new(yaml.Node)
		if err := dec.Decode(n); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, err
		}
		docs = append(docs, n)
	}
}

type unsupported struct {
	line int
	msg  string
}

type parser struct {
	s         []byte
	i         int // byte offset
	line      int // 0-based line of s[i]
	lineStart int // byte offset of the current line
	depth     int
	// column cache: column colVal at offset colPos of the line at colLine
	colLine, colPos, colVal int
	slab                    []yaml.Node
	buf                     []byte
}

func (p *parser) fail(msg string) {
	panic(unsupported{p.line, msg})
}

// validate rejects characters yaml.v3 refuses or treats specially.
func (p *parser) validate() error {
	s := p.s
	for i := 0; i < len(s); {
		b := s[i]
		if b < 0x80 {
			switch {
			case b == '\r':
				if i+1 >= len(s) || s[i+1] != '\n' {
					return fmt.Errorf("%w: lone CR line break", ErrUnsupported)
				}
			case b < 0x20 && b != '\t' && b != '\n', b == 0x7f:
				return fmt.Errorf("%w: control character %#x", ErrUnsupported, b)
			}
			i++
			continue
		}
		r, w := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && w <= 1:
			return fmt.Errorf("%w: invalid UTF-8", ErrUnsupported)
		case r == 0xFEFF && i == 0:
		case r < 0xA0, r >= 0xD800 && r <= 0xDFFF, r == 0xFEFF, r == 0xFFFE, r == 0xFFFF,
			r == 0x2028, r == 0x2029:
			return fmt.Errorf("%w: character %U", ErrUnsupported, r)
		}
		i += w
	}
	return nil
}

func (p *parser) newNode(kind yaml.Kind, tag string, line, col int) *yaml.Node {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]yaml.Node, 0, 64)
	}
	p.slab = p.slab[:len(p.slab)+1]
	n := &p.slab[len(p.slab)-1]
	n.Kind, n.Tag, n.Line, n.Column = kind, tag, line+1, col+1
	return n
}

// at returns the byte at offset i+k, or 0 at the end.
func (p *parser) at(k int) byte {
	if p.i+k < len(p.s) {
		return p.s[p.i+k]
	}
	return 0
}

func (p *parser) eof() bool { return p.i >= len(p.s) }

// blankz reports whether offset i+k is a space, tab, line break or the end.
func (p *parser) blankz(k int) bool {
	switch p.at(k) {
	case ' ', '\t', '\r', '\n', 0:
		return true
	}
	return false
}

func (p *parser) isBreak() bool {
	return p.i < len(p.s) && (p.s[p.i] == '\n' || p.s[p.i] == '\r')
}

// col is the 0-based column of s[i] in characters.
func (p *parser) col() int {
	return p.colAt(p.i)
}

func (p *parser) colAt(i int) int {
	from, n := p.lineStart, 0
	if p.colLine == p.lineStart && p.colPos <= i && p.colPos >= p.lineStart {
		from, n = p.colPos, p.colVal
	}
	for _, b := range p.s[from:i] {
		if b&0xC0 != 0x80 {
			n++
		}
	}
	p.colLine, p.colPos, p.colVal = p.lineStart, i, n
	return n
}

// newline consumes a line break (LF or CRLF).
func (p *parser) newline() {
	if p.s[p.i] == '\r' {
		p.i++
	}
	p.i++
	p.line++
	p.lineStart = p.i
}

// docMarker reports whether a "---" or "..." document marker starts at i.
func (p *parser) docMarker() bool {
	if p.i != p.lineStart || p.i+3 > len(p.s) {
		return false
	}
	c := p.s[p.i]
	return (c == '-' || c == '.') && p.s[p.i+1] == c && p.s[p.i+2] == c && p.blankz(3)
}

// skipComment skips a comment up to the line break.
func (p *parser) skipComment() {
	for p.i < len(p.s) && p.s[p.i] != '\n' && p.s[p.i] != '\r' {
		p.i++
	}
}

// skip moves to the next content character in block context. Tabs are
// accepted on the current line only when tabs is true (after a scalar or a
// flow collection, where yaml.v3 skips them); in indentation they are
// unsupported.
func (p *parser) skip(tabs bool) {
	for {
		for p.i < len(p.s) && (p.s[p.i] == ' ' || (tabs && p.s[p.i] == '\t')) {
			p.i++
		}
		if p.eof() {
			return
		}
		switch p.s[p.i] {
		case '#':
			if p.i > p.lineStart {
				if c := p.s[p.i-1]; c != ' ' && c != '\t' {
					p.fail("comment without preceding space")
				}
			}
			p.skipComment()
			continue
		case '\n', '\r':
			p.newline()
			tabs = false
			continue
		case '\t':
			p.fail("tab in indentation")
		}
		return
	}
}

func (p *parser) stream() []*yaml.Node {
	if bytes.HasPrefix(p.s, []byte("\xEF\xBB\xBF")) {
		p.i = 3
		p.lineStart = 3
	}
	var docs []*yaml.Node
	for {
		p.skip(false)
		if p.eof() {
			return docs
		}
		if p.s[p.i] == '%' {
			p.fail("directive")
		}
		explicit := false
		dline, dcol := p.line, p.col()
		if p.docMarker() {
			if p.s[p.i] == '.' {
				p.fail("document end without document")
			}
			explicit = true
			p.i += 3
			for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
				p.i++
			}
			if !p.eof() && p.s[p.i] != '#' && !p.isBreak() {
				p.fail("content on the document start line")
			}
			p.skip(true)
			if p.eof() || p.docMarker() {
				p.fail("empty document")
			}
		}
		root := p.blockNode(-1, ctxFresh)
		if !explicit {
			dline, dcol = root.Line-1, root.Column-1
		}
		doc := p.newNode(yaml.DocumentNode, "", dline, dcol)
		doc.Content = []*yaml.Node{root}
		docs = append(docs, doc)
		p.skip(p.afterContent())
		if p.eof() {
			return docs
		}
		if !p.docMarker() {
			p.fail("unexpected content after the document")
		}
		if p.s[p.i] == '.' {
			p.i += 3
			p.skip(true)
			if p.eof() {
				return docs
			}
			if !p.docMarker() || p.s[p.i] != '-' {
				p.fail("content after document end")
			}
		}
	}
}

const (
	ctxFresh = iota // first token on its line
	ctxDash         // after "- " on the same line
	ctxColon        // after "key: " on the same line
)

// blockNode parses a node starting at the current position. indent is the
// indentation of the enclosing block collection (-1 at the root).
func (p *parser) blockNode(indent, ctx int) *yaml.Node {
	p.depth++
	if p.depth > MaxDepth {
		p.fail("nesting too deep")
	}
	defer func() { p.depth-- }()
	c := p.s[p.i]
	switch c {
	case '-':
		if p.blankz(1) {
			if ctx == ctxColon {
				p.fail("block sequence on the key line")
			}
			return p.blockSeq(p.col(), false)
		}
	case '|', '>':
		return p.blockScalar(indent)
	case '[', '{':
		if ctx != ctxColon && p.flowIsKey() {
			p.fail("collection as mapping key")
		}
		return p.flowNode(indent)
	case '&', '*', '!', '%', '@', '`', '?', ':', ',', ']', '}', '#':
		p.fail(fmt.Sprintf("unsupported indicator %q", c))
	}
	if ctx != ctxColon {
		// A mapping when a single-line key followed by ": " starts here.
		save, line := p.i, p.col()
		if p.keyAhead() {
			p.i = save
			return p.blockMap(line, indent)
		}
		p.i = save
	}
	return p.scalar(indent)
}

// keyAhead scans a single-line scalar and reports whether ": " follows it.
// It leaves i anywhere; callers restore it.
func (p *parser) keyAhead() bool {
	start := p.i
	switch p.s[p.i] {
	case '"', '\'':
		q := p.s[p.i]
		p.i++
		for {
			if p.eof() || p.isBreak() {
				return false
			}
			b := p.s[p.i]
			if q == '"' && b == '\\' {
				p.i += 2
				continue
			}
			if b == q {
				if q == '\'' && p.at(1) == '\'' {
					p.i += 2
					continue
				}
				p.i++
				break
			}
			p.i++
		}
		for p.i < len(p.s) && p.s[p.i] == ' ' {
			p.i++
		}
	default:
		for !p.eof() && !p.isBreak() {
			b := p.s[p.i]
			if b == ':' && p.blankz(1) {
				break
			}
			if b == '#' && (p.s[p.i-1] == ' ' || p.s[p.i-1] == '\t') {
				return false
			}
			p.i++
		}
	}
	if p.i-start > maxKeyLen {
		return false
	}
	return !p.eof() && p.s[p.i] == ':' && p.blankz(1)
}

// flowIsKey reports whether the flow collection at i is followed by ":" on
// its line (a collection used as a key). It only needs to be conservative.
func (p *parser) flowIsKey() bool {
	for j := p.i; j < len(p.s) && p.s[j] != '\n' && p.s[j] != '\r'; j++ {
		if p.s[j] == ':' {
			return true
		}
	}
	return false
}

func (p *parser) blockMap(col, indent int) *yaml.Node {
	m := p.newNode(yaml.MappingNode, "!!map", p.line, col)
	for {
		// At a key in column col.
		kline, kcol := p.line, p.col()
		var key *yaml.Node
		switch p.s[p.i] {
		case '"', '\'':
			key = p.quoted(indent)
			if key.Line-1 != p.line {
				p.fail("multi-line key")
			}
			for p.i < len(p.s) && p.s[p.i] == ' ' {
				p.i++
			}
		case '&', '*', '!', '%', '@', '`', '?', ':', ',', '[', ']', '{', '}', '#', '|', '>':
			p.fail("unsupported key")
		default:
			if p.s[p.i] == '-' && p.blankz(1) {
				p.fail("sequence entry in a mapping")
			}
			start := p.i
			for {
				if p.eof() || p.isBreak() {
					p.fail("key without ':'")
				}
				b := p.s[p.i]
				if b == ':' && p.blankz(1) {
					break
				}
				if b == '#' && (p.s[p.i-1] == ' ' || p.s[p.i-1] == '\t') {
					p.fail("key without ':'")
				}
				p.i++
			}
			end := p.i
			for end > start && (p.s[end-1] == ' ' || p.s[end-1] == '\t') {
				end--
			}
			if p.i-start > maxKeyLen {
				p.fail("key too long")
			}
			key = p.newNode(yaml.ScalarNode, "", kline, kcol)
			key.Value = string(p.s[start:end])
			key.Tag = resolvePlain(key.Value)
			if key.Value == "<<" {
				p.fail("merge key")
			}
		}
		if p.eof() || p.s[p.i] != ':' || !p.blankz(1) {
			p.fail("key without ':'")
		}
		vline, vcol := p.line, p.col()+1
		p.i++
		for p.i < len(p.s) && p.s[p.i] == ' ' {
			p.i++
		}
		var val *yaml.Node
		if p.eof() || p.isBreak() || p.s[p.i] == '#' {
			p.skip(false)
			switch {
			case p.eof() || p.docMarker() || p.col() < col:
				val = p.empty(vline, vcol)
			case p.col() == col:
				if p.s[p.i] == '-' && p.blankz(1) {
					p.depth++
					if p.depth > MaxDepth {
						p.fail("nesting too deep")
					}
					val = p.blockSeq(col, true)
					p.depth--
				} else {
					val = p.empty(vline, vcol)
				}
			default:
				val = p.blockNode(col, ctxFresh)
			}
		} else if p.s[p.i] == '\t' {
			p.fail("tab after ':'")
		} else {
			val = p.blockNode(col, ctxColon)
		}
		m.Content = append(m.Content, key, val)
		p.skip(p.afterContent())
		if p.eof() || p.docMarker() {
			return m
		}
		if p.afterContent() {
			p.fail("next entry on the line of a multi-line scalar")
		}
		nc := p.col()
		if nc < col {
			return m
		}
		if nc > col {
			p.fail("unexpected indentation in mapping")
		}
	}
}

// afterContent reports whether the current line has non-blank text before
// i (then yaml.v3 skips tabs before the next token).
func (p *parser) afterContent() bool {
	for j := p.i - 1; j >= p.lineStart; j-- {
		if p.s[j] != ' ' && p.s[j] != '\t' {
			return true
		}
	}
	return false
}

func (p *parser) empty(line, col int) *yaml.Node {
	return p.newNode(yaml.ScalarNode, "!!null", line, col)
}

func (p *parser) blockSeq(col int, indentless bool) *yaml.Node {
	s := p.newNode(yaml.SequenceNode, "!!seq", p.line, col)
	for {
		// At "-" in column col.
		eline, ecol := p.line, col+1
		p.i++
		for p.i < len(p.s) && p.s[p.i] == ' ' {
			p.i++
		}
		var val *yaml.Node
		if p.eof() || p.isBreak() || p.s[p.i] == '#' {
			p.skip(false)
			if p.eof() || p.docMarker() || p.col() <= col {
				val = p.empty(eline, ecol)
			} else {
				val = p.blockNode(col, ctxFresh)
			}
		} else if p.s[p.i] == '\t' {
			p.fail("tab after '-'")
		} else {
			val = p.blockNode(col, ctxDash)
		}
		s.Content = append(s.Content, val)
		p.skip(p.afterContent())
		if p.eof() || p.docMarker() {
			return s
		}
		if p.afterContent() {
			p.fail("next entry on the line of a multi-line scalar")
		}
		nc := p.col()
		if nc < col {
			return s
		}
		if nc > col {
			p.fail("unexpected indentation in sequence")
		}
		if p.s[p.i] != '-' || !p.blankz(1) {
			if indentless {
				return s
			}
			p.fail("expected '-' in sequence")
		}
	}
}

// scalar parses a plain or quoted scalar or a flow collection in block
// context; indent is the enclosing block indentation.
func (p *parser) scalar(indent int) *yaml.Node {
	switch p.s[p.i] {
	case '"', '\'':
		return p.quoted(indent)
	case '[', '{':
		return p.flowNode(indent)
	}
	return p.plain(indent)
}

// plain scans a (possibly multi-line) plain scalar in block context.
func (p *parser) plain(indent int) *yaml.Node {
	n := p.newNode(yaml.ScalarNode, "", p.line, p.col())
	// Fast path: a single line ending in a line break, comment or end.
	start := p.i
	j := p.i
	for j < len(p.s) {
		b := p.s[j]
		if b == '\n' || b == '\r' {
			break
		}
		if b == ':' && (j+1 >= len(p.s) || isBlank(p.s[j+1])) {
			break
		}
		if b == '#' && (p.s[j-1] == ' ' || p.s[j-1] == '\t') {
			break
		}
		j++
	}
	end := j
	for end > start && (p.s[end-1] == ' ' || p.s[end-1] == '\t') {
		end--
	}
	// Multi-line when the next non-empty line continues the scalar.
	if j >= len(p.s) || p.s[j] == ':' || p.s[j] == '#' || !p.continues(j, indent) {
		p.i = end
		n.Value = string(p.s[start:end])
		n.Tag = resolvePlain(n.Value)
		return n
	}
	p.i = start
	n.Value = p.plainMulti(indent)
	n.Tag = resolvePlain(n.Value)
	return n
}

func isBlank(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r'
}

// continues reports whether a plain scalar ending at the line break at j
// continues on a following line (a non-empty line indented beyond indent
// that is not a comment or document marker).
func (p *parser) continues(j, indent int) bool {
	for j < len(p.s) {
		// j is at a line break.
		if p.s[j] == '\r' {
			j++
		}
		j++
		ls := j
		for j < len(p.s) && (p.s[j] == ' ' || p.s[j] == '\t') {
			j++
		}
		if j >= len(p.s) {
			return false
		}
		if p.s[j] == '\n' || p.s[j] == '\r' {
			continue
		}
		if j-ls < indent+1 {
			return false
		}
		if p.s[j] == '#' {
			return false
		}
		if j == ls && j+3 <= len(p.s) && (string(p.s[j:j+3]) == "---" || string(p.s[j:j+3]) == "...") {
			return false
		}
		return true
	}
	return false
}

// plainMulti is yaml.v3's plain scalar folding for block context.
func (p *parser) plainMulti(indent int) string {
	var s, ws, lead, trail []byte
	leading := false
	minCol := indent + 1
	for {
		if p.docMarker() {
			break
		}
		if !p.eof() && p.s[p.i] == '#' {
			break
		}
		for !p.eof() && !isBlank(p.s[p.i]) {
			if p.s[p.i] == ':' && p.blankz(1) {
				break
			}
			if leading || len(ws) > 0 {
				if leading {
					if lead[0] == '\n' {
						if len(trail) == 0 {
							s = append(s, ' ')
						} else {
							s = append(s, trail...)
						}
					} else {
						s = append(s, lead...)
						s = append(s, trail...)
					}
					trail, lead = trail[:0], lead[:0]
					leading = false
				} else {
					s = append(s, ws...)
					ws = ws[:0]
				}
			}
			s = append(s, p.s[p.i])
			p.i++
		}
		if p.eof() || !isBlank(p.s[p.i]) {
			break
		}
		for !p.eof() && isBlank(p.s[p.i]) {
			b := p.s[p.i]
			if b == ' ' || b == '\t' {
				if leading && b == '\t' {
					p.fail("tab in plain scalar indentation")
				}
				if !leading {
					ws = append(ws, b)
				}
				p.i++
				continue
			}
			p.newline()
			if !leading {
				ws = ws[:0]
				lead = append(lead, '\n')
				leading = true
			} else {
				trail = append(trail, '\n')
			}
		}
		if p.col() < minCol {
			break
		}
	}
	return string(s)
}

// quoted scans a single- or double-quoted scalar (yaml.v3's folding rules).
func (p *parser) quoted(indent int) *yaml.Node {
	single := p.s[p.i] == '\''
	n := p.newNode(yaml.ScalarNode, "!!str", p.line, p.col())
	if single {
		n.Style = yaml.SingleQuotedStyle
	} else {
		n.Style = yaml.DoubleQuotedStyle
	}
	p.i++
	// Fast path: no escapes, quote on the same line.
	for j := p.i; j < len(p.s); j++ {
		b := p.s[j]
		if b == '\n' || b == '\r' || b == '\\' && !single || b == '\'' && single && j+1 < len(p.s) && p.s[j+1] == '\'' {
			break
		}
		if (single && b == '\'') || (!single && b == '"') {
			n.Value = string(p.s[p.i:j])
			p.i = j + 1
			return n
		}
	}
	s := p.buf[:0]
	var ws, lead, trail []byte
	for {
		if p.i == p.lineStart && p.docMarker() {
			p.fail("document marker in quoted scalar")
		}
		if p.eof() {
			p.fail("unterminated quoted scalar")
		}
		leading := false
		for !p.eof() && !isBlank(p.s[p.i]) {
			b := p.s[p.i]
			if single {
				if b == '\'' {
					if p.at(1) == '\'' {
						s = append(s, '\'')
						p.i += 2
						continue
					}
					break
				}
			} else {
				if b == '"' {
					break
				}
				if b == '\\' {
					if p.i+1 < len(p.s) && (p.s[p.i+1] == '\n' || p.s[p.i+1] == '\r') {
						p.i++
						p.newline()
						leading = true
						break
					}
					s = p.escape(s)
					continue
				}
			}
			s = append(s, b)
			p.i++
		}
		if p.eof() {
			p.fail("unterminated quoted scalar")
		}
		if (single && p.s[p.i] == '\'') || (!single && p.s[p.i] == '"') {
			break
		}
		for !p.eof() && isBlank(p.s[p.i]) {
			b := p.s[p.i]
			if b == ' ' || b == '\t' {
				if !leading {
					ws = append(ws, b)
				}
				p.i++
				continue
			}
			if p.i == p.lineStart && p.docMarker() {
				p.fail("document marker in quoted scalar")
			}
			p.newline()
			if p.docMarker() {
				p.fail("document marker in quoted scalar")
			}
			if !leading {
				ws = ws[:0]
				lead = append(lead, '\n')
				leading = true
			} else {
				trail = append(trail, '\n')
			}
		}
		if leading {
			if len(lead) > 0 && lead[0] == '\n' {
				if len(trail) == 0 {
					s = append(s, ' ')
				} else {
					s = append(s, trail...)
					trail = trail[:0]
				}
				lead = lead[:0]
			} else {
				s = append(s, lead...)
				s = append(s, trail...)
				lead, trail = lead[:0], trail[:0]
			}
		} else {
			s = append(s, ws...)
			ws = ws[:0]
		}
	}
	p.i++
	n.Value = string(s)
	p.buf = s[:0]
	return n
}

// escape decodes the escape sequence at i (a backslash) into s.
func (p *parser) escape(s []byte) []byte {
	if p.i+1 >= len(p.s) {
		p.fail("unterminated escape")
	}
	c := p.s[p.i+1]
	p.i += 2
	switch c {
	case '0':
		return append(s, 0)
	case 'a':
		return append(s, 7)
	case 'b':
		return append(s, 8)
	case 't', '\t':
		return append(s, 9)
	case 'n':
		return append(s, 10)
	case 'v':
		return append(s, 11)
	case 'f':
		return append(s, 12)
	case 'r':
		return append(s, 13)
	case 'e':
		return append(s, 0x1b)
	case ' ', '"', '\'', '\\', '/':
		if c == '/' {
			p.fail("escape \\/")
		}
		return append(s, c)
	case 'N':
		return utf8.AppendRune(s, 0x85)
	case '_':
		return utf8.AppendRune(s, 0xA0)
	case 'L':
		return utf8.AppendRune(s, 0x2028)
	case 'P':
		return utf8.AppendRune(s, 0x2029)
	case 'x', 'u', 'U':
		n := 2
		if c == 'u' {
			n = 4
		} else if c == 'U' {
			n = 8
		}
		if p.i+n > len(p.s) {
			p.fail("short escape")
		}
		v := rune(0)
		for k := 0; k < n; k++ {
			h := p.s[p.i+k]
			switch {
			case h >= '0' && h <= '9':
				v = v<<4 | rune(h-'0')
			case h >= 'a' && h <= 'f':
				v = v<<4 | rune(h-'a'+10)
			case h >= 'A' && h <= 'F':
				v = v<<4 | rune(h-'A'+10)
			default:
				p.fail("bad hex escape")
			}
		}
		if (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF || v < 0 {
			p.fail("invalid escaped character")
		}
		p.i += n
		return utf8.AppendRune(s, v)
	}
	p.fail("unknown escape")
	return nil
}

// blockScalar scans a literal or folded block scalar; indent is the
// enclosing block indentation (yaml.v3's parser.indent).
func (p *parser) blockScalar(indent int) *yaml.Node {
	literal := p.s[p.i] == '|'
	n := p.newNode(yaml.ScalarNode, "!!str", p.line, p.col())
	if literal {
		n.Style = yaml.LiteralStyle
	} else {
		n.Style = yaml.FoldedStyle
	}
	p.i++
	chomp, inc := 0, 0
	readChomp := func() bool {
		if p.eof() {
			return false
		}
		switch p.s[p.i] {
		case '+':
			chomp = 1
		case '-':
			chomp = -1
		default:
			return false
		}
		p.i++
		return true
	}
	readInc := func() bool {
		if p.eof() || p.s[p.i] < '0' || p.s[p.i] > '9' {
			return false
		}
		if p.s[p.i] == '0' {
			p.fail("indentation indicator 0")
		}
		inc = int(p.s[p.i] - '0')
		p.i++
		return true
	}
	if readChomp() {
		readInc()
	} else if readInc() {
		readChomp()
	}
	for !p.eof() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
	if !p.eof() && p.s[p.i] == '#' {
		p.skipComment()
	}
	if !p.eof() && !p.isBreak() {
		p.fail("text after block scalar header")
	}
	if !p.eof() {
		p.newline()
	}
	ind := 0
	if inc > 0 {
		if indent >= 0 {
			ind = indent + inc
		} else {
			ind = inc
		}
	}
	s := p.buf[:0]
	var lead, trail []byte
	trail = p.blockBreaks(&ind, trail, indent)
	leadBlank := false
	for !p.eof() && p.col() == ind {
		trailBlank := p.s[p.i] == ' ' || p.s[p.i] == '\t'
		if !literal && !leadBlank && !trailBlank && len(lead) > 0 && lead[0] == '\n' {
			if len(trail) == 0 {
				s = append(s, ' ')
			}
		} else {
			s = append(s, lead...)
		}
		lead = lead[:0]
		s = append(s, trail...)
		trail = trail[:0]
		leadBlank = trailBlank
		st := p.i
		for !p.eof() && !p.isBreak() {
			p.i++
		}
		s = append(s, p.s[st:p.i]...)
		if p.eof() {
			break
		}
		p.newline()
		lead = append(lead, '\n')
		trail = p.blockBreaks(&ind, trail, indent)
	}
	if chomp != -1 {
		s = append(s, lead...)
	}
	if chomp == 1 {
		s = append(s, trail...)
	}
	n.Value = string(s)
	p.buf = s[:0]
	return n
}

// blockBreaks is yaml.v3's yaml_parser_scan_block_scalar_breaks.
func (p *parser) blockBreaks(ind *int, breaks []byte, indent int) []byte {
	maxInd := 0
	for {
		for (*ind == 0 || p.col() < *ind) && !p.eof() && p.s[p.i] == ' ' {
			p.i++
		}
		if c := p.col(); c > maxInd {
			maxInd = c
		}
		if (*ind == 0 || p.col() < *ind) && !p.eof() && p.s[p.i] == '\t' {
			p.fail("tab in block scalar indentation")
		}
		if !p.isBreak() {
			break
		}
		p.newline()
		breaks = append(breaks, '\n')
	}
	if *ind == 0 {
		*ind = maxInd
		if *ind < indent+1 {
			*ind = indent + 1
		}
		if *ind < 1 {
			*ind = 1
		}
	}
	return breaks
}

// flowNode parses a flow sequence or mapping; indent is the enclosing block
// indentation (continuation lines must be indented beyond it).
func (p *parser) flowNode(indent int) *yaml.Node {
	p.depth++
	if p.depth > MaxDepth {
		p.fail("nesting too deep")
	}
	defer func() { p.depth-- }()
	open := p.s[p.i]
	var n *yaml.Node
	if open == '[' {
		n = p.newNode(yaml.SequenceNode, "!!seq", p.line, p.col())
	} else {
		n = p.newNode(yaml.MappingNode, "!!map", p.line, p.col())
	}
	n.Style = yaml.FlowStyle
	closeCh := byte(']')
	if open == '{' {
		closeCh = '}'
	}
	p.i++
	p.flowSkip(indent)
	if p.s[p.i] == closeCh {
		p.i++
		return n
	}
	for {
		if open == '{' {
			k := p.flowItem(indent, true)
			if !p.eof() && p.s[p.i] == ' ' {
				for p.i < len(p.s) && p.s[p.i] == ' ' {
					p.i++
				}
			}
			if p.eof() || p.s[p.i] != ':' || !p.blankz(1) {
				p.fail("flow mapping key without ': '")
			}
			p.i++
			p.flowSkip(indent)
			if p.s[p.i] == ',' || p.s[p.i] == '}' {
				p.fail("empty flow mapping value")
			}
			v := p.flowItem(indent, false)
			n.Content = append(n.Content, k, v)
		} else {
			v := p.flowItem(indent, false)
			n.Content = append(n.Content, v)
		}
		p.flowSkip(indent)
		switch p.s[p.i] {
		case ',':
			p.i++
			p.flowSkip(indent)
			if p.s[p.i] == closeCh {
				p.i++
				return n
			}
			if p.s[p.i] == ',' {
				p.fail("empty flow entry")
			}
		case closeCh:
			p.i++
			return n
		default:
			p.fail("unexpected character in flow collection")
		}
	}
}

// flowSkip skips whitespace, line breaks and comments inside a flow
// collection; it fails at the end of input.
func (p *parser) flowSkip(indent int) {
	for {
		for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
			p.i++
		}
		if p.eof() {
			p.fail("unterminated flow collection")
		}
		switch p.s[p.i] {
		case '#':
			if p.i > p.lineStart {
				if c := p.s[p.i-1]; c != ' ' && c != '\t' {
					p.fail("comment without preceding space")
				}
			}
			p.skipComment()
			continue
		case '\n', '\r':
			p.newline()
			if p.docMarker() {
				p.fail("document marker in flow collection")
			}
			continue
		}
		return
	}
}

// flowItem parses one entry of a flow collection.
func (p *parser) flowItem(indent int, key bool) *yaml.Node {
	line := p.line
	var n *yaml.Node
	switch c := p.s[p.i]; c {
	case '[', '{':
		if key {
			p.fail("collection as flow key")
		}
		n = p.flowNode(indent)
	case '"', '\'':
		n = p.quoted(indent)
		if key && p.line != line {
			p.fail("multi-line flow key")
		}
	case '&', '*', '!', '%', '@', '`', '?', ':', ',', ']', '}', '#', '|', '>':
		p.fail(fmt.Sprintf("unsupported flow indicator %q", c))
	default:
		if c == '-' && p.blankz(1) {
			p.fail("block entry in flow")
		}
		n = p.newNode(yaml.ScalarNode, "", p.line, p.col())
		start := p.i
		end := p.i
	scan:
		for !p.eof() {
			switch b := p.s[p.i]; b {
			case ',', '[', ']', '{', '}':
				break scan
			case '?':
				p.fail("'?' in flow plain scalar")
			case ':':
				if p.blankz(1) {
					break scan
				}
				p.fail("':' in flow plain scalar")
			case '\n', '\r':
				// Multi-line unless only blanks/comments precede an indicator.
				j := p.i
				for j < len(p.s) && isBlank(p.s[j]) {
					j++
				}
				if j < len(p.s) {
					switch p.s[j] {
					case ',', ']', '}', '#':
						break scan
					}
				}
				p.fail("multi-line flow plain scalar")
			case ' ', '\t':
				p.i++
				if !p.eof() && p.s[p.i] == '#' {
					break scan
				}
				continue
			}
			p.i++
			end = p.i
		}
		n.Value = string(p.s[start:end])
		n.Tag = resolvePlain(n.Value)
		if n.Value == "<<" {
			p.fail("merge key")
		}
	}
	if !key {
		// A ": " after an entry of a flow sequence makes a single-pair mapping.
		j := p.i
		for j < len(p.s) && (p.s[j] == ' ' || p.s[j] == '\t') {
			j++
		}
		if j < len(p.s) && p.s[j] == ':' {
			p.fail("single-pair mapping in flow")
		}
	}
	return n
}
