package html

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Rule details load when a rule is opened: a technique page carries each
// rule's summary, and its predicates (as written and normalized), query
// and facts are in rules/cNNN.js, a script of ruleChunk rules that calls
// ruleatlasRules(chunk, [...]). A script element loads it, so the details
// work from file:// (fetch would not); each rule's data is written once
// however many pages show it.

// ruleChunk is the number of rules per data file.
const ruleChunk = 100

// chunkFile returns the data file of chunk c (relative to html/).
func chunkFile(c int) string { return fmt.Sprintf("rules/c%03d.js", c) }

// ruleData is one rule's details (short keys: the files hold every rule).
type ruleData struct {
	Preds      [][]any    `json:"p,omitempty"` // field_raw, op_raw, value_raw, field, op, value (null: as written), role, flags (1 negated, 2 exclusion), link
	Techniques [][]string `json:"t,omitempty"` // id, name, page
	Language   string     `json:"l,omitempty"`
	Severity   string     `json:"s,omitempty"`
	Status     string     `json:"st,omitempty"`
	Platforms  string     `json:"pl,omitempty"`
	Domains    string     `json:"d,omitempty"`
	Events     string     `json:"e,omitempty"`
	Parse      string     `json:"ps,omitempty"`
	Error      string     `json:"pe,omitempty"`
	Home       string     `json:"h"` // the page showing the rule, with its anchor
}

// ruleChunks renders the data files, chunk after chunk.
func (s *site) ruleChunks() []page {
	var out []page
	for c := 0; c*ruleChunk < len(s.rules); c++ {
		out = append(out, page{rel: chunkFile(c), render: func(w *worker) ([]byte, error) { return s.chunk(w, c) }})
	}
	return out
}

func (s *site) chunk(w *worker, c int) ([]byte, error) {
	w.bb.Reset()
	w.bb.WriteString("ruleatlasRules(" + strconv.Itoa(c) + ",[\n")
	enc := json.NewEncoder(&w.bb) // escapes <, > and & as \u003c…: no markup in the file
	for i := c * ruleChunk; i < min(len(s.rules), (c+1)*ruleChunk); i++ {
		if i > c*ruleChunk {
			w.bb.WriteString(",")
		}
		if err := enc.Encode(s.ruleData(i)); err != nil {
			return nil, err
		}
	}
	w.bb.WriteString("]);\n")
	return w.bb.Bytes(), nil
}

func (s *site) ruleData(i int) ruleData {
	r := &s.rules[i]
	d := ruleData{Language: r.Language, Severity: r.Severity, Status: r.Status,
		Platforms: strings.Join(r.Platforms, ", "), Domains: strings.Join(r.Domains, ", "), Events: strings.Join(r.Events, ", "),
		Parse: r.ParseStatus, Error: r.ParseError, Home: s.home[i] + "#" + s.anchor[i]}
	for _, t := range r.Techniques {
		d.Techniques = append(d.Techniques, []string{t, s.techName(t), s.techFile[t]})
	}
	for j, p := range r.Predicates {
		var field, op, value any = p.Field, p.Op, p.Value
		if p.Field == p.FieldRaw {
			field = nil
		}
		if p.Op == p.OpRaw {
			op = nil
		}
		if p.Value == p.ValueRaw {
			value = nil
		}
		flags := 0
		if p.Negated {
			flags |= 1
		}
		if p.Exclusion {
			flags |= 2
		}
		link := ""
		if id := s.predIdent[s.predOff[i]+j]; id != nil {
			link = id.file + "#" + id.Anchor
		} else if f, ok := s.fieldHref[p.Field]; ok {
			link = f
		}
		d.Preds = append(d.Preds, []any{p.FieldRaw, p.OpRaw, p.ValueRaw, field, op, value, p.Role, flags, link})
	}
	return d
}

// techName returns a technique's ATT&CK name, or "".
func (s *site) techName(id string) string {
	if s.set.Attack != nil {
		if t := s.set.Attack.Techniques[id]; t != nil {
			return clean(t.Name)
		}
	}
	return ""
}
