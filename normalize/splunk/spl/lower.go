package spl

import (
	"net/netip"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Lower returns the detection logic of q as a boolean tree: the conjunction
// of every filtering stage (the leading search, the tstats WHERE clause,
// `search`, `where` and `regex` stages), in pipeline order. Stages that do
// not filter (eval, stats, rename, lookup, …) add nothing but may define
// computed columns. Clauses that cannot be expressed as predicates become
// rule.Skipped.
//
// Roles: index, sourcetype, source, eventtype (and splunk_server, and
// nodename in a tstats WHERE clause) select which data is read: their
// predicates have role logsource. Names are case-sensitive, as in Splunk:
// `eventType` (an Okta field) is a field of the event. A comparison on a
// column the pipeline computed (eval, stats, eventstats, streamstats,
// tstats, rex, lookup outputs, …) or on a computed operand (len(x)) has role
// computed. Time modifiers (`earliest=`, `latest=`, …) are dropped.
//
// Subsearches: the predicates of the searches that join, append,
// appendpipe, union, … combine, and of a subsearch used as a search term,
// are read and added as conjuncts of their own (their exclusions stay
// exclusions), in pipeline order. A subsearch used as a search term also
// gives a rule.Skipped: the terms it produces come from its results.
func Lower(q *Query) rule.Expr {
	return newLowerer(nil).pipeline(q)
}

// lowerer lowers one pipeline; computed holds the columns defined so far.
type lowerer struct {
	computed scope
	extra    rule.And // conjuncts from subsearch terms of the current stage
}

// newLowerer starts a pipeline; inherit (appendpipe) passes the columns of
// the pipeline it runs on.
func newLowerer(inherit scope) *lowerer {
	l := &lowerer{computed: scope{}}
	for k := range inherit {
		l.computed[k] = true
	}
	return l
}

func (l *lowerer) pipeline(q *Query) rule.And {
	var and rule.And
	add := func(e rule.Expr) {
		if a, ok := e.(rule.And); ok {
			and = append(and, a...)
			return
		}
		and = append(and, e)
	}
	for _, c := range q.Commands {
		switch c := c.(type) {
		case *SearchCmd:
			if c.Expr != nil {
				if e, always := l.search(c.Expr, false, false); !always {
					add(e)
				}
			}
		case *TstatsCmd:
			if c.Where != nil {
				if e, always := l.search(c.Where, false, true); !always {
					add(e)
				}
			}
		case *WhereCmd:
			add(l.eval(c.Expr))
		case *RegexCmd:
			f := c.Field
			if f == "" {
				f = "_raw"
			}
			add(rule.Cmp{FieldRaw: f, Op: rule.OpRegex, Value: c.Pattern, Negated: c.Negated, Role: l.role(f, false)})
		case *RawCmd:
			for _, s := range c.Subsearches {
				if s.Err != nil {
					add(rule.Skipped{Reason: c.Cmd + " subsearch " + clip("["+strings.TrimSpace(s.Text)+"]") + " not read: " + s.Err.Error()})
					continue
				}
				var inherit scope
				if c.Cmd == "appendpipe" {
					inherit = l.computed
				}
				child := newLowerer(inherit)
				add(child.pipeline(s.Query))
				l.computed.add(keys(child.computed)...)
			}
		}
		if len(l.extra) > 0 {
			add(l.extra)
			l.extra = nil
		}
		l.computed.define(c)
	}
	return and
}

func keys(s scope) []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	return out
}

// role says what a field names at this point of the pipeline; tstats is
// set in a tstats WHERE clause, where nodename selects the dataset.
func (l *lowerer) role(field string, tstats bool) rule.Role {
	switch {
	case l.computed[field]:
		return rule.RoleComputed
	case isSelector(field), tstats && field == "nodename":
		return rule.RoleLogSource
	}
	return rule.RoleEvent
}

// isSelector reports whether field names the data a search reads. Splunk
// field names are case-sensitive: `eventType` is not `eventtype`.
func isSelector(field string) bool {
	switch field {
	case "index", "sourcetype", "source", "eventtype", "splunk_server", "splunk_server_group":
		return true
	}
	return false
}

// isTimeModifier reports whether field is a search time modifier.
func isTimeModifier(field string) bool {
	switch strings.ToLower(field) {
	case "earliest", "latest", "_index_earliest", "_index_latest", "starttime", "endtime",
		"starttimeu", "endtimeu", "timeformat", "daysago", "hoursago", "minutesago":
		return true
	}
	return false
}

// search lowers a search expression. always is true when e matches every
// event as far as detection logic goes (time modifiers, `*`).
func (l *lowerer) search(e SearchExpr, neg, tstats bool) (x rule.Expr, always bool) {
	switch e := e.(type) {
	case SAnd:
		var out rule.And
		for _, c := range e {
			if x, t := l.search(c, neg, tstats); !t {
				out = append(out, x)
			}
		}
		switch len(out) {
		case 0:
			return nil, true
		case 1:
			return out[0], false
		}
		return out, false
	case SOr:
		var out rule.Or
		for _, c := range e {
			x, t := l.search(c, neg, tstats)
			if t {
				return nil, true
			}
			out = append(out, x)
		}
		return out, false
	case SNot:
		x, t := l.search(e.X, !neg, tstats)
		if t {
			return nil, true
		}
		return rule.Not{X: x}, false
	case STerm:
		return l.term(e, tstats)
	case SIn:
		if isTimeModifier(e.Field) {
			return nil, true
		}
		role := l.role(e.Field, tstats)
		or := make(rule.Or, 0, len(e.Values))
		for _, v := range e.Values {
			op, val := classify(v.Text)
			if op == rule.OpEq {
				op = rule.OpIn
			}
			or = append(or, rule.Cmp{FieldRaw: e.Field, Op: op, Value: val, Role: role})
		}
		if len(or) == 1 {
			return or[0], false
		}
		return or, false
	case SSub:
		// The subsearch's own filters are read; the terms it returns are
		// values the rule does not contain.
		l.extra = append(l.extra, newLowerer(nil).pipeline(e.Query))
		return rule.Skipped{Reason: "search terms from " + termsFrom(e.Query)}, false
	case SMacro:
		return rule.Skipped{Reason: "unexpanded macro `" + e.Text + "`"}, false
	}
	return nil, true
}

func (l *lowerer) term(e STerm, tstats bool) (rule.Expr, bool) {
	if e.Field == "" {
		if !e.Value.Quoted && e.Func == "" && strings.Trim(e.Value.Text, "*") == "" {
			return nil, true // search *
		}
		return rule.Cmp{FieldRaw: rule.KeywordsField, Op: rule.OpMatch, Value: e.Value.Text, Role: rule.RoleEvent}, false
	}
	if isTimeModifier(e.Field) {
		return nil, true
	}
	c := rule.Cmp{FieldRaw: e.Field, Value: e.Value.Text, Role: l.role(e.Field, tstats)}
	switch e.Op {
	case "=", "!=":
		c.Op, c.Value = classify(e.Value.Text)
		c.Negated = e.Op == "!="
	case "<":
		c.Op = rule.OpLt
	case "<=":
		c.Op = rule.OpLte
	case ">":
		c.Op = rule.OpGt
	case ">=":
		c.Op = rule.OpGte
	}
	return c, false
}

// classify turns a search value into an operator: `*` alone is a field
// presence test, a network in CIDR notation a cidr_match, and `*` wildcards
// give contains / startswith / endswith / wildcard (SPL has no other
// wildcard and no escape for `*`).
func classify(v string) (rule.Op, string) {
	if v == "*" {
		return rule.OpIsNotNull, ""
	}
	if isCIDR(v) {
		return rule.OpCIDR, v
	}
	if !strings.Contains(v, "*") {
		return rule.OpEq, v
	}
	return rule.Pattern(escapeForPattern(v))
}

// escapeForPattern escapes the characters rule.Pattern would otherwise
// read as escapes or wildcards, leaving `*` as the only wildcard.
func escapeForPattern(v string) string {
	if !strings.ContainsAny(v, `\?`) {
		return v
	}
	var b strings.Builder
	b.Grow(len(v) + 4)
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' || v[i] == '?' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// isCIDR reports whether v is an IPv4 or IPv6 network in CIDR notation.
func isCIDR(v string) bool {
	i := strings.IndexByte(v, '/')
	if i <= 0 || i == len(v)-1 || len(v) > 50 {
		return false
	}
	_, err := netip.ParsePrefix(v)
	return err == nil
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// --- eval expressions ---------------------------------------------------

func skipExpr(what string, e Expr) rule.Skipped {
	return rule.Skipped{Reason: "where: " + what + " `" + clip(PrintExpr(e)) + "`"}
}

func (l *lowerer) eval(e Expr) rule.Expr {
	switch e := e.(type) {
	case EBinary:
		switch e.Op {
		case "AND":
			var and rule.And
			for _, x := range []rule.Expr{l.eval(e.L), l.eval(e.R)} {
				if a, ok := x.(rule.And); ok {
					and = append(and, a...)
				} else {
					and = append(and, x)
				}
			}
			return and
		case "OR":
			var or rule.Or
			for _, x := range []rule.Expr{l.eval(e.L), l.eval(e.R)} {
				if o, ok := x.(rule.Or); ok {
					or = append(or, o...)
				} else {
					or = append(or, x)
				}
			}
			return or
		case "=", "==", "!=", "<", "<=", ">", ">=":
			return l.compare(e)
		case "LIKE":
			return l.like(e, e.L, e.R)
		}
		return skipExpr("cannot lower", e)
	case EUnary:
		if e.Op == "NOT" {
			return rule.Not{X: l.eval(e.X)}
		}
	case ECall:
		return l.call(e)
	case EIn:
		f, role, ok := l.operand(e.X)
		if !ok {
			return skipExpr("IN on a computed value", e)
		}
		return lowerList(e, f, role, e.List)
	}
	return skipExpr("cannot lower", e)
}

// operand returns the field an operand tests and its role: a field's own
// role (see role), or computed for a computed operand such as len(x).
func (l *lowerer) operand(e Expr) (string, rule.Role, bool) {
	f, ok := fieldOf(e)
	if !ok {
		return "", "", false
	}
	if _, plain := plainField(e); plain {
		return f, l.role(f, false), true
	}
	return f, rule.RoleComputed, true
}

// plainField returns the field of a bare field operand, possibly seen
// through lower()/upper()/trim().
func plainField(e Expr) (string, bool) {
	switch x := e.(type) {
	case EIdent:
		return fieldOf(x)
	case ECall:
		if len(x.Args) == 1 && lookThrough(x.Func) {
			return plainField(x.Args[0])
		}
	}
	return "", false
}

// lookThrough are functions whose result compares like their argument for
// our purposes (case folding, trimming, conversion to string).
func lookThrough(name string) bool {
	switch strings.ToLower(name) {
	case "lower", "upper", "trim", "ltrim", "rtrim", "tostring":
		return true
	}
	return false
}

// fieldOf returns the field an operand tests: a field name, a field seen
// through lower()/upper()/trim(), or any other computed operand (len(x),
// mvcount(x), arithmetic) printed canonically. Literals have no field.
func fieldOf(e Expr) (string, bool) {
	switch x := e.(type) {
	case EIdent:
		switch strings.ToLower(x.Name) {
		case "true", "false", "null":
			if !x.Quoted {
				return "", false
			}
		}
		return x.Name, true
	case ECall:
		if len(x.Args) == 1 && lookThrough(x.Func) {
			if f, ok := fieldOf(x.Args[0]); ok {
				return f, true
			}
			return "", false
		}
		if isLiteralCall(x) {
			return "", false
		}
		return PrintExpr(x), true
	case EBinary:
		if _, ok := literalOf(x); ok {
			return "", false
		}
		return PrintExpr(x), true
	}
	return "", false
}

// isLiteralCall reports calls that compute a value from nothing that an
// event holds (now(), relative_time(now(), "-1d"), …).
func isLiteralCall(c ECall) bool {
	switch strings.ToLower(c.Func) {
	case "now", "time", "relative_time", "strptime", "null", "true", "false", "pi", "random":
		for _, a := range c.Args {
			if _, ok := a.(EIdent); ok {
				return false
			}
		}
		return true
	}
	return false
}

// literalOf returns the value of a literal operand: a string, a number, a
// negative number, a case-folded literal, or a computed time such as
// relative_time(now(), "-1d"), printed.
func literalOf(e Expr) (string, bool) {
	switch x := e.(type) {
	case EString:
		return x.Value, true
	case ENumber:
		return x.Text, true
	case EUnary:
		if n, ok := x.X.(ENumber); ok && x.Op == "-" {
			return "-" + n.Text, true
		}
	case ECall:
		if len(x.Args) == 1 && lookThrough(x.Func) {
			return literalOf(x.Args[0])
		}
		if isLiteralCall(x) {
			return PrintExpr(x), true
		}
	case EIdent:
		if !x.Quoted && (strings.EqualFold(x.Name, "true") || strings.EqualFold(x.Name, "false")) {
			return strings.ToLower(x.Name), true
		}
	}
	return "", false
}

var flipped = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "==": "==", "!=": "!="}

func cmpOp(op string) (rule.Op, bool) {
	switch op {
	case "<":
		return rule.OpLt, false
	case "<=":
		return rule.OpLte, false
	case ">":
		return rule.OpGt, false
	case ">=":
		return rule.OpGte, false
	case "!=":
		return rule.OpEq, true
	}
	return rule.OpEq, false
}

// lowerCompare lowers `a op b`. In eval, `=` compares exactly: `*` is no
// wildcard there. A field compared with another field gives the value
// "fieldref:<field>" (as Sigma's fieldref does); a computed bound such as
// `avg + stdev * 2` is kept as the printed expression.
func (lw *lowerer) compare(e EBinary) rule.Expr {
	l, r, op := e.L, e.R, e.Op
	if _, lit := literalOf(l); lit {
		if _, rlit := literalOf(r); !rlit {
			l, r, op = r, l, flipped[op]
		}
	}
	f, role, ok := lw.operand(l)
	if !ok {
		return skipExpr("comparison of literals", e)
	}
	o, neg := cmpOp(op)
	if v, ok := literalOf(r); ok {
		return rule.Cmp{FieldRaw: f, Op: o, Value: v, Negated: neg, Role: role}
	}
	if g, ok := plainField(r); ok {
		return rule.Cmp{FieldRaw: f, Op: o, Value: "fieldref:" + g, Negated: neg, Role: role}
	}
	// A computed bound (avg + stdev * 2): the threshold as written.
	return rule.Cmp{FieldRaw: f, Op: o, Value: PrintExpr(r), Negated: neg, Role: role}
}

// likePattern converts an SQL LIKE pattern (% any run, _ one character)
// to the `*`/`?` convention of rule.Pattern.
func likePattern(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%':
			b.WriteByte('*')
		case '_':
			b.WriteByte('?')
		case '*', '?', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (l *lowerer) like(whole Expr, fe, pe Expr) rule.Expr {
	f, role, ok := l.operand(fe)
	pat, lit := literalOf(pe)
	if !ok || !lit {
		return skipExpr("like() needs a field and a literal pattern", whole)
	}
	op, v := rule.Pattern(likePattern(pat))
	return rule.Cmp{FieldRaw: f, Op: op, Value: v, Role: role}
}

// lowerList gives one predicate per value (op in).
func lowerList(whole Expr, field string, role rule.Role, list []Expr) rule.Expr {
	or := make(rule.Or, 0, len(list))
	for _, a := range list {
		v, ok := literalOf(a)
		if !ok {
			if id, isID := a.(EIdent); isID {
				v, ok = "fieldref:"+id.Name, true
			}
		}
		if !ok {
			return skipExpr("IN with a computed value", whole)
		}
		or = append(or, rule.Cmp{FieldRaw: field, Op: rule.OpIn, Value: v, Role: role})
	}
	if len(or) == 1 {
		return or[0]
	}
	return or
}

func (l *lowerer) call(c ECall) rule.Expr {
	name := strings.ToLower(c.Func)
	arg := func(i int) Expr { return c.Args[i] }
	switch {
	case name == "like" && len(c.Args) == 2:
		return l.like(c, arg(0), arg(1))
	case name == "match" && len(c.Args) == 2:
		f, role, ok := l.operand(arg(0))
		re, lit := literalOf(arg(1))
		if ok && lit {
			return rule.Cmp{FieldRaw: f, Op: rule.OpRegex, Value: re, Role: role}
		}
	case name == "cidrmatch" && len(c.Args) == 2:
		cidr, lit := literalOf(arg(0))
		f, role, ok := l.operand(arg(1))
		if !lit || !ok { // tolerate the arguments swapped
			cidr, lit = literalOf(arg(1))
			f, role, ok = l.operand(arg(0))
		}
		if ok && lit {
			return rule.Cmp{FieldRaw: f, Op: rule.OpCIDR, Value: cidr, Role: role}
		}
	case (name == "isnull" || name == "isnotnull") && len(c.Args) == 1:
		if f, role, ok := l.operand(arg(0)); ok {
			op := rule.OpIsNull
			if name == "isnotnull" {
				op = rule.OpIsNotNull
			}
			return rule.Cmp{FieldRaw: f, Op: op, Role: role}
		}
	case name == "in" && len(c.Args) >= 2:
		if f, role, ok := l.operand(arg(0)); ok {
			return lowerList(c, f, role, c.Args[1:])
		}
	case name == "searchmatch" && len(c.Args) == 1:
		if s, ok := arg(0).(EString); ok {
			if se, err := ParseSearch(s.Value); err == nil && se != nil {
				if x, always := l.search(se, false, false); !always {
					return x
				}
				return rule.And{}
			}
		}
	case (name == "true" || name == "isnotnull") && len(c.Args) == 0:
		return rule.And{}
	}
	return skipExpr("function", c)
}
