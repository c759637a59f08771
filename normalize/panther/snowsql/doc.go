// Package snowsql reads the Snowflake SQL of Panther's saved and scheduled
// queries with PostgreSQL's own parser (pg_query_go, libpg_query) and
// lowers the conditions of the SELECTs that read Panther log tables into
// the rule model (rule.Expr).
//
// Dialect bridge. The query is scanned by pg_query.Scan; every rewrite is
// made on its tokens (so never inside a string or a comment), and keeps
// the Snowflake meaning:
//   - `col:key.sub`, `col:"Key"`, `col:a[0]:b` (semi-structured paths) become
//     `col->'key'->'sub'`, `col->0->'b'`: both select a key (an index) of a
//     JSON value. The `:` must touch the column; `::` casts are PostgreSQL's
//     too and stay. A path after a call (`PARSE_JSON(x):k`) is read the same.
//   - `[a, b]` after `(`, `,`, `=`, `!=`, `IN`, `THEN`, `ELSE` (an array
//     literal) becomes `ARRAY[a, b]`; `f(x)[1]` (an index into a call's
//     result) becomes `f(x)->1`.
//   - `x RLIKE p` / `x REGEXP p` become `x ~ p` (`NOT RLIKE` `!~`); the
//     lowering anchors the pattern, since Snowflake's RLIKE must match the
//     whole value.
//   - `LIKE ANY ('a', 'b')` / `ILIKE ANY (…)` become `LIKE ANY (ARRAY['a',
//     'b'])`: a match of any of the patterns, in both dialects.
//   - `QUALIFY c` becomes `HAVING (c)` (or is ANDed to the SELECT's HAVING):
//     both filter rows after grouping or windowing, and the lowering reads
//     every HAVING condition as computed, which QUALIFY's are.
//   - `TABLE(f(…))` becomes `f(…)`: a table function in FROM either way.
//   - `WITHIN GROUP (ORDER BY …)` after an aggregate is dropped: it orders
//     the elements of an output column and tests nothing.
//   - `DATEADD(minute, …)` (a date part as a bare word, a PostgreSQL
//     keyword) quotes the part; `CURRENT_TIMESTAMP()` drops the parentheses.
//   - Panther's time macros: `p_occurs_since(90m)`, `p_occurs_since(1 hour,
//     , col)`: a bare duration is quoted where the scanner reports "trailing
//     junk after numeric literal" (then the text is scanned again), `1 hour`
//     becomes one string and an empty argument NULL.
//   - A string with a backslash becomes an `E'…'` string: Snowflake strings
//     take backslash escapes, PostgreSQL's E strings read them the same way.
//
// Not bridged, so the query is an error naming the query file and line:
// Jinja templates (`{% import %}`, `{{ macro(…) }}`: Panther expands them
// when it runs the query), MATCH_RECOGNIZE, and SQL that neither dialect
// accepts.
//
// Lowering. Every SELECT, CTE, subquery and set operation is walked. A
// FROM item is a Panther log table (`panther_logs.public.<table>`,
// `panther_logs.<table>`; also Snowflake's own audit views
// `snowflake.account_usage.login_history`, which Panther ingests as the
// log type Snowflake.LoginHistory: table `snowflake_loginhistory`), a CTE or subquery (whose output columns are
// traced back to the table's fields, or are computed: aggregates, window
// functions, other expressions), FLATTEN(input => x) (its `value` column is
// the elements of x) or another table (a lookup table: its columns are
// computed, not event fields). The
// WHERE and JOIN ON conditions of a SELECT and of the CTEs and subqueries
// it reads are ANDed; UNION branches are alternatives (OR), EXCEPT is AND
// NOT. A predicate's FieldRaw is the column as written (`userIdentity:arn`),
// its Field the dotted path (`userIdentity.arn`, array indexes dropped, as
// Python rules' deep_get paths); the Panther field map then applies.
//
// Operators: `=` eq, `<>`/`!=` eq negated, `<` `<=` `>` `>=` lt lte gt gte,
// IN (…) one `in` per value (NOT IN negated), IS [NOT] NULL is_null /
// is_not_null, IS [NOT] DISTINCT FROM eq, BETWEEN gte and lte, LIKE/ILIKE
// (`%` any run, `_` one character, backslash escapes) through
// rule.Pattern to eq, contains, startswith, endswith or wildcard (case is
// not kept: the model has no case flag), RLIKE/REGEXP/REGEXP_LIKE
// regex_match of the anchored pattern (as written in ValueRaw),
// ARRAY_CONTAINS(x, [a, b]) `x in` a, b and ARRAY_CONTAINS('v', arr) `arr
// contains v`, CONTAINS/STARTSWITH/ENDSWITH the same ops, a bare boolean
// column eq true. NOT, AND and OR are kept exactly. LOWER, UPPER, TRIM,
// PARSE_JSON and casts to text are read as their argument's field.
//
// Computed: every HAVING (and bridged QUALIFY) condition, and conditions
// on aggregates, window outputs or computed select columns (Snowflake lets
// WHERE name a select alias), have role computed.
//
// Time window: `p_occurs_since(…)`, `p_occurs_between(…)` and comparisons
// of p_event_time / p_parse_time with anything but a literal (`p_event_time
// > dateadd(…)`) are the schedule's lookback, not a property of the event:
// they give no predicate (the rule's Schedule says how often it runs).
//
// Skipped (the rule is partial, the reason names the query file and line):
// a comparison of two columns (a join key, a baseline), a condition on a
// subquery (IN/EXISTS (SELECT …)), a non-literal pattern or list, and any
// other condition that is not a field test.
package snowsql
