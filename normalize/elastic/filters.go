package elastic

import (
	"fmt"
	"slices"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/cidr"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// maxFilterDepth bounds the nesting of bool queries in a filter.
const maxFilterDepth = 32

// filterExpr lowers the i-th (0-based) Kibana filter of a rule: its query
// DSL, negated when meta.negate is true. Disabled filters give nil.
func filterExpr(f map[string]any, i int) rule.Expr {
	meta, _ := f["meta"].(map[string]any)
	if disabled, _ := meta["disabled"].(bool); disabled {
		return nil
	}
	dsl, ok := f["query"].(map[string]any)
	if !ok {
		// Older filters keep the query clause beside meta and $state.
		dsl = map[string]any{}
		for k, v := range f {
			if k != "meta" && k != "$state" {
				dsl[k] = v
			}
		}
	}
	e := dslExpr(dsl, i, 0)
	if negate, _ := meta["negate"].(bool); negate {
		return rule.Not{X: e}
	}
	return e
}

// dslExpr lowers an Elasticsearch query DSL object.
func dslExpr(m map[string]any, i, depth int) rule.Expr {
	if depth > maxFilterDepth {
		return rule.Skipped{Reason: fmt.Sprintf("filter %d: bool query nested too deeply", i+1)}
	}
	if len(m) == 0 {
		return rule.Skipped{Reason: fmt.Sprintf("filter %d: no query clause", i+1)}
	}
	var out rule.And
	for _, kind := range sortedKeys(m) {
		body, _ := m[kind].(map[string]any)
		if body == nil {
			out = append(out, rule.Skipped{Reason: fmt.Sprintf("filter %d: %s clause is not an object", i+1, kind)})
			continue
		}
		switch kind {
		case "bool":
			out = append(out, boolExpr(body, i, depth))
		case "exists":
			if f, ok := body["field"].(string); ok {
				out = append(out, rule.Cmp{FieldRaw: f, Op: rule.OpIsNotNull})
			}
		case "wildcard", "term", "match_phrase", "match", "prefix", "regexp":
			for _, f := range sortedKeys(body) {
				v, ok := leafValue(body[f])
				if !ok {
					out = append(out, rule.Skipped{Reason: fmt.Sprintf("filter %d: %s on %s has no value", i+1, kind, f)})
					continue
				}
				out = append(out, leafCmp(kind, f, v))
			}
		case "terms":
			for _, f := range sortedKeys(body) {
				list, _ := body[f].([]any)
				vals := make([]string, 0, len(list))
				for _, x := range list {
					vals = append(vals, scalar(x))
				}
				if len(vals) > 0 {
					out = append(out, anyOfTerms(f, vals))
				}
			}
		case "range":
			for _, f := range sortedKeys(body) {
				bounds, _ := body[f].(map[string]any)
				for _, b := range sortedKeys(bounds) {
					if op, ok := rangeOps[b]; ok {
						out = append(out, rule.Cmp{FieldRaw: f, Op: op, Value: scalar(bounds[b])})
					}
				}
			}
		default:
			out = append(out, rule.Skipped{Reason: fmt.Sprintf("filter %d: unsupported query clause %q", i+1, kind)})
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

var rangeOps = map[string]rule.Op{"gt": rule.OpGt, "gte": rule.OpGte, "lt": rule.OpLt, "lte": rule.OpLte}

// boolExpr lowers a bool query: must and filter are ANDed, should ORed,
// must_not negated.
func boolExpr(body map[string]any, i, depth int) rule.Expr {
	var out rule.And
	for _, key := range []string{"must", "filter", "should", "must_not"} {
		var clauses []rule.Expr
		for _, c := range asList(body[key]) {
			if m, ok := c.(map[string]any); ok {
				clauses = append(clauses, dslExpr(m, i, depth+1))
			}
		}
		if len(clauses) == 0 {
			continue
		}
		switch key {
		case "should":
			out = append(out, rule.Or(clauses))
		case "must_not":
			out = append(out, rule.Not{X: rule.Or(clauses)})
		default:
			out = append(out, clauses...)
		}
	}
	return out
}

func asList(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case []map[string]any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = x
		}
		return out
	case map[string]any:
		return []any{v}
	}
	return nil
}

// leafValue returns the value of a leaf query on one field, written either
// directly or as {value: …} / {query: …} / {wildcard: …}.
func leafValue(v any) (string, bool) {
	if m, ok := v.(map[string]any); ok {
		for _, k := range []string{"value", "query", "wildcard"} {
			if x, ok := m[k]; ok {
				return scalar(x), true
			}
		}
		return "", false
	}
	if v == nil {
		return "", false
	}
	return scalar(v), true
}

// leafCmp makes the predicate of a leaf query.
func leafCmp(kind, f, v string) rule.Expr {
	switch kind {
	case "wildcard":
		// Elasticsearch wildcard syntax uses the rule.Pattern convention.
		op, val := rule.Pattern(v)
		return rule.Cmp{FieldRaw: f, Op: op, Value: val}
	case "prefix":
		return rule.Cmp{FieldRaw: f, Op: rule.OpStartsWith, Value: v}
	case "regexp":
		return rule.Cmp{FieldRaw: f, Op: rule.OpRegex, Value: v}
	case "match":
		return rule.Cmp{FieldRaw: f, Op: cidr.Op(rule.OpMatch, v), Value: v}
	}
	return rule.Cmp{FieldRaw: f, Op: cidr.Op(rule.OpEq, v), Value: v}
}

// anyOfTerms is the disjunction of a terms query: one `in` per value, a
// CIDR block cidr_match.
func anyOfTerms(f string, vals []string) rule.Expr {
	x := rule.AnyOf(f, rule.OpIn, vals)
	if or, ok := x.(rule.Or); ok {
		for i, c := range or {
			c := c.(rule.Cmp)
			c.Op = cidr.Op(c.Op, c.Value)
			or[i] = c
		}
		return or
	}
	c := x.(rule.Cmp)
	c.Op = cidr.Op(c.Op, c.Value)
	return c
}

func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
