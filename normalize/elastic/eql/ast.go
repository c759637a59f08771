package eql

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

// Expr is an expression node.
type Expr interface{ exprNode() }

// Field is a field reference. Optional marks `?field`.
type Field struct {
	Name     string
	Optional bool
}

// LitKind is the type of a literal.
type LitKind uint8

// Literal types.
const (
	LitString LitKind = iota
	LitNumber
	LitBool
	LitNull
)

// Literal is a constant: a decoded string, a number as written (possibly
// with a unit suffix such as 5m), true/false or null.
type Literal struct {
	Kind  LitKind
	Value string
}

// Logical is an `and` or `or` of two or more operands.
type Logical struct {
	Op string // "and" or "or"
	X  []Expr
}

// Not is `not X`.
type Not struct{ X Expr }

// Compare is `L op R` with op one of == != < <= > >=.
type Compare struct {
	Op   string
	L, R Expr
}

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

// In is `L in (v, …)`, `L in~ (…)` or `L not in (…)`.
type In struct {
	L           Expr
	Not         bool
	Insensitive bool
	Values      []Expr
}

// Call is a function call; Insensitive marks `name~(…)`.
type Call struct {
	Name        string
	Insensitive bool
	Args        []Expr
}

// Arith is an arithmetic expression `L op R` (+ - * / %).
type Arith struct {
	Op   string
	L, R Expr
}

// Neg is unary minus on a non-literal operand.
type Neg struct{ X Expr }

// Lineage is `descendant of [ … ]`, `child of [ … ]` or `event of [ … ]`.
type Lineage struct {
	Relation string
	Query    *EventQuery
}

func (*Field) exprNode()   {}
func (*Literal) exprNode() {}
func (*Logical) exprNode() {}
func (*Not) exprNode()     {}
func (*Compare) exprNode() {}
func (*Match) exprNode()   {}
func (*In) exprNode()      {}
func (*Call) exprNode()    {}
func (*Arith) exprNode()   {}
func (*Neg) exprNode()     {}
func (*Lineage) exprNode() {}
