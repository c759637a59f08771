package kql

// Query is a parsed KQL query.
type Query struct {
	Root Node // nil for an empty query
}

// Node is a node of the KQL syntax tree. Query-level nodes are Or, And, Not,
// Field, Range, Exists, Nested and Text; the value list of a Field is made of
// Or, And, Not and *Value.
type Node interface{ node() }

// Or is a disjunction of queries or of values.
type Or []Node

// And is a conjunction of queries or of values.
type And []Node

// Not negates a query or a value.
type Not struct{ X Node }

// Field is a field test `field:values`.
type Field struct {
	Field string // the field name, escapes removed
	Value Node   // a *Value or an Or/And/Not tree of them
}

// Range is a range test such as `field >= 5`.
type Range struct {
	Field string
	Op    string // "<", "<=", ">", ">="
	Value *Value
}

// Exists is `field:*`.
type Exists struct{ Field string }

// Nested is a nested query `field:{ query }`.
type Nested struct {
	Field string
	Query Node
}

// Text is a free-text term without a field.
type Text struct{ Value *Value }

// Value is one literal value. Pattern holds it in the rule.Pattern
// convention: an unescaped `*` is a wildcard, and a literal `*`, `?` or `\`
// is escaped with a backslash.
type Value struct {
	Pattern string
	Quoted  bool
}

func (Or) node()     {}
func (And) node()    {}
func (Not) node()    {}
func (Field) node()  {}
func (Range) node()  {}
func (Exists) node() {}
func (Nested) node() {}
func (Text) node()   {}
func (*Value) node() {}

// Literal returns the value with escapes removed (wildcards kept as `*`).
func (v *Value) Literal() string {
	p := v.Pattern
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			i++
		}
		b = append(b, p[i])
	}
	return string(b)
}
