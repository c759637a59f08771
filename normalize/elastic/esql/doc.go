// Package esql parses ES|QL, the Elasticsearch piped query language used in
// the query of Elastic detection rules (`language = "esql"`), prints it in a
// canonical form, and lowers it to the common rule model (package rule).
//
// # Grammar
//
// Written top-down; keywords and command names are case-insensitive;
// comments are `//` to end of line and `/* … */`:
//
//	Query      = Source { "|" Command } .
//	Source     = "from" Pattern { "," Pattern } [ "metadata" Name { "," Name } ]
//	           | Name { Token } .                          (* row, show, … kept as tokens *)
//	Pattern    = String | { any character but space , | " ` = [ ] ( ) } .
//	Command    = "where" Expr
//	           | "eval" Assigns
//	           | [ "inline" ] "stats" [ AggList ] [ "by" Assigns ]
//	           | "rename" Name ( "as" | "=" ) Name { "," Name ( "as" | "=" ) Name }
//	           | Name { Token } .    (* keep, drop, sort, limit, dissect, grok, mv_expand,
//	                                    enrich, lookup join, completion, …: kept as tokens
//	                                    up to the next "|" outside brackets *)
//	Assigns    = Assign { "," Assign } .
//	Assign     = [ Name "=" ] Expr .
//	AggList    = Assign [ "where" Expr ] { "," Assign [ "where" Expr ] } .
//	Expr       = AndExpr { "or" AndExpr } .
//	AndExpr    = NotExpr { "and" NotExpr } .
//	NotExpr    = "not" NotExpr | Predicate .
//	Predicate  = Sum [ CmpOp Sum | ":" Sum
//	                 | [ "not" ] ( "like" | "rlike" ) ( Sum | "(" ExprList ")" )
//	                 | [ "not" ] "in" "(" ExprList ")"
//	                 | "is" [ "not" ] "null" ] .
//	CmpOp      = "==" | "!=" | "<" | "<=" | ">" | ">=" | "=~" .
//	Sum        = Product { ( "+" | "-" ) Product } .
//	Product    = Unary { ( "*" | "/" | "%" ) Unary } .
//	Unary      = ( "-" | "+" ) Unary | Cast .
//	Cast       = Primary { "::" Name } .
//	Primary    = "(" Expr ")" | String | Number [ TimeUnit ] | "true" | "false" | "null"
//	           | "?" [ Name ] | "[" [ ExprList ] "]" | "{" [ String ":" Expr { "," … } ] "}"
//	           | Name "(" [ "*" | ExprList ] ")" | Name .
//	ExprList   = Expr { "," Expr } .
//	Name       = segments of ( letter | "_" | "@" ) { letter | digit | "_" | "@" | "." }
//	             and "`…`" (“ is a backtick) joined by "." .
//	String     = `"` { char | `\"` | `\\` | `\n` | `\r` | `\t` } `"` | `"""` { any } `"""` .
//	TimeUnit   = "hour" | "hours" | "minute" | "minutes" | "day" | "days" | … .
//
// # Lowering
//
// Lower walks the pipeline in order and gives the And of the conditions of
// every `where` command, so a `not …` or `!=` conjunct of any where is an
// exclusion. Field names are resolved through aliases:
//
//   - `eval a = f`, `eval a = to_lower(f)` (and the other look-through
//     functions: to_upper, trim, ltrim, rtrim, to_string, to_ip and the
//     type conversions to_double, to_long, to_integer, to_datetime, …, and
//     url_decode, so a test on the decoded URL is a test on url.original),
//     `rename f as a` and `stats … by a = f` make a an alias of f; a later
//     `where a like "*x*"` is `f contains x`. Any other eval (`case(…)`,
//     `concat(…)`), a stats aggregation (`Esql.event_count = count()`) or a
//     column made by dissect, grok, enrich, … keeps its own name.
//   - `where` after `stats` tests aggregates: `where Esql.event_count > 50`
//     is the threshold predicate `Esql.event_count gt 50`.
//
// Conditions (look-through functions are removed around the tested field):
//
//   - `==`, `=~` eq; `!=` negated eq; `<`, `<=`, `>`, `>=` lt, lte, gt, gte
//     (a constant on the left is swapped to the right); `== null` is_null
//     and `!= null` is_not_null.
//   - `like` classifies its pattern with rule.Pattern (ES|QL's `*`, `?` and
//     `\` escapes are its convention): `*x*` contains, `x*` startswith, `*x`
//     endswith, other patterns wildcard, none eq; a pattern list gives one
//     predicate per pattern (plain ones `in`). `rlike` is regex_match.
//     `not like`, `not rlike` negate.
//   - `in (…)` one `in` predicate per value, `not in` negated;
//     `true in (cond, …)` is the Or of the conditions.
//   - `is null` is_null, `is not null` is_not_null.
//   - `starts_with(f, "x")` startswith, `ends_with` endswith, `contains`
//     contains, `locate(f, "x") > 0` contains (`== 0` negated),
//     `cidr_match(f, c1, …)` one cidr_match per CIDR, `match(f, "x")` and
//     `f : "x"` match, `mv_contains(f, "x")` eq; `fn(…) == false` negates.
//   - `KQL("…")` is parsed and lowered by package kql.
//   - A bare field is `f eq true`; `true` alone is no condition.
//   - Computed values: when the tested side is a computed value that reads
//     a field, its canonical text is the field (`length(f) > 10` is
//     `length(f) gt 10`, `date_diff("seconds", a, b) <= 300` likewise); when
//     the other side is not a constant, its canonical text is the value
//     (`a < b` is `a lt "b"`, `@timestamp >= now() - 1 hour` is
//     `@timestamp gte "now() - 1 hour"`).
//   - Anything else (other functions used as conditions, query parameters)
//     becomes rule.Skipped.
//
// Roles: a predicate on a column the query computes has role computed —
// a stats aggregation (`Esql.event_count = count(*)`, or the column named
// after an unnamed aggregation), a non-alias `by` grouping
// (`bucket(@timestamp, 1 hour)`), an eval that is not an alias
// (`case(…)`, `concat(…)`), a column made by dissect or grok, a rename or
// alias of any of these, and a computed value on the tested side
// (`length(f)`). Fields of the event, also through aliases and after
// `stats … by f`, keep role event (left empty for the normalize stage).
//
// Values are exact: string escapes are decoded and nothing is trimmed.
//
// The filters of stats aggregations (`count(*) where …`) and the commands
// kept as tokens contribute no predicates.
package esql
