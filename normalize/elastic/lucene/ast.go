package lucene

// Query is a parsed Lucene query string.
type Query struct {
	Root Node // nil for an empty query
}

// Node is a node of the Lucene syntax tree.
type Node interface{ node() }

// Or is a group of clauses joined by OR or by the default operator.
type Or []Node

// And is a group of clauses joined by AND.
type And []Node

// Not is a prohibited clause (NOT, `!` or `-`).
type Not struct{ X Node }

// Must is a required clause (`+`).
type Must struct{ X Node }

// Term tests one field (or the default field when Field is empty) against
// a value.
type Term struct {
	Field string
	Value Value
}

// Value is a term, phrase or regular expression value.
type Value struct {
	// Pattern holds a term or phrase in the rule.Pattern convention: an
	// unescaped `*` or `?` is a wildcard, and a literal `*`, `?` or `\` is
	// escaped with a backslash. For a regex it is the expression as written
	// between the slashes.
	Pattern string
	Quoted  bool   // a phrase: every character is literal
	Regex   bool   // a /regular expression/
	Suffix  string // boost or fuzziness suffix such as "^2" or "~1", as written
}

// Exists is `_exists_:field` or `field:*`.
type Exists struct{ Field string }

// Range is `field:[lo TO hi]`, `field:{lo TO hi}` (exclusive), a mix of the
// two, or a comparison such as `field:>=5`. An open bound is "*".
type Range struct {
	Field        string
	Lo, Hi       string
	IncLo, IncHi bool
}

// Group is a parenthesized clause with a boost suffix, kept so that the
// printer can reproduce the suffix.
type Group struct {
	X      Node
	Suffix string
}

func (Or) node()     {}
func (And) node()    {}
func (Not) node()    {}
func (Must) node()   {}
func (Term) node()   {}
func (Exists) node() {}
func (Range) node()  {}
func (Group) node()  {}

// Literal returns the value with pattern escapes removed (wildcards kept);
// for a regex, the expression with `\/` unescaped.
func (v Value) Literal() string {
	p := v.Pattern
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			if v.Regex && p[i+1] != '/' {
				b = append(b, p[i])
			}
			i++
		}
		b = append(b, p[i])
	}
	return string(b)
}
