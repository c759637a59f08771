package kusto

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Analysis is what Analyze finds in a query: its detection logic and the
// tables and functions it reads.
type Analysis struct {
	// Expr is the detection logic (see Lower).
	Expr rule.Expr
	// Notes are remarks on clauses kept out of the predicates (comparisons
	// of two columns), with their line and column.
	Notes []string
	// Tables lists the tables and functions (ASIM parsers such as
	// _Im_NetworkSession) the query reads, in first-use order.
	Tables []string
}

// Predicates flattens the detection logic of a (rule.Flatten) and drops
// repeated predicates: a let-bound sub-query used in several places, or a
// function called for several tables, gives its predicates once. The first
// occurrence is kept, so an exclusion of the main query wins over the same
// predicate met again in a sub-query.
func Predicates(a Analysis) (ps []rule.Predicate, skipped []string) {
	ps, skipped = rule.Flatten(a.Expr)
	type key struct {
		f   string
		op  rule.Op
		v   string
		neg bool
	}
	seen := make(map[key]bool, len(ps))
	out := ps[:0]
	for _, p := range ps {
		k := key{p.FieldRaw, p.Op, p.Value, p.Negated}
		if !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out, skipped
}

// Lower returns the detection logic of q as a boolean tree (see Analyze).
func Lower(q *Query) rule.Expr { return Analyze(q).Expr }

// maxSteps bounds the work of one lowering: let bindings are expanded where
// they are used, so a hostile query could otherwise grow without end.
const maxSteps = 50000

// maxCalls bounds the nesting of let-bound function calls.
const maxCalls = 32

// Analyze lowers q. The where clauses of the main tabular expression (the
// query's last statement, with let-bound tabular sources inlined) form the
// top-level conjunction, so negated operators and not(...) there become
// exclusions. Sub-queries (join and lookup right sides, union branches,
// let-bound tables used in `in`, toscalar, materialize) contribute their
// predicates inside a disjunction: they count, but never as exclusions of
// the rule. Comparisons of TimeGenerated or against ago()/now()/datetime
// values are time windows, not detection logic, and are dropped; `in` and
// comparisons against a sub-query's result give no predicate of their own
// (the sub-query's predicates are kept).
func Analyze(q *Query) Analysis {
	l := &lowerer{memo: map[*Let]bool{}}
	e := l.stmts(q.Stmts, nil)
	var conj rule.And
	if q.Body != nil {
		conj = append(conj, l.tab(q.Body, e)...)
	}
	for _, s := range l.subs {
		conj = append(conj, rule.Or{s})
	}
	if l.over {
		conj = append(conj, rule.Skipped{Reason: "query too complex to expand its let bindings"})
	}
	return Analysis{Expr: conj, Tables: l.tables, Notes: l.notes}
}

// env is an immutable chain of bindings.
type env struct {
	name   string
	let    *Let // a let binding, or
	val    Expr // a function argument, evaluated in venv
	venv   *env
	parent *env
}

func (e *env) lookup(name string) *env {
	for ; e != nil; e = e.parent {
		if e.name == name {
			return e
		}
	}
	return nil
}

type lowerer struct {
	tables  []string
	subs    []rule.Expr
	memo    map[*Let]bool // let-bound sub-queries already lowered
	active  []*Let        // lets being expanded (cycle guard)
	notes   []string
	printed int
	calls   int
	steps   int
	over    bool
}

func (l *lowerer) step() bool {
	if l.over {
		return false
	}
	l.steps++
	if l.steps > maxSteps {
		l.over = true
		return false
	}
	return true
}

func (l *lowerer) stmts(ss []Stmt, e *env) *env {
	for _, s := range ss {
		if lt, ok := s.(*Let); ok {
			e = &env{name: lt.Name, let: lt, parent: e}
		}
	}
	return e
}

func (l *lowerer) addTable(name string) {
	if name != "" && !slices.Contains(l.tables, name) {
		l.tables = append(l.tables, name)
	}
}

func (l *lowerer) isActive(lt *Let) bool { return slices.Contains(l.active, lt) }

// sub lowers a sub-query and records its predicates.
func (l *lowerer) sub(x Expr, e *env) {
	if c := l.tab(x, e); len(c) > 0 {
		l.subs = append(l.subs, andOf(c))
	}
}

// subLet lowers a let-bound sub-query once.
func (l *lowerer) subLet(b *env) {
	if b.let.Fn != nil || l.memo[b.let] || l.isActive(b.let) {
		return
	}
	l.memo[b.let] = true
	l.active = append(l.active, b.let)
	l.sub(b.let.Value, b.parent)
	l.active = l.active[:len(l.active)-1]
}

func andOf(c []rule.Expr) rule.Expr {
	if len(c) == 1 {
		return c[0]
	}
	return rule.And(c)
}

// tab lowers a tabular expression to the conjunction of its filters.
func (l *lowerer) tab(x Expr, e *env) []rule.Expr {
	if !l.step() {
		return nil
	}
	switch x := x.(type) {
	case *Pipe:
		var conj []rule.Expr
		if x.Source != nil {
			conj = l.tab(x.Source, e)
		}
		for _, op := range x.Ops {
			switch o := op.(type) {
			case *Where:
				if p := l.pred(o.Pred, e); p != nil {
					conj = append(conj, p)
				}
			case *Join:
				if c := l.tab(o.Right, e); len(c) > 0 {
					conj = append(conj, rule.Or{andOf(c)})
				}
			case *UnionOp:
				or := rule.Or{}
				if len(conj) > 0 {
					or = append(or, andOf(conj))
				}
				or = append(or, l.union(o.U, e)...)
				conj = nil
				if len(or) > 0 {
					conj = []rule.Expr{or}
				}
			case *Generic:
				l.scanToks(o.Toks, e)
			}
		}
		return conj
	case *Paren:
		return l.tab(x.X, e)
	case *Ident:
		b := e.lookup(x.Name)
		switch {
		case b == nil:
			if !isKeywordValue(x.Name) {
				l.addTable(x.Name)
			}
		case b.let != nil && b.let.Value != nil:
			if l.isActive(b.let) {
				return nil
			}
			l.active = append(l.active, b.let)
			c := l.tab(b.let.Value, b.parent)
			l.active = l.active[:len(l.active)-1]
			return c
		case b.val != nil:
			return l.tab(b.val, b.venv)
		}
	case *Call:
		return l.tabCall(x, e)
	case *Union:
		if or := l.union(x, e); len(or) > 0 {
			return []rule.Expr{or}
		}
	case *Lit:
		// table("name") arguments resolve to literals
		if x.Kind == TokString {
			l.addTable(x.Value)
		}
	}
	return nil
}

func (l *lowerer) union(u *Union, e *env) rule.Or {
	var or rule.Or
	for _, t := range u.Tables {
		if c := l.tab(t, e); len(c) > 0 {
			or = append(or, andOf(c))
		}
	}
	return or
}

// tabCall lowers a call in tabular position: a let-bound function, table(),
// materialize(), or a stored function such as an ASIM parser.
func (l *lowerer) tabCall(c *Call, e *env) []rule.Expr {
	name := callName(c)
	if b := e.lookup(name); b != nil && b.let != nil && b.let.Fn != nil {
		return l.invoke(b, c, e)
	}
	switch strings.ToLower(name) {
	case "table":
		if len(c.Args) > 0 {
			return l.tab(c.Args[0], e)
		}
		return nil
	case "materialize", "toscalar", "view":
		if len(c.Args) > 0 {
			return l.tab(c.Args[0], e)
		}
		return nil
	case "_getwatchlist", "datatable", "externaldata", "dynamic", "range", "print":
		return nil // reference data, not telemetry
	}
	l.addTable(name)
	if isASIM(name) {
		return l.asimParams(c, e)
	}
	return nil
}

// isASIM reports whether name is an ASIM parser function (_Im_Dns,
// imNetworkSession, _ASim_WebSession, ASimDns…).
func isASIM(name string) bool {
	n := strings.ToLower(name)
	return strings.HasPrefix(n, "_im_") || strings.HasPrefix(n, "_asim_") ||
		strings.HasPrefix(n, "im") && len(name) > 2 && name[2] >= 'A' && name[2] <= 'Z' ||
		strings.HasPrefix(n, "asim") && len(name) > 4 && name[4] >= 'A' && name[4] <= 'Z'
}

// asimFields maps ASIM filtering parameter names (without their _has_any,
// _in, … suffix) to the normalized columns they filter.
var asimFields = map[string]string{
	"srcipaddr": "SrcIpAddr", "dstipaddr": "DstIpAddr", "ipaddr": "IpAddr", "dstportnumber": "DstPortNumber",
	"domain": "DnsQuery", "responsecodename": "DnsResponseCodeName", "eventresult": "EventResult",
	"eventtype": "EventType", "eventresultdetails": "EventResultDetails", "url": "Url",
	"httpuseragent": "HttpUserAgent", "hostname": "Hostname", "srchostname": "SrcHostname",
	"dsthostname": "DstHostname", "username": "Username", "targetusername": "TargetUsername",
	"actorusername": "ActorUsername", "srcusername": "SrcUsername", "dstusername": "DstUsername",
	"dvcaction": "DvcAction", "dnsquery": "DnsQuery", "dnsresponsename": "DnsResponseName",
	"response": "DnsResponseName", "filepath": "FilePath", "commandline": "CommandLine",
	"actingprocessname": "ActingProcessName", "targetprocessname": "TargetProcessName",
	"eventseverity": "EventSeverity", "dvchostname": "DvcHostname", "targetappname": "TargetAppName",
}

// asimSuffixes maps parameter suffixes to operators, longest first.
var asimSuffixes = []struct {
	suffix string
	op     rule.Op
	all    bool
}{
	{"_has_any_prefix", rule.OpStartsWith, false}, {"_has_any_ipv4_prefix", rule.OpStartsWith, false},
	{"_has_any_ipv4", rule.OpContains, false}, {"_has_ipv4", rule.OpContains, false},
	{"_has_any", rule.OpContains, false}, {"_has_all", rule.OpContains, true},
	{"_startswith", rule.OpStartsWith, false}, {"_endswith", rule.OpEndsWith, false},
	{"_in", rule.OpIn, false}, {"_eq", rule.OpEq, false},
}

// asimParams lowers the filtering parameters of an ASIM parser call
// (_Im_Dns(domain_has_any=list, responsecodename="NXDOMAIN")): each is
// one predicate per value on the column it filters. starttime and endtime
// are the time window.
func (l *lowerer) asimParams(c *Call, e *env) []rule.Expr {
	var conj []rule.Expr
	for _, a := range c.Args {
		n, ok := a.(*Named)
		if !ok {
			continue
		}
		name := strings.ToLower(n.Name)
		if name == "starttime" || name == "endtime" || name == "pack" || name == "disabled" {
			continue
		}
		op, all := rule.OpEq, false
		for _, s := range asimSuffixes {
			if strings.HasSuffix(name, s.suffix) {
				name, op, all = strings.TrimSuffix(name, s.suffix), s.op, s.all
				break
			}
		}
		field := asimFields[name]
		if field == "" {
			field = n.Name
		}
		vals, cls := l.values(n.Value, e)
		if cls != valConst || len(vals) == 0 {
			continue
		}
		switch {
		case all:
			var and rule.And
			for _, v := range vals {
				and = append(and, rule.Cmp{FieldRaw: field, Op: op, Value: v})
			}
			conj = append(conj, andOf(and))
		case op == rule.OpEq && len(vals) > 1:
			conj = append(conj, rule.AnyOf(field, rule.OpIn, vals))
		default:
			conj = append(conj, rule.AnyOf(field, op, vals))
		}
	}
	return conj
}

// invoke lowers a call to a let-bound function with its parameters bound.
func (l *lowerer) invoke(b *env, c *Call, e *env) []rule.Expr {
	fn := b.let.Fn
	if l.calls >= maxCalls || l.isActive(b.let) {
		return nil
	}
	fe := b.parent
	for i, prm := range fn.Params {
		var v Expr
		if i < len(c.Args) {
			v = c.Args[i]
			if n, ok := v.(*Named); ok {
				v = n.Value
			}
		} else {
			v = prm.Default
		}
		for _, a := range c.Args {
			if n, ok := a.(*Named); ok && n.Name == prm.Name {
				v = n.Value
			}
		}
		fe = &env{name: prm.Name, val: v, venv: e, parent: fe}
	}
	fe = l.stmts(fn.Stmts, fe)
	l.calls++
	l.active = append(l.active, b.let)
	var c2 []rule.Expr
	if fn.Body != nil {
		c2 = l.tab(fn.Body, fe)
	}
	l.active = l.active[:len(l.active)-1]
	l.calls--
	return c2
}

// scanToks lowers the let-bound sub-queries that operators kept as tokens
// (extend, summarize, mv-apply, …) refer to.
func (l *lowerer) scanToks(toks []Token, e *env) {
	for _, t := range toks {
		if t.Kind != TokIdent {
			continue
		}
		if b := e.lookup(t.Text); b != nil && b.let != nil && b.let.Value != nil && isTabular(b.let.Value) {
			l.subLet(b)
		}
	}
}

// isDataTable reports whether x is a datatable, maybe parenthesized.
func isDataTable(x Expr) bool {
	for {
		switch y := x.(type) {
		case *DataTable:
			return true
		case *Paren:
			x = y.X
		default:
			return false
		}
	}
}

// isTabular reports whether x is certainly a tabular expression.
func isTabular(x Expr) bool {
	switch x := x.(type) {
	case *Pipe, *Union, *DataTable:
		return true
	case *Paren:
		return isTabular(x.X)
	case *Call:
		n := strings.ToLower(callName(x))
		return n == "materialize" || n == "table" || strings.HasPrefix(n, "_im") || strings.HasPrefix(n, "_asim")
	}
	return false
}

func callName(c *Call) string {
	switch f := c.Fun.(type) {
	case *Ident:
		return f.Name
	case *Member:
		return f.Name
	}
	return ""
}

func isKeywordValue(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "null":
		return true
	}
	return false
}

// pred lowers a where predicate. It returns nil for clauses that carry no
// detection logic (time windows, membership in a sub-query's result).
func (l *lowerer) pred(x Expr, e *env) rule.Expr {
	if !l.step() {
		return nil
	}
	switch x := x.(type) {
	case *Paren:
		if isTabular(x.X) {
			l.sub(x.X, e)
			return nil
		}
		return l.pred(x.X, e)
	case *Binary:
		switch x.Op {
		case "and", "or":
			a, b := l.pred(x.L, e), l.pred(x.R, e)
			switch {
			case a == nil:
				return b
			case b == nil:
				return a
			case x.Op == "and":
				return rule.And{a, b}
			}
			return rule.Or{a, b}
		}
		return l.cmp(x, e)
	case *Between:
		return l.between(x, e)
	case *Call:
		return l.predCall(x, e)
	case *Ident, *Member, *Index:
		if f, ok := l.field(x, e); ok {
			return rule.Cmp{FieldRaw: f, Op: rule.OpEq, Value: "true"}
		}
		if id, ok := x.(*Ident); ok {
			if b := e.lookup(id.Name); b != nil {
				if b.let != nil && b.let.Value != nil && !l.isActive(b.let) {
					l.active = append(l.active, b.let)
					defer func() { l.active = l.active[:len(l.active)-1] }()
					return l.pred(b.let.Value, b.parent)
				}
				if b.val != nil {
					return l.pred(b.val, b.venv)
				}
			}
			if isKeywordValue(id.Name) {
				return nil
			}
		}
	}
	return rule.Skipped{Reason: "where clause not understood: " + l.text(x)}
}

// text prints x for a reason or note, within a budget of printed
// characters per lowering, so hostile queries cannot make lowering slow.
func (l *lowerer) text(x Expr) string {
	if l.printed > maxPrinted {
		return "(expression)"
	}
	s := ExprString(x)
	l.printed += len(s)
	return clip(s)
}

// maxPrinted bounds the characters printed for reasons and notes.
const maxPrinted = 1 << 16

// clip shortens s for a reason text.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// privateRanges are the ranges ipv4_is_private() tests (RFC 1918).
var privateRanges = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}

func (l *lowerer) predCall(c *Call, e *env) rule.Expr {
	name := strings.ToLower(callName(c))
	arg := func(i int) Expr {
		if i < len(c.Args) {
			return c.Args[i]
		}
		return nil
	}
	unary := func(op rule.Op) rule.Expr {
		if f, ok := l.field(arg(0), e); ok && len(c.Args) == 1 {
			return rule.Cmp{FieldRaw: f, Op: op}
		}
		return nil
	}
	var out rule.Expr
	switch name {
	case "not":
		if len(c.Args) == 1 {
			if p := l.pred(c.Args[0], e); p != nil {
				return rule.Not{X: p}
			}
			return nil
		}
	case "isempty", "isnull":
		out = unary(rule.OpIsNull)
	case "isnotempty", "isnotnull":
		out = unary(rule.OpIsNotNull)
	case "ipv4_is_private", "ipv6_is_private":
		if f, ok := l.field(arg(0), e); ok && len(c.Args) == 1 {
			if name == "ipv6_is_private" {
				return anyOf(f, rule.OpCIDR, []string{"fc00::/7"}, false)
			}
			return anyOf(f, rule.OpCIDR, privateRanges, false)
		}
	case "ipv4_is_in_range", "ipv4_is_match", "ipv6_is_match", "ipv4_is_in_any_range", "ipv6_is_in_range",
		"ipv6_is_in_any_range", "has_any_ipv4", "has_any_ipv4_prefix", "has_ipv4", "has_ipv4_prefix":
		if len(c.Args) < 2 {
			break
		}
		f, ok := l.field(arg(0), e)
		if !ok {
			f, ok = l.field(arg(1), e)
			if !ok {
				break
			}
			c = &Call{Fun: c.Fun, Args: append([]Expr{c.Args[1], c.Args[0]}, c.Args[2:]...)}
		}
		var vals []string
		for _, a := range c.Args[1:] {
			vs, cls := l.values(a, e)
			if cls == valSub {
				return nil
			}
			vals = append(vals, vs...)
		}
		if (name == "ipv4_is_match" || name == "ipv6_is_match") && len(vals) == 2 {
			vals = []string{vals[0] + "/" + vals[1]}
		}
		if len(vals) == 0 {
			break
		}
		op := rule.OpCIDR
		if strings.HasPrefix(name, "has_") {
			op = rule.OpContains
		}
		if op == rule.OpCIDR && (name == "ipv4_is_match" || name == "ipv6_is_match") && !strings.Contains(vals[0], "/") {
			op = rule.OpEq
		}
		return anyOf(f, op, vals, false)
	default:
		if b := e.lookup(callName(c)); b != nil && b.let != nil && b.let.Fn != nil {
			// a let-bound predicate function: lower its body with the arguments bound
			if l.calls < maxCalls && !l.isActive(b.let) && b.let.Fn.Body != nil && !isTabular(b.let.Fn.Body) {
				fe := b.parent
				for i, prm := range b.let.Fn.Params {
					var v Expr = prm.Default
					if i < len(c.Args) {
						v = c.Args[i]
					}
					fe = &env{name: prm.Name, val: v, venv: e, parent: fe}
				}
				fe = l.stmts(b.let.Fn.Stmts, fe)
				l.calls++
				l.active = append(l.active, b.let)
				p := l.pred(b.let.Fn.Body, fe)
				l.active = l.active[:len(l.active)-1]
				l.calls--
				return p
			}
		}
	}
	if out != nil {
		return out
	}
	return rule.Skipped{Reason: "where function not understood: " + l.text(c)}
}

// lookThrough lists conversions that leave the field they wrap.
var lookThrough = map[string]bool{
	"tolower": true, "toupper": true, "tostring": true, "todynamic": true, "parse_json": true,
	"toint": true, "tolong": true, "toreal": true, "todouble": true, "tobool": true, "toboolean": true,
	"todecimal": true, "trim": false, "tohex": false, "string": true, "tostring_cs": true, "toguid": true,
}

// field names the column an operand refers to, as the vendor wrote it,
// with dynamic member access dotted: Properties.foo, parse_json(x).y,
// AdditionalFields["z"] → AdditionalFields.z.
func (l *lowerer) field(x Expr, e *env) (string, bool) {
	switch x := x.(type) {
	case *Ident:
		if isKeywordValue(x.Name) {
			return "", false
		}
		if b := e.lookup(x.Name); b != nil {
			if b.val != nil {
				// a parameter naming a column: column_ifexists-style helpers
				return l.field(b.val, b.venv)
			}
			return "", false
		}
		if x.Name == "$left" || x.Name == "$right" {
			return "", false
		}
		return x.Name, true
	case *Member:
		if id, ok := x.X.(*Ident); ok && (id.Name == "$left" || id.Name == "$right") {
			return x.Name, true
		}
		if f, ok := l.field(x.X, e); ok {
			return f + "." + x.Name, true
		}
	case *Index:
		f, ok := l.field(x.X, e)
		if !ok {
			return "", false
		}
		if lit, ok := x.I.(*Lit); ok {
			if lit.Kind == TokString {
				return f + "." + lit.Value, true
			}
			return f + "[" + lit.Value + "]", true
		}
		if u, ok := x.I.(*Unary); ok {
			if lit, ok := u.X.(*Lit); ok {
				return f + "[" + u.Op + lit.Value + "]", true
			}
		}
	case *Paren:
		return l.field(x.X, e)
	case *Star:
		return rule.KeywordsField, true
	case *Call:
		n := strings.ToLower(callName(x))
		switch {
		case lookThrough[n] && len(x.Args) >= 1:
			return l.field(x.Args[0], e)
		case (n == "column_ifexists" || n == "columnifexists") && len(x.Args) == 2:
			if vs, cls := l.values(x.Args[0], e); cls == valConst && len(vs) == 1 {
				return vs[0], true
			}
		}
	}
	return "", false
}

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
			return []string{strings.TrimSpace(x.Value)}, valConst
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

// cmpOps maps Kusto comparison operators to predicate operators; neg marks
// the negated forms.
var cmpOps = map[string]struct {
	op   rule.Op
	neg  bool
	list bool // the right side is a list: one predicate per value
	all  bool // has_all: every value must match
}{
	"==": {op: rule.OpEq}, "=~": {op: rule.OpEq}, "!=": {op: rule.OpEq, neg: true},
	"!~": {op: rule.OpEq, neg: true}, "<>": {op: rule.OpEq, neg: true},
	"<": {op: rule.OpLt}, "<=": {op: rule.OpLte}, ">": {op: rule.OpGt}, ">=": {op: rule.OpGte},
	"has": {op: rule.OpContains}, "has_cs": {op: rule.OpContains}, "contains": {op: rule.OpContains},
	"contains_cs": {op: rule.OpContains}, "!has": {op: rule.OpContains, neg: true},
	"!has_cs": {op: rule.OpContains, neg: true}, "!contains": {op: rule.OpContains, neg: true},
	"!contains_cs": {op: rule.OpContains, neg: true}, "notcontains": {op: rule.OpContains, neg: true},
	"notcontains_cs": {op: rule.OpContains, neg: true},
	"hasprefix":      {op: rule.OpStartsWith}, "hasprefix_cs": {op: rule.OpStartsWith},
	"startswith": {op: rule.OpStartsWith}, "startswith_cs": {op: rule.OpStartsWith},
	"!hasprefix": {op: rule.OpStartsWith, neg: true}, "!startswith": {op: rule.OpStartsWith, neg: true},
	"!startswith_cs": {op: rule.OpStartsWith, neg: true},
	"hassuffix":      {op: rule.OpEndsWith}, "hassuffix_cs": {op: rule.OpEndsWith},
	"endswith": {op: rule.OpEndsWith}, "endswith_cs": {op: rule.OpEndsWith},
	"!hassuffix": {op: rule.OpEndsWith, neg: true}, "!endswith": {op: rule.OpEndsWith, neg: true},
	"!endswith_cs":  {op: rule.OpEndsWith, neg: true},
	"matches regex": {op: rule.OpRegex},
	"in":            {op: rule.OpIn, list: true}, "in~": {op: rule.OpIn, list: true},
	"!in": {op: rule.OpIn, neg: true, list: true}, "!in~": {op: rule.OpIn, neg: true, list: true},
	"has_any": {op: rule.OpContains, list: true}, "has_all": {op: rule.OpContains, list: true, all: true},
	"!has_any": {op: rule.OpContains, neg: true, list: true},
}

// flip mirrors a comparison when the operands are swapped (5 < x).
var flip = map[rule.Op]rule.Op{rule.OpLt: rule.OpGt, rule.OpLte: rule.OpGte, rule.OpGt: rule.OpLt, rule.OpGte: rule.OpLte}

// isTimeField reports fields that hold the event time: filters on them are
// time windows.
func isTimeField(f string) bool {
	return f == "TimeGenerated" || f == "timestamp" || f == "Timestamp" || f == "EventTime"
}

func (l *lowerer) cmp(x *Binary, e *env) rule.Expr {
	spec, ok := cmpOps[x.Op]
	if !ok {
		return rule.Skipped{Reason: "where clause not understood: " + l.text(x)}
	}
	if p, ok := l.boolCmp(x, e); ok {
		return p
	}
	op := spec.op
	f, fok := l.field(x.L, e)
	vals, cls := l.values(x.R, e)
	var lv []string
	lc := -1
	leftValues := func() ([]string, int) {
		if lc < 0 {
			lv, lc = l.values(x.L, e)
		}
		return lv, lc
	}
	if !fok && !spec.list {
		// a constant on the left: 5 < x
		if f2, ok2 := l.field(x.R, e); ok2 {
			if v2, c2 := leftValues(); c2 == valConst || c2 == valTime || c2 == valNone {
				f, fok, vals, cls = f2, true, v2, c2
				if o, ok := flip[op]; ok {
					op = o
				}
			}
		}
	}
	if !fok && (cls == valConst || cls == valNone && spec.list) {
		// a computed value tested against constants: strlen(x) > 50
		f, fok = l.computed(x.L, e)
	}
	if !fok && !spec.list {
		if v2, c2 := leftValues(); c2 == valConst {
			if f2, ok2 := l.computed(x.R, e); ok2 {
				f, fok, vals, cls = f2, true, v2, c2
				if o, ok := flip[op]; ok {
					op = o
				}
			}
		}
	}
	switch {
	case cls == valTime || fok && isTimeField(f):
		return nil
	case cls == valSub || cls == valNone && spec.list:
		return nil
	case !fok:
		if _, c := leftValues(); c == valConst || c == valNone || c == valTime || c == valSub {
			return nil // constants only: a switch of the query (EnableFilter == false)
		}
		l.notef(x.L.exprPos(), "comparison of computed values kept out of predicates: %s", l.text(x))
		return nil
	case cls == valField:
		l.notef(x.L.exprPos(), "comparison of two columns kept out of predicates: %s", l.text(x))
		return nil
	case cls == valNone:
		if op == rule.OpEq {
			if spec.neg {
				return rule.Cmp{FieldRaw: f, Op: rule.OpIsNotNull}
			}
			return rule.Cmp{FieldRaw: f, Op: rule.OpIsNull}
		}
		return nil
	}
	if spec.all {
		var and rule.And
		for _, v := range vals {
			and = append(and, rule.Cmp{FieldRaw: f, Op: op, Value: v, Negated: spec.neg})
		}
		return andOf(and)
	}
	return anyOf(f, op, vals, spec.neg)
}

// boolCmp lowers `pred(x) == true/false` (ipv4_is_private(ip) == false).
func (l *lowerer) boolCmp(x *Binary, e *env) (rule.Expr, bool) {
	if x.Op != "==" && x.Op != "!=" && x.Op != "=~" && x.Op != "!~" {
		return nil, false
	}
	side, lit := x.L, x.R
	if _, ok := side.(*Ident); ok {
		side, lit = x.R, x.L
	}
	id, ok := lit.(*Ident)
	if !ok {
		return nil, false
	}
	v := strings.ToLower(id.Name)
	if v != "true" && v != "false" || e.lookup(id.Name) != nil {
		return nil, false
	}
	c, ok := side.(*Call)
	if !ok || !isPredFunc(strings.ToLower(callName(c))) {
		return nil, false
	}
	p := l.predCall(c, e)
	if p == nil {
		return nil, true
	}
	if (v == "false") != (x.Op == "!=" || x.Op == "!~") {
		return rule.Not{X: p}, true
	}
	return p, true
}

func isPredFunc(n string) bool {
	switch n {
	case "not", "isempty", "isnotempty", "isnull", "isnotnull":
		return true
	}
	return strings.HasPrefix(n, "ipv4_is_") || strings.HasPrefix(n, "ipv6_is_") || strings.HasPrefix(n, "has_any_ipv") ||
		strings.HasPrefix(n, "has_ipv")
}

// computed returns the canonical text of an operand that computes a value
// from columns (strlen(x), array_length(s), a - b): such a value tested
// against a constant becomes a predicate on that text.
func (l *lowerer) computed(x Expr, e *env) (string, bool) {
	switch x.(type) {
	case *Call, *Binary, *Paren, *Index, *Member:
	default:
		return "", false
	}
	if !l.refersToColumn(x, e, 0) {
		return "", false
	}
	return l.text(x), true
}

// refersToColumn reports whether x mentions a name that is not bound.
func (l *lowerer) refersToColumn(x Expr, e *env, depth int) bool {
	if depth > 50 {
		return false
	}
	switch x := x.(type) {
	case *Ident:
		return !isKeywordValue(x.Name) && e.lookup(x.Name) == nil
	case *Call:
		for _, a := range x.Args {
			if l.refersToColumn(a, e, depth+1) {
				return true
			}
		}
	case *Binary:
		return l.refersToColumn(x.L, e, depth+1) || l.refersToColumn(x.R, e, depth+1)
	case *Paren:
		return l.refersToColumn(x.X, e, depth+1)
	case *Index:
		return l.refersToColumn(x.X, e, depth+1)
	case *Member:
		return l.refersToColumn(x.X, e, depth+1)
	case *Unary:
		return l.refersToColumn(x.X, e, depth+1)
	case *Named:
		return l.refersToColumn(x.Value, e, depth+1)
	}
	return false
}

func (l *lowerer) notef(p Pos, format string, args ...any) {
	if len(l.notes) < 20 {
		l.notes = append(l.notes, rule.Errorf(p.Line, p.Col, format, args...).Error())
	}
}

// anyOf is one predicate per value (SPEC §4), joined by or; negated
// predicates (x !in (a, b)) are joined by and, so each stays a top-level
// conjunct.
func anyOf(f string, op rule.Op, vals []string, neg bool) rule.Expr {
	if !neg {
		return rule.AnyOf(f, op, vals)
	}
	and := make(rule.And, len(vals))
	for i, v := range vals {
		and[i] = rule.Cmp{FieldRaw: f, Op: op, Value: v, Negated: true}
	}
	return andOf(and)
}

func (l *lowerer) between(x *Between, e *env) rule.Expr {
	f, ok := l.field(x.X, e)
	if !ok {
		f, ok = l.computed(x.X, e)
	}
	if !ok {
		if _, c := l.values(x.X, e); c == valSub || c == valConst {
			return nil // a sub-query's result or a constant tested against a range
		}
		return rule.Skipped{Reason: "where clause not understood: " + l.text(x)}
	}
	lo, c1 := l.values(x.Lo, e)
	hi, c2 := l.values(x.Hi, e)
	if c1 == valTime || c2 == valTime || isTimeField(f) {
		return nil
	}
	if c1 == valSub || c2 == valSub {
		return nil
	}
	if c1 != valConst || c2 != valConst || len(lo) != 1 || len(hi) != 1 {
		l.notef(x.X.exprPos(), "range between columns kept out of predicates: %s", l.text(x))
		return nil
	}
	and := rule.And{rule.Cmp{FieldRaw: f, Op: rule.OpGte, Value: lo[0]}, rule.Cmp{FieldRaw: f, Op: rule.OpLte, Value: hi[0]}}
	if x.Neg {
		return rule.Not{X: and}
	}
	return and
}
