package esql

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

// Expr is an expression node.
type Expr interface{ exprNode() }

// Field is a column or field reference.
type Field struct{ Name string }

// LitKind is the type of a literal.
type LitKind uint8

// Literal types.
const (
	LitString LitKind = iota
	LitNumber
	LitBool
	LitNull
	LitInterval // 1 hour, 30 minutes
	LitParam    // ?name
)

// Literal is a constant: a decoded string, a number as written, true or
// false, null, a time interval ("1 hour") or a query parameter.
type Literal struct {
	Kind  LitKind
	Value string
}

// Array is a constant list `[a, b]`.
type Array struct{ X []Expr }

// Map is a function option map `{"key": value, …}`.
type Map struct {
	Keys []string
	Vals []Expr
}

// Star is the `*` of count(*).
type Star struct{}

// Logical is an `and` or `or` of two or more operands.
type Logical struct {
	Op string // "and" or "or"
	X  []Expr
}

// Not is `not X`.
type Not struct{ X Expr }

// Compare is `L op R` with op one of == != < <= > >= =~.
type Compare struct {
	Op   string
	L, R Expr
}

// Like is `L [not] like pattern` or `L [not] rlike pattern` (Op "like" or
// "rlike"); List marks the form with a parenthesized pattern list.
type Like struct {
	Op       string
	Not      bool
	L        Expr
	Patterns []Expr
	List     bool
}

// In is `L [not] in (v, …)`.
type In struct {
	L      Expr
	Not    bool
	Values []Expr
}

// IsNull is `L is [not] null`.
type IsNull struct {
	L   Expr
	Not bool
}

// MatchOp is the full-text match operator `L : value`.
type MatchOp struct{ L, R Expr }

// Call is a function call.
type Call struct {
	Name string
	Args []Expr
}

// Arith is an arithmetic expression `L op R` (+ - * / %).
type Arith struct {
	Op   string
	L, R Expr
}

// Neg is unary minus on a non-literal operand.
type Neg struct{ X Expr }

// Cast is the inline cast `X::type`.
type Cast struct {
	X    Expr
	Type string
}

func (*Field) exprNode()   {}
func (*Literal) exprNode() {}
func (*Array) exprNode()   {}
func (*Map) exprNode()     {}
func (*Star) exprNode()    {}
func (*Logical) exprNode() {}
func (*Not) exprNode()     {}
func (*Compare) exprNode() {}
func (*Like) exprNode()    {}
func (*In) exprNode()      {}
func (*IsNull) exprNode()  {}
func (*MatchOp) exprNode() {}
func (*Call) exprNode()    {}
func (*Arith) exprNode()   {}
func (*Neg) exprNode()     {}
func (*Cast) exprNode()    {}
