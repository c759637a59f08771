package snowsql

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// logDatabase is the database of Panther's log tables.
const logDatabase = "panther_logs"

// relation is what a FROM item gives a SELECT: a Panther log table, a
// derived table (CTE or subquery), FLATTEN's rows or another table.
type relation struct {
	table   string            // a Panther log table read directly
	derived bool              // a CTE or subquery: its columns are cols
	cols    map[string]column // output columns by lower-case name
	star    bool              // passes the columns of what it reads through (SELECT *)
	flatten *ref              // FLATTEN(input => x): its VALUE column is x's elements
	logic   rule.Expr         // the conditions of a derived relation
}

// column is one output column of a derived relation.
type column struct{ r ref }

// ref is an expression read as a field: an event field (raw as written,
// field the dotted path) or a computed value.
type ref struct {
	raw, field string
	computed   bool
}

// scope is the FROM items of one SELECT by alias, in order.
type scope struct {
	names   []string
	rels    map[string]*relation
	aliases map[string]ref // the SELECT's own output columns (Snowflake lets WHERE name them)
}

func (s *scope) add(name string, r *relation) {
	if s.rels == nil {
		s.rels = map[string]*relation{}
	}
	k := strings.ToLower(name)
	if _, dup := s.rels[k]; !dup {
		s.names = append(s.names, k)
	}
	s.rels[k] = r
}

// selectStmt lowers one SELECT (or set operation) into a relation with
// its conditions.
func (l *lowerer) selectStmt(sel *pg_query.SelectStmt, depth int) *relation {
	if depth > maxDepth {
		return &relation{derived: true, logic: rule.Skipped{Reason: l.file + ": query nested too deeply"}}
	}
	if wc := sel.GetWithClause(); wc != nil {
		for _, c := range wc.GetCtes() {
			cte := c.GetCommonTableExpr()
			if cte == nil {
				continue
			}
			var rel *relation
			if s := cte.GetCtequery().GetSelectStmt(); s != nil {
				rel = l.selectStmt(s, depth+1)
			} else {
				rel = &relation{derived: true, logic: rule.Skipped{Reason: l.at(int(cte.GetLocation()), "a WITH query that is not a SELECT")}}
			}
			l.ctes[strings.ToLower(cte.GetCtename())] = rel
		}
	}
	switch sel.GetOp() {
	case pg_query.SetOperation_SETOP_UNION, pg_query.SetOperation_SETOP_INTERSECT, pg_query.SetOperation_SETOP_EXCEPT:
		left, right := l.selectStmt(sel.GetLarg(), depth+1), l.selectStmt(sel.GetRarg(), depth+1)
		out := &relation{derived: true, cols: left.cols, star: left.star || right.star}
		switch {
		case left.logic == nil && right.logic == nil:
		case sel.GetOp() == pg_query.SetOperation_SETOP_UNION:
			// a row of either branch is a result: each branch's conditions are one alternative
			out.logic = rule.Or{orTrue(left.logic), orTrue(right.logic)}
		case sel.GetOp() == pg_query.SetOperation_SETOP_INTERSECT:
			out.logic = simplify(rule.And{left.logic, right.logic})
		default:
			if right.logic == nil {
				out.logic = left.logic
			} else {
				out.logic = simplify(rule.And{left.logic, rule.Not{X: right.logic}})
			}
		}
		return out
	}
	sc := &scope{}
	var parts rule.And
	for _, f := range sel.GetFromClause() {
		parts = append(parts, l.fromItem(f, sc, depth))
	}
	if len(sel.GetValuesLists()) > 0 {
		return &relation{derived: true}
	}
	out := &relation{derived: true, cols: map[string]column{}}
	sc.aliases = map[string]ref{}
	for _, t := range sel.GetTargetList() {
		rt := t.GetResTarget()
		if rt == nil {
			continue
		}
		if cr := rt.GetVal().GetColumnRef(); cr != nil && len(cr.GetFields()) > 0 && cr.GetFields()[len(cr.GetFields())-1].GetAStar() != nil {
			out.star = true
			continue
		}
		r := l.refOf(rt.GetVal(), sc, depth)
		name := rt.GetName()
		if name == "" {
			name = outputName(rt.GetVal())
		}
		if name != "" {
			k := strings.ToLower(name)
			out.cols[k] = column{r: r}
			if rt.GetName() != "" {
				sc.aliases[k] = r
			}
		}
	}
	parts = append(parts, l.cond(sel.GetWhereClause(), sc, false, depth))
	if h := sel.GetHavingClause(); h != nil {
		parts = append(parts, l.cond(h, sc, true, depth))
	}
	out.logic = simplify(parts)
	return out
}

// orTrue stands for a branch without conditions in an OR: any event of
// its tables; nil would drop the alternative.
func orTrue(e rule.Expr) rule.Expr {
	if e == nil {
		return rule.And{}
	}
	return e
}

// outputName is the name Snowflake gives an unaliased select column: the
// column's name, or the last key of a path.
func outputName(n *pg_query.Node) string {
	for n != nil {
		switch {
		case n.GetTypeCast() != nil:
			n = n.GetTypeCast().GetArg()
		case n.GetColumnRef() != nil:
			fs := n.GetColumnRef().GetFields()
			if len(fs) > 0 {
				return fs[len(fs)-1].GetString_().GetSval()
			}
			return ""
		default:
			return ""
		}
	}
	return ""
}

// fromItem adds one FROM item to the scope and returns the conditions it
// brings: a derived relation's own (once per query), a join's ON.
func (l *lowerer) fromItem(n *pg_query.Node, sc *scope, depth int) rule.Expr {
	if depth > maxDepth {
		return rule.Skipped{Reason: l.file + ": FROM nested too deeply"}
	}
	switch {
	case n.GetRangeVar() != nil:
		rv := n.GetRangeVar()
		name := rv.GetRelname()
		alias := name
		if a := rv.GetAlias(); a != nil && a.GetAliasname() != "" {
			alias = a.GetAliasname()
		}
		db, schema := strings.ToLower(rv.GetCatalogname()), strings.ToLower(rv.GetSchemaname())
		if t := accountUsageTable(db, schema, name); t != "" {
			l.tables[t] = true
			sc.add(alias, &relation{table: t})
			return nil
		}
		if db == logDatabase || db == "" && schema == logDatabase {
			t := strings.ToLower(name)
			l.tables[t] = true
			sc.add(alias, &relation{table: t})
			return nil
		}
		if db == "" && schema == "" {
			if cte := l.ctes[strings.ToLower(name)]; cte != nil {
				sc.add(alias, cte)
				if l.used == nil {
					l.used = map[*relation]bool{}
				}
				if l.used[cte] {
					return nil
				}
				l.used[cte] = true
				return cte.logic
			}
		}
		sc.add(alias, &relation{}) // a lookup table or another database: not events
		return nil
	case n.GetRangeSubselect() != nil:
		rs := n.GetRangeSubselect()
		s := rs.GetSubquery().GetSelectStmt()
		if s == nil {
			return nil
		}
		rel := l.selectStmt(s, depth+1)
		alias := ""
		if a := rs.GetAlias(); a != nil {
			alias = a.GetAliasname()
		}
		sc.add(alias, rel)
		return rel.logic
	case n.GetJoinExpr() != nil:
		j := n.GetJoinExpr()
		left := l.fromItem(j.GetLarg(), sc, depth+1)
		right := l.fromItem(j.GetRarg(), sc, depth+1)
		on := l.cond(j.GetQuals(), sc, false, depth)
		return simplify(rule.And{left, right, on})
	case n.GetRangeFunction() != nil:
		rf := n.GetRangeFunction()
		alias := ""
		if a := rf.GetAlias(); a != nil {
			alias = a.GetAliasname()
		}
		rel := &relation{}
		for _, fn := range rf.GetFunctions() {
			for _, item := range fn.GetList().GetItems() {
				fc := item.GetFuncCall()
				if fc == nil || funcName(fc) != "flatten" {
					continue
				}
				for _, a := range fc.GetArgs() {
					arg := a
					if na := a.GetNamedArgExpr(); na != nil {
						if !strings.EqualFold(na.GetName(), "input") {
							continue
						}
						arg = na.GetArg()
					}
					r := l.refOf(arg, sc, depth)
					rel.flatten = &r
					break
				}
			}
		}
		sc.add(alias, rel)
		return nil
	}
	return nil
}

// accountUsageTable names Snowflake's own audit view
// snowflake.account_usage.login_history as the Panther log table of the
// same data, snowflake_loginhistory (log type Snowflake.LoginHistory), or
// "" for another table.
func accountUsageTable(db, schema, name string) string {
	if db != "snowflake" || schema != "account_usage" {
		return ""
	}
	return "snowflake_" + strings.ReplaceAll(strings.ToLower(name), "_", "")
}

// funcName is a function's last name part, lower-case.
func funcName(fc *pg_query.FuncCall) string {
	ns := fc.GetFuncname()
	if len(ns) == 0 {
		return ""
	}
	return strings.ToLower(ns[len(ns)-1].GetString_().GetSval())
}
