package spl

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// maxDepth bounds the nesting of parentheses, subsearches and expressions.
const maxDepth = 200

type parser struct {
	src   string
	pos   int
	depth int
	nest  int // subsearch level of src (0 for the whole search)
}

// parseError carries a *rule.SyntaxError through panics inside the parser.
type parseError struct{ err *rule.SyntaxError }

// Parse parses an SPL search (macros already expanded). Errors are
// *rule.SyntaxError with a 1-based line and column in src.
func Parse(src string) (q *Query, err error) {
	p := &parser{src: src}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(parseError)
			if !ok {
				panic(r)
			}
			q, err = nil, pe.err
		}
	}()
	q = p.parsePipeline(false)
	return q, nil
}

// ParseSearch parses a search-language expression alone (the argument of
// `searchmatch`, a macro body of terms).
func ParseSearch(src string) (e SearchExpr, err error) {
	p := &parser{src: src}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(parseError)
			if !ok {
				panic(r)
			}
			e, err = nil, pe.err
		}
	}()
	e = p.parseAnd(nil)
	if !p.atStageEnd() || p.pos < len(p.src) {
		t := p.lexSearch(false, false)
		p.failAt(t.pos, "unexpected %s", t.describe())
	}
	return e, nil
}

// Position converts a byte offset of src to a 1-based line and column
// (columns count bytes).
func Position(src string, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	line = 1 + strings.Count(src[:off], "\n")
	col = off - strings.LastIndexByte(src[:off], '\n')
	return line, col
}

func (p *parser) failAt(pos int, format string, args ...any) {
	line, col := Position(p.src, pos)
	panic(parseError{rule.Errorf(line, col, format, args...)})
}

func (p *parser) enter(pos int) {
	p.depth++
	if p.depth > maxDepth {
		p.failAt(pos, "nesting deeper than %d levels", maxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

// parsePipeline parses stages up to the end of the text or, in a subsearch,
// up to the closing bracket (not consumed).
func (p *parser) parsePipeline(sub bool) *Query {
	q := &Query{}
	first := true
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			return q
		}
		switch c := p.src[p.pos]; {
		case c == ']':
			if sub {
				return q
			}
			p.failAt(p.pos, "unexpected ']'")
		case c == '|':
			p.pos++
			if cmd := p.parseCommand(); cmd != nil {
				q.Commands = append(q.Commands, cmd)
			}
		case first:
			q.Commands = append(q.Commands, p.parseLeading())
		default:
			t := p.lexSearch(false, false)
			p.failAt(t.pos, "unexpected %s, expected '|'", t.describe())
		}
		first = false
	}
}

// parseLeading parses the search terms that start a pipeline, with or
// without the word `search`.
func (p *parser) parseLeading() Command {
	save := p.pos
	t := p.lexSearch(false, false)
	if t.kind == tWord && strings.EqualFold(t.text, "search") {
		save2 := p.pos
		if n := p.lexSearch(false, false); n.kind != tOp {
			p.pos = save2
			return p.parseSearchStage(false)
		}
	}
	p.pos = save
	return p.parseSearchStage(true)
}

func (p *parser) parseSearchStage(implicit bool) *SearchCmd {
	c := &SearchCmd{Implicit: implicit, Expr: p.parseAnd(nil)}
	p.endStage("search")
	return c
}

// endStage fails unless the current stage is complete.
func (p *parser) endStage(cmd string) {
	if p.atStageEnd() {
		return
	}
	t := p.lexSearch(false, false)
	p.failAt(t.pos, "unexpected %s in %s command", t.describe(), cmd)
}

// parseCommand parses one stage after a pipe; nil for an empty stage.
func (p *parser) parseCommand() Command {
	if p.atStageEnd() {
		return nil
	}
	t := p.lexSearch(false, false)
	if t.kind != tWord || !isCommandName(t.text) {
		p.failAt(t.pos, "expected a command name after '|', found %s", t.describe())
	}
	name := strings.ToLower(t.text)
	switch name {
	case "search":
		return p.parseSearchStage(false)
	case "where":
		if p.atStageEnd() {
			p.failAt(p.pos, "where needs an expression")
		}
		c := &WhereCmd{Expr: p.parseExpr()}
		p.endStage("where")
		return c
	case "tstats", "mstats":
		return p.parseTstats(name)
	case "regex":
		return p.parseRegex()
	case "lookup", "inputlookup", "outputlookup":
		c := &LookupCmd{Cmd: name, Args: p.scanRaw()}
		for _, f := range strings.Fields(c.Args) {
			if !strings.Contains(f, "=") {
				c.Table = strings.Trim(f, `"`)
				break
			}
		}
		return c
	}
	c := &RawCmd{Cmd: name, Args: p.scanRaw()}
	if combinesSearches(name) {
		c.Subsearches = p.parseSubsearches(name, c.Args)
	}
	return c
}

func isCommandName(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return s != ""
}

// scanRaw returns the rest of the stage as written, trimmed, honouring
// quotes, backticks and nested brackets.
func (p *parser) scanRaw() string {
	start := p.pos
	depth := 0
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case '\\':
			p.pos++
		case '"':
			p.lexString()
			continue
		case '`':
			p.lexMacro()
			continue
		case '[':
			depth++
		case ']':
			if depth == 0 {
				return strings.TrimSpace(p.src[start:p.pos])
			}
			depth--
		case '|':
			if depth == 0 {
				return strings.TrimSpace(p.src[start:p.pos])
			}
		}
		p.pos++
	}
	if p.pos > len(p.src) {
		p.pos = len(p.src)
	}
	if depth > 0 {
		p.failAt(start, "unclosed '[' in command arguments")
	}
	return strings.TrimSpace(p.src[start:p.pos])
}

func isClauseWord(w string) bool {
	return strings.EqualFold(w, "from") || strings.EqualFold(w, "where") ||
		strings.EqualFold(w, "by") || strings.EqualFold(w, "groupby")
}

func stopBy(w string) bool { return strings.EqualFold(w, "by") || strings.EqualFold(w, "groupby") }

// parseTstats parses `tstats head [FROM target] [WHERE search] [BY fields]`.
func (p *parser) parseTstats(name string) *TstatsCmd {
	c := &TstatsCmd{Cmd: name}
	p.skipSpace()
	headStart, headEnd := p.pos, p.pos
	depth := 0
head:
	for {
		save := p.pos
		t := p.lexSearch(false, false)
		switch t.kind {
		case tEOF, tPipe, tRBrack:
			p.pos = save
			break head
		case tLParen:
			depth++
		case tRParen:
			depth--
		case tWord:
			if depth <= 0 && isClauseWord(t.text) {
				p.pos = save
				break head
			}
		}
		headEnd = p.pos
	}
	c.Head = strings.TrimSpace(p.src[headStart:headEnd])
	for !p.atStageEnd() {
		t := p.lexSearch(false, false)
		switch {
		case t.kind == tWord && strings.EqualFold(t.text, "from") && c.From == "":
			p.parseFrom(c)
		case t.kind == tWord && strings.EqualFold(t.text, "where") && c.Where == nil:
			c.Where = p.parseAnd(stopBy)
			if c.Where == nil {
				p.failAt(t.end, "empty WHERE clause in %s", name)
			}
		case t.kind == tWord && stopBy(t.text) && c.By == "":
			c.By = p.scanRaw()
			if c.By == "" {
				p.failAt(t.end, "empty BY clause in %s", name)
			}
		default:
			p.failAt(t.pos, "unexpected %s in %s command", t.describe(), name)
		}
	}
	return c
}

func (p *parser) parseFrom(c *TstatsCmd) {
	t := p.lexSearch(false, false)
	if t.kind != tWord && t.kind != tString {
		p.failAt(t.pos, "expected a data model after FROM, found %s", t.describe())
	}
	// The target is kept as written (quotes and escapes included): the
	// token text has them removed and would not read back the same.
	written := p.src[t.pos:t.end]
	save := p.pos
	if op := p.lexSearch(false, false); op.kind == tOp && (op.text == "=" || op.text == "==") {
		v := p.parseValue(op)
		c.From = written + "=" + v.String()
		if strings.EqualFold(t.text, "datamodel") {
			c.Datamodel = v.Text
		}
		return
	}
	p.pos = save
	c.From = written
	if low := strings.ToLower(t.text); strings.HasPrefix(low, "datamodel:") {
		c.Datamodel = strings.Trim(t.text[len("datamodel:"):], `"`)
		if c.Datamodel == "" && p.pos < len(p.src) && p.src[p.pos] == '"' {
			s := p.lexString()
			c.Datamodel = s.text
			c.From = written + quote(s.text)
		}
	}
}

// parseRegex parses `regex [field(=|!=)]"pattern"`.
func (p *parser) parseRegex() *RegexCmd {
	c := &RegexCmd{}
	t := p.lexSearch(false, false)
	switch t.kind {
	case tString:
		c.Pattern = t.text
	case tWord:
		op := p.lexSearch(false, false)
		if op.kind != tOp || op.text != "=" && op.text != "!=" {
			p.failAt(op.pos, "expected = or != after regex field, found %s", op.describe())
		}
		c.Field, c.Negated = t.text, op.text == "!="
		c.Pattern = p.parseValue(op).Text
	default:
		p.failAt(t.pos, "expected a regular expression, found %s", t.describe())
	}
	p.endStage("regex")
	return c
}

// --- search expressions -------------------------------------------------

// parseAnd parses terms joined by AND or juxtaposition until the end of
// the stage, a closing parenthesis or a stop word. nil when empty.
func (p *parser) parseAnd(stop func(string) bool) SearchExpr {
	var items SAnd
	for {
		save := p.pos
		t := p.lexSearch(false, false)
		switch t.kind {
		case tEOF, tPipe, tRParen, tRBrack:
			p.pos = save
			return andOf(items)
		case tWord:
			if stop != nil && stop(t.text) {
				p.pos = save
				return andOf(items)
			}
			if t.text == "AND" {
				if len(items) == 0 {
					p.failAt(t.pos, "AND without a left operand")
				}
				if p.atStageEnd() {
					p.failAt(t.end, "missing operand after AND")
				}
				continue
			}
		}
		p.pos = save
		items = append(items, p.parseOr(stop))
	}
}

func andOf(items SAnd) SearchExpr {
	switch len(items) {
	case 0:
		return nil
	case 1:
		return items[0]
	}
	return items
}

// parseOr: in the search language OR binds tighter than AND.
func (p *parser) parseOr(stop func(string) bool) SearchExpr {
	x := p.parseNot(stop)
	var or SOr
	for {
		save := p.pos
		t := p.lexSearch(false, false)
		if t.kind != tWord || t.text != "OR" {
			p.pos = save
			break
		}
		if or == nil {
			or = SOr{x}
		}
		or = append(or, p.parseNot(stop))
	}
	if or != nil {
		return or
	}
	return x
}

func (p *parser) parseNot(stop func(string) bool) SearchExpr {
	save := p.pos
	t := p.lexSearch(false, false)
	if t.kind == tWord && t.text == "NOT" {
		p.enter(t.pos)
		defer p.leave()
		return SNot{p.parseNot(stop)}
	}
	p.pos = save
	return p.parsePrimary(stop)
}

func (p *parser) parsePrimary(stop func(string) bool) SearchExpr {
	t := p.lexSearch(false, false)
	switch t.kind {
	case tLParen:
		p.enter(t.pos)
		defer p.leave()
		e := p.parseAnd(nil)
		if e == nil {
			p.failAt(t.pos, "empty parentheses")
		}
		if c := p.lexSearch(false, false); c.kind != tRParen {
			p.failAt(t.pos, "unclosed '('")
		}
		return e
	case tLBrack:
		p.enter(t.pos)
		defer p.leave()
		q := p.parsePipeline(true)
		if c := p.lexSearch(false, false); c.kind != tRBrack {
			p.failAt(t.pos, "unclosed '[' (subsearch)")
		}
		return SSub{Query: q}
	case tString:
		// A quoted field name: "result.message"="*Paired*".
		if e, ok := p.fieldTerm(t.text); ok {
			return e
		}
		return STerm{Value: Value{Text: t.text, Quoted: true}}
	case tMacro:
		return SMacro{Text: t.text}
	case tWord:
		return p.parseTerm(t)
	case tEOF, tPipe, tRParen, tRBrack:
		p.failAt(t.pos, "missing search term before %s", t.describe())
	}
	p.failAt(t.pos, "unexpected %s", t.describe())
	return nil
}

func (p *parser) parseTerm(t token) SearchExpr {
	if t.text == "AND" || t.text == "OR" {
		p.failAt(t.pos, "%s without a left operand", t.text)
	}
	if (strings.EqualFold(t.text, "TERM") || strings.EqualFold(t.text, "CASE")) &&
		p.pos < len(p.src) && p.src[p.pos] == '(' {
		p.pos++
		v := p.parseValue(t)
		if c := p.lexSearch(false, false); c.kind != tRParen {
			p.failAt(t.pos, "unclosed %s(", t.text)
		}
		return STerm{Func: strings.ToUpper(t.text), Value: v}
	}
	if e, ok := p.fieldTerm(t.text); ok {
		return e
	}
	return STerm{Value: Value{Text: t.text}}
}

// fieldTerm reads the rest of `field op value` or `field IN (…)` after the
// field; ok is false (nothing consumed) when field is a keyword.
func (p *parser) fieldTerm(field string) (SearchExpr, bool) {
	save := p.pos
	n := p.lexSearch(false, false)
	if n.kind == tOp {
		return p.finishTerm(field, n), true
	}
	if n.kind == tWord && strings.EqualFold(n.text, "IN") {
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == '(' {
			return SIn{Field: field, Values: p.parseInList(n)}, true
		}
	}
	p.pos = save
	return nil, false
}

func (p *parser) finishTerm(field string, op token) STerm {
	o := op.text
	if o == "==" {
		o = "="
	}
	return STerm{Field: field, Op: o, Value: p.parseValue(op)}
}

// parseValue reads the value after a comparison operator (or inside
// TERM()).
func (p *parser) parseValue(after token) Value {
	p.skipSpace()
	if p.pos >= len(p.src) {
		p.failAt(after.pos, "missing value after %s", quoteShort(after.text))
	}
	switch p.src[p.pos] {
	case '"':
		return Value{Text: p.lexString().text, Quoted: true}
	case '(', ')', '[', ']', '|', '`':
		p.failAt(after.pos, "missing value after %s", quoteShort(after.text))
	}
	return Value{Text: p.lexWord(true, false).text}
}

// parseInList reads `( v1 [,] v2 … )`.
func (p *parser) parseInList(in token) []Value {
	open := p.pos
	p.pos++
	var vals []Value
	for {
		t := p.lexSearch(true, true)
		switch t.kind {
		case tRParen:
			if len(vals) == 0 {
				p.failAt(open, "empty IN list")
			}
			return vals
		case tComma:
		case tString:
			vals = append(vals, Value{Text: t.text, Quoted: true})
		case tWord:
			vals = append(vals, Value{Text: t.text})
		case tEOF, tPipe:
			p.failAt(open, "unclosed IN list")
		default:
			p.failAt(t.pos, "unexpected %s in IN list", t.describe())
		}
	}
}

// --- eval expressions ---------------------------------------------------

func (p *parser) peekEval() token {
	save := p.pos
	t := p.lexEval()
	p.pos = save
	return t
}

func isKeyword(t token, kw string) bool { return t.kind == tWord && strings.EqualFold(t.text, kw) }

func (p *parser) parseExpr() Expr {
	p.enter(p.pos)
	defer p.leave()
	l := p.parseXor()
	for isKeyword(p.peekEval(), "OR") {
		p.lexEval()
		l = EBinary{Op: "OR", L: l, R: p.parseXor()}
	}
	return l
}

func (p *parser) parseXor() Expr {
	l := p.parseAndExpr()
	for isKeyword(p.peekEval(), "XOR") {
		p.lexEval()
		l = EBinary{Op: "XOR", L: l, R: p.parseAndExpr()}
	}
	return l
}

func (p *parser) parseAndExpr() Expr {
	l := p.parseNotExpr()
	for isKeyword(p.peekEval(), "AND") {
		p.lexEval()
		l = EBinary{Op: "AND", L: l, R: p.parseNotExpr()}
	}
	return l
}

func (p *parser) parseNotExpr() Expr {
	if t := p.peekEval(); isKeyword(t, "NOT") {
		p.lexEval()
		p.enter(t.pos)
		defer p.leave()
		return EUnary{Op: "NOT", X: p.parseNotExpr()}
	}
	return p.parseCmp()
}

func isCmpOp(s string) bool {
	switch s {
	case "=", "==", "!=", "<", "<=", ">", ">=":
		return true
	}
	return false
}

func (p *parser) parseCmp() Expr {
	l := p.parseAdd()
	for {
		t := p.peekEval()
		switch {
		case t.kind == tOp && isCmpOp(t.text):
			p.lexEval()
			l = EBinary{Op: t.text, L: l, R: p.parseAdd()}
		case isKeyword(t, "LIKE"):
			p.lexEval()
			l = EBinary{Op: "LIKE", L: l, R: p.parseAdd()}
		case isKeyword(t, "IN"):
			p.lexEval()
			if o := p.lexEval(); o.kind != tLParen {
				p.failAt(o.pos, "expected '(' after IN, found %s", o.describe())
			}
			l = EIn{X: l, List: p.parseArgs(t)}
		default:
			return l
		}
	}
}

func (p *parser) parseAdd() Expr {
	l := p.parseMul()
	for {
		t := p.peekEval()
		if t.kind != tOp || t.text != "+" && t.text != "-" && t.text != "." {
			return l
		}
		p.lexEval()
		l = EBinary{Op: t.text, L: l, R: p.parseMul()}
	}
}

func (p *parser) parseMul() Expr {
	l := p.parseUnary()
	for {
		t := p.peekEval()
		if t.kind != tOp || t.text != "*" && t.text != "/" && t.text != "%" {
			return l
		}
		p.lexEval()
		l = EBinary{Op: t.text, L: l, R: p.parseUnary()}
	}
}

func (p *parser) parseUnary() Expr {
	if t := p.peekEval(); t.kind == tOp && (t.text == "-" || t.text == "+") {
		p.lexEval()
		p.enter(t.pos)
		defer p.leave()
		x := p.parseUnary()
		if t.text == "+" {
			return x
		}
		return EUnary{Op: "-", X: x}
	}
	return p.parsePrimaryExpr()
}

func (p *parser) parsePrimaryExpr() Expr {
	t := p.lexEval()
	switch t.kind {
	case tNumber:
		return ENumber{Text: t.text}
	case tString:
		return EString{Value: t.text}
	case tQField:
		return EIdent{Name: t.text, Quoted: true}
	case tWord:
		for _, kw := range [...]string{"AND", "OR", "NOT", "XOR", "LIKE"} {
			if strings.EqualFold(t.text, kw) && p.peekEval().kind != tLParen {
				p.failAt(t.pos, "missing operand before %s", t.text)
			}
		}
		if n := p.peekEval(); n.kind == tLParen {
			p.lexEval()
			p.enter(t.pos)
			defer p.leave()
			return ECall{Func: t.text, Args: p.parseArgs(t)}
		}
		return EIdent{Name: t.text}
	case tLParen:
		p.enter(t.pos)
		defer p.leave()
		e := p.parseExpr()
		if c := p.lexEval(); c.kind != tRParen {
			p.failAt(t.pos, "unclosed '(' in expression")
		}
		return e
	case tEOF, tPipe, tRBrack, tRParen, tComma:
		p.failAt(t.pos, "missing operand before %s", t.describe())
	}
	p.failAt(t.pos, "unexpected %s in expression", t.describe())
	return nil
}

// parseArgs reads a comma-separated expression list after '(' up to ')'.
func (p *parser) parseArgs(open token) []Expr {
	var args []Expr
	if p.peekEval().kind == tRParen {
		p.lexEval()
		return args
	}
	for {
		args = append(args, p.parseExpr())
		t := p.lexEval()
		switch t.kind {
		case tRParen:
			return args
		case tComma:
		default:
			p.failAt(t.pos, "expected ',' or ')' in the arguments of %s, found %s", quoteShort(open.text), t.describe())
		}
	}
}
