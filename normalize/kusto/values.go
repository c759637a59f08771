package kusto

import (
	"strconv"
	"strings"
)

// Value classes of an operand.
const (
	valConst = iota // constant values
	valTime         // a time value (ago(), now(), datetime) or a time window bound
	valSub          // the result of a sub-query, or a value only known at run time
	valField        // another column
	valNone         // no value (null, an empty list)
)

// timeFuncs return points in time.
var timeFuncs = map[string]bool{"ago": true, "now": true, "startofday": true, "endofday": true,
	"startofweek": true, "endofweek": true, "startofmonth": true, "endofmonth": true, "datetime_add": true,
	"todatetime": true, "bin": true, "startofyear": true, "unixtime_seconds_todatetime": true,
	"unixtime_milliseconds_todatetime": true}

// values evaluates an operand to its constant values.
func (l *lowerer) values(x Expr, e *env) ([]string, int) {
	if !l.step() {
		return nil, valSub
	}
	switch x := x.(type) {
	case *Lit:
		switch x.Kind {
		case TokString:
			return []string{x.Value}, valConst // exact: spaces are part of the value
		case TokTyped:
			if strings.HasPrefix(x.Value, "datetime(") || strings.HasPrefix(x.Value, "time(") {
				return nil, valTime
			}
			v := x.Value[strings.IndexByte(x.Value, '(')+1 : len(x.Value)-1]
			if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
				v = v[1 : len(v)-1] // guid("…")
			}
			return []string{v}, valConst
		}
		return []string{x.Value}, valConst
	case *Unary:
		vs, cls := l.values(x.X, e)
		if cls == valConst && x.Op == "-" {
			for i := range vs {
				vs[i] = "-" + vs[i]
			}
		}
		return vs, cls
	case *Ident:
		switch strings.ToLower(x.Name) {
		case "true", "false":
			return []string{strings.ToLower(x.Name)}, valConst
		case "null":
			return nil, valNone
		}
		b := e.lookup(x.Name)
		switch {
		case b == nil:
			return nil, valField
		case b.val != nil:
			return l.values(b.val, b.venv)
		case b.let == nil: // a function parameter called without an argument
			return nil, valField
		case b.let.Fn != nil:
			return nil, valSub
		case isDataTable(b.let.Value):
			return l.values(b.let.Value, b.parent)
		case isTabular(b.let.Value):
			l.subLet(b)
			return nil, valSub
		case l.isActive(b.let):
			return nil, valSub
		}
		l.active = append(l.active, b.let)
		vs, cls := l.values(b.let.Value, b.parent)
		l.active = l.active[:len(l.active)-1]
		return vs, cls
	case *Paren:
		if _, ok := x.X.(*Pipe); ok {
			l.sub(x.X, e)
			return nil, valSub
		}
		return l.values(x.X, e)
	case *Pipe, *Union:
		l.sub(x, e)
		return nil, valSub
	case *DataTable:
		var out []string
		for _, v := range x.Values {
			vs, cls := l.values(v, e)
			if cls == valConst {
				out = append(out, vs...)
			}
		}
		return out, valConst
	case *Array:
		return l.list(x.Elems, e)
	case *List:
		return l.list(x.Elems, e)
	case *Call:
		n := strings.ToLower(callName(x))
		switch {
		case n == "dynamic" && len(x.Args) == 1:
			return l.values(x.Args[0], e)
		case timeFuncs[n]:
			return nil, valTime
		case n == "toscalar" || n == "materialize":
			if len(x.Args) > 0 {
				l.sub(x.Args[0], e)
			}
			return nil, valSub
		case (n == "tolower" || n == "toupper" || n == "tostring" || n == "tolong" || n == "toint") && len(x.Args) == 1:
			vs, cls := l.values(x.Args[0], e)
			if cls == valConst {
				for i := range vs {
					switch n {
					case "tolower":
						vs[i] = strings.ToLower(vs[i])
					case "toupper":
						vs[i] = strings.ToUpper(vs[i])
					}
				}
			}
			return vs, cls
		case n == "strcat":
			var b strings.Builder
			for _, a := range x.Args {
				vs, cls := l.values(a, e)
				if cls != valConst || len(vs) != 1 {
					return nil, valSub
				}
				b.WriteString(vs[0])
			}
			return []string{b.String()}, valConst
		}
		if b := e.lookup(callName(x)); b != nil {
			return nil, valSub
		}
		if _, ok := l.field(x, e); ok {
			return nil, valField
		}
		for _, a := range x.Args { // lower the sub-queries the arguments name
			l.values(a, e)
		}
		return nil, valSub
	case *Binary:
		switch x.Op {
		case "+", "-", "*", "/":
			a, ca := l.values(x.L, e)
			b, cb := l.values(x.R, e)
			if ca == valTime || cb == valTime {
				return nil, valTime
			}
			if ca == valConst && cb == valConst && len(a) == 1 && len(b) == 1 {
				if v, ok := arith(x.Op, a[0], b[0]); ok {
					return []string{v}, valConst
				}
			}
			if ca == valField || cb == valField {
				return nil, valField
			}
		}
		return nil, valSub
	case *Member, *Index:
		if _, ok := l.field(x, e); ok {
			return nil, valField
		}
	}
	return nil, valSub
}

// list evaluates the elements of a list; sub-query and column elements are
// left out.
func (l *lowerer) list(es []Expr, e *env) ([]string, int) {
	var out []string
	cls := valNone
	for _, x := range es {
		vs, c := l.values(x, e)
		switch c {
		case valConst:
			out = append(out, vs...)
			cls = valConst
		case valNone:
		default:
			if cls == valNone {
				cls = c
			}
		}
	}
	if len(out) > 0 {
		cls = valConst
	}
	return out, cls
}

// arith folds integer arithmetic on constants (1024*1024).
func arith(op, a, b string) (string, bool) {
	x, err1 := strconv.ParseInt(a, 10, 64)
	y, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil {
		return "", false
	}
	switch op {
	case "+":
		return strconv.FormatInt(x+y, 10), true
	case "-":
		return strconv.FormatInt(x-y, 10), true
	case "*":
		return strconv.FormatInt(x*y, 10), true
	case "/":
		if y != 0 {
			return strconv.FormatInt(x/y, 10), true
		}
	}
	return "", false
}
