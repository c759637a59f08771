// Package eql parses the Elastic Event Query Language (EQL) as used in the
// query of Elastic detection rules (`language = "eql"`), prints it in a
// canonical form, and lowers it to the common rule model (package rule).
//
// # Grammar
//
// Written top-down; keywords are case-insensitive; comments are `//` to end
// of line and `/* … */`:
//
//	Query      = ( Sequence | Sample | EventQuery ) { "|" Pipe } .
//	Sequence   = "sequence" Header Step { Step } [ "until" Step ] .
//	Sample     = "sample" Header Step { Step } .
//	Header     = { "by" ExprList | "with" "maxspan" "=" Duration } .
//	Step       = [ "!" ] "[" EventQuery "]" [ "by" ExprList ] [ "with" "runs" "=" Number ] .
//	EventQuery = Category "where" Expr .
//	Category   = Name | QuotedName | String .
//	Pipe       = Name [ ExprList ] .                 (* head 5, tail 1, filter …, unique a, b *)
//	ExprList   = Expr { "," Expr } .
//	Expr       = AndExpr { "or" AndExpr } .
//	AndExpr    = NotExpr { "and" NotExpr } .
//	NotExpr    = "not" NotExpr | Predicate .
//	Predicate  = Sum [ CmpOp Sum
//	                 | ":" Values
//	                 | ( "like" | "regex" ) [ "~" ] Values
//	                 | [ "not" ] "in" [ "~" ] "(" ExprList ")" ] .
//	CmpOp      = "==" | "!=" | "<" | "<=" | ">" | ">=" .
//	Values     = "(" ExprList ")" | Sum .
//	Sum        = Product { ( "+" | "-" ) Product } .
//	Product    = Unary { ( "*" | "/" | "%" ) Unary } .
//	Unary      = "-" Unary | Primary .
//	Primary    = "(" Expr ")" | String | Number | "true" | "false" | "null"
//	           | Name [ "~" ] "(" [ ExprList ] ")"          (* function call *)
//	           | [ "?" ] Field                              (* ?f: optional field *)
//	           | ( "descendant" | "child" | "event" ) "of" "[" EventQuery "]" .
//	Field      = Name | QuotedName .
//	Name       = ( letter | "_" | "@" ) { letter | digit | "_" | "@" | "." } .
//	QuotedName = segments of Name and "`…`" joined by "." (“ is a backtick).
//	String     = `"` { char | escape } `"` | `"""` { any } `"""` | `?"` { any } `"` .
//	escape     = `\"` | `\'` | `\\` | `\n` | `\r` | `\t` | `\b` | `\f` | `\0` | `\u{` hex `}` .
//	Number     = digits [ "." digits ] [ exponent ] [ unit ] .   (* 5m, 30s in maxspan *)
//
// # Lowering
//
// Lower gives the And of: for an event query, `event.category eq <category>`
// (not for `any`) and the condition; for a sequence or sample, the same for
// every step, so each step's top-level `and not …` conjuncts become
// exclusions (a missing-event step `![ … ]` is negated as a whole); and the
// conditions of `| filter` pipes. The `until` sub-query of a sequence ends
// the sequence instead of detecting anything and contributes nothing; join
// keys (`by`), maxspan, runs and the other pipes are not predicates.
//
//   - `f == v` is eq, `f != v` negated eq; `<`, `<=`, `>`, `>=` are lt, lte,
//     gt, gte (a literal on the left is swapped to the right);
//     `f == null` is is_null and `f != null` is is_not_null.
//   - `f : v`, `f like v`, `f like~ v` and `wildcard(f, v, …)`: EQL
//     wildcards `*` and `?` are classified by rule.Pattern (`*x*` contains,
//     `x*` startswith, `*x` endswith, other patterns wildcard, none eq).
//     EQL has no wildcard escape, so a backslash before `*`, `?` or `\` is
//     doubled for rule.Pattern. With a list of values, each value gives one
//     predicate, and plain values are `in`.
//   - `regex`, `regex~` give regex_match per value.
//   - `in`, `in~` give one `in` predicate per value; `not in` negates them.
//   - `startsWith`, `endsWith`, `stringContains` (and their `~` forms) give
//     startswith, endswith, contains; `cidrMatch(f, c1, c2)` one cidr_match
//     per CIDR. `fn(…) == false` negates.
//   - A bare field is `f eq true`; `true` alone (`any where true`) is no
//     condition.
//   - Computed values: when the tested side is a computed value that reads
//     a field, its canonical text is the field (`length(process.command_line)
//     gt 200`); when the other side is not a literal, its canonical text is
//     the value (`startswith~(host.name, substring(user.name, 0, -1))` is
//     `host.name startswith "substring(user.name, 0, -1)"`, `a == b` is
//     `a eq "b"`). These predicates are specific to their rule, and those
//     on a computed value have role computed.
//   - Values are exact: string escapes are decoded, nothing is trimmed.
//   - Other function calls, lineage (`descendant of`) and conditions without
//     a field become rule.Skipped.
package eql
