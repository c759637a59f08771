package spl

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// maxNest bounds how deeply subsearches inside command arguments are
// parsed (`join … [search … | join … [ … ]]`); deeper ones are kept as
// written with an error.
const maxNest = 20

// Subsearch is a bracketed search inside the arguments of a command that
// combines searches (join, append, appendpipe, …). Query is nil when the
// text could not be parsed; Err then says why.
type Subsearch struct {
	Text  string // between the brackets, as written
	Query *Query
	Err   error
}

// combinesSearches reports whether the bracketed arguments of cmd are
// searches whose results the command combines with the main pipeline
// (`foreach` brackets hold an eval template, not a search).
func combinesSearches(cmd string) bool {
	switch cmd {
	case "join", "append", "appendpipe", "appendcols", "union", "multisearch", "set", "selfjoin":
		return true
	}
	return false
}

// parseSubsearches parses each top-level `[ … ]` of the arguments of cmd
// (already checked for balanced brackets by scanRaw). appendpipe's
// brackets hold a subpipeline that starts with a command (`[stats count]`).
// A subsearch that does not parse keeps its error; the command itself stays
// valid.
func (p *parser) parseSubsearches(cmd, args string) []Subsearch {
	var out []Subsearch
	for _, text := range bracketed(args) {
		s := Subsearch{Text: text}
		src := text
		if cmd == "appendpipe" && !strings.HasPrefix(strings.TrimLeft(text, " \t\r\n"), "|") {
			src = "|" + text
		}
		if p.nest+1 > maxNest {
			s.Err = rule.Errorf(0, 0, "subsearches nested deeper than %d levels", maxNest)
		} else {
			s.Query, s.Err = parseNested(src, p.nest+1)
		}
		out = append(out, s)
	}
	return out
}

// parseNested parses a subsearch's text with a parser of its own; nest is
// its nesting level.
func parseNested(src string, nest int) (q *Query, err error) {
	p := &parser{src: src, nest: nest}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(parseError)
			if !ok {
				panic(r)
			}
			q, err = nil, pe.err
		}
	}()
	return p.parsePipeline(false), nil
}

// bracketed returns the text inside each top-level `[ … ]` of s, honouring
// double-quoted strings and backslash escapes.
func bracketed(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '[':
			if depth == 0 {
				start = i + 1
			}
			depth++
		case ']':
			if depth == 0 {
				continue
			}
			depth--
			if depth == 0 {
				out = append(out, s[start:i])
			}
		}
	}
	return out
}

// subsearchQueries returns the parsed subsearches of c, in order: those of
// a combining command and those used as search terms.
func subsearchQueries(c Command) []*Query {
	var out []*Query
	switch c := c.(type) {
	case *RawCmd:
		for _, s := range c.Subsearches {
			if s.Query != nil {
				out = append(out, s.Query)
			}
		}
	case *SearchCmd:
		out = termSubsearches(c.Expr, out)
	case *TstatsCmd:
		out = termSubsearches(c.Where, out)
	}
	return out
}

func termSubsearches(e SearchExpr, out []*Query) []*Query {
	switch e := e.(type) {
	case SAnd:
		for _, x := range e {
			out = termSubsearches(x, out)
		}
	case SOr:
		for _, x := range e {
			out = termSubsearches(x, out)
		}
	case SNot:
		out = termSubsearches(e.X, out)
	case SSub:
		out = append(out, e.Query)
	}
	return out
}

// termsFrom says where the search terms a subsearch returns come from, for
// the note of a rule.Skipped: "lookup t (subsearch [...])" for an
// inputlookup, else "the results of subsearch [...]".
func termsFrom(q *Query) string {
	text := clip("[" + strings.TrimSpace(q.String()) + "]")
	if len(q.Commands) > 0 {
		if l, ok := q.Commands[0].(*LookupCmd); ok && l.Cmd == "inputlookup" && l.Table != "" {
			return "lookup " + l.Table + " (subsearch " + text + ")"
		}
	}
	return "the results of subsearch " + text
}
