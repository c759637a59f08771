// Package kusto parses Kusto Query Language (KQL) queries as written in
// Microsoft Sentinel analytic rules and lowers their detection logic to the
// common rule model (SPEC §4).
//
// Parse builds an AST; (*Query).String prints it canonically (the round-trip
// oracle: parse → print → parse → print is stable); Analyze and Lower turn
// it into a rule.Expr plus the tables it reads; Predicates flattens.
//
// # Grammar
//
// The parser is a hand-written recursive descent over this grammar, top
// down. Keywords are case-insensitive. Tabular operators other than where,
// join, lookup and union are kept as balanced tokens up to the next
// top-level "|" (Generic), so any operator the grammar does not know is
// understood enough to continue.
//
//	Query      = { Statement ";" } [ Statement ] .
//	Statement  = LetStmt | RawStmt | Pipeline .
//	LetStmt    = "let" Name "=" ( Function | Pipeline ) .
//	Function   = [ "view" ] "(" [ Param { "," Param } ] ")" "{" { Statement ";" } [ Statement ] "}" .
//	Param      = Name ":" ( Name | Balanced ) [ "=" Expr ] .
//	RawStmt    = ( "set" | "declare" | "alias" | "pattern" | "restrict" ) Tokens .
//	Pipeline   = Source { "|" Operator } .
//	Source     = Union | ( "print" | "range" | "search" | "find" | "evaluate" ) Tokens | Expr .
//	Union      = "union" { Param= } Table { [ "," ] Table } .
//	Table      = "*" | Postfix [ "*" ] .
//	Operator   = ( "where" | "filter" ) Expr
//	           | ( "join" | "lookup" ) { ParamEq } Postfix [ ( "on" | "where" ) Tokens ]
//	           | Union
//	           | OpName Tokens .                           (* extend, project, summarize, … *)
//	ParamEq    = Name { "." Name } "=" ( Name | Literal ) .
//	Expr       = And { "or" And } .
//	And        = Cmp { "and" Cmp } .
//	Cmp        = Add { CmpOp Add | ListOp List | [ "!" ] "between" "(" Add ".." Add ")" } .
//	CmpOp      = "==" | "!=" | "=~" | "!~" | "<>" | "<" | "<=" | ">" | ">=" | [ "!" ] StrOp
//	           | "matches" "regex" .
//	StrOp      = "has" | "has_cs" | "hasprefix" | "hassuffix" | "contains" | "contains_cs"
//	           | "startswith" | "startswith_cs" | "endswith" | "endswith_cs" | … .
//	ListOp     = [ "!" ] "in" [ "~" ] | "has_any" | "has_all" .
//	List       = "(" [ Pipeline { "," Pipeline } ] ")" .
//	Add        = Mul { ( "+" | "-" ) Mul } .
//	Mul        = Unary { ( "*" | "/" | "%" ) Unary } .
//	Unary      = ( "-" | "+" ) Unary | Postfix .
//	Postfix    = Primary { "." Name | "." "[" String "]" | "[" Expr "]" | "(" Args ")" } .
//	Args       = [ Arg { "," Arg } ] .                     (* dynamic(...) args are JSON-like *)
//	Arg        = Name "=" Pipeline | Pipeline .
//	Primary    = Name | "[" String "]" | Literal | "*" | "(" Pipeline { "," Pipeline } ")"
//	           | "[" [ Expr { "," Expr } ] "]" | "{" [ Key ":" Expr { "," Key ":" Expr } ] "}"
//	           | "datatable" Balanced "[" [ Expr { "," Expr } ] "]"
//	           | "externaldata" Balanced [ Balanced ] [ "with" Balanced ] .
//	Literal    = String { String } | Number | Typed .
//	String     = `"…"` | `'…'` | `@"…"` | `@'…'` | `h"…"` | "```…```" .
//	Number     = digits [ "." digits ] [ exponent ] [ unit ] | "0x" hex .  (* 1d, 30m, 10ms *)
//	Typed      = ( "datetime" | "timespan" | "time" | "guid" ) "(" raw ")" .  (* raw: to the ")" outside quotes and nested parentheses, at most 256 bytes; space around it dropped *)
//	Tokens     = { balanced token } .                       (* up to a top-level "|", ";" or closer *)
//
// Unicode space separators (category Zs: U+00A0, U+202F, U+2000–U+200A,
// U+3000, …), U+2028, U+2029 and the byte-order mark are white space.
// The body of mv-apply … on ( … ) and of partition … ( … ) is parsed as a
// pipeline over the operator's rows (it may start with an operator:
// on (where …)); a parenthesized group with a top-level "|" among any
// other operator's tokens (extend n = toscalar(T | where …)) is parsed as
// a sub-query (Generic.Subs). A union whose parenthesized tables lack the
// comma between them is read as if it were there (Union.MissingComma).
//
// Comments run from "//" to the end of the line. Errors are
// *rule.SyntaxError with 1-based line and column relative to the query.
// Nesting is bounded (maxDepth) and so is the token count, so no input
// makes the parser recurse or loop without end.
//
// # Lowering
//
// Analyze resolves let bindings where they are used: scalar constants,
// dynamic([...]) lists and single-column datatables become values; a list
// used with in/in~ gives one `in` predicate per value, with has_any one
// `contains` predicate per value (has_all: all of them); let-bound
// sub-queries and functions with parameters are expanded (table(name)
// resolves its argument). Tables and stored functions in source position
// (SecurityEvent, _Im_NetworkSession(...)) are listed in Analysis.Tables;
// ASIM filtering parameters (domain_has_any=list, eventresult='Failure')
// become predicates on the columns they filter; _GetWatchlist is reference
// data and not listed.
//
// Operators: == and =~ give eq; != !~ <> give eq negated; has, has_cs,
// contains, contains_cs give contains; hasprefix/startswith give
// startswith; hassuffix/endswith give endswith; the ! forms are negated;
// matches regex gives regex_match; between gives gte and lte (negated
// under !between); < <= > >= give lt lte gt gte (mirrored when the
// constant is on the left); isempty/isnull give is_null; isnotempty/
// isnotnull and their aliases notempty/notnull give is_not_null; ipv4_is_in_range, ipv4_is_in_any_range and
// ipv4_is_match (with a prefix) give cidr_match; ipv4_is_private gives
// cidr_match on each RFC 1918 range (10.0.0.0/8, 172.16.0.0/12,
// 192.168.0.0/16), so not(ipv4_is_private(ip)) is three negated
// predicates; f(...) == false is not(f(...)). tolower, toupper, tostring,
// todynamic, parse_json and the to* conversions are looked through; dynamic
// member access stays a dotted field name (Properties.foo,
// parse_json(x).y → x.y, AdditionalFields["z"] → AdditionalFields.z).
// A computed value tested against constants (strlen(x) > 50) becomes a
// predicate whose field is the expression's canonical text. A bare boolean
// column is `eq "true"`. Thresholds after summarize are predicates like
// any other (count_ gt 5).
//
// Values are exact: string literals are decoded, never trimmed. Roles:
// a predicate on a column the pipeline computed before the where clause
// (extend, project x =, project-rename, parse, parse-kv, mv-expand or
// mv-apply x =, summarize outputs under their names or Kusto's default
// names count_, dcount_X, set_X, …, make-series, count) has role computed,
// as has one on a computed expression; summarize by keys that are plain
// columns, and the row columns arg_max/arg_min keep, stay event fields.
//
// Exclusions: all where clauses of the main tabular expression — the
// query's last statement, with a let-bound source inlined — form the
// top-level conjunction, so negated operators and not(...) there are
// exclusions. Sub-queries (join/lookup right sides, union branches, let
// sub-queries used in `in`, toscalar, materialize) contribute their
// predicates inside a one-element disjunction: they count, are negated
// where negated, but are never exclusions of the rule.
//
// Dropped without making the rule partial: time windows (comparisons of
// TimeGenerated, or against ago(), now(), datetime values), membership in a
// sub-query's result (the sub-query's own predicates are kept), tests of
// let-bound constants only (feature switches such as EnableFilter ==
// false). Comparisons of two columns (SrcIpAddr != DstIpAddr) cannot be
// field/op/value predicates; they are dropped and reported in
// Analysis.Notes with their position. Anything else a where clause holds
// that is not understood becomes rule.Skipped, so the rule is partial; so
// do a union missing its comma, a sub-query that does not parse, and a
// query whose comparisons all stay out of the predicates (columns
// compared, membership in a watchlist), each reason with its position.
// The filters of an mv-apply body count as filters of the query around
// it, never as exclusions; other sub-queries count like join sides.
package kusto
