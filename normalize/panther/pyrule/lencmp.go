package pyrule

import (
	"strconv"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// lenCmp is `len(field) op n` for a bound the truthiness forms do not
// cover (`len(e.get("users", [])) > 2`): a computed predicate `len(field)
// op n`. A missing value takes the read's literal default, whose length
// is 0 (`e.get("ua", "")`), or raises TypeError (len(None)) and makes the
// path fail; a predicate on a missing field never holds, so when the
// default's length satisfies the test the missing case is added as
// `field is_null`.
type lenCmp struct {
	field      string
	name       string // what len() is taken of: the field, or json.loads(field)
	op         string // "<", "<=", ">", ">=", "==", "!="
	n          int
	hasDefault bool // a missing value reads as the default (length 0), not None
	truthy     bool // false: the negation
}

// lenOps maps a comparison to the predicate operator (eq negated for !=).
var lenOps = map[string]rule.Op{"<": rule.OpLt, "<=": rule.OpLte, ">": rule.OpGt, ">=": rule.OpGte,
	"==": rule.OpEq, "!=": rule.OpEq}

// inverse is the comparison that holds exactly when op does not.
var inverse = map[string]string{"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}

func holds(n int, op string, m int) bool {
	switch op {
	case "<":
		return n < m
	case "<=":
		return n <= m
	case ">":
		return n > m
	case ">=":
		return n >= m
	case "==":
		return n == m
	}
	return n != m
}

func (c lenCmp) expr() rule.Expr {
	op := c.op
	if !c.truthy {
		op = inverse[op]
	}
	p := rule.Cmp{FieldRaw: "len(" + c.name + ")", Op: lenOps[op], Value: strconv.Itoa(c.n),
		Role: rule.RoleComputed, Negated: op == "!="}
	if c.hasDefault && holds(0, op, c.n) {
		return rule.Or{rule.Cmp{FieldRaw: c.field, Op: rule.OpIsNull}, p}
	}
	return p
}

// readDefault reports whether a field read falls back to a literal that
// is not None when the value is missing (`e.get("a", "")`, `deep_get(e,
// "a", default=[])`, `e.get("a") or []`); ok is false for a read whose
// missing value the analysis cannot tell (str(), a helper).
func (l *lowerer) readDefault(e Expr, sc *scope) (hasDefault, ok bool) {
	for d := 0; d < 20; d++ {
		if n, isName := e.(*Name); isName {
			b, bound := sc.lookup(n.ID)
			if !bound {
				return false, false
			}
			e, sc = b.expr, b.sc
			continue
		}
		switch x := e.(type) {
		case *Subscript:
			return false, true // a missing key raises: as None, the path fails
		case *BoolOp:
			if x.Op != "or" || len(x.Xs) < 2 {
				return false, false
			}
			v, ok := l.lits(x.Xs[len(x.Xs)-1], sc)
			return ok && !(len(v) == 1 && v[0].kind == '0'), ok
		case *Call:
			switch fn := x.Fn.(type) {
			case *Attr:
				if lookThrough[fn.Name] {
					return false, false // None.lower() raises; "" reads as ""
				}
				if m, isName := fn.X.(*Name); isName && m.ID == "json" && fn.Name == "loads" {
					return false, true // json.loads(None) and json.loads("") raise
				}
				switch fn.Name {
				case "get":
					if len(x.Args) < 2 {
						return false, true
					}
					return nonNoneLit(l, x.Args[1], sc)
				case "deep_get", "deep_walk", "udm":
					return kwDefault(l, x, sc)
				}
			case *Name:
				if fn.ID == "deep_get" || fn.ID == "deep_walk" {
					return kwDefault(l, x, sc)
				}
				if fn.ID == "loads" && l.importedName(fn.ID, sc) == "json.loads" {
					return false, true
				}
			}
			return false, false
		default:
			return false, false
		}
	}
	return false, false
}

func kwDefault(l *lowerer, c *Call, sc *scope) (bool, bool) {
	for _, k := range c.Kwargs {
		if k.Name == "default" {
			return nonNoneLit(l, k.Value, sc)
		}
	}
	return false, true
}

func nonNoneLit(l *lowerer, e Expr, sc *scope) (bool, bool) {
	if isCollection(e, l, sc) {
		return true, true
	}
	v, ok := l.lits(e, sc)
	if !ok || len(v) != 1 {
		return false, false
	}
	return v[0].kind != '0', true
}

// isJSONLoads reports whether e (through local names) is json.loads(…).
func (l *lowerer) isJSONLoads(e Expr, sc *scope) bool {
	e, sc = l.deref(e, sc)
	c, ok := e.(*Call)
	if !ok {
		return false
	}
	switch fn := c.Fn.(type) {
	case *Attr:
		m, isName := fn.X.(*Name)
		return isName && m.ID == "json" && fn.Name == "loads"
	case *Name:
		return fn.ID == "loads" && l.importedName(fn.ID, sc) == "json.loads"
	}
	return false
}
