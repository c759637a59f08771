package kusto

import (
	"slices"
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
	if l.firstKeptOut != nil && !hasCmp(conj) {
		conj = append(conj, rule.Skipped{Reason: l.firstKeptOut.Error()})
	}
	return Analysis{Expr: conj, Tables: l.tables, Notes: l.notes}
}

// hasCmp reports whether e holds a predicate.
func hasCmp(e rule.Expr) bool {
	switch e := e.(type) {
	case rule.Cmp:
		return true
	case rule.And:
		return slices.ContainsFunc(e, hasCmp)
	case rule.Or:
		return slices.ContainsFunc(e, hasCmp)
	case rule.Not:
		return hasCmp(e.X)
	}
	return false
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
	tables []string
	subs   []rule.Expr
	cols   *cols // the columns computed where the predicate being lowered sits
	// firstKeptOut is the first comparison that gave no predicate, with
	// its position (see keptOut).
	firstKeptOut *rule.SyntaxError
	memo         map[*Let]bool // let-bound sub-queries already lowered
	active       []*Let        // lets being expanded (cycle guard)
	notes        []string
	printed      int
	calls        int
	steps        int
	over         bool
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
	c, _ := l.tabc(x, e)
	return c
}

// tabc lowers a tabular expression to the conjunction of its filters and
// also returns the columns it has computed (see cols).
func (l *lowerer) tabc(x Expr, e *env) ([]rule.Expr, *cols) {
	if !l.step() {
		return nil, nil
	}
	switch x := x.(type) {
	case *Pipe:
		return l.pipe(x, e)
	case *Paren:
		return l.tabc(x.X, e)
	case *Ident:
		b := e.lookup(x.Name)
		switch {
		case b == nil:
			if !isKeywordValue(x.Name) {
				l.addTable(x.Name)
			}
		case b.let != nil && b.let.Value != nil:
			if l.isActive(b.let) {
				return nil, nil
			}
			l.active = append(l.active, b.let)
			c, cs := l.tabc(b.let.Value, b.parent)
			l.active = l.active[:len(l.active)-1]
			return c, cs
		case b.val != nil:
			return l.tabc(b.val, b.venv)
		}
	case *Call:
		return l.tabCall(x, e)
	case *Union:
		or, cs := l.union(x, e)
		if len(or) > 0 {
			return []rule.Expr{or}, cs
		}
		return nil, cs
	case *Lit:
		// table("name") arguments resolve to literals
		if x.Kind == TokString {
			l.addTable(x.Value)
		}
	}
	return nil, nil
}

// pipe lowers a pipeline: its source (none for an mv-apply body, which
// reads the rows of the operator around it: the columns in l.cols), then
// each operator in order, keeping track of the columns computed so far.
func (l *lowerer) pipe(x *Pipe, e *env) ([]rule.Expr, *cols) {
	outer := l.cols
	defer func() { l.cols = outer }()
	var conj []rule.Expr
	cur := outer
	if x.Source != nil {
		conj, cur = l.tabc(x.Source, e)
	}
	for _, op := range x.Ops {
		l.cols = cur
		switch o := op.(type) {
		case *Where:
			if p := l.pred(o.Pred, e); p != nil {
				conj = append(conj, withRoles(p, cur))
			}
		case *Join:
			c, rc := l.tabc(o.Right, e)
			if len(c) > 0 {
				conj = append(conj, rule.Or{andOf(c)})
			}
			cur = merge(cur, rc)
		case *UnionOp:
			or := rule.Or{}
			if len(conj) > 0 {
				or = append(or, andOf(conj))
			}
			uor, uc := l.union(o.U, e)
			or = append(or, uor...)
			cur = merge(cur, uc)
			conj = nil
			if len(or) > 0 {
				conj = []rule.Expr{or}
			}
		case *Generic:
			l.scanToks(o.Toks, e)
			next := opCols(o, cur)
			for _, sq := range o.Subs {
				if sq.Err != nil {
					conj = append(conj, rule.Skipped{Reason: "sub-query of " + o.Name + " not read: " + sq.Err.Error()})
					continue
				}
				if !sq.Implicit {
					l.sub(sq.Q, e)
					continue
				}
				// the body of mv-apply … on ( … ) filters the rows of
				// this pipeline: its filters count here, never as
				// exclusions (they filter array elements, not events)
				l.cols = next
				c, bc := l.tabc(sq.Q, e)
				if len(c) > 0 {
					conj = append(conj, rule.Or{andOf(c)})
				}
				next = merge(next, bc)
			}
			cur = next
		}
	}
	return conj, cur
}

// withRoles marks the predicates of p on columns the pipeline computed
// (cols) with role computed.
func withRoles(p rule.Expr, c *cols) rule.Expr {
	return rule.MapCmp(p, func(x rule.Cmp) rule.Cmp {
		if x.Role == "" && c.computed(rootColumn(x.FieldRaw)) {
			x.Role = rule.RoleComputed
		}
		return x
	})
}

// union lowers the tables of a union: one disjunct per table with
// filters. A table written without the comma before it makes the rule
// partial, with the line of the table before.
func (l *lowerer) union(u *Union, e *env) (rule.Or, *cols) {
	var or rule.Or
	var cs *cols
	for i, t := range u.Tables {
		c, tc := l.tabc(t, e)
		if len(c) > 0 {
			or = append(or, andOf(c))
		}
		if i == 0 {
			cs = tc
		} else {
			cs = merge(cs, tc)
		}
	}
	for _, p := range u.MissingComma {
		or = append(or, rule.Skipped{Reason: rule.Errorf(p.Line, p.Col,
			"union: no \",\" after this table, before the next \"(\" (Microsoft's Kusto parser rejects the query); read as if it were there").Error()})
	}
	return or, cs
}

// tabCall lowers a call in tabular position: a let-bound function, table(),
// materialize(), or a stored function such as an ASIM parser.
func (l *lowerer) tabCall(c *Call, e *env) ([]rule.Expr, *cols) {
	name := callName(c)
	if b := e.lookup(name); b != nil && b.let != nil && b.let.Fn != nil {
		return l.invoke(b, c, e)
	}
	switch strings.ToLower(name) {
	case "table", "materialize", "toscalar", "view":
		if len(c.Args) > 0 {
			return l.tabc(c.Args[0], e)
		}
		return nil, nil
	case "_getwatchlist", "datatable", "externaldata", "dynamic", "range", "print":
		return nil, nil // reference data, not telemetry
	}
	l.addTable(name)
	if isASIM(name) {
		return l.asimParams(c, e), nil
	}
	return nil, nil
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
func (l *lowerer) invoke(b *env, c *Call, e *env) ([]rule.Expr, *cols) {
	fn := b.let.Fn
	if l.calls >= maxCalls || l.isActive(b.let) {
		return nil, nil
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
	var cs *cols
	if fn.Body != nil {
		c2, cs = l.tabc(fn.Body, fe)
	}
	l.active = l.active[:len(l.active)-1]
	l.calls--
	return c2, cs
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
