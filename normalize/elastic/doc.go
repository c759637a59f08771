// Package elastic is the frontend for Elastic detection-rules repositories
// (vendor key "elastic"): it decodes the TOML rule files and turns each
// rule's query into the common rule model of package rule.
//
// Files: every `*.toml` file under the source root is a candidate; one that
// decodes but has neither a `[rule]` nor a `[hunt]` table (a config, a
// package manifest) is skipped with a note. A file that is not valid TOML is an error (the
// pipeline records one failed row for it).
//
// Decoding: rule files are read by a small one-pass TOML reader for the
// subset rule files use (fasttoml.go), about ten times faster than
// BurntSushi/toml; any file outside that subset, or malformed, is decoded
// by BurntSushi/toml, the reference, which also reports errors with their
// line and column. A differential test and a fuzz target check that both
// agree.
//
// Kinds: a rule's RuleType is its `[rule] type` (query, eql, esql,
// threshold, new_terms, machine_learning, threat_match, …); its kind is
// building_block when `building_block_type` is set, else detection.
//
// Metadata: `[rule] rule_id`, `name` (title), `severity`, `language`,
// `type`; `[metadata] maturity` is the status and `maturity = "deprecated"`
// marks the rule deprecated; the newest of `updated_date` and
// `creation_date` (YYYY/MM/DD) is the date. `[[rule.threat]]` tables with
// framework "MITRE ATT&CK" give the techniques (technique and sub-technique
// ids) and tactics (tactic names); other frameworks are ignored. Tags
// `OS: X` give platforms, `Domain: X` domains (both lower-cased).
//
// Log sources: `index:<pattern>` for each index pattern (and each ES|QL
// `from` pattern), `integration:<name>` for each `[metadata] integration`,
// `datasource:<X>` for each `Data Source: X` tag, and `category:<c>` for
// each EQL event category and each value that the query compares
// `event.category` with (equality, not negated).
//
// Queries by `language`: kuery (package kql), lucene (package lucene), eql
// and esql (packages eql and esql). A query that does not parse makes the
// rule `failed` with the error position inside the query ("kuery query
// line 2, column 7: …"); clauses a parser skips make it `partial`.
//
// Rule types, in addition to the query:
//
//   - threshold: the alert fires when at least `threshold.value` events
//     share the values of the `threshold.field` fields. Each threshold field
//     gives `<field> is_not_null` (documents without the field are never
//     counted), the count gives `threshold.count gte <value>`, and each
//     `[[rule.threshold.cardinality]]` gives `cardinality(<field>) gte <value>`
//     (distinct values of that field within the group). A detection engineer
//     reads these like the `Esql.event_count gt 50` of an ES|QL rule: all
//     of them have role computed (they describe the alert's aggregation,
//     not a value of one event).
//   - new_terms: each `new_terms` field gives `<field> is_not_null`
//     (the rule looks for values of these fields not seen in the history
//     window, so they must be present); these stay role event, since each
//     document must carry the field.
//   - machine_learning: no query; parse status `no_query`, language "none";
//     techniques and tactics are kept so the rule still counts in coverage.
//   - `[[rule.filters]]`: Kibana query DSL filters (wildcard, term, terms,
//     match, match_phrase, prefix, regexp, range, exists, bool) become
//     predicates ANDed with the query; a filter with `meta.negate = true` is
//     negated, so at top level its predicates are exclusions. Disabled
//     filters are ignored. Filter values are exact; a CIDR block in a
//     term, terms or match filter is cidr_match.
//
// Hunting queries (`hunting/<area>/queries/*.toml`, a `[hunt]` table):
// kind hunting, rule type "hunting"; `uuid` is the id, `name` the title,
// `mitre` the techniques (ATT&CK ids only; MITRE ATLAS ids such as
// `AML.T0051.000` are left out with a note), each `integration` an `integration:<name>` log
// source. Each entry of the `query` list is read in its own language: the
// first words tell it (SELECT or WITH: osquery SQL; FROM, ROW, SHOW: ES|QL;
// SEQUENCE, SAMPLE or `<category> where`: EQL), else the one language the
// hunt's `language` list declares. A first line holding only a Markdown
// code-fence tag (`sql`) is read as blank, with a note. Each query is
// flattened on its own and the predicates of all are kept (the hunt
// matches when any query does; a query's `and not` filters stay its
// exclusions). osquery SQL is not parsed: such a query makes the hunt
// partial with a note in parse_error; a query that does not parse makes it
// partial when another query parsed, failed when none did. The rule's
// language is that of its first parsed query (none when none parsed).
package elastic
