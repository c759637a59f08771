package kusto

import (
	"strings"
)

// cols says which columns a pipeline has computed at one point: columns
// defined by extend, project x = …, project-rename, parse, mv-expand or
// mv-apply x = …, and the outputs of summarize, make-series and count.
// A where clause that tests one of them tests a computed column (role
// computed), not a field of the logged event. A nil *cols is the start of
// a pipeline over a table: nothing computed yet. Values are never changed
// once built.
type cols struct {
	// all: every column not in event is computed (after summarize, only
	// the by keys and the aggregates exist).
	all   bool
	event map[string]bool // in all mode: columns that still hold event values
	comp  map[string]bool // columns known to be computed
}

// computed reports whether the column name is computed.
func (c *cols) computed(name string) bool {
	if c == nil {
		return false
	}
	if c.comp[name] {
		return true
	}
	return c.all && !c.event[name]
}

// withComputed returns c with names computed.
func (c *cols) withComputed(names ...string) *cols {
	if len(names) == 0 {
		return c
	}
	out := c.clone()
	for _, n := range names {
		out.comp[n] = true
		delete(out.event, n)
	}
	return out
}

func (c *cols) clone() *cols {
	out := &cols{comp: map[string]bool{}, event: map[string]bool{}}
	if c != nil {
		out.all = c.all
		for k := range c.comp {
			out.comp[k] = true
		}
		for k := range c.event {
			out.event[k] = true
		}
	}
	return out
}

// merge returns the columns of a join or union of a and b: computed where
// computed in either. All mode holds only when it holds for both.
func merge(a, b *cols) *cols {
	switch {
	case a == nil:
		return b.nonAll()
	case b == nil:
		return a.nonAll()
	}
	out := a.clone()
	out.all = a.all && b.all
	for k := range b.comp {
		out.comp[k] = true
	}
	if !out.all {
		out.event = map[string]bool{}
	} else {
		for k := range b.event {
			out.event[k] = true
		}
	}
	return out
}

// nonAll returns c without all mode: only its named computed columns.
func (c *cols) nonAll() *cols {
	if c == nil || !c.all {
		return c
	}
	return &cols{comp: c.comp}
}

// rootColumn returns the column a dotted or indexed field name starts
// with: TargetResource.type → TargetResource, AdditionalFields.z →
// AdditionalFields.
func rootColumn(f string) string {
	if i := strings.IndexAny(f, ".["); i > 0 {
		return f[:i]
	}
	return f
}

// opCols returns the columns after the operator o, given those before.
func opCols(o *Generic, c *cols) *cols {
	switch o.Name {
	case "extend", "project", "project-rename", "mv-expand", "mv-apply", "project-reorder":
		toks := o.Toks
		if o.Name == "mv-apply" || o.Name == "mv-expand" {
			toks = untilWord(toks, "on")
		}
		return c.withComputed(assigned(toks)...)
	case "parse", "parse-where":
		return c.withComputed(parseNames(o.Toks)...)
	case "parse-kv":
		return c.withComputed(parseKVNames(o.Toks)...)
	case "summarize":
		return summarizeCols(o.Toks, c)
	case "make-series":
		out := &cols{all: true, event: map[string]bool{}, comp: map[string]bool{}}
		return out.withComputed(assigned(untilWord(o.Toks, "on"))...)
	case "count":
		return &cols{all: true, event: map[string]bool{}, comp: map[string]bool{"Count": true}}
	}
	return c
}

// untilWord returns the tokens before the first top-level word w.
func untilWord(toks []Token, w string) []Token {
	depth := 0
	for i, t := range toks {
		switch {
		case t.Kind == TokPunct && (t.Text == "(" || t.Text == "[" || t.Text == "{"):
			depth++
		case t.Kind == TokPunct && (t.Text == ")" || t.Text == "]" || t.Text == "}"):
			depth--
		case depth == 0 && t.Kind == TokIdent && strings.EqualFold(t.Text, w):
			return toks[:i]
		}
	}
	return toks
}

// splitTop splits toks at top-level commas.
func splitTop(toks []Token) [][]Token {
	var out [][]Token
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.Kind == TokPunct && (t.Text == "(" || t.Text == "[" || t.Text == "{"):
			depth++
		case t.Kind == TokPunct && (t.Text == ")" || t.Text == "]" || t.Text == "}"):
			depth--
		case depth == 0 && t.Kind == TokPunct && t.Text == ",":
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	return append(out, toks[start:])
}

// assigned returns the names that items `Name = …` and `(A, B) = …` of
// a comma-separated operator argument list define; operator parameters
// (kind=…, hint.…=…, with_itemindex=…) are not columns.
func assigned(toks []Token) []string {
	var out []string
	for _, item := range splitTop(toks) {
		item = skipParams(item)
		if len(item) >= 2 && item[0].Kind == TokIdent && item[1].Kind == TokPunct && item[1].Text == "=" {
			out = append(out, item[0].Text)
			continue
		}
		if len(item) >= 2 && item[0].Kind == TokPunct && item[0].Text == "(" {
			end := closing(item, 0)
			if end > 0 && end+1 < len(item) && item[end+1].Kind == TokPunct && item[end+1].Text == "=" {
				for _, t := range item[1:end] {
					if t.Kind == TokIdent {
						out = append(out, t.Text)
					}
				}
			}
		}
	}
	return out
}

// operatorParams are the parameter names (before their "=") that operators
// take ahead of their arguments.
var operatorParams = map[string]bool{"kind": true, "hint": true, "with_itemindex": true, "bagexpansion": true,
	"flags": true, "isfuzzy": true, "withsource": true, "limit": true}

// skipParams drops leading `name=value` and `hint.x=value` parameters.
func skipParams(item []Token) []Token {
	for len(item) >= 3 && item[0].Kind == TokIdent && operatorParams[strings.ToLower(item[0].Text)] {
		n := 1
		for n+1 < len(item) && item[n].Kind == TokPunct && item[n].Text == "." && item[n+1].Kind == TokIdent {
			n += 2
		}
		if n+1 >= len(item) || item[n].Kind != TokPunct || item[n].Text != "=" {
			return item
		}
		item = item[n+2:]
	}
	return item
}

// parseNames returns the columns a parse pattern defines: the names after
// the top-level `with`, except type annotations (`Name:string`).
func parseNames(toks []Token) []string {
	var out []string
	with := -1
	for i, t := range toks {
		if t.Kind == TokIdent && strings.EqualFold(t.Text, "with") {
			with = i
			break
		}
	}
	if with < 0 {
		return nil
	}
	for i := with + 1; i < len(toks); i++ {
		t := toks[i]
		if t.Kind == TokIdent && !(i > 0 && toks[i-1].Kind == TokPunct && toks[i-1].Text == ":") {
			out = append(out, t.Text)
		}
	}
	return out
}

// parseKVNames returns the columns of parse-kv's `as (Name:type, …)`.
func parseKVNames(toks []Token) []string {
	var out []string
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].Kind == TokIdent && toks[i+1].Kind == TokPunct && toks[i+1].Text == ":" {
			out = append(out, toks[i].Text)
		}
	}
	return out
}

// aggPrefix gives the output column prefix of unnamed aggregates whose
// name differs from the function's.
var aggPrefix = map[string]string{"make_set": "set", "makeset": "set", "make_set_if": "set", "make_list": "list",
	"makelist": "list", "make_list_if": "list", "make_bag": "bag", "make_bag_if": "bag", "take_any": "any",
	"make_list_with_nulls": "list"}

// keepsRow lists aggregates whose outputs are the columns of one chosen
// row: values of the event, not computed.
var keepsRow = map[string]bool{"arg_max": true, "arg_min": true}

// summarizeCols returns the columns after `summarize aggregates by keys`:
// the aggregates are computed (named, or with Kusto's default names count_,
// dcount_X, set_X, …); by keys keep what they were unless computed there
// (by x = …, bin(X, …)); arg_max(T, a, b) keeps T, a and b as they were, and
// arg_max(T, *) or take_any(*) every column.
func summarizeCols(toks []Token, c *cols) *cols {
	toks = skipParams(toks)
	aggs, keys := toks, []Token(nil)
	if by := untilWord(toks, "by"); len(by) < len(toks) {
		aggs, keys = by, toks[len(by)+1:]
	}
	out := &cols{all: true, event: map[string]bool{}, comp: map[string]bool{}}
	var comp []string
	keep := func(name string) { // a column that keeps its value
		if c.computed(name) {
			comp = append(comp, name)
		} else {
			out.event[name] = true
		}
	}
	for _, item := range splitTop(aggs) {
		name, fn, args := aggItem(item)
		star := false
		for _, a := range args {
			star = star || len(a) == 1 && a[0].Kind == TokPunct && a[0].Text == "*"
		}
		switch {
		case star && (keepsRow[fn] || fn == "take_any" || fn == "any"):
			kept := c.clone() // every column of the row is kept
			kept.all = c != nil && c.all
			for k := range out.event {
				kept.event[k] = true
			}
			out = kept
		case keepsRow[fn]:
			for _, a := range args {
				switch {
				case len(a) == 1 && a[0].Kind == TokIdent:
					keep(a[0].Text)
				case len(a) >= 2 && a[0].Kind == TokIdent && a[1].Kind == TokPunct && a[1].Text == "=":
					comp = append(comp, a[0].Text)
				}
			}
		case name != "":
			comp = append(comp, name)
		case fn != "":
			p := fn
			if q, ok := aggPrefix[fn]; ok {
				p = q
			}
			arg := ""
			if len(args) > 0 && len(args[0]) == 1 && args[0][0].Kind == TokIdent {
				arg = args[0][0].Text
			}
			comp = append(comp, p+"_"+arg)
		}
	}
	for _, item := range splitTop(keys) {
		name, _, args := aggItem(item)
		switch {
		case name != "":
			comp = append(comp, name)
		case len(item) == 1 && item[0].Kind == TokIdent:
			keep(item[0].Text)
		case len(args) > 0 && len(args[0]) == 1 && args[0][0].Kind == TokIdent:
			// bin(TimeGenerated, 1h): named after its argument, its value computed
			comp = append(comp, args[0][0].Text)
		}
	}
	return out.withComputed(comp...)
}

// aggItem splits a summarize item `[Name =] fn(args)` into its parts;
// fn is lower case, args are split at top-level commas. name is also set
// for `Name = expr` items that are no call.
func aggItem(item []Token) (name, fn string, args [][]Token) {
	if len(item) >= 2 && item[0].Kind == TokIdent && item[1].Kind == TokPunct && item[1].Text == "=" {
		name, item = item[0].Text, item[2:]
	}
	if len(item) >= 3 && item[0].Kind == TokIdent && item[1].Kind == TokPunct && item[1].Text == "(" {
		fn = strings.ToLower(item[0].Text)
		if end := closing(item, 1); end > 2 {
			args = splitTop(item[2:end])
		}
	}
	return name, fn, args
}
