package snowsql

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"
)

// maxRescans bounds the bare-duration repairs of one query.
const maxRescans = 64

// bridged is a query rewritten into PostgreSQL: its text, the original
// offset of every byte of it, and the original text of each semi-structured
// path (by the output offset of the path's first token).
type bridged struct {
	sql   string
	orig  []int          // orig[i] is the offset in the Snowflake text of sql[i]; len(sql)+1 entries
	paths map[int]string // output offset of a path's column → the path as written
}

// Error is a query the bridge or the parser could not read, at a line of
// the query text (1-based; 0 when unknown).
type Error struct {
	File string // the query file, when known
	Line int
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Msg)
	case e.File != "":
		return e.File + ": " + e.Msg
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// lineOf returns the 1-based line of offset off in s.
func lineOf(s string, off int) int {
	if off < 0 {
		return 0
	}
	if off > len(s) {
		off = len(s)
	}
	return strings.Count(s[:off], "\n") + 1
}

// token is one scanned token with its text.
type token struct {
	start, end int
	tok        pg_query.Token
	text       string
}

// scan tokenizes src with PostgreSQL's scanner. A bare duration (`90m`,
// `1d`, which Panther's macros take and PostgreSQL rejects as "trailing
// junk after numeric literal") is quoted where the scanner reports it, and
// the text scanned again; the returned text is the one scanned.
func scan(src string) (string, []int, []token, error) {
	orig := identity(len(src))
	for range maxRescans {
		res, err := pg_query.Scan(src)
		if at := backslashString(src, res, err); at >= 0 {
			// Snowflake strings take backslash escapes: PostgreSQL's E'…'
			src = src[:at] + "E" + src[at:]
			o := make([]int, 0, len(orig)+1)
			o = append(o, orig[:at]...)
			o = append(o, orig[at])
			orig = append(o, orig[at:]...)
			continue
		}
		if err == nil {
			toks := make([]token, 0, len(res.Tokens))
			for _, t := range res.Tokens {
				s, e := int(t.Start), int(t.End)
				if s < 0 || e > len(src) || s > e {
					return "", nil, nil, &Error{Msg: "the scanner returned a token outside the query"}
				}
				toks = append(toks, token{start: s, end: e, tok: t.Token, text: src[s:e]})
			}
			return src, orig, toks, nil
		}
		var pe *pgparser.Error
		if !errors.As(err, &pe) {
			return "", nil, nil, &Error{Msg: err.Error()}
		}
		at := pe.Cursorpos - 1
		if !strings.HasPrefix(pe.Message, "trailing junk after numeric literal") || at < 0 || at >= len(src) {
			return "", nil, nil, &Error{Line: lineOf(src, at), Msg: pe.Message}
		}
		end := at
		for end < len(src) && isWordByte(src[end]) {
			end++
		}
		if end == at {
			return "", nil, nil, &Error{Line: lineOf(src, at), Msg: pe.Message}
		}
		src = src[:at] + "'" + src[at:end] + "'" + src[end:]
		o := make([]int, 0, len(orig)+2)
		o = append(o, orig[:at]...)
		o = append(o, orig[at])
		o = append(o, orig[at:end]...)
		o = append(o, orig[end-1])
		o = append(o, orig[end:]...)
		orig = o
	}
	return "", nil, nil, &Error{Msg: "too many bare durations"}
}

// backslashString returns the offset of the first string literal that
// holds a backslash and is not yet an E'…' string, or -1. When the scan
// failed, the text before the failure is scanned for one.
func backslashString(src string, res *pg_query.ScanResult, err error) int {
	if err != nil {
		var pe *pgparser.Error
		if !errors.As(err, &pe) || pe.Cursorpos <= 1 || !strings.Contains(src, `\`) {
			return -1
		}
		at := min(pe.Cursorpos-1, len(src))
		res, err = pg_query.Scan(src[:at])
		if err != nil {
			return -1
		}
	}
	for _, t := range res.GetTokens() {
		if t.Token != pg_query.Token_SCONST || int(t.End) > len(src) || t.Start < 0 {
			continue
		}
		text := src[t.Start:t.End]
		if strings.HasPrefix(text, "'") && strings.Contains(text, `\`) {
			return int(t.Start)
		}
	}
	return -1
}

func identity(n int) []int {
	o := make([]int, n+1)
	for i := range o {
		o[i] = i
	}
	return o
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// isName reports whether a token can be an object key in a path: an
// identifier, a quoted identifier or a keyword spelled like one.
func isName(t token) bool {
	if t.tok == pg_query.Token_IDENT {
		return true
	}
	if t.text == "" {
		return false
	}
	for i := 0; i < len(t.text); i++ {
		if !isWordByte(t.text[i]) {
			return false
		}
	}
	c := t.text[0]
	return !(c >= '0' && c <= '9')
}

// keyOf returns a path key as PostgreSQL string literal text and the key's
// name: `"Name"` keeps its case, a bare name is as written.
func keyOf(t token) (lit, name string) {
	name = t.text
	if strings.HasPrefix(name, `"`) && strings.HasSuffix(name, `"`) && len(name) >= 2 {
		name = strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
	}
	return "'" + strings.ReplaceAll(name, "'", "''") + "'", name
}

// writer builds the bridged text and its offset map.
type writer struct {
	b    strings.Builder
	orig []int
}

func (w *writer) emit(s string, at int) {
	w.b.WriteString(s)
	for range len(s) {
		w.orig = append(w.orig, at)
	}
}

// copyText writes src[s:e] unchanged, mapping each byte back.
func (w *writer) copyText(src string, orig []int, s, e int) {
	w.b.WriteString(src[s:e])
	w.orig = append(w.orig, orig[s:e]...)
}

// ident writes a token; an unquoted identifier is quoted so that
// PostgreSQL keeps its case (it folds unquoted names to lower case, where
// Snowflake folds to upper case and compares without case): the fields
// keep the spelling the rule wrote.
func (w *writer) ident(src string, orig []int, t token) {
	if t.tok != pg_query.Token_IDENT || strings.HasPrefix(t.text, `"`) || strings.ContainsRune(t.text, '"') {
		w.copyText(src, orig, t.start, t.end)
		return
	}
	w.emit(`"`, orig[t.start])
	w.copyText(src, orig, t.start, t.end)
	w.emit(`"`, orig[t.end-1])
}

// bridge rewrites a Snowflake query into PostgreSQL with the same meaning
// (see the package doc for each rewrite). Jinja templates are an error.
func bridge(query string) (*bridged, error) {
	src, orig, toks, err := scan(query)
	if err != nil {
		// a template the scanner stops in (an unbalanced quote in a macro
		// argument) is named as the template rather than the scan error
		if i := strings.Index(query, "{{"); i >= 0 {
			return nil, jinjaError(query, i)
		}
		return nil, err
	}
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].text == "{" && (toks[i+1].text == "{" || toks[i+1].text == "%") && toks[i+1].start == toks[i].end {
			return nil, jinjaError(query, orig[toks[i].start])
		}
	}
	w := &writer{orig: make([]int, 0, len(src)+len(src)/4+1)}
	w.b.Grow(len(src) + len(src)/4)
	paths := map[int]string{}
	prevEnd := 0
	skip := map[int]string{}  // token index → replacement text ("" drops it)
	after := map[int]string{} // token index → text to write after it
	plan(toks, skip, after)
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		w.copyText(src, orig, prevEnd, t.start) // whitespace between tokens
		prevEnd = t.end
		if rep, ok := skip[i]; ok {
			w.emit(rep, orig[t.start])
			w.emit(after[i], orig[t.end-1])
			continue
		}
		// A semi-structured path: a column (or a call's result) followed by `:key`.
		if afterCall := t.text == ")" && i+2 < len(toks) && toks[i+1].text == ":" && toks[i+1].start == t.end && isName(toks[i+2]); afterCall || startsPath(toks, i) {
			start := w.b.Len()
			w.ident(src, orig, t)
			j := i + 1
			inPath := false
			for j < len(toks) {
				n := toks[j]
				switch {
				case n.text == ":" && j+1 < len(toks) && isName(toks[j+1]) && toks[j].start == toks[j-1].end:
					lit, _ := keyOf(toks[j+1])
					w.emit("->"+lit, orig[n.start])
					j += 2
					inPath = true
					continue
				case inPath && n.text == "." && j+1 < len(toks) && isName(toks[j+1]):
					lit, _ := keyOf(toks[j+1])
					w.emit("->"+lit, orig[n.start])
					j += 2
					continue
				case n.text == "[" && j+2 < len(toks) && toks[j+1].tok == pg_query.Token_ICONST && toks[j+2].text == "]":
					w.emit("->"+toks[j+1].text, orig[n.start])
					j += 3
					continue
				}
				break
			}
			last := toks[j-1]
			if !afterCall {
				paths[start] = query[orig[t.start] : orig[last.end-1]+1]
			}
			for k := i; k < j; k++ {
				w.emit(after[k], orig[last.end-1])
			}
			prevEnd = last.end
			i = j - 1
			continue
		}
		w.ident(src, orig, t)
		w.emit(after[i], orig[t.end-1])
	}
	w.copyText(src, orig, prevEnd, len(src))
	w.orig = append(w.orig, orig[len(src)])
	return &bridged{sql: w.b.String(), orig: w.orig, paths: paths}, nil
}

// startsPath reports whether token i is a column that a `:key` path (or a
// `[n]:key` index then path) follows, directly, without space.
func startsPath(toks []token, i int) bool {
	t := toks[i]
	if !isName(t) || i+2 >= len(toks) {
		return false
	}
	if i > 0 && (toks[i-1].text == ":" && toks[i-1].end == t.start || toks[i-1].tok == pg_query.Token_TYPECAST) {
		return false
	}
	j := i + 1
	for j+2 < len(toks) && toks[j].text == "[" && toks[j+1].tok == pg_query.Token_ICONST && toks[j+2].text == "]" {
		j += 3
	}
	return j+1 < len(toks) && toks[j].text == ":" && toks[j].start == toks[j-1].end && isName(toks[j+1])
}

// plan decides the token-level rewrites that are not paths: array
// literals, RLIKE/REGEXP, QUALIFY, TABLE(FLATTEN(…)) and WITHIN GROUP.
func plan(toks []token, rep, after map[int]string) {
	depth := 0
	var havingAt []int // per depth: index of HAVING in the current SELECT, -1 when none
	setHaving := func(d, v int) {
		for len(havingAt) <= d {
			havingAt = append(havingAt, -1)
		}
		havingAt[d] = v
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		up := strings.ToUpper(t.text)
		switch {
		case t.text == "(":
			depth++
			setHaving(depth, -1)
		case t.text == ")":
			if depth > 0 {
				depth--
			}
		case t.text == "[" && i > 0 && opensArray(toks[i-1]):
			rep[i] = "ARRAY["
		case t.text == "[" && i > 0 && toks[i-1].text == ")" && i+2 < len(toks) && toks[i+1].tok == pg_query.Token_ICONST && toks[i+2].text == "]":
			rep[i], rep[i+1], rep[i+2] = "->", toks[i+1].text, ""
			i += 2
		case (up == "LIKE" || up == "ILIKE") && i+2 < len(toks) && strings.EqualFold(toks[i+1].text, "ANY") &&
			toks[i+2].text == "(" && (i+3 >= len(toks) || !strings.EqualFold(toks[i+3].text, "SELECT")):
			if c := closing(toks, i+2); c > 0 {
				rep[i+2], rep[c] = "(ARRAY[", "])"
			}
		case datePartFuncs[strings.ToLower(t.text)] && i+3 < len(toks) && toks[i+1].text == "(" && isName(toks[i+2]) &&
			!strings.HasPrefix(toks[i+2].text, `"`) && toks[i+3].text == ",":
			rep[i+2] = "'" + toks[i+2].text + "'"
		case strings.HasPrefix(strings.ToLower(t.text), "p_occurs_") && i+1 < len(toks) && toks[i+1].text == "(":
			macroArgs(toks, i+1, rep)
		case (up == "CURRENT_TIMESTAMP" || up == "CURRENT_DATE" || up == "CURRENT_TIME" || up == "LOCALTIMESTAMP") &&
			i+2 < len(toks) && toks[i+1].text == "(" && toks[i+2].text == ")":
			rep[i+1], rep[i+2] = "", ""
			i += 2
		case up == "SELECT":
			setHaving(depth, -1)
		case up == "HAVING":
			setHaving(depth, i)
		case (up == "RLIKE" || up == "REGEXP") && i > 0 && toks[i-1].tok != pg_query.Token_ASCII_46 &&
			(i+1 >= len(toks) || toks[i+1].text != "("):
			if strings.EqualFold(toks[i-1].text, "NOT") {
				rep[i-1], rep[i] = "", "!~"
			} else {
				rep[i] = "~"
			}
		case up == "QUALIFY":
			end := clauseEnd(toks, i+1)
			if end-1 <= i || end > len(toks) {
				break // no condition: left for the parser to reject
			}
			if h := havingIndex(havingAt, depth); h >= 0 {
				rep[h] = "HAVING ("
				rep[i] = ") AND ("
			} else {
				rep[i] = "HAVING ("
			}
			after[end-1] += ")"
		case up == "TABLE" && i+3 < len(toks) && toks[i+1].text == "(" && isName(toks[i+2]) && toks[i+3].text == "(":
			if c := closing(toks, i+1); c > 0 {
				rep[i], rep[i+1], rep[c] = "", "", ""
			}
		case up == "WITHIN" && i+2 < len(toks) && strings.EqualFold(toks[i+1].text, "GROUP") && toks[i+2].text == "(":
			if c := closing(toks, i+2); c > 0 {
				for k := i; k <= c; k++ {
					rep[k] = ""
				}
				i = c
			}
		}
	}
}

// datePartFuncs take a date part (`minute`, `day`) as their first
// argument, which PostgreSQL reads as a keyword; it becomes a string.
var datePartFuncs = map[string]bool{"dateadd": true, "datediff": true, "timeadd": true, "timediff": true,
	"timestampadd": true, "timestampdiff": true, "date_part": true, "date_trunc": true}

// macroArgs rewrites the arguments of a Panther time macro
// (p_occurs_since(1 hour, , col)): an empty argument becomes NULL and a
// number followed by a unit one string.
func macroArgs(toks []token, open int, rep map[int]string) {
	c := closing(toks, open)
	if c < 0 {
		return
	}
	for k := open + 1; k <= c; k++ {
		t := toks[k]
		if (t.text == "," || t.text == ")") && (toks[k-1].text == "," || toks[k-1].text == "(") && !(k == open+1 && t.text == ")") {
			rep[k] = "NULL" + t.text
		}
		if (t.tok == pg_query.Token_ICONST || t.tok == pg_query.Token_FCONST) && k+1 < c && isName(toks[k+1]) {
			rep[k], rep[k+1] = "'"+t.text+" "+toks[k+1].text+"'", ""
			k++
		}
	}
}

func havingIndex(h []int, d int) int {
	if d < len(h) {
		return h[d]
	}
	return -1
}

// opensArray reports whether a `[` after token p starts an array literal
// rather than an index.
func opensArray(p token) bool {
	switch p.text {
	case "(", ",", "=", "[", "!=", "<>":
		return true
	}
	return strings.EqualFold(p.text, "IN") || strings.EqualFold(p.text, "SELECT") || strings.EqualFold(p.text, "THEN") ||
		strings.EqualFold(p.text, "ELSE")
}

// closing returns the index of the token that closes the bracket at open, or -1.
func closing(toks []token, open int) int {
	d := 0
	for k := open; k < len(toks); k++ {
		switch toks[k].text {
		case "(", "[":
			d++
		case ")", "]":
			d--
			if d == 0 {
				return k
			}
		}
	}
	return -1
}

// clauseEnd returns the index after the last token of a QUALIFY condition
// starting at i: before ORDER, LIMIT, a set operator, `;`, or the `)`
// closing the enclosing bracket.
func clauseEnd(toks []token, i int) int {
	d := 0
	last := i
	for k := i; k < len(toks); k++ {
		t := toks[k]
		if t.tok == pg_query.Token_SQL_COMMENT || t.tok == pg_query.Token_C_COMMENT {
			continue
		}
		switch strings.ToUpper(t.text) {
		case "(":
			d++
		case ")":
			if d == 0 {
				return last + 1
			}
			d--
		case "ORDER", "LIMIT", "UNION", "EXCEPT", "INTERSECT", "MINUS", ";":
			if d == 0 {
				return last + 1
			}
		}
		last = k
	}
	return last + 1
}

// jinjaError names the Jinja template at offset i of the query.
func jinjaError(s string, i int) error {
	end := strings.IndexByte(s[i:], '\n')
	if end < 0 {
		end = len(s) - i
	}
	t := strings.TrimSpace(s[i : i+end])
	if len(t) > 60 {
		t = t[:60] + "…"
	}
	return &Error{Line: lineOf(s, i), Msg: "Jinja template " + strconv.Quote(t) +
		": Panther expands its macros when it runs the query, which is not analysed"}
}
