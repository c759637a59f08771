// Package tables holds the Arrow tables of one ruleatlas run (SPEC §6): the
// rules and predicates built from the rule model and the five aggregate
// tables computed from them, with the run facts exporters need. It is a leaf
// package: the pipeline fills a Set, exporters only read it.
package tables

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
)

// Table names: the Parquet file of each table is <name>.parquet.
const (
	RulesName      = "rules"
	PredicatesName = "predicates"
	CoverageName   = "coverage"
	FieldsName     = "fields"
	IndicatorsName = "indicators"
	ExclusionsName = "exclusions"
	EventsName     = "events"
	FilesName      = "files"
)

var (
	str     = arrow.BinaryTypes.String
	strList = arrow.ListOf(arrow.BinaryTypes.String)
	i64     = arrow.PrimitiveTypes.Int64
	i32     = arrow.PrimitiveTypes.Int32
	boolean = arrow.FixedWidthTypes.Boolean
)

func field(name string, t arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: false}
}

// RulesSchema is the schema of rules.parquet: one row per rule.
var RulesSchema = arrow.NewSchema([]arrow.Field{
	field("vendor", str), field("rule_id", str), field("path", str), field("title", str),
	field("status", str), field("severity", str), field("language", str),
	field("techniques", strList), field("tactics", strList), field("platforms", strList),
	field("domains", strList), field("events", strList),
	field("parse_status", str), field("parse_error", str), field("predicate_count", i32),
	field("kind", str), field("rule_type", str),
}, nil)

// Columns of rules.parquet added after predicate_count (the first fifteen
// are in the order of RulesSchema).
const (
	RuleKind     = 15
	RuleRuleType = 16
)

// PredicatesSchema is the schema of predicates.parquet: one row per predicate.
// The raw three are the rule as written once its language is decoded; field,
// op and value are the normalized form (SPEC §4, §5).
var PredicatesSchema = arrow.NewSchema([]arrow.Field{
	field("vendor", str), field("rule_id", str),
	field("field_raw", str), field("op_raw", str), field("value_raw", str),
	field("field", str), field("op", str), field("value", str),
	field("role", str), field("negated", boolean), field("exclusion", boolean),
}, nil)

// Column positions of PredicatesSchema.
const (
	PredVendor = iota
	PredRuleID
	PredFieldRaw
	PredOpRaw
	PredValueRaw
	PredField
	PredOp
	PredValue
	PredRole
	PredNegated
	PredExclusion
)

// CoverageSchema is the schema of coverage.parquet: ATT&CK technique × vendor.
var CoverageSchema = arrow.NewSchema([]arrow.Field{
	field("technique_id", str), field("technique_name", str), field("parent_id", str),
	field("tactics", strList), field("vendor", str), field("rules", i64),
}, nil)

// FieldsSchema is the schema of fields.parquet: technique × (field, role).
// A field that is an event field in one rule and a computed column in
// another gives two rows.
var FieldsSchema = arrow.NewSchema([]arrow.Field{
	field("technique_id", str), field("field", str), field("rules", i64), field("how", str),
	field("sample_values", strList), field("role", str),
}, nil)

// Column positions of FieldsSchema.
const (
	FieldTechnique = iota
	FieldField
	FieldRules
	FieldHow
	FieldSamples
	FieldRole
)

// IndicatorsSchema is the schema of indicators.parquet: technique ×
// (field, role, op, value), eq and in counted as one equality (op eq).
// Existence checks (is_null, is_not_null) are not indicator values.
var IndicatorsSchema = arrow.NewSchema([]arrow.Field{
	field("technique_id", str), field("field", str), field("op", str), field("value", str),
	field("rules", i64), field("corpus_reach", i64), field("role", str),
}, nil)

// Column positions of IndicatorsSchema.
const (
	IndTechnique = iota
	IndField
	IndOp
	IndValue
	IndRules
	IndReach
	IndRole
)

// ExclusionsSchema is the schema of exclusions.parquet: technique ×
// (field, role, op, value), eq and in counted as one equality (op eq).
var ExclusionsSchema = arrow.NewSchema([]arrow.Field{
	field("technique_id", str), field("field", str), field("op", str), field("value", str),
	field("rules", i64), field("role", str),
}, nil)

// Column positions of ExclusionsSchema.
const (
	ExclTechnique = iota
	ExclField
	ExclOp
	ExclValue
	ExclRules
	ExclRole
)

// FilesSchema is the schema of files.parquet: one row per candidate file
// of the run (SPEC §6), with what became of it.
var FilesSchema = arrow.NewSchema([]arrow.Field{
	field("vendor", str), field("root", str), field("path", str), field("outcome", str),
	field("rules", i64), field("reason", str),
}, nil)

// Column positions of FilesSchema.
const (
	FileVendor = iota
	FileRoot
	FilePath
	FileOutcome
	FileRules
	FileReason
)

// Outcome is what became of one candidate file (files.parquet).
type Outcome string

// File outcomes.
const (
	// OutcomeRule: the file gave rules to rules.parquet (rules > 0).
	OutcomeRule Outcome = "rule"
	// OutcomeDeprecated: every rule of the file is deprecated and left out
	// (--include-deprecated keeps them).
	OutcomeDeprecated Outcome = "deprecated"
	// OutcomeFiltered: every rule of the file was left out by the
	// --platform, --domain, --vendor or --technique filters.
	OutcomeFiltered Outcome = "filtered"
	// OutcomeSkipped: the file decodes but is not a rule (reason says what
	// it is).
	OutcomeSkipped Outcome = "skipped"
	// OutcomeFailed: the file (or folder) could not be read or decoded; a
	// file gives one failed row in rules.parquet, kept under its path.
	OutcomeFailed Outcome = "failed"
	// OutcomeDuplicate: a second way to the same file (a symlink to a file
	// read already), left out so its rules count once.
	OutcomeDuplicate Outcome = "duplicate"
	// OutcomeLink: a symlink that was not followed (broken, or a folder
	// walked already: a loop or a second copy).
	OutcomeLink Outcome = "link"
)

// Outcomes lists every file outcome, in the order reports show them.
var Outcomes = []Outcome{OutcomeRule, OutcomeDeprecated, OutcomeFiltered, OutcomeSkipped, OutcomeFailed,
	OutcomeDuplicate, OutcomeLink}

// EventsSchema is the schema of events.parquet: technique × event.
var EventsSchema = arrow.NewSchema([]arrow.Field{
	field("technique_id", str), field("event", str), field("rules", i64),
}, nil)

// Problem is a non-fatal issue with one input file: a file that could not be
// decoded, a rule whose query failed or was only partly understood, or a
// note (a missing macro, a skipped file).
type Problem struct {
	Path   string // relative to the source root
	Root   string // the source root
	Vendor string
	Line   int // 1-based; 0 when unknown
	Col    int
	Kind   string // failed, partial, note
	Msg    string
}

// Source is one rule repository of the run.
type Source struct {
	Vendor string
	Root   string
	Commit string // git commit when the root is in a git checkout
	Dirty  bool
	// WebURL is the web address of Root at Commit when the checkout's
	// origin is a GitHub, GitLab or Bitbucket repository, to which a rule's
	// path is appended after a slash; empty otherwise.
	WebURL string
}

// RuleText is what reports show of one rule beside its row: the detection
// logic as the file writes it and the and/or/not outline of its predicates
// (rule.Rule.Query and rule.Rule.Logic).
type RuleText struct {
	Query, Logic string
}

// Filters narrow every table alike (SPEC §6); empty means no filter.
type Filters struct {
	Platforms  []string
	Domains    []string
	Vendors    []string
	Techniques []string
}

// String describes the filters as every report shows them
// ("platform=windows; vendor=sigma,elastic"), or "" when there are none.
func (f Filters) String() string {
	var parts []string
	for _, x := range []struct {
		name string
		vals []string
	}{{"platform", f.Platforms}, {"domain", f.Domains}, {"vendor", f.Vendors}, {"technique", f.Techniques}} {
		if len(x.vals) > 0 {
			parts = append(parts, x.name+"="+strings.Join(x.vals, ","))
		}
	}
	return strings.Join(parts, "; ")
}

// Meta holds the run facts every export shows.
type Meta struct {
	Sources []Source
	Vendors []string // vendors in the run, sorted
	Filters Filters
	// Kinds are the rule kinds coverage and the aggregates count (the
	// alerting kinds unless --kind says otherwise), in rule.Kinds order.
	Kinds         []string
	AttackVersion string
	ReportDate    string // YYYY-MM-DD
	ToolVersion   string
}

// Set is the complete set of tables of one run. Records are owned by the
// Set; call Release when done.
type Set struct {
	Rules      arrow.RecordBatch
	Predicates arrow.RecordBatch
	Coverage   arrow.RecordBatch
	Fields     arrow.RecordBatch
	Indicators arrow.RecordBatch
	Exclusions arrow.RecordBatch
	Events     arrow.RecordBatch
	// Files has one row per candidate file with its outcome (FilesSchema).
	Files arrow.RecordBatch
	// Texts holds each rule's query and logic outline, row for row with
	// Rules. They are for reading, not for Parquet.
	Texts []RuleText
	// RuleComponents are the ATT&CK data components each rule reads (the
	// telemetry mapping of its events), row for row with Rules; nil when
	// the telemetry table was not built.
	RuleComponents [][]string
	// DataComponents and Actors are the telemetry and threat-actor tables
	// (telemetry.go).
	DataComponents arrow.RecordBatch
	Actors         arrow.RecordBatch
	// Groups are the ATT&CK group ids asked for with --group, in request
	// order; exporters write a group report for each.
	Groups []string
	// History is the trend of an earlier history run found in the output
	// folder, or nil.
	History *History

	Attack   *attack.Model
	Problems []Problem // sorted by root, path, line
	Meta     Meta
}

// Named returns the tables with their names, in SPEC §6 order.
func (s *Set) Named() []Named {
	return []Named{
		{RulesName, s.Rules}, {PredicatesName, s.Predicates}, {CoverageName, s.Coverage},
		{FieldsName, s.Fields}, {IndicatorsName, s.Indicators}, {ExclusionsName, s.Exclusions},
		{EventsName, s.Events}, {FilesName, s.Files}, {DataComponentsName, s.DataComponents}, {ActorsName, s.Actors},
	}
}

// Named is a table with its name.
type Named struct {
	Name   string
	Record arrow.RecordBatch
}

// Release frees every record of the set.
func (s *Set) Release() {
	for _, n := range s.Named() {
		if n.Record != nil {
			n.Record.Release()
		}
	}
}

// TechniqueRanges maps each technique id of a record sorted by technique
// id (column 0: fields, indicators, exclusions, events) to its row range
// [start, end). A nil record gives an empty map.
func TechniqueRanges(rec arrow.RecordBatch) map[string][2]int {
	out := map[string][2]int{}
	if rec == nil {
		return out
	}
	col := Strings(rec, 0)
	for i := 0; i < col.Len(); {
		j := i + 1
		for j < col.Len() && col.Value(j) == col.Value(i) {
			j++
		}
		out[col.Value(i)] = [2]int{i, j}
		i = j
	}
	return out
}

// Strings returns column i of rec as a string array (the caller must not
// release it).
func Strings(rec arrow.RecordBatch, i int) *array.String { return rec.Column(i).(*array.String) }

// Lists returns column i of rec as a list array.
func Lists(rec arrow.RecordBatch, i int) *array.List { return rec.Column(i).(*array.List) }

// Int64s returns column i of rec as an int64 array.
func Int64s(rec arrow.RecordBatch, i int) *array.Int64 { return rec.Column(i).(*array.Int64) }

// ListAt returns the strings of row i of a list<string> column.
func ListAt(l *array.List, i int) []string {
	start, end := l.ValueOffsets(i)
	vals := l.ListValues().(*array.String)
	out := make([]string, 0, end-start)
	for j := start; j < end; j++ {
		out = append(out, vals.Value(int(j)))
	}
	return out
}

// Column returns the index of the named column, or -1.
func Column(rec arrow.RecordBatch, name string) int {
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return -1
	}
	return idx[0]
}

// Builder appends rows to a record of a given schema, column by column.
type Builder struct {
	b *array.RecordBuilder
}

// NewBuilder starts a record of schema s.
func NewBuilder(mem memory.Allocator, s *arrow.Schema) *Builder {
	return &Builder{b: array.NewRecordBuilder(mem, s)}
}

// Str appends a string to column i.
func (b *Builder) Str(i int, v string) { b.b.Field(i).(*array.StringBuilder).Append(v) }

// List appends a list of strings to column i.
func (b *Builder) List(i int, vs []string) {
	lb := b.b.Field(i).(*array.ListBuilder)
	lb.Append(true)
	vb := lb.ValueBuilder().(*array.StringBuilder)
	for _, v := range vs {
		vb.Append(v)
	}
}

// Int64 appends an int64 to column i.
func (b *Builder) Int64(i int, v int64) { b.b.Field(i).(*array.Int64Builder).Append(v) }

// Int32 appends an int32 to column i.
func (b *Builder) Int32(i int, v int32) { b.b.Field(i).(*array.Int32Builder).Append(v) }

// Bool appends a bool to column i.
func (b *Builder) Bool(i int, v bool) { b.b.Field(i).(*array.BooleanBuilder).Append(v) }

// Reserve pre-allocates room for n rows in every column.
func (b *Builder) Reserve(n int) {
	for _, f := range b.b.Fields() {
		f.Reserve(n)
	}
}

// Finish returns the record (the caller releases it) and frees the builder.
func (b *Builder) Finish() arrow.RecordBatch {
	defer b.b.Release()
	return b.b.NewRecordBatch()
}
