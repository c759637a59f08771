// Package sigma is the Sigma frontend of ruleatlas: it reads Sigma rule YAML
// (multi-document files, legacy `action: global` documents, correlation
// rules) and lowers each rule's detection — selections, value modifiers and
// the condition expression — into the common rule model.
//
// Choices a reader should know:
//   - A list of plain values is a list equality (op in, one predicate per
//     value); a list under a modifier gives one predicate per value with
//     that modifier's op; `|all` joins them with AND.
//   - windash and expand leave the value as written (the canonical `-`
//     spelling and the placeholder), so an indicator is counted once.
//   - wide/utf16*, base64 and base64offset encode the value; the predicate
//     holds the encoded strings the rule really matches (three for
//     base64offset).
//   - fieldref compares two fields: op eq with value "fieldref:<field>".
//   - A legacy aggregation `| count(x) by y > N` adds the predicate
//     `count(x) gt N`. Correlation rules (kind and rule type correlation)
//     have no detection; their threshold condition becomes `count gte N`
//     style predicates. Both are computed columns (role computed).
//   - Rules under a deprecated/ or unsupported/ folder are deprecated; a
//     YAML document with no detection, correlation or logsource (a sigmac
//     or THOR config, a pipeline) is skipped with its reason.
//   - Rules of one file that share an id keep it on the first; later ones
//     become id#path#n, so (vendor, rule_id) stays unique.
package sigma

import (
	"fmt"
	"io/fs"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/normalize/yamlfast"
)

// Frontend reads Sigma rule repositories.
type Frontend struct{}

// Vendor returns "sigma".
func (Frontend) Vendor() string { return "sigma" }

// Open returns the loader for one repository root.
func (Frontend) Open(string) (rule.Source, error) { return source{}, nil }

type source struct{}

// Match accepts .yml and .yaml files.
func (source) Match(rel string, _ fs.DirEntry) bool {
	return strings.HasSuffix(rel, ".yml") || strings.HasSuffix(rel, ".yaml")
}

// maxDocuments bounds the YAML documents of one file.
const maxDocuments = 1000

// Load decodes every document of a Sigma file into rules.
func (source) Load(f rule.File) (rule.Result, error) {
	var res rule.Result
	docs, err := yamlfast.Documents(f.Data)
	if err != nil {
		return res, yamlError(err)
	}
	if len(docs) > maxDocuments {
		return res, fmt.Errorf("more than %d YAML documents", maxDocuments)
	}
	var global *yaml.Node
	documents := 0
	seen := map[string]int{} // rule id → rules of this file that carry it
	for _, doc := range docs {
		if len(doc.Content) == 0 {
			continue
		}
		documents++
		root := doc.Content[0]
		if root.Kind != yaml.MappingNode {
			res.Skipped = fmt.Sprintf("not a Sigma rule: line %d: the document is not a mapping", root.Line)
			continue
		}
		switch scalar(root, "action") {
		case "global":
			global = root
			continue
		case "reset":
			global = nil
			continue
		case "repeat":
			continue
		}
		if global != nil {
			root = merge(global, root)
		}
		r, skip := loadDocument(root, f.Path, len(res.Rules))
		if skip != "" {
			res.Skipped = skip
			continue
		}
		if r.Kind == rule.KindCorrelation {
			r.Query = yamlfast.Section(f.Data, root, "correlation")
		} else {
			r.Query = yamlfast.Section(f.Data, root, "detection")
		}
		// SPEC §4: (vendor, rule_id) is unique; a later rule of the same
		// file under an id already used is kept as id#path#n.
		seen[r.RuleID]++
		if n := seen[r.RuleID]; n > 1 {
			r.RuleID = fmt.Sprintf("%s#%s#%d", r.RuleID, f.Path, n)
		}
		res.Rules = append(res.Rules, r)
	}
	switch {
	case len(res.Rules) > 0 || res.Skipped != "":
	case documents == 0:
		res.Skipped = "not a Sigma rule: the file holds no YAML document (empty or comments only)"
	default:
		res.Skipped = "not a Sigma rule: the file holds only action documents"
	}
	return res, nil
}

// yamlError turns a yaml.v3 error into a *rule.SyntaxError when it names a line.
func yamlError(err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil && line > 0 {
		rest := msg[strings.IndexByte(msg, ':')+1:]
		return rule.Errorf(line, 0, "invalid YAML:%s", rest)
	}
	return fmt.Errorf("invalid YAML: %s", msg)
}

func loadDocument(root *yaml.Node, path string, index int) (rule.Rule, string) {
	r := rule.Rule{
		RuleID:   scalar(root, "id"),
		Name:     strings.TrimSpace(scalar(root, "name")),
		Path:     path,
		Title:    scalar(root, "title"),
		Status:   strings.ToLower(scalar(root, "status")),
		Severity: rule.Severity(scalar(root, "level")),
		Language: rule.LangSigma,
	}
	if r.RuleID == "" {
		r.RuleID = path
		if index > 0 {
			r.RuleID = fmt.Sprintf("%s#%d", path, index+1)
		}
	}
	r.Deprecated = r.Status == "deprecated" || r.Status == "unsupported" || inRetiredFolder(path)
	r.Date = newestDate(scalar(root, "date"), scalar(root, "modified"))
	for _, t := range strings.Fields(strings.Join(scalars(get(root, "tags")), " ")) {
		low := strings.ToLower(t)
		if !strings.HasPrefix(low, "attack.") {
			continue
		}
		if id, ok := rule.Technique(low); ok && strings.HasPrefix(low, "attack.t") {
			r.Techniques = append(r.Techniques, id)
			continue
		}
		name := strings.TrimPrefix(low, "attack.")
		if len(name) > 1 && (name[0] == 'g' || name[0] == 's') && name[1] >= '0' && name[1] <= '9' {
			continue // groups and software
		}
		r.Tactics = append(r.Tactics, name)
	}
	r.Techniques = rule.Dedup(r.Techniques)
	if ls := get(root, "logsource"); ls != nil && ls.Kind == yaml.MappingNode {
		for _, k := range []string{"product", "category", "service"} {
			if v := strings.ToLower(scalar(ls, k)); v != "" {
				r.LogSources = append(r.LogSources, k+":"+v)
			}
		}
	}

	if corr := get(root, "correlation"); corr != nil {
		r.Kind, r.RuleType = rule.KindCorrelation, RuleTypeCorrelation
		loadCorrelation(&r, corr)
		return r, ""
	}
	r.Kind, r.RuleType = rule.KindDetection, RuleTypeDetection
	det := get(root, "detection")
	if det == nil {
		if get(root, "logsource") == nil {
			return r, notARule(root)
		}
		r.ParseStatus = rule.StatusFailed
		r.ParseError = rule.Errorf(root.Line, root.Column, "rule has no detection section").Error()
		return r, ""
	}
	d, err := ParseDetection(det)
	if err != nil {
		r.ParseStatus = rule.StatusFailed
		r.ParseError = err.Error()
		return r, ""
	}
	logic := d.Lower()
	ps, skipped := rule.Flatten(logic)
	r.Predicates, r.Logic = ps, rule.Logic(logic)
	r.ParseStatus = rule.StatusOK
	if len(skipped) > 0 {
		r.ParseStatus = rule.StatusPartial
		r.ParseError = skipped[0]
	}
	return r, ""
}

// loadCorrelation turns a correlation rule's threshold into predicates.
func loadCorrelation(r *rule.Rule, corr *yaml.Node) {
	r.ParseStatus = rule.StatusOK
	r.Correlates = scalars(get(corr, "rules"))
	typ := scalar(corr, "type")
	cond := get(corr, "condition")
	if cond == nil || cond.Kind != yaml.MappingNode {
		if typ == "temporal" || typ == "temporal_ordered" {
			return // the referenced rules occurring together is the whole logic
		}
		r.ParseStatus = rule.StatusPartial
		r.ParseError = fmt.Sprintf("correlation rule of type %q without condition", typ)
		return
	}
	name := typ
	if f := scalar(cond, "field"); f != "" {
		name += "(" + f + ")"
	}
	for i := 0; i+1 < len(cond.Content); i += 2 {
		k, v := cond.Content[i].Value, cond.Content[i+1].Value
		switch k {
		case "gt", "gte", "lt", "lte":
			r.Predicates = append(r.Predicates, rule.Predicate{FieldRaw: name, Op: rule.Op(k), Value: v, Role: rule.RoleComputed})
		case "eq":
			r.Predicates = append(r.Predicates, rule.Predicate{FieldRaw: name, Op: rule.OpEq, Value: v, Role: rule.RoleComputed})
		}
	}
}

// Sigma rule types (rule.Rule.RuleType).
const (
	RuleTypeDetection   = "detection"
	RuleTypeCorrelation = "correlation"
)

// inRetiredFolder reports whether a relative path lies under a folder named
// deprecated or unsupported, where SigmaHQ keeps rules it no longer ships.
func inRetiredFolder(rel string) bool {
	dirs := strings.Split(rel, "/")
	for _, d := range dirs[:len(dirs)-1] {
		if d == "deprecated" || d == "unsupported" {
			return true
		}
	}
	return false
}

// notARule is the skip reason of a mapping that has neither detection,
// correlation nor logsource: a sigmac/THOR config, a pipeline, a filter
// list. It names the document's first keys so the reason explains itself.
func notARule(root *yaml.Node) string {
	var keys []string
	for i := 0; i+1 < len(root.Content) && len(keys) < 4; i += 2 {
		keys = append(keys, root.Content[i].Value)
	}
	return fmt.Sprintf("not a Sigma rule: line %d: no detection, correlation or logsource (keys: %s)",
		root.Line, strings.Join(keys, ", "))
}

// get returns the value node of key in a mapping node, or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if v.Kind == yaml.AliasNode {
				return nil
			}
			return v
		}
	}
	return nil
}

func scalar(m *yaml.Node, key string) string {
	if v := get(m, key); v != nil && v.Kind == yaml.ScalarNode {
		return strings.TrimSpace(v.Value)
	}
	return ""
}

func scalars(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		if c.Kind == yaml.ScalarNode {
			out = append(out, c.Value)
		}
	}
	return out
}

// merge returns a copy of doc with the keys of global it lacks, merging
// nested mappings (the legacy `action: global` form).
func merge(global, doc *yaml.Node) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Line: doc.Line, Column: doc.Column}
	out.Content = append(out.Content, doc.Content...)
	for i := 0; i+1 < len(global.Content); i += 2 {
		k, gv := global.Content[i], global.Content[i+1]
		if k.Value == "action" {
			continue
		}
		dv := get(doc, k.Value)
		switch {
		case dv == nil:
			out.Content = append(out.Content, k, gv)
		case dv.Kind == yaml.MappingNode && gv.Kind == yaml.MappingNode:
			merged := merge(gv, dv)
			for j := 0; j+1 < len(out.Content); j += 2 {
				if out.Content[j].Value == k.Value {
					out.Content[j+1] = merged
				}
			}
		}
	}
	return out
}

// newestDate returns the later of two Sigma dates as YYYY-MM-DD.
func newestDate(ds ...string) string {
	best := ""
	for _, d := range ds {
		d = strings.ReplaceAll(strings.TrimSpace(d), "/", "-")
		if len(d) >= 10 {
			d = d[:10]
		}
		if len(d) == 10 && d > best {
			best = d
		}
	}
	return best
}
