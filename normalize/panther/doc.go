// Package panther is the Panther frontend of ruleatlas: it reads Panther
// analysis repositories (the panther-analysis layout, `rules/<pack>/*.yml`)
// and turns each rule and scheduled rule into the common rule model.
//
// Metadata: RuleID, DisplayName (title), Status (`deprecated` marks the
// rule deprecated), Enabled (false keeps the rule with status
// `disabled`), Severity, LogTypes (log sources `logtype:AWS.CloudTrail`),
// ScheduledQueries (`query:<name>`, and the log types of the tables the
// queries read), Reports (`MITRE ATT&CK` entries such
// as `TA0043:T1595.002` give tactic TA0043 and technique T1595.002; a
// report key that is a tactic id, `TA0004: [T1548]`, is read the same way;
// other frameworks are ignored), dates when present. Tags and Tests are
// not used.
//
// Kinds: `rule` and `scheduled_rule` are detections (RuleType rule /
// scheduled_rule); `policy` (PolicyID, ResourceTypes as log sources
// `resourcetype:X`, logic in `policy(resource)`, whose predicates describe
// the compliant resource: Panther alerts when policy() returns False) is
// kind policy; `correlation_rule` is kind correlation with its Reports'
// techniques, no predicates, and a note naming the RuleIDs its Detection
// (Sequence/Group) correlates. Queries, data models, globals, packs and
// lookup tables are skipped with a reason; so is every file under
// templates/ (examples, not rules).
//
// Repository context: a rule's imports resolve to modules beside its file,
// then to global_helpers/ (each parsed once per run); data_models/*.yml
// give event.udm("name") its meaning per LogType (see package pyrule).
//
// Detection logic:
//   - A rule naming a Python `Filename` (language python) is read from the
//     file beside the YAML and lowered by package pyrule. A missing file
//     makes the rule failed with "python file not found: <path>"; its
//     metadata and techniques still count.
//   - A rule with a `Detection:` block (language panther_yaml, a "simple
//     detection") is lowered by LowerMatch. InlineFilters (match
//     expressions that pre-filter events for either kind) are ANDed in.
//   - Threshold N > 1 adds the predicate `threshold gte N` (alert after N
//     matching events); the default threshold 1 adds nothing. It is added
//     only when the detection logic was read.
//   - A scheduled rule's logic is its saved queries' SQL AND its Python
//     rule(). The queries (`AnalysisType: scheduled_query` or
//     `saved_query` under queries/, found by QueryName) are Snowflake SQL,
//     read by package snowsql with PostgreSQL's parser through a dialect
//     bridge; the log tables they read (`panther_logs.public.aws_cloudtrail`)
//     add log sources `logtype:AWS.CloudTrail`, the table being a log type
//     of the repository (any LogTypes list of its rules, queries, data
//     models and correlation rules) lower-cased with dots as underscores.
//     rule() runs on the query's result rows: a field it reads that is a
//     computed column of the result (`COUNT(*) AS n`) has role computed,
//     one that renames an event field (`userIdentity:arn AS arn`) maps to
//     that field. The rule's Query is the SQL (each query headed by
//     `-- <QueryName> (<file>)`) followed by the Python source. A query that
//     is missing, has no Query text or cannot be read (a Jinja template,
//     MATCH_RECOGNIZE, malformed SQL) makes the rule partial with a reason
//     naming the query file and line. Measured on panther-analysis daa10c88:
//     81 of the 95 queries parse; of the 47 scheduled rules whose rule()
//     only returns True, 43 have predicates and 37 are ok.
//   - Files are decoded without their `Tests:` section (sample events,
//     three quarters of panther-analysis's YAML bytes; see blankTests):
//     line numbers stay those of the file.
//
// The match-expression subset of simple detections, top-down:
//
//	detection  = "[" { match } "]" .                       (all must hold)
//	match      = combinator | keyvalue | keyvalues | existence | listcomp | multikey | enrichment .
//	combinator = ( "All" | "Any" | "OnlyOne" | "None" ) ":" "[" { match } "]" .
//	keyvalue   = keyspec "Condition:" scalarcond "Value:" scalar .
//	keyvalues  = keyspec "Condition:" ( "IsIn" | "IsNotIn" | scalarcond ) "Values:" "[" { scalar } "]" .
//	existence  = keyspec "Condition:" ( "Exists" | "DoesNotExist" | "IsNull" | "IsNotNull"
//	           | "IsNullOrEmpty" | "IsNotNullOrEmpty" ) .
//	listcomp   = keyspec "Condition:" ( "AnyElement" | "AllElements" | "OnlyOneElement"
//	           | "NoElement" ) "Expressions:" detection .
//	multikey   = keyspec "Condition:" scalarcond "Values:" "[" keyspec "]" .
//	keyspec    = "Key:" string | "DeepKey:" "[" { string } "]" | "KeyPath:" jsonpath .
//	scalarcond = "Equals" | "DoesNotEqual" | "Contains" | "DoesNotContain" | "StartsWith"
//	           | "DoesNotStartWith" | "EndsWith" | "DoesNotEndWith" | "IsGreaterThan"
//	           | "IsGreaterThanOrEquals" | "IsLessThan" | "IsLessThanOrEquals"
//	           | "IsIPAddressInCIDR" | "IsIPAddressNotInCIDR" | … .
//
// Mapping: Equals eq (with several Values: one `in` per value), IsIn in,
// Contains contains, StartsWith startswith, EndsWith endswith, the
// comparisons gt/gte/lt/lte, CIDR conditions cidr_match, IsNull/
// IsNullOrEmpty/DoesNotExist is_null, IsNotNull/IsNotNullOrEmpty/Exists
// is_not_null; the Does…/IsNot… forms are negated. Any and OnlyOne are an
// OR, None a NOT of an OR; list comprehensions prefix their expressions'
// keys with the list key (NoElement negates them); a multi-key match
// compares two fields (value `fieldref:<key>`). Unknown conditions and
// enrichment expressions are skipped (partial).
package panther
