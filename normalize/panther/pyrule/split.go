package pyrule

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// splitRef is `field.split(sep)` with a one-character literal separator and
// no maxsplit: the parts of a path-like field.
type splitRef struct {
	field string
	sep   byte
}

// splitOf recognises `field.split(sep)` (through local names).
func (l *lowerer) splitOf(e Expr, sc *scope) (splitRef, bool) {
	e, sc = l.deref(e, sc)
	call, ok := e.(*Call)
	if !ok || len(call.Args) != 1 || len(call.Kwargs) != 0 {
		return splitRef{}, false
	}
	a, ok := call.Fn.(*Attr)
	if !ok || a.Name != "split" {
		return splitRef{}, false
	}
	sep, ok := l.str(call.Args[0], sc)
	if !ok || len(sep) != 1 || sep[0] == '\n' {
		return splitRef{}, false
	}
	f, ok := l.field(a.X, sc)
	if !ok || f == "" {
		return splitRef{}, false
	}
	return splitRef{field: f, sep: sep[0]}, true
}

// splitIndex recognises `field.split(sep)[k]` with a literal k >= 0.
func (l *lowerer) splitIndex(e Expr, sc *scope) (splitRef, int, bool) {
	e, sc = l.deref(e, sc)
	if x, ok := lookThroughCall(e); ok { // parts[k].lower(), as a field's .lower()
		return l.splitIndex(x, sc)
	}
	if b, ok := e.(*BoolOp); ok && b.Op == "or" && len(b.Xs) == 2 {
		if s, ok := b.Xs[1].(*Str); ok && s.Value == "" {
			return l.splitIndex(b.Xs[0], sc) // `parts[k] or ""` is parts[k]
		}
	}
	sub, ok := e.(*Subscript)
	if !ok {
		return splitRef{}, 0, false
	}
	n, ok := sub.Index.(*Num)
	if !ok {
		return splitRef{}, 0, false
	}
	k, err := strconv.Atoi(n.Text)
	if err != nil || k < 0 || k > maxSplitIndex {
		return splitRef{}, 0, false
	}
	ref, ok := l.splitOf(sub.X, sc)
	return ref, k, ok
}

// maxSplitIndex bounds the part index read as a pattern.
const maxSplitIndex = 64

// segment is the regular expression of one part: any run of characters
// other than the separator (Python `re` syntax, which RE2 shares here).
func (s splitRef) segment() string {
	c := string(s.sep)
	if strings.ContainsAny(c, `\]^-`) {
		c = `\` + c
	}
	return "[^" + c + "]*"
}

// atLeast is the pattern of a field with at least n parts (n-1 separators).
func (s splitRef) atLeast(n int) rule.Cmp {
	if n <= 1 {
		return rule.Cmp{FieldRaw: s.field, Op: rule.OpRegex, Value: "^"} // any string
	}
	return rule.Cmp{FieldRaw: s.field, Op: rule.OpRegex,
		Value: "^(?:" + s.segment() + regexp.QuoteMeta(string(s.sep)) + "){" + strconv.Itoa(n-1) + "}"}
}

// partIs is the pattern of a field whose part k is exactly v.
func (s splitRef) partIs(k int, v string) rule.Cmp {
	sep := regexp.QuoteMeta(string(s.sep))
	prefix := "^"
	if k > 0 {
		prefix = "^(?:" + s.segment() + sep + "){" + strconv.Itoa(k) + "}"
	}
	return rule.Cmp{FieldRaw: s.field, Op: rule.OpRegex, Value: prefix + regexp.QuoteMeta(v) + "(?:" + sep + `|\Z)`}
}

// splitTest lowers tests on the parts of a split field:
//
//	len(field.split(c)) >= n / > n    field regex_match ^(?:[^c]*c){n-1}
//	field.split(c)[k] == v            field regex_match ^(?:[^c]*c){k}v(?:c|\Z)
//	field.split(c)[k] != v            at least k+1 parts and not the above
//
// (`in` / `not in` a literal collection: one alternative per value). An
// index past the end raises IndexError in Python, so `!=` requires the part
// to exist. Only a one-character separator is read: a part is then a run of
// other characters, which a regular expression says exactly.
func (l *lowerer) splitTest(left Expr, op string, right Expr, sc *scope) (cond, bool) {
	if call, ok := left.(*Call); ok && len(call.Args) == 1 {
		if fn, ok := call.Fn.(*Name); ok && fn.ID == "len" && !l.isShadowed(fn.ID, sc) {
			ref, ok := l.splitOf(call.Args[0], sc)
			if !ok {
				return nil, false
			}
			vs, ok := l.lits(right, sc)
			if !ok || len(vs) != 1 || vs[0].kind != 'n' {
				return nil, false
			}
			n, err := strconv.Atoi(vs[0].s)
			if err != nil || n > maxSplitIndex {
				return nil, false
			}
			switch op {
			case ">":
				n++
			case ">=":
			default:
				return nil, false
			}
			if n <= 1 {
				return nil, false // always true for a string: no pattern says it
			}
			return ref.atLeast(n), true
		}
	}
	ref, k, ok := l.splitIndex(left, sc)
	if !ok {
		return nil, false
	}
	vs, ok := l.lits(right, sc)
	if !ok {
		return nil, false
	}
	switch op {
	case "==", "!=":
		if len(vs) != 1 || isCollection(right, l, sc) {
			return nil, false
		}
	case "in", "not in":
		if _, isStr := right.(*Str); isStr {
			return nil, false
		}
	default:
		return nil, false
	}
	var xs []cond
	for _, v := range vs {
		if v.kind == 's' && !strings.Contains(v.s, string(ref.sep)) { // a part never holds the separator
			xs = append(xs, ref.partIs(k, v.s))
		}
	}
	c := or(xs...) // a part is a string: no other literal equals it (none left: False)
	if op == "!=" || op == "not in" {
		c = and(ref.atLeast(k+1), not(c))
	}
	return c, true
}

// isShadowed reports whether a builtin name is rebound locally or globally.
func (l *lowerer) isShadowed(id string, sc *scope) bool {
	if _, ok := sc.lookup(id); ok {
		return true
	}
	return l.isGlobal(id, sc)
}

// splitTruth is Python truthiness of a part, `if parts[k]` (truthy) or
// `not parts[k]` (falsy). A missing part raises IndexError, so the rule
// matches neither way: truthy is "part k exists and is not empty", falsy
// "part k exists and is empty".
type splitTruth struct {
	ref    splitRef
	k      int
	truthy bool
}

func (t splitTruth) expr() rule.Expr {
	nonEmpty := t.ref.atLeast(t.k + 1)
	nonEmpty.Value += strings.TrimSuffix(t.ref.segment(), "*") // "^(?:[^c]*c){k}" + "[^c]"
	if t.truthy {
		return nonEmpty
	}
	nonEmpty.Negated = true
	return rule.And{t.ref.atLeast(t.k + 1), nonEmpty}
}

// splitAffix lowers `field.split(c)[k].startswith(v)` / `.endswith(v)` (a
// tuple: one alternative per value) to patterns on the field.
func (l *lowerer) splitAffix(recv Expr, op rule.Op, arg Expr, sc *scope) (cond, bool) {
	ref, k, ok := l.splitIndex(recv, sc)
	if !ok {
		return nil, false
	}
	vs, ok := l.lits(arg, sc)
	if !ok || len(vs) == 0 {
		return nil, false
	}
	sep := regexp.QuoteMeta(string(ref.sep))
	prefix := ref.atLeast(k + 1).Value
	var xs []cond
	for _, v := range vs {
		if v.kind != 's' {
			return nil, false // TypeError in Python
		}
		if strings.Contains(v.s, string(ref.sep)) {
			continue // a part never holds the separator
		}
		pat := prefix + regexp.QuoteMeta(v.s)
		if op == rule.OpEndsWith {
			pat = prefix + ref.segment() + regexp.QuoteMeta(v.s) + "(?:" + sep + `|\Z)`
		}
		xs = append(xs, rule.Cmp{FieldRaw: ref.field, Op: rule.OpRegex, Value: pat})
	}
	return or(xs...), true
}

// lenTest lowers `len(field) > 0` (and `>= 1`, `!= 0`) to the field's
// truthiness and `len(field) == 0` (`< 1`, `<= 0`) to "present and falsy":
// for a string, list or dict, being non-empty is being truthy, and len()
// of a missing value (None) raises, so the rule does not match.
func (l *lowerer) lenTest(left Expr, op string, right Expr, sc *scope) (cond, bool) {
	call, ok := left.(*Call)
	if !ok || len(call.Args) != 1 {
		return nil, false
	}
	if fn, ok := call.Fn.(*Name); !ok || fn.ID != "len" || l.isShadowed(fn.ID, sc) {
		return nil, false
	}
	f, ok := l.field(call.Args[0], sc)
	if !ok || f == "" {
		return nil, false
	}
	vs, ok := l.lits(right, sc)
	if !ok || len(vs) != 1 || vs[0].kind != 'n' {
		return nil, false
	}
	nonEmpty := map[string]bool{"> 0": true, ">= 1": true, "!= 0": true}
	empty := map[string]bool{"== 0": true, "< 1": true, "<= 0": true}
	switch key := op + " " + vs[0].s; {
	case nonEmpty[key]:
		return truthTest{field: f, truthy: true}, true
	case empty[key]:
		return and(rule.Cmp{FieldRaw: f, Op: rule.OpIsNotNull}, truthTest{field: f, truthy: false}), true
	}
	n, err := strconv.Atoi(vs[0].s)
	if _, known := lenOps[op]; !known || err != nil || n < 0 {
		return nil, false
	}
	def, ok := l.readDefault(call.Args[0], sc)
	if !ok {
		return nil, false
	}
	name := f
	if l.isJSONLoads(call.Args[0], sc) {
		name = "json.loads(" + f + ")" // the parsed value's length, not the string's
	}
	return lenCmp{field: f, name: name, op: op, n: n, hasDefault: def, truthy: true}, true
}

// splitMember lowers `v in field.split(c)` (v a literal string, or a
// literal collection's values one alternative each): some part is exactly
// v, the pattern (?:^|c)v(?:c|\Z). A value holding the separator is never
// a part; the empty value is not read (a missing field's default "" would
// split into [""]).
func (l *lowerer) splitMember(left Expr, op string, right Expr, sc *scope) (cond, bool) {
	if op != "in" && op != "not in" {
		return nil, false
	}
	ref, ok := l.splitOf(right, sc)
	if !ok {
		return nil, false
	}
	vs, ok := l.lits(left, sc)
	if !ok || len(vs) != 1 || vs[0].kind != 's' || vs[0].s == "" {
		return nil, false
	}
	sep := regexp.QuoteMeta(string(ref.sep))
	var c cond = cFalse
	if !strings.Contains(vs[0].s, string(ref.sep)) {
		c = rule.Cmp{FieldRaw: ref.field, Op: rule.OpRegex, Value: "(?:^|" + sep + ")" + regexp.QuoteMeta(vs[0].s) + "(?:" + sep + `|\Z)`}
	}
	if op == "not in" {
		return not(c), true
	}
	return c, true
}
