package panther

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// maxMatchDepth bounds the nesting of match-expression combinators.
const maxMatchDepth = 50

// conditions maps a scalar or key/values match condition to an operator
// and whether it is negated. Both the documented names (IsGreaterThan) and
// short spellings (GreaterThan) are accepted.
var conditions = map[string]struct {
	op  rule.Op
	neg bool
}{
	"Equals":                  {rule.OpEq, false},
	"DoesNotEqual":            {rule.OpEq, true},
	"IsIn":                    {rule.OpIn, false},
	"IsNotIn":                 {rule.OpIn, true},
	"Contains":                {rule.OpContains, false},
	"DoesNotContain":          {rule.OpContains, true},
	"StartsWith":              {rule.OpStartsWith, false},
	"DoesNotStartWith":        {rule.OpStartsWith, true},
	"EndsWith":                {rule.OpEndsWith, false},
	"DoesNotEndWith":          {rule.OpEndsWith, true},
	"IsGreaterThan":           {rule.OpGt, false},
	"GreaterThan":             {rule.OpGt, false},
	"IsGreaterThanOrEquals":   {rule.OpGte, false},
	"IsGreaterThanOrEqual":    {rule.OpGte, false},
	"GreaterThanOrEquals":     {rule.OpGte, false},
	"GreaterThanOrEqual":      {rule.OpGte, false},
	"IsLessThan":              {rule.OpLt, false},
	"LessThan":                {rule.OpLt, false},
	"IsLessThanOrEquals":      {rule.OpLte, false},
	"IsLessThanOrEqual":       {rule.OpLte, false},
	"LessThanOrEquals":        {rule.OpLte, false},
	"LessThanOrEqual":         {rule.OpLte, false},
	"IsIPAddressInCIDR":       {rule.OpCIDR, false},
	"IsIPAddressNotInCIDR":    {rule.OpCIDR, true},
	"IsNull":                  {rule.OpIsNull, false},
	"DoesNotExist":            {rule.OpIsNull, false},
	"IsNullOrEmpty":           {rule.OpIsNull, false},
	"IsNotNull":               {rule.OpIsNotNull, false},
	"Exists":                  {rule.OpIsNotNull, false},
	"IsNotNullOrEmpty":        {rule.OpIsNotNull, false},
	"IsRegexMatch":            {rule.OpRegex, false},
	"MatchesRegex":            {rule.OpRegex, false},
	"DoesNotMatchRegex":       {rule.OpRegex, true},
	"IsNotRegexMatch":         {rule.OpRegex, true},
	"CIDRContainsIPAddresses": {rule.OpCIDR, false},
	"IsIPAddressInCIDRs":      {rule.OpCIDR, false},
	"IsIPAddressNotInCIDRs":   {rule.OpCIDR, true},
}

// listConditions are the list-comprehension conditions over an array key.
var listConditions = map[string]bool{"AnyElement": true, "AllElements": true, "OnlyOneElement": true,
	"NoElement": true, "NoElements": true}

// LowerMatch lowers a Panther match expression (the value of a simple
// detection's `Detection:` or `InlineFilters:` key: a list of expressions,
// all of which must match) into a boolean tree. Structural errors are a
// *rule.SyntaxError with the file line and column; unknown conditions and
// enrichment expressions become rule.Skipped.
func LowerMatch(n *yaml.Node) (rule.Expr, error) {
	return lowerMatch(n, "", 0)
}

func lowerMatch(n *yaml.Node, prefix string, depth int) (rule.Expr, error) {
	if depth > maxMatchDepth {
		return nil, rule.Errorf(n.Line, n.Column, "match expressions nested deeper than %d", maxMatchDepth)
	}
	switch n.Kind {
	case yaml.SequenceNode:
		out := rule.And{}
		for _, item := range n.Content {
			e, err := lowerMatch(item, prefix, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return out, nil
	case yaml.MappingNode:
		return lowerItem(n, prefix, depth)
	case yaml.AliasNode:
		if n.Alias != nil {
			return lowerMatch(n.Alias, prefix, depth+1)
		}
	}
	return nil, rule.Errorf(n.Line, n.Column, "a match expression must be a mapping or a list, not %s", kindName(n))
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return fmt.Sprintf("the scalar %q", n.Value)
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return "an empty value"
}

func lowerItem(n *yaml.Node, prefix string, depth int) (rule.Expr, error) {
	for _, comb := range []string{"All", "Any", "OnlyOne", "None"} {
		sub := get(n, comb)
		if sub == nil {
			continue
		}
		if sub.Kind != yaml.SequenceNode {
			return nil, rule.Errorf(sub.Line, sub.Column, "%s must be a list of match expressions", comb)
		}
		var kids []rule.Expr
		for _, item := range sub.Content {
			e, err := lowerMatch(item, prefix, depth+1)
			if err != nil {
				return nil, err
			}
			kids = append(kids, e)
		}
		switch comb {
		case "All":
			return rule.And(kids), nil
		case "Any", "OnlyOne":
			// OnlyOne (exactly one) reads the same fields and values as Any
			return rule.Or(kids), nil
		default: // None
			return rule.Not{X: rule.Or(kids)}, nil
		}
	}
	if get(n, "Enrichment") != nil {
		return rule.Skipped{Reason: fmt.Sprintf("enrichment match expression (line %d)", n.Line)}, nil
	}
	condNode := get(n, "Condition")
	if condNode == nil || condNode.Kind != yaml.ScalarNode {
		return nil, rule.Errorf(n.Line, n.Column, "match expression without Condition or combinator")
	}
	field, err := keyOf(n)
	if err != nil {
		return nil, err
	}
	if field == "" {
		return rule.Skipped{Reason: fmt.Sprintf("match expression without a key (line %d)", n.Line)}, nil
	}
	field = joinKey(prefix, field)
	condition := condNode.Value
	if listConditions[condition] {
		exprs := get(n, "Expressions")
		if exprs == nil {
			return nil, rule.Errorf(n.Line, n.Column, "%s needs Expressions", condition)
		}
		inner, err := lowerMatch(exprs, field, depth+1)
		if err != nil {
			return nil, err
		}
		if condition == "NoElement" || condition == "NoElements" {
			return rule.Not{X: inner}, nil
		}
		return inner, nil
	}
	c, ok := conditions[condition]
	if !ok {
		return rule.Skipped{Reason: fmt.Sprintf("unsupported match condition %s (line %d)", condition, condNode.Line)}, nil
	}
	if c.op == rule.OpIsNull || c.op == rule.OpIsNotNull {
		return rule.Cmp{FieldRaw: field, Op: c.op}, nil
	}
	vals, isRef, err := values(n)
	if err != nil {
		return nil, err
	}
	if isRef != "" {
		return rule.Cmp{FieldRaw: field, Op: rule.OpEq, Value: "fieldref:" + isRef, Negated: c.neg}, nil
	}
	if len(vals) == 0 {
		return nil, rule.Errorf(n.Line, n.Column, "condition %s needs a Value or Values", condition)
	}
	var e rule.Expr = rule.AnyOf(field, c.op, vals)
	if c.op == rule.OpEq && len(vals) > 1 {
		e = rule.AnyOf(field, rule.OpIn, vals)
	}
	if c.neg {
		return negate(e), nil
	}
	return e, nil
}

// negate marks a single comparison negated, or wraps a list in Not.
func negate(e rule.Expr) rule.Expr {
	if c, ok := e.(rule.Cmp); ok {
		c.Negated = !c.Negated
		return c
	}
	return rule.Not{X: e}
}

// keyOf reads the key specifier: Key, DeepKey (a list) or KeyPath.
func keyOf(n *yaml.Node) (string, error) {
	if k := get(n, "Key"); k != nil {
		if k.Kind != yaml.ScalarNode {
			return "", rule.Errorf(k.Line, k.Column, "Key must be a string")
		}
		return strings.TrimSpace(k.Value), nil
	}
	if k := get(n, "DeepKey"); k != nil {
		if k.Kind != yaml.SequenceNode {
			return "", rule.Errorf(k.Line, k.Column, "DeepKey must be a list of keys")
		}
		var parts []string
		for _, p := range k.Content {
			if p.Kind != yaml.ScalarNode {
				return "", rule.Errorf(p.Line, p.Column, "DeepKey entries must be strings")
			}
			parts = append(parts, strings.TrimSpace(p.Value))
		}
		return strings.Join(parts, "."), nil
	}
	if k := get(n, "KeyPath"); k != nil {
		if k.Kind != yaml.ScalarNode {
			return "", rule.Errorf(k.Line, k.Column, "KeyPath must be a string")
		}
		return keyPath(k.Value), nil
	}
	return "", nil
}

// keyPath turns a JSONPath-like KeyPath (`$.a.b[*].c`, `a.b[0]`) into a dotted field.
func keyPath(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "$"), ".")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '[' {
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				break
			}
			inner := strings.Trim(s[i+1:i+j], `'"`)
			if inner != "*" && strings.Trim(inner, "0123456789-") != "" {
				b.WriteByte('.')
				b.WriteString(inner)
			}
			i += j
			continue
		}
		b.WriteByte(s[i])
	}
	return strings.Trim(b.String(), ".")
}

func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// values reads Value or Values; a Values list of key specifiers (a
// multi-key match) returns the other field as a field reference.
func values(n *yaml.Node) (vals []string, ref string, err error) {
	if v := get(n, "Value"); v != nil {
		if v.Kind == yaml.MappingNode {
			k, err := keyOf(v)
			return nil, k, err
		}
		if v.Kind != yaml.ScalarNode {
			return nil, "", rule.Errorf(v.Line, v.Column, "Value must be a scalar")
		}
		return []string{strings.TrimSpace(v.Value)}, "", nil
	}
	if v := get(n, "Values"); v != nil {
		if v.Kind != yaml.SequenceNode {
			return nil, "", rule.Errorf(v.Line, v.Column, "Values must be a list")
		}
		for _, item := range v.Content {
			switch item.Kind {
			case yaml.ScalarNode:
				vals = append(vals, strings.TrimSpace(item.Value))
			case yaml.MappingNode:
				k, err := keyOf(item)
				if err != nil {
					return nil, "", err
				}
				if k != "" {
					return nil, k, nil
				}
			default:
				return nil, "", rule.Errorf(item.Line, item.Column, "Values entries must be scalars")
			}
		}
	}
	return vals, "", nil
}
