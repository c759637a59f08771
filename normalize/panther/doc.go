// Package panther is the Panther frontend of ruleatlas: it reads Panther
// analysis repositories (the panther-analysis layout, `rules/<pack>/*.yml`)
// and turns each rule and scheduled rule into the common rule model.
//
// Metadata: RuleID, DisplayName (title), Status (`deprecated` marks the
// rule deprecated), Enabled (false keeps the rule with status
// `disabled`), Severity, LogTypes (log sources `logtype:AWS.CloudTrail`),
// ScheduledQueries (`query:<name>`), Reports (`MITRE ATT&CK` entries such
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
//   - A scheduled rule whose rule() yields no predicate is partial: its
//     logic lives in the saved SQL query, which is not analysed. The
//     queries are Snowflake SQL. Measured on panther-analysis daa10c88
//     (95 saved queries): vitess's sqlparser (v0.24.4, MySQL dialect)
//     parses none of them as written; after four rewrites (`--x`
//     comments spaced, `::type` casts dropped, `a:b.c` paths to MySQL's
//     `a->'$.b.c'`, three-part `db.schema.table` names cut to two, the
//     last not meaning-preserving) it parses 24. The rest use FLATTEN,
//     QUALIFY, `[n]` array indexes, Jinja macros (`{{ … }}`) and
//     Snowflake functions. That is no majority, so no SQL parser is used
//     (the dependency would also add ~15 MB to the binary), and no SQL
//     parser is written here.
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
