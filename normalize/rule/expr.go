package rule

// Expr is a boolean tree over predicates: the shape every parser lowers its
// own AST to before Flatten sets the Negated and Exclusion flags the same way
// for every vendor.
type Expr interface{ isExpr() }

// And is a conjunction.
type And []Expr

// Or is a disjunction.
type Or []Expr

// Not negates its operand.
type Not struct{ X Expr }

// Cmp is one field test. Its Negated flag may already be set by a negated
// operator (`!=`, `!contains`, `not in`, …).
type Cmp Predicate

// Skipped stands for a clause the parser saw but could not turn into
// predicates; it makes the rule's status partial.
type Skipped struct{ Reason string }

func (And) isExpr()     {}
func (Or) isExpr()      {}
func (Not) isExpr()     {}
func (Cmp) isExpr()     {}
func (Skipped) isExpr() {}

// Flatten walks e and returns its predicates in source order, with Negated
// set for predicates under an odd number of negations (combined with a
// negated operator by exclusive or) and Exclusion set for predicates that sit
// under a negation which is a top-level conjunct of e (SPEC §4), or that are a
// negated top-level conjunct themselves. skipped lists the reasons of every
// Skipped node met.
func Flatten(e Expr) (ps []Predicate, skipped []string) {
	var conjuncts []Expr
	topLevelConjuncts(e, &conjuncts)
	for _, c := range conjuncts {
		switch c := c.(type) {
		case Not:
			walk(c, false, true, &ps, &skipped)
		case Cmp:
			p := Predicate(c)
			p.Exclusion = p.Negated
			ps = append(ps, p)
		default:
			walk(c, false, false, &ps, &skipped)
		}
	}
	return ps, skipped
}

// topLevelConjuncts appends the operands of the outermost And chain of e.
func topLevelConjuncts(e Expr, out *[]Expr) {
	if a, ok := e.(And); ok {
		for _, x := range a {
			topLevelConjuncts(x, out)
		}
		return
	}
	if e != nil {
		*out = append(*out, e)
	}
}

func walk(e Expr, neg, excl bool, ps *[]Predicate, skipped *[]string) {
	switch e := e.(type) {
	case And:
		for _, x := range e {
			walk(x, neg, excl, ps, skipped)
		}
	case Or:
		for _, x := range e {
			walk(x, neg, excl, ps, skipped)
		}
	case Not:
		walk(e.X, !neg, excl, ps, skipped)
	case Cmp:
		p := Predicate(e)
		p.Negated = p.Negated != neg
		p.Exclusion = excl
		*ps = append(*ps, p)
	case Skipped:
		*skipped = append(*skipped, e.Reason)
	}
}

// AnyOf is the disjunction of one Cmp per value, each with op (SPEC §4: a list
// against an operator gives one predicate per value). Equality against a list
// should pass OpIn. A single value gives a bare Cmp.
func AnyOf(fieldRaw string, op Op, values []string) Expr {
	if len(values) == 1 {
		return Cmp{FieldRaw: fieldRaw, Op: op, Value: values[0]}
	}
	or := make(Or, len(values))
	for i, v := range values {
		or[i] = Cmp{FieldRaw: fieldRaw, Op: op, Value: v}
	}
	return or
}

// MapCmp returns e with every Cmp replaced by f's result, the and/or/not
// shape and the Skipped nodes kept.
func MapCmp(e Expr, f func(Cmp) Cmp) Expr {
	switch x := e.(type) {
	case And:
		out := make(And, len(x))
		for i, k := range x {
			out[i] = MapCmp(k, f)
		}
		return out
	case Or:
		out := make(Or, len(x))
		for i, k := range x {
			out[i] = MapCmp(k, f)
		}
		return out
	case Not:
		return Not{X: MapCmp(x.X, f)}
	case Cmp:
		return f(x)
	}
	return e
}
