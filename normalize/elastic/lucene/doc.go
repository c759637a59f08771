// Package lucene parses the Lucene query string syntax (Elasticsearch
// `query_string`, `language = "lucene"` in Elastic detection rules) and
// lowers it to the common rule model.
//
// Grammar, top-down by precedence (keywords are upper-case only, as in
// Lucene; adjacent clauses are joined by the default operator OR):
//
//	Query    = OrExpr .
//	OrExpr   = AndExpr { [ "OR" | "||" ] AndExpr } .
//	AndExpr  = Unary { ( "AND" | "&&" ) Unary } .
//	Unary    = ( "NOT" | "!" | "-" ) Unary      (* prohibited clause *)
//	         | "+" Unary                        (* required clause *)
//	         | Primary .
//	Primary  = "(" OrExpr ")" [ Suffix ]
//	         | "_exists_" ":" Term
//	         | Term ":" FieldRhs
//	         | Value .                          (* default field: free text *)
//	FieldRhs = "(" OrExpr ")" [ Suffix ]        (* terms inherit the field *)
//	         | ( ">" | ">=" | "<" | "<=" ) Bound
//	         | Range | Value .
//	Range    = ( "[" | "{" ) Bound "TO" Bound ( "]" | "}" ) .
//	Bound    = Phrase | Term | "*" .
//	Value    = ( Phrase | Regex | Term ) [ Suffix ] .
//	Phrase   = `"` { char | `\` char } `"` .
//	Regex    = "/" { char | `\/` } "/" .
//	Term     = { char | `\` char | "*" | "?" } .   (* ends at whitespace or ()[]{}:^"~/! *)
//	Suffix   = ( "^" | "~" ) [ number ] .       (* boost / fuzziness: kept, not lowered *)
//
// Lowering (SPEC §4): `f:v` gives `f eq v`, or contains/startswith/endswith/
// wildcard for values with `*`/`?` wildcards; the plain values of an
// or-group on one field (`f:(a OR b)`) give `in` predicates; a phrase is an
// exact value; `/re/` gives regex_match; `[a TO b]` gives `gte a` and
// `lte b` (`{}` bounds give gt/lt, `*` bounds are open); `f:*` and
// `_exists_:f` give `is_not_null`; NOT, `!` and `-` negate; terms without a
// field give a `match` predicate on rule.KeywordsField. In a group that has
// required (`+`) clauses, the optional clauses only affect scoring and are
// left out. A value that is a CIDR block (`10.0.0.0\/8`, `"fe80::/10"`)
// gives cidr_match instead of eq or in, as Elasticsearch evaluates it
// against an IP field; phrases are exact, spaces included.
package lucene
