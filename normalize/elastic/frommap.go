package elastic

import "strings"

// docFromMap fills a document from the generic map of decodeFast, with the
// conversions BurntSushi applies when decoding into the document struct. ok
// is false on a type mismatch; Load then decodes with BurntSushi, which
// reports the error.
func docFromMap(m map[string]any) (doc document, ok bool) {
	if v, found := lookup(m, "metadata"); found {
		md, isMap := v.(map[string]any)
		if !isMap {
			return doc, false
		}
		if !getStr(md, "creation_date", &doc.Metadata.CreationDate) ||
			!getStr(md, "updated_date", &doc.Metadata.UpdatedDate) ||
			!getStr(md, "maturity", &doc.Metadata.Maturity) ||
			!getList(md, "integration", (*[]string)(&doc.Metadata.Integration)) {
			return doc, false
		}
	}
	if v, found := lookup(m, "hunt"); found {
		hm, isMap := v.(map[string]any)
		if !isMap {
			return doc, false
		}
		h := &huntTable{}
		doc.Hunt = h
		if !getStr(hm, "name", &h.Name) || !getStr(hm, "uuid", &h.UUID) ||
			!getList(hm, "integration", (*[]string)(&h.Integration)) ||
			!getList(hm, "language", (*[]string)(&h.Language)) ||
			!getList(hm, "query", (*[]string)(&h.Query)) ||
			!getList(hm, "mitre", (*[]string)(&h.Mitre)) {
			return doc, false
		}
	}
	v, found := lookup(m, "rule")
	if !found {
		return doc, true
	}
	rm, isMap := v.(map[string]any)
	if !isMap {
		return doc, false
	}
	rt := &ruleTable{}
	doc.Rule = rt
	if !getStr(rm, "rule_id", &rt.RuleID) || !getStr(rm, "name", &rt.Name) ||
		!getStr(rm, "severity", &rt.Severity) || !getStr(rm, "type", &rt.Type) ||
		!getStr(rm, "building_block_type", &rt.BuildingBlockType) ||
		!getStr(rm, "language", &rt.Language) || !getStr(rm, "query", &rt.Query) ||
		!getInt(rm, "risk_score", &rt.RiskScore) ||
		!getStrictList(rm, "index", &rt.Index) || !getStrictList(rm, "tags", &rt.Tags) {
		return doc, false
	}
	if v, found := lookup(rm, "threshold"); found {
		tm, isMap := v.(map[string]any)
		if !isMap {
			return doc, false
		}
		th := &threshold{}
		rt.Threshold = th
		if !getList(tm, "field", (*[]string)(&th.Field)) || !getInt(tm, "value", &th.Value) {
			return doc, false
		}
		if v, found := lookup(tm, "cardinality"); found {
			cs, isTables := tableList(v)
			if !isTables {
				return doc, false
			}
			th.Cardinality = make([]struct {
				Field string `toml:"field"`
				Value int64  `toml:"value"`
			}, len(cs))
			for i, c := range cs {
				if !getStr(c, "field", &th.Cardinality[i].Field) || !getInt(c, "value", &th.Cardinality[i].Value) {
					return doc, false
				}
			}
		}
	}
	if v, found := lookup(rm, "new_terms"); found {
		nm, isMap := v.(map[string]any)
		if !isMap {
			return doc, false
		}
		rt.NewTerms = &newTerms{}
		if !getStr(nm, "field", &rt.NewTerms.Field) || !getList(nm, "value", (*[]string)(&rt.NewTerms.Value)) {
			return doc, false
		}
	}
	if v, found := lookup(rm, "filters"); found {
		fs, isTables := tableList(v)
		if !isTables {
			return doc, false
		}
		rt.Filters = fs
	}
	if v, found := lookup(rm, "threat"); found {
		ths, isTables := tableList(v)
		if !isTables {
			return doc, false
		}
		rt.Threat = make([]threat, len(ths))
		for i, tm := range ths {
			if !threatFromMap(tm, &rt.Threat[i]) {
				return doc, false
			}
		}
	}
	return doc, true
}

func threatFromMap(m map[string]any, th *threat) bool {
	if !getStr(m, "framework", &th.Framework) {
		return false
	}
	if v, found := lookup(m, "tactic"); found {
		tm, isMap := v.(map[string]any)
		if !isMap || !getStr(tm, "id", &th.Tactic.ID) || !getStr(tm, "name", &th.Tactic.Name) {
			return false
		}
	}
	v, found := lookup(m, "technique")
	if !found {
		return true
	}
	ts, isTables := tableList(v)
	if !isTables {
		return false
	}
	th.Technique = make([]struct {
		ID           string `toml:"id"`
		Subtechnique []struct {
			ID string `toml:"id"`
		} `toml:"subtechnique"`
	}, len(ts))
	for i, tm := range ts {
		tech := &th.Technique[i]
		if !getStr(tm, "id", &tech.ID) {
			return false
		}
		v, found := lookup(tm, "subtechnique")
		if !found {
			continue
		}
		ss, isTables := tableList(v)
		if !isTables {
			return false
		}
		tech.Subtechnique = make([]struct {
			ID string `toml:"id"`
		}, len(ss))
		for j, sm := range ss {
			if !getStr(sm, "id", &tech.Subtechnique[j].ID) {
				return false
			}
		}
	}
	return true
}

// getStr sets *dst from a string value; a missing key leaves it alone.
func getStr(m map[string]any, key string, dst *string) bool {
	v, found := lookup(m, key)
	if !found {
		return true
	}
	s, ok := v.(string)
	*dst = s
	return ok
}

func getInt(m map[string]any, key string, dst *int64) bool {
	v, found := lookup(m, key)
	if !found {
		return true
	}
	n, ok := v.(int64)
	*dst = n
	return ok
}

// getList accepts a string or an array of strings (stringList).
func getList(m map[string]any, key string, dst *[]string) bool {
	v, found := lookup(m, key)
	if !found {
		return true
	}
	if s, ok := v.(string); ok {
		*dst = []string{s}
		return true
	}
	return stringArray(v, dst)
}

// getStrictList accepts an array of strings only.
func getStrictList(m map[string]any, key string, dst *[]string) bool {
	v, found := lookup(m, key)
	if !found {
		return true
	}
	return stringArray(v, dst)
}

func stringArray(v any, dst *[]string) bool {
	a, ok := v.([]any)
	if !ok {
		return false
	}
	out := make([]string, len(a))
	for i, x := range a {
		if out[i], ok = x.(string); !ok {
			return false
		}
	}
	*dst = out
	return true
}

// tableList accepts an array of tables or an inline array of inline tables.
func tableList(v any) ([]map[string]any, bool) {
	switch v := v.(type) {
	case []map[string]any:
		return v, true
	case []any:
		out := make([]map[string]any, len(v))
		for i, x := range v {
			m, ok := x.(map[string]any)
			if !ok {
				return nil, false
			}
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

// lookup finds key in m like BurntSushi/toml matches struct fields: the
// exact key first, else a key equal under Unicode case folding.
func lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}
