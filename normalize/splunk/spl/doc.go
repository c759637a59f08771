// Package spl parses Splunk SPL searches (after macro expansion) into an
// AST of pipeline stages and lowers the filtering stages into the common
// rule model (SPEC §4).
//
// Parse reads the whole pipeline so that a search with commands ruleatlas
// does not model still parses: `search`, `where`, `tstats`/`mstats`,
// `regex` and the lookup commands are parsed; every other command (eval,
// rename, stats, table, fields, bin, eventstats, rex, join, append, …) keeps
// its arguments as written, and the subsearches of the commands that
// combine searches are parsed beside them. Lower turns the leading
// search, the tstats WHERE clause and later `search`, `where` and `regex`
// stages into one conjunction; Flatten then marks `NOT (…)` and `!=` at its
// top level as exclusions.
//
// Grammar, top-down (EBNF; words and keywords as in Splunk: AND, OR, NOT are
// upper-case in the search language, any case in eval; ```comments``` are
// white space):
//
//	query      = [ search ] { "|" [ command ] } .
//	search     = [ "search" ] terms .
//	command    = "search" terms
//	           | "where" expr
//	           | ( "tstats" | "mstats" ) head [ "from" target ] [ "where" terms ] [ ( "by" | "groupby" ) raw ]
//	           | "regex" ( string | field ( "=" | "!=" ) value )
//	           | ( "lookup" | "inputlookup" | "outputlookup" ) raw
//	           | name raw .
//	raw        = { any token, "[" query "]" } .      (up to the next top-level "|")
//	head       = { token } .                         (up to from/where/by at depth 0)
//	target     = word "=" value | "datamodel:" ( word | string ) | word .
//
//	terms      = orTerm { [ "AND" ] orTerm } .        (OR binds tighter than AND)
//	orTerm     = notTerm { "OR" notTerm } .
//	notTerm    = "NOT" notTerm | primary .
//	primary    = "(" terms ")" | "[" query "]" | comparison | inList
//	           | ( "TERM" | "CASE" ) "(" value ")" | keyword .
//	comparison = ( word | string ) ( "=" | "==" | "!=" | "<" | "<=" | ">" | ">=" ) value .
//	inList     = word "IN" "(" value { [ "," ] value } ")" .
//	keyword    = word | string .
//	value      = string | word .                      (a word may hold = < > ! and balanced parentheses)
//
//	expr       = xorExpr { "OR" xorExpr } .
//	xorExpr    = andExpr { "XOR" andExpr } .
//	andExpr    = notExpr { "AND" notExpr } .
//	notExpr    = "NOT" notExpr | cmpExpr .
//	cmpExpr    = addExpr { ( "=" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "LIKE" ) addExpr
//	                     | "IN" "(" expr { "," expr } ")" } .
//	addExpr    = mulExpr { ( "+" | "-" | "." ) mulExpr } .
//	mulExpr    = unary { ( "*" | "/" | "%" ) unary } .
//	unary      = ( "-" | "+" ) unary | operand .
//	operand    = number | string | "'" field "'" | name "(" [ expr { "," expr } ] ")" | field | "(" expr ")" .
//
// Lowering (Lower):
//   - `f=v`: `*` alone is is_not_null; a CIDR network (10.0.0.0/8) is
//     cidr_match; `*x*`, `x*`, `*x` are contains, startswith, endswith; any
//     other `*` pattern is wildcard; else eq. `f!=v` is the same, negated.
//     `f IN (…)` gives one predicate per value (in, or the value's own op).
//     `<`, `<=`, `>`, `>=` give lt, lte, gt, gte. Bare terms are keywords
//     match. Escapes `\\`, `\"`, `\|` are removed from values.
//   - index, sourcetype, source and eventtype selectors (names
//     case-sensitive: `eventType` is an event field) give predicates with
//     role logsource; time modifiers (earliest=…) give none. LogSources
//     reports sourcetypes and data models, subsearches included.
//   - Columns the pipeline computes (eval, stats, eventstats, streamstats,
//     tstats, top, transaction, lookup OUTPUT; rex/spath from a computed
//     column) give role computed to later comparisons on them (names.go).
//   - where: `=`/`==`/`!=` compare exactly (eq, no wildcards); like() and
//     LIKE map % and _ onto contains/startswith/endswith/wildcard; match()
//     is regex_match; cidrmatch() cidr_match; isnull()/isnotnull();
//     in()/IN give in; searchmatch("…") is parsed as search terms;
//     lower()/upper()/trim() are looked through. A computed operand (len(x),
//     count/total) is the field, printed; a computed bound
//     (avg + stdev * 2) the value, printed; another field the value
//     "fieldref:<field>". Anything else is rule.Skipped.
//   - The subsearches of join, append, appendpipe, union, … are parsed
//     (RawCmd.Subsearches) and their predicates read as conjuncts of their
//     own; a subsearch used as a search term is read too, and is also
//     rule.Skipped, since the terms it returns are not in the rule. Unread
//     lists the stages whose comparisons are not lowered (join keys,
//     transaction conditions, map).
package spl
