package html

import (
	"encoding/json"
	"strings"
)

// The site search (search.html) runs in the browser over search.js, a
// script holding every technique, rule, field and value of the run, that
// calls ruleatlasSearch({...}): a script element loads it from file://,
// where fetch would not. Entries are arrays (the file holds tens of
// thousands); values are cut to maxSearchValue characters.

// searchData is the search index file (relative to html/).
const searchData = "search.js"

// maxSearchValue bounds the characters of a value in the index.
const maxSearchValue = 160

type searchIndex struct {
	// Techniques: id, name, tactics, page, rules (counted).
	Techniques [][]any `json:"t"`
	// Rules: title, vendor, id, path, page (index into Techniques; -1 for
	// unmapped.html), anchor ("" for "r-<vendor>-<id>").
	Rules [][]any `json:"r"`
	// Ops are the operators of Values.
	Ops []string `json:"o"`
	// Fields: name, the sheets of its parts, the anchor of its sections, values.
	Fields [][]any `json:"f"`
	// Values: field (index into Fields), op (index into Ops), value, rules,
	// page (index into the field's pages), anchor (without its "v-").
	Values [][]any `json:"v"`
}

func (s *site) searchIndex(w *worker) ([]byte, error) {
	var ix searchIndex
	techIndex := map[string]int{}
	for _, id := range s.techIDs {
		techIndex[s.techFile[id]] = len(ix.Techniques)
		var tactics []string
		var rules int64
		if tc, ok := s.cat.Technique(id); ok {
			tactics, rules = tc.Tactics, tc.Rules
		}
		ix.Techniques = append(ix.Techniques, []any{id, s.techName(id), strings.Join(tactics, ", "), s.techFile[id], rules})
	}
	for i := range s.rules {
		r := &s.rules[i]
		page, ok := techIndex[s.home[i]]
		if !ok {
			page = -1
		}
		anchor := s.anchor[i]
		if anchor == "r-"+r.Vendor+"-"+r.ID {
			anchor = ""
		}
		ix.Rules = append(ix.Rules, []any{r.Title, r.Vendor, r.ID, r.Path, page, anchor})
	}
	ops := map[string]int{}
	for _, fp := range s.fields {
		f := len(ix.Fields)
		ix.Fields = append(ix.Fields, []any{clean(fp.field), fp.files, fp.anchor, len(fp.idents)})
		page := 0
		for k, id := range fp.idents {
			for k >= fp.start[page+1] {
				page++
			}
			op, ok := ops[id.Op]
			if !ok {
				op = len(ix.Ops)
				ops[id.Op] = op
				ix.Ops = append(ix.Ops, id.Op)
			}
			ix.Values = append(ix.Values, []any{f, op, shorten(id.Value, maxSearchValue), len(id.Uses), page, strings.TrimPrefix(id.Anchor, "v-")})
		}
	}
	w.bb.Reset()
	w.bb.WriteString("ruleatlasSearch(")
	if err := json.NewEncoder(&w.bb).Encode(ix); err != nil { // escapes <, > and &
		return nil, err
	}
	w.bb.WriteString(");\n")
	return w.bb.Bytes(), nil
}
