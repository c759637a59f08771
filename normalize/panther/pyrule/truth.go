package pyrule

import "github.com/ruleatlas/ruleatlas/normalize/rule"

// truthTest is Python truthiness of a field's value: `if event.get("x")`
// (truthy) or `not event.get("x")` (falsy). Python's falsy values a
// logged field can hold are None (or a missing key), False, "", 0 and
// empty collections; the model has no empty-collection test, so falsy
// is written as the four tests it can state.
type truthTest struct {
	field  string
	truthy bool
}

// expr spells the test in predicates: falsy is `is_null or eq false or
// eq "" or eq 0`; truthy is its negation, `is_not_null and not eq false
// and not eq "" and not eq 0`.
func (t truthTest) expr() rule.Expr {
	if t.truthy {
		return rule.And{
			rule.Cmp{FieldRaw: t.field, Op: rule.OpIsNotNull},
			rule.Cmp{FieldRaw: t.field, Op: rule.OpEq, Value: "false", Negated: true},
			rule.Cmp{FieldRaw: t.field, Op: rule.OpEq, Value: "", Negated: true},
			rule.Cmp{FieldRaw: t.field, Op: rule.OpEq, Value: "0", Negated: true},
		}
	}
	return rule.Or{
		rule.Cmp{FieldRaw: t.field, Op: rule.OpIsNull},
		rule.Cmp{FieldRaw: t.field, Op: rule.OpEq, Value: "false"},
		rule.Cmp{FieldRaw: t.field, Op: rule.OpEq, Value: ""},
		rule.Cmp{FieldRaw: t.field, Op: rule.OpEq, Value: "0"},
	}
}
