package html

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// Rule details load when a rule is opened: a technique page carries each
// rule's summary, and its predicates (as written and normalized), query
// and facts are in rules/cNNN.js, a script of ruleChunk rules that calls
// ruleatlasRules(chunk, {"f": [field pages], "r": [rules]}). A script element loads it, so the details
// work from file:// (fetch would not); each rule's data is written once
// however many pages show it.

// ruleChunk is the number of rules per data file.
const ruleChunk = 100

// chunkFile returns the data file of chunk c (relative to html/).
func chunkFile(c int) string { return fmt.Sprintf("rules/c%03d.js", c) }

// ruleData is one rule's details (short keys: the files hold every rule).
type ruleData struct {
	ID         string     `json:"i,omitempty"`
	Path       string     `json:"pa,omitempty"`
	Kind       string     `json:"k,omitempty"` // kind (rule type)
	Preds      [][]any    `json:"p,omitempty"` // field_raw, op_raw, value_raw, field, op, value (null: as written), role ("" for event), flags (1 negated, 2 exclusion), link ("<index into f>#anchor" or "")
	Techniques [][]string `json:"t,omitempty"` // id, name, page
	Language   string     `json:"l,omitempty"`
	Severity   string     `json:"s,omitempty"`
	Status     string     `json:"st,omitempty"`
	Platforms  string     `json:"pl,omitempty"`
	Domains    string     `json:"d,omitempty"`
	Events     string     `json:"e,omitempty"`
	Parse      string     `json:"ps,omitempty"`
	Error      string     `json:"pe,omitempty"`
	Home       string     `json:"h"`           // the page showing the rule, with its anchor
	Query      string     `json:"q,omitempty"` // the detection logic as the file writes it
	Logic      string     `json:"g,omitempty"` // the and/or/not outline of its predicates
	Source     string     `json:"u,omitempty"` // the file at its commit on the web
}

// ruleChunks renders the data files, chunk after chunk.
func (s *site) ruleChunks() []page {
	var out []page
	for c := 0; c*ruleChunk < len(s.rules); c++ {
		out = append(out, page{rel: chunkFile(c), render: func(w *worker) ([]byte, error) { return s.chunk(w, c) }})
	}
	return out
}

// chunkData is one data file: its rules, and the field pages their
// predicates link to.
type chunkData struct {
	Files []string   `json:"f"`
	Rules []ruleData `json:"r"`
}

func (s *site) chunk(w *worker, c int) ([]byte, error) {
	var d chunkData
	files := map[string]int{}
	for i := c * ruleChunk; i < min(len(s.rules), (c+1)*ruleChunk); i++ {
		d.Rules = append(d.Rules, s.ruleData(i, &d.Files, files))
	}
	w.bb.Reset()
	w.bb.WriteString("ruleatlasRules(" + strconv.Itoa(c) + ",")
	// The encoder escapes <, > and & as \u003c…: no markup in the file.
	if err := json.NewEncoder(&w.bb).Encode(d); err != nil {
		return nil, err
	}
	w.bb.WriteString(");\n")
	return w.bb.Bytes(), nil
}

// ruleData returns rule i's details; its links name their page by index
// into files (index maps a page to it; new pages are added).
func (s *site) ruleData(i int, files *[]string, index map[string]int) ruleData {
	r := &s.rules[i]
	kind := r.Kind
	if r.RuleType != "" {
		kind += " (" + r.RuleType + ")"
	}
	d := ruleData{ID: r.ID, Path: r.Path, Kind: kind, Language: r.Language, Severity: r.Severity, Status: r.Status,
		Platforms: strings.Join(r.Platforms, ", "), Domains: strings.Join(r.Domains, ", "), Events: strings.Join(r.Events, ", "),
		Parse: r.ParseStatus, Error: r.ParseError, Home: s.home[i] + "#" + s.anchor[i]}
	if row := s.ruleRow[i]; row < len(s.set.Texts) {
		t := s.set.Texts[row]
		d.Query, d.Logic = cleanText(t.Query), cleanText(t.Logic)
	}
	d.Source = s.sources.of(s.rawVendor[i], s.rawPath[i])
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
		if file, anchor, ok := strings.Cut(link, "#"); ok {
			k, seen := index[file]
			if !seen {
				k = len(*files)
				index[file] = k
				*files = append(*files, file)
			}
			link = strconv.Itoa(k) + "#" + anchor
		}
		role := p.Role
		if role == "event" {
			role = ""
		}
		d.Preds = append(d.Preds, []any{p.FieldRaw, p.OpRaw, p.ValueRaw, field, op, value, role, flags, link})
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

// cleanText is clean for text of several lines: line breaks stay, tabs
// become four spaces.
func cleanText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = clean(strings.ReplaceAll(l, "\t", "    "))
	}
	return strings.Join(lines, "\n")
}

// ruleRows maps each rule of view order (view.Index.Rules) to its row of
// the rules table: rules are sorted stably, so rules with the same
// (vendor, id, path) keep their row order.
func ruleRows(set *tables.Set, rules []view.Rule) []int {
	rows := map[string][]int{}
	v, id, p := tables.Strings(set.Rules, 0), tables.Strings(set.Rules, 1), tables.Strings(set.Rules, 2)
	for i := range int(set.Rules.NumRows()) {
		k := v.Value(i) + "\x00" + id.Value(i) + "\x00" + p.Value(i)
		rows[k] = append(rows[k], i)
	}
	out := make([]int, len(rules))
	for i := range rules {
		k := ruleKey(&rules[i])
		out[i] = rows[k][0]
		rows[k] = rows[k][1:]
	}
	return out
}

// sourceURLs maps each vendor and rule path to the web address of its
// source root at its commit (tables.Source.WebURL), read from the files
// table when a vendor has several roots.
type sourceURLs struct {
	byVendor map[string][]tables.Source
	rootOf   map[[2]string]string // (vendor, path) → root, for vendors of several roots
}

func newSourceURLs(set *tables.Set) *sourceURLs {
	u := &sourceURLs{byVendor: map[string][]tables.Source{}, rootOf: map[[2]string]string{}}
	for _, src := range set.Meta.Sources {
		u.byVendor[src.Vendor] = append(u.byVendor[src.Vendor], src)
	}
	if rec := set.Files; rec != nil {
		v, root, p := tables.Strings(rec, tables.FileVendor), tables.Strings(rec, tables.FileRoot), tables.Strings(rec, tables.FilePath)
		for i := range int(rec.NumRows()) {
			if len(u.byVendor[v.Value(i)]) > 1 {
				u.rootOf[[2]string{v.Value(i), p.Value(i)}] = root.Value(i)
			}
		}
	}
	return u
}

// of returns the web address of a rule's file, or "".
func (u *sourceURLs) of(vendor, path string) string {
	srcs := u.byVendor[vendor]
	base := ""
	switch {
	case len(srcs) == 1:
		base = srcs[0].WebURL
	case len(srcs) > 1:
		root := u.rootOf[[2]string{vendor, path}]
		for _, src := range srcs {
			if src.Root == root {
				base = src.WebURL
			}
		}
	}
	if base == "" || path == "" {
		return ""
	}
	return strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(filepath.ToSlash(path), "/")
}
