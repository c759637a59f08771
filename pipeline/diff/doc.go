// Package diff compares two ruleatlas runs (SPEC §6–§7, `ruleatlas diff
// OLD_OUT NEW_OUT`). Load reads the Parquet tables of one run's output
// folder into a Snapshot; Compare turns two snapshots into a Result:
//
//   - coverage: techniques whose rule count changed, per vendor and in total
//     (a technique that went from one or more rules to none is "lost");
//   - rules added, removed and changed, matched by vendor and rule id
//     (changed = title, status, severity, techniques, parse status or
//     predicates differ; predicates are compared as rule.FormatOne lines);
//   - parse-status changes of rules present in both runs;
//   - indicators and exclusions (technique × field, op, value) that
//     appeared or disappeared.
//
// WriteText, WriteMarkdown and WriteXLSX render a Result. Everything in a
// Result is sorted, so the same two folders always give the same output.
package diff
