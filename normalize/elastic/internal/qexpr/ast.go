// Package qexpr is the expression layer EQL and ES|QL share: the AST nodes
// of boolean logic, comparisons, arithmetic, function calls, field
// references and literals; a precedence parser over a qtok.Stream that
// each language extends with its own predicates and operands; and the
// canonical printer of those nodes. A language adds nodes of its own (EQL
// `:` and lineage, ES|QL like, is null, casts, …) by implementing Expr and
// the Grammar and Extension hooks.
package qexpr

// Expr is an expression node.
type Expr interface{ ExprNode() }

// Field is a field reference. Optional marks EQL's `?field`.
type Field struct {
	Name     string
	Optional bool
}

// LitKind is the type of a literal.
type LitKind uint8

// Literal types. LitInterval and LitParam occur in ES|QL only.
const (
	LitString   LitKind = iota
	LitNumber           // as written, possibly with a unit suffix (EQL 5m)
	LitBool             // true or false
	LitNull             // null
	LitInterval         // 1 hour, 30 minutes
	LitParam            // ?name
)

// Literal is a constant: a decoded string, a number as written, true or
// false, null, a time interval ("1 hour") or a query parameter.
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

// Compare is `L op R` with op one of the language's comparison operators
// (== != < <= > >=, and ES|QL's =~).
type Compare struct {
	Op   string
	L, R Expr
}

// In is `L in (v, …)` or `L not in (…)`; Insensitive marks EQL's `in~`.
type In struct {
	L           Expr
	Not         bool
	Insensitive bool
	Values      []Expr
}

// Call is a function call; Insensitive marks EQL's `name~(…)`.
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

// ExprNode marks Field as an expression.
func (*Field) ExprNode() {}

// ExprNode marks Literal as an expression.
func (*Literal) ExprNode() {}

// ExprNode marks Logical as an expression.
func (*Logical) ExprNode() {}

// ExprNode marks Not as an expression.
func (*Not) ExprNode() {}

// ExprNode marks Compare as an expression.
func (*Compare) ExprNode() {}

// ExprNode marks In as an expression.
func (*In) ExprNode() {}

// ExprNode marks Call as an expression.
func (*Call) ExprNode() {}

// ExprNode marks Arith as an expression.
func (*Arith) ExprNode() {}

// ExprNode marks Neg as an expression.
func (*Neg) ExprNode() {}
