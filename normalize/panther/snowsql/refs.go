package snowsql

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// sameValue are one-argument functions whose result is read as their
// argument's field: case folding, trimming and casts to text.
var sameValue = map[string]bool{"lower": true, "upper": true, "trim": true, "ltrim": true, "rtrim": true,
	"to_varchar": true, "to_char": true, "as_varchar": true, "to_variant": true, "strip_null_value": true,
	"to_string": true, "parse_json": true}

// timeFields are Panther's event-time columns: a condition comparing them
// with anything but a literal is the query's time window.
var timeFields = map[string]bool{"p_event_time": true, "p_parse_time": true}

// refOf reads an expression as a field of the scope. Anything but a
// column, a path into one, a cast or a sameValue function of those is
// computed.
func (l *lowerer) refOf(n *pg_query.Node, sc *scope, depth int) ref {
	if n == nil || depth > maxDepth {
		return ref{raw: "expression", computed: true}
	}
	switch {
	case n.GetTypeCast() != nil:
		return l.refOf(n.GetTypeCast().GetArg(), sc, depth+1)
	case n.GetColumnRef() != nil:
		return l.columnRef(n.GetColumnRef(), nil, sc)
	case n.GetAExpr() != nil && isPathOp(n.GetAExpr()):
		var keys []string
		cur := n
		for cur.GetAExpr() != nil && isPathOp(cur.GetAExpr()) {
			if k, ok := keyText(cur.GetAExpr().GetRexpr()); ok {
				keys = append([]string{k}, keys...)
			}
			cur = cur.GetAExpr().GetLexpr()
		}
		for {
			if fc := cur.GetFuncCall(); fc != nil && sameValue[funcName(fc)] && len(fc.GetArgs()) == 1 {
				cur = fc.GetArgs()[0]
			} else if cur.GetTypeCast() != nil {
				cur = cur.GetTypeCast().GetArg()
			} else if cur.GetAIndirection() != nil {
				cur = cur.GetAIndirection().GetArg()
			} else {
				break
			}
		}
		cr := cur.GetColumnRef()
		if cr == nil {
			return ref{raw: render(n), computed: true}
		}
		r := l.columnRef(cr, keys, sc)
		if raw, ok := l.b.paths[int(cr.GetLocation())]; ok && !r.computed {
			r.raw = raw
		}
		return r
	case n.GetAIndirection() != nil:
		ind := n.GetAIndirection()
		r := l.refOf(ind.GetArg(), sc, depth+1)
		for _, i := range ind.GetIndirection() {
			if s := i.GetString_(); s != nil && !r.computed {
				r.field += "." + s.GetSval()
				r.raw += "." + s.GetSval()
			}
		}
		return r
	case n.GetFuncCall() != nil:
		fc := n.GetFuncCall()
		if sameValue[funcName(fc)] && len(fc.GetArgs()) == 1 && fc.GetOver() == nil {
			return l.refOf(fc.GetArgs()[0], sc, depth+1)
		}
	}
	return ref{raw: render(n), computed: true}
}

func isPathOp(e *pg_query.A_Expr) bool {
	if e.GetKind() != pg_query.A_Expr_Kind_AEXPR_OP || e.GetLexpr() == nil {
		return false
	}
	op := opName(e)
	return op == "->" || op == "->>"
}

// keyText is a path key: a string key, or "" for an array index.
func keyText(n *pg_query.Node) (string, bool) {
	for n.GetTypeCast() != nil { // `a:k::string` parses as a->('k'::string): :: binds tighter than ->
		n = n.GetTypeCast().GetArg()
	}
	c := n.GetAConst()
	if c == nil {
		return "", false
	}
	if s := c.GetSval(); s != nil {
		return s.GetSval(), true
	}
	return "", false
}

func opName(e *pg_query.A_Expr) string {
	ns := e.GetName()
	if len(ns) == 0 {
		return ""
	}
	return ns[len(ns)-1].GetString_().GetSval()
}

// columnRef resolves a (possibly qualified) column and path keys.
func (l *lowerer) columnRef(cr *pg_query.ColumnRef, keys []string, sc *scope) ref {
	var names []string
	for _, f := range cr.GetFields() {
		if s := f.GetString_(); s != nil {
			names = append(names, s.GetSval())
		} else {
			return ref{raw: "*", computed: true}
		}
	}
	if len(names) == 0 {
		return ref{raw: "expression", computed: true}
	}
	var rel *relation
	if len(names) > 1 {
		if r, ok := sc.rels[strings.ToLower(names[0])]; ok {
			rel, names = r, names[1:]
		}
	}
	name := names[0]
	raw := strings.Join(names, ".")
	if len(keys) > 0 {
		raw += ":" + strings.Join(keys, ".")
	}
	if rel == nil {
		if a, ok := sc.aliases[strings.ToLower(name)]; ok && a.computed && len(names) == 1 {
			return ref{raw: raw, computed: true}
		}
		rel = sc.pick(strings.ToLower(name))
	}
	path := append(append([]string{}, names...), keys...)
	switch {
	case rel == nil:
		return ref{raw: raw, computed: true}
	case rel.table != "":
		return ref{raw: raw, field: strings.Join(path, ".")}
	case rel.flatten != nil:
		if strings.EqualFold(name, "value") && !rel.flatten.computed {
			f := rel.flatten.field
			if rest := path[1:]; len(rest) > 0 {
				f += "." + strings.Join(rest, ".")
			}
			return ref{raw: raw, field: f}
		}
		return ref{raw: raw, computed: true}
	case rel.derived:
		if c, ok := rel.cols[strings.ToLower(name)]; ok {
			if c.r.computed {
				return ref{raw: raw, computed: true}
			}
			f, r := c.r.field, c.r.raw
			if rest := path[1:]; len(rest) > 0 {
				f += "." + strings.Join(rest, ".")
				r += "." + strings.Join(rest, ".")
			}
			return ref{raw: r, field: f}
		}
		if rel.star {
			return ref{raw: raw, field: strings.Join(path, ".")}
		}
	}
	return ref{raw: raw, computed: true}
}

// pick chooses the FROM item an unqualified column belongs to: the only
// one, else one that names it, else the first log table or pass-through.
func (s *scope) pick(name string) *relation {
	if len(s.names) == 1 {
		return s.rels[s.names[0]]
	}
	for _, n := range s.names {
		if r := s.rels[n]; r.derived {
			if _, ok := r.cols[name]; ok {
				return r
			}
		}
	}
	for _, n := range s.names {
		if r := s.rels[n]; r.table != "" || r.star {
			return r
		}
	}
	if len(s.names) > 0 {
		return s.rels[s.names[0]]
	}
	return nil
}

// constOf reads a literal: a string, number, boolean or NULL, possibly cast
// or negated.
func constOf(n *pg_query.Node) (val string, isNull, ok bool) {
	switch {
	case n == nil:
		return "", false, false
	case n.GetTypeCast() != nil:
		return constOf(n.GetTypeCast().GetArg())
	case n.GetAConst() != nil:
		c := n.GetAConst()
		switch {
		case c.GetIsnull():
			return "", true, true
		case c.GetSval() != nil:
			return c.GetSval().GetSval(), false, true
		case c.GetIval() != nil:
			return strconv.Itoa(int(c.GetIval().GetIval())), false, true
		case c.GetFval() != nil:
			return c.GetFval().GetFval(), false, true
		case c.GetBoolval() != nil:
			return strconv.FormatBool(c.GetBoolval().GetBoolval()), false, true
		}
		return "0", false, true // an Ival of zero has no value set
	case n.GetAExpr() != nil:
		e := n.GetAExpr()
		if e.GetLexpr() == nil && opName(e) == "-" {
			if v, _, ok := constOf(e.GetRexpr()); ok {
				return "-" + v, false, true
			}
		}
	}
	return "", false, false
}

// render writes an expression compactly for a computed column's name.
func render(n *pg_query.Node) string {
	return renderDepth(n, 0)
}

func renderDepth(n *pg_query.Node, depth int) string {
	if n == nil || depth > 20 {
		return "…"
	}
	switch {
	case n.GetTypeCast() != nil:
		return renderDepth(n.GetTypeCast().GetArg(), depth+1)
	case n.GetColumnRef() != nil:
		var parts []string
		for _, f := range n.GetColumnRef().GetFields() {
			if s := f.GetString_(); s != nil {
				parts = append(parts, s.GetSval())
			} else {
				parts = append(parts, "*")
			}
		}
		return strings.Join(parts, ".")
	case n.GetFuncCall() != nil:
		fc := n.GetFuncCall()
		var args []string
		if fc.GetAggStar() {
			args = append(args, "*")
		}
		for _, a := range fc.GetArgs() {
			args = append(args, renderDepth(a, depth+1))
		}
		d := ""
		if fc.GetAggDistinct() {
			d = "distinct "
		}
		return funcName(fc) + "(" + d + strings.Join(args, ", ") + ")"
	case n.GetAExpr() != nil:
		e := n.GetAExpr()
		if isPathOp(e) {
			k, _ := keyText(e.GetRexpr())
			if k == "" {
				return renderDepth(e.GetLexpr(), depth+1)
			}
			return renderDepth(e.GetLexpr(), depth+1) + ":" + k
		}
		if e.GetLexpr() == nil {
			return opName(e) + renderDepth(e.GetRexpr(), depth+1)
		}
		return renderDepth(e.GetLexpr(), depth+1) + " " + opName(e) + " " + renderDepth(e.GetRexpr(), depth+1)
	case n.GetAIndirection() != nil:
		return renderDepth(n.GetAIndirection().GetArg(), depth+1)
	}
	if v, isNull, ok := constOf(n); ok {
		if isNull {
			return "NULL"
		}
		return strconv.Quote(v)
	}
	return "expression"
}
