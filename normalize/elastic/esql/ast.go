package esql

import "github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qexpr"

// Query is a parsed ES|QL query: a source command and its pipes.
type Query struct {
	// Source is the source command in lower case ("from", "row", "show",
	// …); From and Metadata are set for "from".
	Source   string
	From     []string // index patterns, as written
	Metadata []string
	// SourceArgs holds the arguments of a source command other than from.
	SourceArgs []token
	// Commands are the processing commands after the source, in order.
	Commands []Command
}

// Command is one processing command (`| where …`).
type Command interface{ command() }

// Where is `where condition`.
type Where struct{ Cond Expr }

// Eval is `eval name = expr, …`.
type Eval struct{ Assigns []*Assign }

// Stats is `stats agg, … by group, …` (Inline for `inline stats`).
type Stats struct {
	Inline bool
	Aggs   []*Assign
	By     []*Assign
}

// Rename is `rename old as new, …`.
type Rename struct{ Pairs []RenamePair }

// RenamePair is one `old as new` of a rename.
type RenamePair struct{ Old, New string }

// Generic is any other command (keep, drop, sort, limit, dissect, grok,
// mv_expand, enrich, lookup join, completion, …), kept as its tokens: it is
// parsed only far enough to find where it ends.
type Generic struct {
	Name string
	Toks []token
}

// Assign is `name = expr`, or a bare expression when Name is empty;
// Filter is the `where` of a stats aggregation.
type Assign struct {
	Name   string
	X      Expr
	Filter Expr
}

func (*Where) command()   {}
func (*Eval) command()    {}
func (*Stats) command()   {}
func (*Rename) command()  {}
func (*Generic) command() {}

// Expr is an expression node. The nodes ES|QL shares with EQL (fields,
// literals, and/or/not, comparisons, in, calls, arithmetic) are qexpr's;
// the ones below are ES|QL's own.
type Expr = qexpr.Expr

// Array is a constant list `[a, b]`.
type Array struct{ X []Expr }

// Map is a function option map `{"key": value, …}`.
type Map struct {
	Keys []string
	Vals []Expr
}

// Star is the `*` of count(*).
type Star struct{}

// Like is `L [not] like pattern` or `L [not] rlike pattern` (Op "like" or
// "rlike"); List marks the form with a parenthesized pattern list.
type Like struct {
	Op       string
	Not      bool
	L        Expr
	Patterns []Expr
	List     bool
}

// IsNull is `L is [not] null`.
type IsNull struct {
	L   Expr
	Not bool
}

// MatchOp is the full-text match operator `L : value`.
type MatchOp struct{ L, R Expr }

// Cast is the inline cast `X::type`.
type Cast struct {
	X    Expr
	Type string
}

// ExprNode marks Array as an expression.
func (*Array) ExprNode() {}

// ExprNode marks Map as an expression.
func (*Map) ExprNode() {}

// ExprNode marks Star as an expression.
func (*Star) ExprNode() {}

// ExprNode marks Like as an expression.
func (*Like) ExprNode() {}

// ExprNode marks IsNull as an expression.
func (*IsNull) ExprNode() {}

// ExprNode marks MatchOp as an expression.
func (*MatchOp) ExprNode() {}

// ExprNode marks Cast as an expression.
func (*Cast) ExprNode() {}
