package sigma

import (
	"encoding/base64"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode/utf16"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Detection is a parsed Sigma detection section: each search identifier
// lowered to a boolean tree, plus the condition expressions.
type Detection struct {
	Names      []string             // search identifiers in file order
	Searches   map[string]rule.Expr // identifier → its logic
	Conditions []Cond               // several conditions are OR-ed
}

// knownModifiers lists every value modifier of the Sigma specification.
var knownModifiers = map[string]bool{
	"contains": true, "startswith": true, "endswith": true, "all": true,
	"re": true, "i": true, "m": true, "s": true, "cidr": true, "windash": true,
	"base64": true, "base64offset": true, "wide": true, "utf16le": true, "utf16be": true,
	"utf16": true, "exists": true, "gt": true, "gte": true, "lt": true, "lte": true,
	"fieldref": true, "expand": true, "cased": true,
}

// maxValues bounds the values of one detection item.
const maxValues = 100000

// ParseDetection parses the `detection` mapping node of a rule. Errors are
// *rule.SyntaxError with the file line and column.
func ParseDetection(n *yaml.Node) (*Detection, error) {
	if n.Kind != yaml.MappingNode {
		return nil, rule.Errorf(n.Line, n.Column, "detection must be a mapping")
	}
	d := &Detection{Searches: map[string]rule.Expr{}}
	var condNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "condition":
			condNode = v
			continue
		case "timeframe":
			continue
		}
		e, err := parseSearch(v, 0)
		if err != nil {
			return nil, err
		}
		d.Names = append(d.Names, k.Value)
		d.Searches[k.Value] = e
	}
	if condNode == nil {
		return nil, rule.Errorf(n.Line, n.Column, "detection has no condition")
	}
	var conds []*yaml.Node
	switch condNode.Kind {
	case yaml.ScalarNode:
		conds = []*yaml.Node{condNode}
	case yaml.SequenceNode:
		conds = condNode.Content
	default:
		return nil, rule.Errorf(condNode.Line, condNode.Column, "condition must be a string or a list")
	}
	for _, c := range conds {
		if c.Kind != yaml.ScalarNode {
			return nil, rule.Errorf(c.Line, c.Column, "condition must be a string")
		}
		cond, err := ParseCondition(c.Value)
		if err != nil {
			return nil, rule.Errorf(c.Line, c.Column, "condition %q: %v", c.Value, err)
		}
		d.Conditions = append(d.Conditions, cond)
	}
	return d, nil
}

// parseSearch lowers one search identifier's value: a mapping (AND of its
// items), a list of mappings (OR), or a list of keywords (OR).
func parseSearch(n *yaml.Node, depth int) (rule.Expr, error) {
	if depth > 8 {
		return nil, rule.Errorf(n.Line, n.Column, "search nested too deeply")
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nil, rule.Errorf(n.Line, n.Column, "YAML aliases are not allowed in detections")
	case yaml.MappingNode:
		var and rule.And
		for i := 0; i+1 < len(n.Content); i += 2 {
			e, err := parseItem(n.Content[i], n.Content[i+1])
			if err != nil {
				return nil, err
			}
			and = append(and, e)
		}
		if len(and) == 1 {
			return and[0], nil
		}
		return and, nil
	case yaml.SequenceNode:
		if len(n.Content) > maxValues {
			return nil, rule.Errorf(n.Line, n.Column, "more than %d values", maxValues)
		}
		var or rule.Or
		var keywords []string
		for _, c := range n.Content {
			switch c.Kind {
			case yaml.MappingNode, yaml.SequenceNode:
				e, err := parseSearch(c, depth+1)
				if err != nil {
					return nil, err
				}
				or = append(or, e)
			case yaml.ScalarNode:
				keywords = append(keywords, c.Value)
			default:
				return nil, rule.Errorf(c.Line, c.Column, "unexpected YAML node in search list")
			}
		}
		for _, k := range keywords {
			or = append(or, keyword(k))
		}
		if len(or) == 1 {
			return or[0], nil
		}
		return or, nil
	case yaml.ScalarNode:
		return keyword(n.Value), nil
	}
	return nil, rule.Errorf(n.Line, n.Column, "unexpected YAML node in detection")
}

// keyword is a bare keyword search: a full-text match anywhere in the event.
func keyword(v string) rule.Expr {
	op, val := rule.Pattern(v)
	if op == rule.OpContains || op == rule.OpStartsWith || op == rule.OpEndsWith || op == rule.OpEq {
		return rule.Cmp{FieldRaw: rule.KeywordsField, Op: rule.OpMatch, Value: val}
	}
	return rule.Cmp{FieldRaw: rule.KeywordsField, Op: op, Value: val}
}

// parseItem lowers one `field|mod|mod: value(s)` item.
func parseItem(k, v *yaml.Node) (rule.Expr, error) {
	parts := strings.Split(k.Value, "|")
	field, mods := parts[0], parts[1:]
	for i, m := range mods {
		mods[i] = strings.ToLower(strings.TrimSpace(m))
		if !knownModifiers[mods[i]] {
			return nil, rule.Errorf(k.Line, k.Column, "unknown modifier %q in %q", m, k.Value)
		}
	}
	if field == "" {
		field = rule.KeywordsField
	}
	var vals []*yaml.Node
	switch v.Kind {
	case yaml.ScalarNode:
		vals = []*yaml.Node{v}
	case yaml.SequenceNode:
		if len(v.Content) > maxValues {
			return nil, rule.Errorf(v.Line, v.Column, "more than %d values", maxValues)
		}
		vals = v.Content
	case yaml.AliasNode:
		return nil, rule.Errorf(v.Line, v.Column, "YAML aliases are not allowed in detections")
	default:
		return nil, rule.Errorf(v.Line, v.Column, "value of %q must be a scalar or a list of scalars", k.Value)
	}
	all := slices.Contains(mods, "all")
	var cmps []rule.Expr
	for _, vn := range vals {
		if vn.Kind != yaml.ScalarNode {
			return nil, rule.Errorf(vn.Line, vn.Column, "value of %q must be a scalar", k.Value)
		}
		cs, err := valueCmps(field, mods, vn)
		if err != nil {
			return nil, err
		}
		cmps = append(cmps, cs...)
	}
	// A list of plain values without modifier is a list equality: op in.
	if len(vals) > 1 && !all {
		for i, c := range cmps {
			if cc, ok := c.(rule.Cmp); ok && cc.Op == rule.OpEq {
				cc.Op = rule.OpIn
				cmps[i] = cc
			}
		}
	}
	switch {
	case len(cmps) == 0:
		return rule.Skipped{Reason: fmt.Sprintf("line %d: %q has no values", k.Line, k.Value)}, nil
	case len(cmps) == 1:
		return cmps[0], nil
	case all:
		return rule.And(cmps), nil
	}
	return rule.Or(cmps), nil
}

// valueCmps applies the modifier chain to one value. Encoding modifiers
// (wide, base64, base64offset) turn one value into the encoded strings the
// rule really matches; base64offset gives three.
func valueCmps(field string, mods []string, vn *yaml.Node) ([]rule.Expr, error) {
	null := vn.Tag == "!!null"
	raw := vn.Value
	cmp := func(op rule.Op, v string) rule.Cmp { return rule.Cmp{FieldRaw: field, Op: op, Value: v} }
	if null {
		return []rule.Expr{cmp(rule.OpIsNull, "")}, nil
	}
	// Modifiers that replace the comparison entirely.
	for _, m := range mods {
		switch m {
		case "exists":
			if strings.EqualFold(raw, "false") || strings.EqualFold(raw, "no") {
				return []rule.Expr{cmp(rule.OpIsNull, "")}, nil
			}
			return []rule.Expr{cmp(rule.OpIsNotNull, "")}, nil
		case "re":
			flags := ""
			for _, f := range mods {
				if f == "i" || f == "m" || f == "s" {
					flags += f
				}
			}
			if flags != "" {
				raw = "(?" + flags + ")" + raw
			}
			return []rule.Expr{cmp(rule.OpRegex, raw)}, nil
		case "cidr":
			return []rule.Expr{cmp(rule.OpCIDR, raw)}, nil
		case "gt", "gte", "lt", "lte":
			return []rule.Expr{cmp(rule.Op(m), raw)}, nil
		case "fieldref":
			return []rule.Expr{cmp(rule.OpEq, "fieldref:"+raw)}, nil
		}
	}
	// Encoding chain: the value is a literal from here on.
	encoded := []string{raw}
	isEncoded := false
	for _, m := range mods {
		switch m {
		case "wide", "utf16le", "utf16", "utf16be":
			for i, s := range encoded {
				encoded[i] = utf16Bytes(s, m == "utf16be", m == "utf16")
			}
			isEncoded = true
		case "base64":
			for i, s := range encoded {
				encoded[i] = base64.StdEncoding.EncodeToString([]byte(s))
			}
			isEncoded = true
		case "base64offset":
			var out []string
			for _, s := range encoded {
				out = append(out, base64Offsets(s)...)
			}
			encoded = out
			isEncoded = true
		}
	}
	if isEncoded {
		for i, s := range encoded {
			// Encoded text is literal: escape wildcards before classification.
			encoded[i] = escapeWildcards(s)
		}
	}
	var out []rule.Expr
	for _, s := range encoded {
		// A lone trailing backslash is literal in Sigma; keep it literal
		// when a modifier appends a wildcard behind it.
		if hasLoneTrailingBackslash(s) {
			s += `\`
		}
		switch {
		case slices.Contains(mods, "contains"):
			s = "*" + s + "*"
		case slices.Contains(mods, "startswith"):
			s += "*"
		case slices.Contains(mods, "endswith"):
			s = "*" + s
		}
		op, val := rule.Pattern(s)
		if field == rule.KeywordsField && op != rule.OpWildcard {
			op = rule.OpMatch
		}
		out = append(out, cmp(op, val))
	}
	return out, nil
}

func hasLoneTrailingBackslash(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

func escapeWildcards(s string) string {
	if !strings.ContainsAny(s, `*?\`) {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`)
	return r.Replace(s)
}

// utf16Bytes encodes s as UTF-16 (little endian unless be; with a BOM for
// plain utf16) and returns the bytes as a string.
func utf16Bytes(s string, be, bom bool) string {
	units := utf16.Encode([]rune(s))
	var b []byte
	if bom {
		b = append(b, 0xff, 0xfe)
	}
	for _, u := range units {
		if be {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return string(b)
}

// base64Offsets returns the three base64 forms of s at byte offsets 0, 1, 2
// with the characters that depend on neighbouring bytes cut off, as Sigma's
// base64offset modifier defines them.
func base64Offsets(s string) []string {
	start := []int{0, 2, 3}
	end := []int{0, 3, 2} // characters to drop at the end, by (len+offset)%3
	var out []string
	for i := range 3 {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, i), s...))
		cut := end[(len(s)+i)%3]
		if len(enc)-cut < start[i] {
			continue
		}
		out = append(out, enc[start[i]:len(enc)-cut])
	}
	return out
}

// Lower combines the conditions with the searches into one boolean tree.
// A legacy aggregation adds a threshold predicate (`count gt 10`).
func (d *Detection) Lower() rule.Expr {
	var ors rule.Or
	for _, c := range d.Conditions {
		ors = append(ors, d.lowerCond(c))
	}
	if len(ors) == 1 {
		return ors[0]
	}
	return ors
}

func (d *Detection) lowerCond(c Cond) rule.Expr {
	switch c := c.(type) {
	case CondAnd:
		out := make(rule.And, len(c))
		for i, x := range c {
			out[i] = d.lowerCond(x)
		}
		return out
	case CondOr:
		out := make(rule.Or, len(c))
		for i, x := range c {
			out[i] = d.lowerCond(x)
		}
		return out
	case CondNot:
		return rule.Not{X: d.lowerCond(c.X)}
	case CondIdent:
		if e, ok := d.Searches[string(c)]; ok {
			return e
		}
		return rule.Skipped{Reason: fmt.Sprintf("condition names unknown search identifier %q", string(c))}
	case CondOf:
		var matched []rule.Expr
		for _, name := range d.Names {
			if c.Pattern == "them" && !strings.HasPrefix(name, "_") || c.Pattern != "them" && globMatch(c.Pattern, name) {
				matched = append(matched, d.Searches[name])
			}
		}
		if len(matched) == 0 {
			return rule.Skipped{Reason: fmt.Sprintf("%q matches no search identifier", String(c))}
		}
		if c.All {
			return rule.And(matched)
		}
		return rule.Or(matched)
	case CondWithAgg:
		search := d.lowerCond(c.Search)
		op, ok := aggOp(c.Agg.Op)
		if !ok {
			return rule.And{search, rule.Skipped{Reason: fmt.Sprintf("aggregation %s without comparison", c.Agg.Func)}}
		}
		name := c.Agg.Func
		if c.Agg.Field != "" {
			name += "(" + c.Agg.Field + ")"
		}
		return rule.And{search, rule.Cmp{FieldRaw: name, Op: op, Value: c.Agg.Value, Role: rule.RoleComputed}}
	}
	return rule.Skipped{Reason: "unknown condition node"}
}

func globMatch(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}
