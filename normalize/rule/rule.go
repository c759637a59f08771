// Package rule is the common rule model of ruleatlas (SPEC §4): one Rule per
// detection rule, its detection logic flattened into field / operator / value
// Predicates. Every vendor frontend produces these values; nothing in this
// package knows about a vendor.
package rule

import (
	"fmt"
	"strings"
)

// Op is a normalized comparison operator.
type Op string

// The operator vocabulary of SPEC §4.
const (
	OpEq         Op = "eq"
	OpIn         Op = "in"
	OpContains   Op = "contains"
	OpStartsWith Op = "startswith"
	OpEndsWith   Op = "endswith"
	OpWildcard   Op = "wildcard"
	OpRegex      Op = "regex_match"
	OpMatch      Op = "match"
	OpCIDR       Op = "cidr_match"
	OpIsNull     Op = "is_null"
	OpIsNotNull  Op = "is_not_null"
	OpLt         Op = "lt"
	OpLte        Op = "lte"
	OpGt         Op = "gt"
	OpGte        Op = "gte"
)

// Ops lists every valid operator, in the order of SPEC §4.
var Ops = []Op{OpEq, OpIn, OpContains, OpStartsWith, OpEndsWith, OpWildcard, OpRegex,
	OpMatch, OpCIDR, OpIsNull, OpIsNotNull, OpLt, OpLte, OpGt, OpGte}

// Valid reports whether o is one of the operators of SPEC §4.
func (o Op) Valid() bool {
	for _, v := range Ops {
		if v == o {
			return true
		}
	}
	return false
}

// Status says how much of a rule's detection logic was understood.
type Status string

// Parse statuses (SPEC §4).
const (
	StatusOK      Status = "ok"       // all detection logic understood
	StatusPartial Status = "partial"  // some clauses skipped
	StatusNoQuery Status = "no_query" // the rule type has no query (machine learning, …)
	StatusFailed  Status = "failed"   // the query or file could not be parsed
)

// Statuses lists every parse status, in the order reports show them.
var Statuses = []Status{StatusOK, StatusPartial, StatusNoQuery, StatusFailed}

// Languages of detection logic (SPEC §4).
const (
	LangSigma       = "sigma"
	LangKuery       = "kuery"
	LangEQL         = "eql"
	LangESQL        = "esql"
	LangLucene      = "lucene"
	LangSPL         = "spl"
	LangKusto       = "kusto"
	LangPython      = "python"
	LangPantherYAML = "panther_yaml"
	LangNone        = "none"
)

// KeywordsField is the field name used for free-text / bare keyword terms
// that do not name a field (Sigma keywords, KQL free text, SPL bare terms).
const KeywordsField = "keywords"

// Role says what a predicate's field is (SPEC §4).
type Role string

// Predicate roles.
const (
	// RoleEvent is a field of the logged event (the default).
	RoleEvent Role = "event"
	// RoleLogSource is a selector of which data is read: Splunk index,
	// sourcetype, source, eventtype, a Kusto table name, and the like.
	RoleLogSource Role = "logsource"
	// RoleComputed is a column the query computes: ES|QL stats/eval
	// outputs, KQL extend/summarize/project columns, SPL eval/stats
	// outputs, Elastic threshold counts, Sigma correlation conditions.
	RoleComputed Role = "computed"
)

// Roles lists every role, in the order reports show them.
var Roles = []Role{RoleEvent, RoleLogSource, RoleComputed}

// Predicate is one field test found in a rule's detection logic.
//
// A frontend fills FieldRaw, Op, Value and Role with the rule as written
// once its own language is decoded (escapes, modifiers, wildcards turned
// into contains/startswith/endswith, one predicate per list value); values
// are exact, whitespace is never trimmed. The normalize stage then copies Op
// and Value into OpRaw and ValueRaw (KeepRaw) and rewrites Field, Op and
// Value into the normalized form (SPEC §5). A frontend that knows the raw
// form differs from what it hands on may set OpRaw and ValueRaw itself.
type Predicate struct {
	FieldRaw  string // the field as the vendor wrote it
	OpRaw     Op     // the operator as written (set by KeepRaw when empty)
	ValueRaw  string // the value as written (set by KeepRaw with OpRaw)
	Field     string // the field after normalization (set by the normalize stage; a frontend may set it to the name to map when FieldRaw is not one)
	Op        Op
	Value     string
	Role      Role // event when empty
	Negated   bool // under an odd number of negations, or a negated operator
	Exclusion bool // under a negation that is a top-level conjunct of the logic
}

// KeepRaw records the frontend's operator and value as the raw form, unless
// the frontend set one, and defaults the role to event. The normalize stage
// calls it before any rewrite.
func (p *Predicate) KeepRaw() {
	if p.OpRaw == "" {
		p.OpRaw, p.ValueRaw = p.Op, p.Value
	}
	if p.Role == "" {
		p.Role = RoleEvent
	}
}

// Kind says what a rule is for (SPEC §4).
type Kind string

// Rule kinds.
const (
	KindDetection     Kind = "detection"
	KindBuildingBlock Kind = "building_block"
	KindCorrelation   Kind = "correlation"
	KindPolicy        Kind = "policy"
	KindHunting       Kind = "hunting"
)

// Kinds lists every kind, in the order reports show them.
var Kinds = []Kind{KindDetection, KindBuildingBlock, KindCorrelation, KindPolicy, KindHunting}

// AlertingKinds are the kinds that raise alerts: coverage and every
// aggregate count them unless --kind says otherwise.
var AlertingKinds = []Kind{KindDetection, KindBuildingBlock, KindCorrelation, KindPolicy}

// ValidKind reports whether k is one of Kinds.
func ValidKind(k Kind) bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// Rule is one detection rule in the common model.
type Rule struct {
	Vendor   string // sigma, elastic, splunk, sentinel, panther
	RuleID   string // the vendor's own id; (Vendor, RuleID) is unique in a run
	Path     string // relative to the source root, slash-separated
	Title    string
	Status   string // the vendor's status (stable, test, production, disabled, …)
	Severity string // lower-case: informational, low, medium, high, critical
	Language string // one of the Lang* constants
	// Kind is detection, building_block, correlation, policy or hunting
	// (detection when a frontend leaves it empty).
	Kind Kind
	// RuleType is the vendor's own type: Elastic query, eql, esql,
	// threshold, new_terms, machine_learning; Splunk TTP, Anomaly, Hunting,
	// Correlation; Sentinel Scheduled, NRT; Panther rule, scheduled_rule,
	// policy, correlation_rule; Sigma detection, correlation.
	RuleType string

	Techniques []string // ATT&CK technique ids as tagged, upper-case, deduplicated
	Tactics    []string // tactics as tagged (names, short names or TA ids); normalized later
	Platforms  []string
	Domains    []string
	Events     []string

	// LogSources describe what the rule reads, as "key:value" strings such as
	// "category:process_creation", "product:windows", "table:SigninLogs",
	// "logtype:AWS.CloudTrail", "datamodel:Endpoint.Processes",
	// "index:logs-endpoint.events.*". The normalize stage derives events,
	// platforms and domains from them and gates field mappings on them.
	LogSources []string

	Predicates []Predicate
	// Correlates lists the rules of the same vendor a correlation rule
	// combines, as written: their ids, or their Names.
	Correlates []string
	// Name is the other name a correlation rule may reference this rule by
	// (Sigma's `name:`, a unique human-readable name used instead of the
	// id); empty when the format has none.
	Name string
	// Query is the detection logic as the file writes it, for reports to
	// show: the query string (KQL, EQL, ES|QL, SPL, Kusto, SQL), Sigma's
	// detection or correlation section, Panther's Python source.
	Query string
	// Logic is the and/or/not structure of the predicates as an indented
	// outline (see Logic), or empty when the parser gave no tree.
	Logic       string
	ParseStatus Status
	ParseError  string // the first problem, with line/column where known

	// Date is the rule's newest date (modified, else created) as YYYY-MM-DD,
	// or empty. Reports use the newest rule date as their default run date.
	Date string
	// Deprecated marks rules the vendor flags as deprecated; the pipeline
	// leaves them out unless asked to keep them.
	Deprecated bool
}

// SyntaxError is a parse error at a position in a query or file.
// Line and Col are 1-based; 0 means unknown.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Errorf builds a *SyntaxError at line, col.
func Errorf(line, col int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// Format renders predicates one per line in the stable text form used by
// golden files: `field_raw op "value"` with the field after mapping when it
// differs, the form as written when normalization rewrote it, a role other
// than event, and the flags.
func Format(ps []Predicate) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(FormatOne(p))
		b.WriteByte('\n')
	}
	return b.String()
}

// FormatOne renders one predicate in the form of Format, without newline.
func FormatOne(p Predicate) string {
	var b strings.Builder
	b.WriteString(p.FieldRaw)
	if p.Field != "" && p.Field != p.FieldRaw {
		b.WriteString(" (" + p.Field + ")")
	}
	b.WriteString(" " + string(p.Op))
	if p.Op != OpIsNull && p.Op != OpIsNotNull || p.Value != "" {
		fmt.Fprintf(&b, " %q", p.Value)
	}
	if p.OpRaw != "" && (p.OpRaw != p.Op || p.ValueRaw != p.Value) {
		fmt.Fprintf(&b, " (as written: %s %q)", p.OpRaw, p.ValueRaw)
	}
	if p.Role != "" && p.Role != RoleEvent {
		b.WriteString(" " + string(p.Role))
	}
	if p.Negated {
		b.WriteString(" negated")
	}
	if p.Exclusion {
		b.WriteString(" exclusion")
	}
	return b.String()
}
