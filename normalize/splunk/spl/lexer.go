package spl

import (
	"strings"
)

type tkind uint8

const (
	tEOF    tkind = iota
	tWord         // search-mode word or eval identifier
	tString       // "double quoted", escapes removed
	tQField       // 'single quoted' field name (eval)
	tNumber       // eval number
	tOp           // = == != < <= > >= and, in eval, + - * / % .
	tLParen
	tRParen
	tLBrack
	tRBrack
	tPipe
	tComma
	tMacro // `macro`
)

var kindNames = [...]string{"end of search", "word", "string", "quoted field", "number", "operator",
	"'('", "')'", "'['", "']'", "'|'", "','", "macro"}

type token struct {
	kind     tkind
	text     string
	pos, end int
}

func (t token) describe() string {
	switch t.kind {
	case tWord, tNumber, tOp:
		return strings.ToLower(kindNames[t.kind]) + " " + quoteShort(t.text)
	case tString:
		return "string " + quoteShort(`"`+t.text+`"`)
	}
	return kindNames[t.kind]
}

func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return "`" + s + "`"
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '@' || c == '$' || c == '{' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '.' || c == '}' }

// skipSpace skips white space and ```comments```.
func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if isSpace(c) {
			p.pos++
			continue
		}
		if c == '`' && strings.HasPrefix(p.src[p.pos:], "```") {
			j := strings.Index(p.src[p.pos+3:], "```")
			if j < 0 {
				p.failAt(p.pos, "unterminated comment")
			}
			p.pos += j + 6
			continue
		}
		return
	}
}

// atStageEnd reports whether only spaces remain before a pipe, a closing
// bracket or the end of the text.
func (p *parser) atStageEnd() bool {
	p.skipSpace()
	return p.pos >= len(p.src) || p.src[p.pos] == '|' || p.src[p.pos] == ']'
}

// lexSearch reads one search-mode token. In value mode the comparison
// characters = < > ! belong to words; with comma set a comma ends a word.
func (p *parser) lexSearch(value, comma bool) token {
	p.skipSpace()
	start := p.pos
	if p.pos >= len(p.src) {
		return token{kind: tEOF, pos: start, end: start}
	}
	c := p.src[p.pos]
	one := func(k tkind) token {
		p.pos++
		return token{kind: k, text: p.src[start:p.pos], pos: start, end: p.pos}
	}
	switch c {
	case '(':
		return one(tLParen)
	case ')':
		return one(tRParen)
	case '[':
		return one(tLBrack)
	case ']':
		return one(tRBrack)
	case '|':
		return one(tPipe)
	case '"':
		return p.lexString()
	case '`':
		return p.lexMacro()
	case ',':
		if comma {
			return one(tComma)
		}
	}
	if !value {
		if t, ok := p.lexCmpOp(); ok {
			return t
		}
	}
	return p.lexWord(value, comma)
}

// lexCmpOp reads = == != < <= > >= at p.pos.
func (p *parser) lexCmpOp() (token, bool) {
	start := p.pos
	c := p.src[p.pos]
	next := byte(0)
	if p.pos+1 < len(p.src) {
		next = p.src[p.pos+1]
	}
	n := 0
	switch c {
	case '=':
		n = 1
		if next == '=' {
			n = 2
		}
	case '!':
		if next == '=' {
			n = 2
		}
	case '<', '>':
		n = 1
		if next == '=' {
			n = 2
		}
	}
	if n == 0 {
		return token{}, false
	}
	p.pos += n
	return token{kind: tOp, text: p.src[start:p.pos], pos: start, end: p.pos}, true
}

func (p *parser) lexWord(value, comma bool) token {
	start := p.pos
	esc := false
	parens := 0 // a value may hold balanced parentheses: *GetCurrent()*
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '\\' && p.pos+1 < len(p.src) {
			esc = true
			p.pos += 2
			continue
		}
		if value && p.pos > start && c == '(' && strings.IndexByte(p.src[p.pos:], ')') > 0 {
			parens++
			p.pos++
			continue
		}
		if value && c == ')' && parens > 0 {
			parens--
			p.pos++
			continue
		}
		if isSpace(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == '|' || c == '"' || c == '`' {
			break
		}
		if c == ',' && comma {
			break
		}
		if !value && (c == '=' || c == '<' || c == '>' || c == '!' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '=') {
			break
		}
		p.pos++
	}
	text := p.src[start:p.pos]
	if esc {
		text = unescape(text)
	}
	return token{kind: tWord, text: text, pos: start, end: p.pos}
}

// lexString reads a double-quoted string at p.pos.
func (p *parser) lexString() token {
	start := p.pos
	esc := false
	for p.pos++; p.pos < len(p.src); p.pos++ {
		switch p.src[p.pos] {
		case '\\':
			esc = true
			p.pos++
		case '"':
			p.pos++
			text := p.src[start+1 : p.pos-1]
			if esc {
				text = unescape(text)
			}
			return token{kind: tString, text: text, pos: start, end: p.pos}
		}
	}
	p.failAt(start, "unterminated string")
	return token{}
}

// lexMacro reads a backtick macro reference left in the text.
func (p *parser) lexMacro() token {
	start := p.pos
	i := strings.IndexByte(p.src[start+1:], '`')
	if i < 0 {
		p.failAt(start, "unterminated macro reference")
	}
	p.pos = start + i + 2
	return token{kind: tMacro, text: p.src[start+1 : start+1+i], pos: start, end: p.pos}
}

// unescape removes the SPL escapes \\ \" and \|; any other backslash is a
// literal character.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && (s[i+1] == '\\' || s[i+1] == '"' || s[i+1] == '|') {
			i++
			c = s[i]
		}
		b.WriteByte(c)
	}
	return b.String()
}

// lexEval reads one token of an eval expression.
func (p *parser) lexEval() token {
	p.skipSpace()
	start := p.pos
	if p.pos >= len(p.src) {
		return token{kind: tEOF, pos: start, end: start}
	}
	c := p.src[p.pos]
	mk := func(k tkind, n int) token {
		p.pos += n
		return token{kind: k, text: p.src[start:p.pos], pos: start, end: p.pos}
	}
	next := byte(0)
	if p.pos+1 < len(p.src) {
		next = p.src[p.pos+1]
	}
	switch {
	case c == '"':
		return p.lexString()
	case c == '`':
		return p.lexMacro()
	case c == '\'':
		end := strings.IndexByte(p.src[start+1:], '\'')
		if end < 0 {
			p.failAt(start, "unterminated quoted field name")
		}
		p.pos = start + end + 2
		return token{kind: tQField, text: p.src[start+1 : start+1+end], pos: start, end: p.pos}
	case c == '(':
		return mk(tLParen, 1)
	case c == ')':
		return mk(tRParen, 1)
	case c == '[':
		return mk(tLBrack, 1)
	case c == ']':
		return mk(tRBrack, 1)
	case c == '|':
		return mk(tPipe, 1)
	case c == ',':
		return mk(tComma, 1)
	case c == '=' || c == '<' || c == '>':
		if next == '=' {
			return mk(tOp, 2)
		}
		return mk(tOp, 1)
	case c == '!':
		if next == '=' {
			return mk(tOp, 2)
		}
	case c == '+' || c == '-' || c == '*' || c == '/' || c == '%':
		return mk(tOp, 1)
	case c == '.' && !isDigit(next):
		return mk(tOp, 1)
	case isDigit(c) || c == '.':
		for p.pos < len(p.src) && (isIdentChar(p.src[p.pos]) && p.src[p.pos] != '$' && p.src[p.pos] != '{') {
			p.pos++
		}
		return token{kind: tNumber, text: p.src[start:p.pos], pos: start, end: p.pos}
	case isIdentStart(c):
		for p.pos < len(p.src) && isIdentChar(p.src[p.pos]) {
			p.pos++
		}
		return token{kind: tWord, text: p.src[start:p.pos], pos: start, end: p.pos}
	}
	p.failAt(start, "unexpected character %q in expression", c)
	return token{}
}
