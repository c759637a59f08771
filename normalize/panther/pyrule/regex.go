package pyrule

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// regexFlags maps the re module's flags to inline flag letters.
var regexFlags = map[string]string{"I": "i", "IGNORECASE": "i", "M": "m", "MULTILINE": "m",
	"S": "s", "DOTALL": "s"}

// flagLetters reads a flags argument (`re.I`, `re.IGNORECASE | re.M`,
// `flags=re.I`); ok is false for flags the predicate cannot state
// (re.VERBOSE, re.ASCII, computed flags).
func (l *lowerer) flagLetters(e Expr, sc *scope) (string, bool) {
	set := map[string]bool{}
	var walk func(Expr) bool
	walk = func(e Expr) bool {
		switch x := e.(type) {
		case *BinOp:
			return x.Op == "|" && walk(x.L) && walk(x.R)
		case *Attr:
			m, ok := x.X.(*Name)
			letter, known := regexFlags[x.Name]
			if !ok || m.ID != "re" || !known {
				return false
			}
			set[letter] = true
			return true
		case *Num:
			return x.Text == "0"
		}
		return false
	}
	if !walk(e) {
		return "", false
	}
	letters := make([]string, 0, len(set))
	for k := range set {
		letters = append(letters, k)
	}
	sort.Strings(letters)
	return strings.Join(letters, ""), true
}

// regexArg returns the positional or keyword argument of a call.
func regexArg(c *Call, i int, kw string) Expr {
	for _, k := range c.Kwargs {
		if k.Name == kw {
			return k.Value
		}
	}
	if i < len(c.Args) {
		return c.Args[i]
	}
	return nil
}

// regexPattern builds the predicate's pattern, in Python's re syntax with
// search semantics (the pattern may match anywhere, as regex_match does):
// re.match anchors at the start (`\A(?:p)`), re.fullmatch at both ends
// (`\A(?:p)\Z`), and flags become a leading inline group (`(?i)`).
func regexPattern(kind, pat, flags string) string {
	switch kind {
	case "match":
		pat = `\A(?:` + pat + `)`
	case "fullmatch":
		pat = `\A(?:` + pat + `)\Z`
	}
	if flags != "" {
		pat = "(?" + flags + ")" + pat
	}
	return pat
}

// regexCall lowers `re.match/search/fullmatch(p, field[, flags])` and
// `P.match/search/fullmatch(field)` over `P = re.compile(p[, flags])`.
// ok is false when e is no such call; a call whose pattern or flags
// cannot be read gives a skipped leaf.
func (l *lowerer) regexCall(e *Call, sc *scope) (cond, bool) {
	a, ok := e.Fn.(*Attr)
	if !ok || (a.Name != "match" && a.Name != "search" && a.Name != "fullmatch") {
		return nil, false
	}
	var patExpr, flagExpr, subject Expr
	psc := sc
	if x, isName := a.X.(*Name); isName && x.ID == "re" && !l.isShadowed("re", sc) {
		patExpr, subject, flagExpr = regexArg(e, 0, "pattern"), regexArg(e, 1, "string"), regexArg(e, 2, "flags")
	} else if comp, csc, ok := l.compiledCall(a.X, sc); ok {
		patExpr, flagExpr, psc = regexArg(comp, 0, "pattern"), regexArg(comp, 1, "flags"), csc
		subject = regexArg(e, 0, "string")
	} else {
		return nil, false
	}
	if patExpr == nil || subject == nil {
		return nil, false
	}
	if comp, csc, ok := l.compiledCall(patExpr, psc); ok && flagExpr == nil {
		// re.search(COMPILED, s): the compiled pattern with its own flags
		patExpr, flagExpr, psc = regexArg(comp, 0, "pattern"), regexArg(comp, 1, "flags"), csc
	}
	f, ok := l.field(subject, sc)
	if !ok || f == "" {
		return nil, false
	}
	pat, ok := l.str(patExpr, psc)
	if !ok {
		return l.why(patExpr, psc, "regular expression pattern not a literal"), true
	}
	flags := ""
	if flagExpr != nil {
		if flags, ok = l.flagLetters(flagExpr, psc); !ok {
			return rule.Skipped{Reason: fmt.Sprintf("regular expression flags `%s` not read (%s)",
				snippet(ExprString(flagExpr)), l.modOf(psc).where(pos(flagExpr).Line))}, true
		}
	}
	return rule.Cmp{FieldRaw: f, Op: rule.OpRegex, Value: regexPattern(a.Name, pat, flags)}, true
}

// compiledCall resolves a name bound to `re.compile(…)` to that call.
func (l *lowerer) compiledCall(e Expr, sc *scope) (*Call, *scope, bool) {
	for d := 0; d < 10; d++ {
		n, ok := e.(*Name)
		if !ok {
			break
		}
		x, xsc, ok := l.resolveName(n.ID, sc)
		if !ok {
			return nil, nil, false
		}
		e, sc = x, xsc
	}
	c, ok := e.(*Call)
	if !ok {
		return nil, nil, false
	}
	a, ok := c.Fn.(*Attr)
	if !ok || a.Name != "compile" || len(c.Args) < 1 {
		return nil, nil, false
	}
	if m, ok := a.X.(*Name); !ok || m.ID != "re" {
		return nil, nil, false
	}
	return c, sc, true
}

// matchIsNone lowers `m is None` / `m is not None` (and == / !=) where m
// is a regular-expression match: a match object is never None when the
// pattern matched.
func (l *lowerer) matchIsNone(left Expr, op string, right Expr, sc *scope) (cond, bool) {
	if c, ok := right.(*Const); !ok || c.Value != "None" {
		return nil, false
	}
	x, xsc := l.derefNames(left, sc)
	call, ok := x.(*Call)
	if !ok {
		return nil, false
	}
	c, ok := l.regexCall(call, xsc)
	if !ok {
		return nil, false
	}
	switch op {
	case "is not", "!=":
		return c, true
	case "is", "==":
		return not(c), true
	}
	return nil, false
}
