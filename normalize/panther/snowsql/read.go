package snowsql

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// MaxQuery bounds the text of one query (bytes).
const MaxQuery = 1 << 20

// maxDepth bounds the nesting of expressions and subqueries walked.
const maxDepth = 200

// Query is one saved query read into the rule model.
type Query struct {
	// Tables are the Panther log tables the query reads, lower-case
	// (`aws_cloudtrail` for `panther_logs.public.aws_cloudtrail`,
	// `snowflake_loginhistory` for snowflake.account_usage.login_history),
	// sorted.
	Tables []string
	// Logic is the conditions on those tables' events (WHERE, JOIN ON) and
	// on computed columns (HAVING, QUALIFY, aggregates), or nil when the
	// query has none.
	Logic rule.Expr
	// Computed are the lower-case names of the result's computed columns
	// (aggregates, window outputs, other expressions), sorted.
	Computed []string
	// Renamed maps the lower-case name of a result column that is an event
	// field under another name (`userIdentity:arn AS arn`) to that field's
	// dotted path.
	Renamed map[string]string
}

// Read bridges, parses and lowers one Panther saved query. file and line
// (the file line where the query text starts, 1-based) name the places in
// reasons and errors. A query that cannot be read is an *Error whose line
// is the file's line.
func Read(query, file string, line int) (q Query, err error) {
	defer func() {
		if r := recover(); r != nil {
			q, err = Query{}, fmt.Errorf("%s: the SQL reader failed: %v", file, r)
		}
	}()
	if len(query) > MaxQuery {
		return Query{}, fmt.Errorf("%s: query larger than %d bytes", file, MaxQuery)
	}
	if strings.IndexByte(query, 0) >= 0 {
		return Query{}, fmt.Errorf("%s: query contains a NUL byte", file)
	}
	if line < 1 {
		line = 1
	}
	b, err := bridge(query)
	if err != nil {
		return Query{}, fileError(file, line, err)
	}
	tree, err := pg_query.Parse(b.sql)
	if err != nil {
		var pe *pgparser.Error
		if errors.As(err, &pe) {
			at := pe.Cursorpos - 1
			if at >= 0 && at < len(b.orig) {
				at = b.orig[at]
			}
			return Query{}, fileError(file, line, &Error{Line: lineOf(query, at), Msg: "SQL: " + pe.Message})
		}
		return Query{}, fileError(file, line, &Error{Msg: "SQL: " + err.Error()})
	}
	l := &lowerer{b: b, query: query, file: file, line: line, ctes: map[string]*relation{}, tables: map[string]bool{}}
	var parts rule.And
	for _, st := range tree.GetStmts() {
		sel := st.GetStmt().GetSelectStmt()
		if sel == nil {
			parts = append(parts, rule.Skipped{Reason: l.at(int(st.GetStmtLocation()), "a statement other than SELECT")})
			continue
		}
		rel := l.selectStmt(sel, 0)
		for name, c := range rel.cols {
			switch {
			case c.r.computed:
				q.Computed = append(q.Computed, name)
			case !strings.EqualFold(c.r.field, name):
				if q.Renamed == nil {
					q.Renamed = map[string]string{}
				}
				q.Renamed[name] = c.r.field
			}
		}
		if rel.logic != nil {
			parts = append(parts, rel.logic)
		}
	}
	for t := range l.tables {
		q.Tables = append(q.Tables, t)
	}
	slices.Sort(q.Tables)
	slices.Sort(q.Computed)
	q.Logic = simplify(parts)
	return q, nil
}

func fileError(file string, line int, err error) error {
	var e *Error
	if errors.As(err, &e) {
		if e.Line > 0 {
			return &Error{File: file, Line: line + e.Line - 1, Msg: e.Msg}
		}
		return &Error{File: file, Msg: e.Msg}
	}
	return fmt.Errorf("%s: %w", file, err)
}

// simplify drops empty conjunctions; nil when nothing is left.
func simplify(a rule.And) rule.Expr {
	var out rule.And
	for _, e := range a {
		if e != nil {
			out = append(out, e)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

// lowerer walks one parsed query.
type lowerer struct {
	b      *bridged
	query  string
	file   string
	line   int
	ctes   map[string]*relation
	used   map[*relation]bool
	tables map[string]bool
}

// at formats a reason at an offset of the bridged text: `file line N: msg`.
func (l *lowerer) at(loc int, format string, args ...any) string {
	msg := fmt.Sprintf(format, args...)
	if loc >= 0 && loc < len(l.b.orig) {
		return fmt.Sprintf("%s line %d: %s", l.file, l.line+lineOf(l.query, l.b.orig[loc])-1, msg)
	}
	return l.file + ": " + msg
}
