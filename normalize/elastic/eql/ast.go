package eql

import "github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qexpr"

// Kind is the shape of a query.
type Kind uint8

// Query shapes.
const (
	KindEvent    Kind = iota // category where condition
	KindSequence             // sequence … [ … ] [ … ]
	KindSample               // sample by … [ … ] [ … ]
)

// Query is a parsed EQL query.
type Query struct {
	Kind Kind
	// Event is the query of KindEvent.
	Event *EventQuery
	// By holds the join keys of a sequence or sample (`sequence by a, b`).
	By []Expr
	// MaxSpan is the `with maxspan=` duration of a sequence, as written.
	MaxSpan string
	// Steps are the sub-queries of a sequence or sample, in order.
	Steps []*Step
	// Until is the optional `until [ … ]` sub-query of a sequence.
	Until *Step
	// Pipes follow the query (`| head 5`, `| filter …`).
	Pipes []*Pipe
}

// EventQuery is `category where condition`.
type EventQuery struct {
	Category string // "process", "network", "any", …
	Cond     Expr
}

// Step is one bracketed sub-query of a sequence or sample.
type Step struct {
	Query   *EventQuery
	By      []Expr // `[ … ] by f` join keys of this step
	Runs    string // `with runs=N`, as written; empty when absent
	Missing bool   // `![ … ]`: an event that must not occur
}

// Pipe is one `| name args` stage after the query.
type Pipe struct {
	Name string
	Args []Expr
}

// Expr is an expression node. The nodes EQL shares with ES|QL (fields,
// literals, and/or/not, comparisons, in, calls, arithmetic) are qexpr's;
// the ones below are EQL's own.
type Expr = qexpr.Expr

// Match is a string predicate `L : v`, `L like v`, `L regex v` (Op ":",
// "like" or "regex"), or their list forms `L : (v1, v2)` (List set).
// Insensitive marks `like~` and `regex~`.
type Match struct {
	Op          string
	Insensitive bool
	L           Expr
	Values      []Expr
	List        bool
}

// Lineage is `descendant of [ … ]`, `child of [ … ]` or `event of [ … ]`.
type Lineage struct {
	Relation string
	Query    *EventQuery
}

// ExprNode marks Match as an expression.
func (*Match) ExprNode() {}

// ExprNode marks Lineage as an expression.
func (*Lineage) ExprNode() {}
