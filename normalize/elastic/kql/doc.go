// Package kql parses Kibana Query Language (KQL, "kuery") as used in the
// query of Elastic detection rules, and lowers it to the common rule model.
//
// The grammar follows Kibana's kuery grammar, written top-down by
// precedence (keywords are case-insensitive; `or` and `and` need
// whitespace on both sides, `not` needs whitespace or "(" after it):
//
//	Query        = OrQuery .
//	OrQuery      = AndQuery { "or" AndQuery } .
//	AndQuery     = NotQuery { "and" NotQuery } .
//	NotQuery     = "not" NotQuery | SubQuery .
//	SubQuery     = "(" OrQuery ")" | Expression .
//	Expression   = Field ":" "{" OrQuery "}"            (* nested query *)
//	             | Field RangeOp Literal                (* range *)
//	             | Field ":" ValueList                  (* field value *)
//	             | Literal .                            (* free text *)
//	RangeOp      = "<" | "<=" | ">" | ">=" .
//	ValueList    = "(" OrValues ")" | Literal .
//	OrValues     = AndValues { "or" AndValues } .
//	AndValues    = NotValues { "and" NotValues } .
//	NotValues    = "not" NotValues | "(" OrValues ")" | Literal .
//	Field        = Literal .
//	Literal      = QuotedString | Unquoted .
//	QuotedString = `"` { char | `\"` | `\\` | `\t` | `\n` | `\r` | `\u` hex4 } `"` .
//	Unquoted     = { char | "*" | escape } .   (* may hold inner spaces; trimmed;
//	                                              ends before a keyword *)
//	escape       = `\` ( `\` | "(" | ")" | ":" | "<" | ">" | `"` | "*" | "{" | "}" )
//	             | `\t` | `\n` | `\r` | `\u` hex4 | `\and` | `\or` | `\not` .
//
// In an unquoted value `*` is a wildcard (any run of characters); `?` is not
// a wildcard in KQL. In a quoted value every character is literal.
//
// Lowering (SPEC §4): `f:v` gives `f eq v`, or contains/startswith/endswith/
// wildcard for wildcard values (see rule.Pattern); the plain values of an
// or-list `f:(a or b)` give one `in` predicate each; `f:*` gives
// `f is_not_null`; ranges give lt/lte/gt/gte; `not` negates; a nested query
// `f:{ g:v }` prefixes the inner fields (`f.g`); free text gives a `match`
// predicate on rule.KeywordsField. A value that is a CIDR block
// (`10.0.0.0/8`, `"fe80::/10"`) gives cidr_match instead of eq or in: that is
// how Elasticsearch evaluates it against an IP field. Quoted values are
// exact; an unquoted value is trimmed, as Kibana's grammar does.
package kql
