// Package splunk is the Splunk security_content frontend of ruleatlas: it
// reads detection YAML (`detections/<domain>/*.yml`), expands the search's
// macros from the repository's `macros/*.yml` (package macro) and lowers the
// SPL (package spl) into the common rule model.
//
// Choices a reader should know:
//   - Macros come from Frontend.MacrosDir when set (the --splunk-macros
//     flag), else from a `macros` folder in the source root or beside the
//     `detections` folder that holds the root. They are read once per root,
//     over the built-in definitions of the macros Splunk Enterprise Security
//     and its add-ons ship (macro.Builtins: drop_dm_object_name, …); the
//     repository's own definitions win.
//   - A missing macro is a note on the file (rule.Result.Notes); its text is
//     dropped and the rule still parses. `*_filter` tuning macros that are
//     absent, empty or `search *` expand to nothing without a note.
//   - Parse errors name the position in the search as written in the YAML
//     (before macro expansion), and the macro when the error lies in a
//     macro's text.
//   - Severity: current security_content has no severity field. It is
//     derived from the risk score (`tags.risk_score`, or the highest
//     `rba.risk_objects[].score` in newer releases) in the bands Splunk
//     Enterprise Security uses for risk: ≤ 20 informational, ≤ 40 low, ≤ 60
//     medium, ≤ 80 high, above critical. No score, no severity.
//   - Log sources: the query's data models (`datamodel:Endpoint.Processes`)
//     and sourcetypes (`sourcetype:`), subsearches included, each
//     `data_source` entry (`datasource:`), the `datamodel` list of older
//     releases, `tags.security_domain` (`security_domain:`) and
//     `tags.asset_type` (`asset_type:`). `tags.product` is not one: it names
//     the product the search runs in (Splunk Enterprise), not the data it
//     reads.
//   - The detection `type` is the rule type as written (TTP, Anomaly,
//     Hunting, Correlation, …); Hunting is kind hunting, Correlation kind
//     correlation, any other type a detection. `status` is kept
//     (production, experimental, deprecated; deprecated sets Deprecated).
//     Tactics are not tagged by security_content and stay empty.
//   - A search that parses but gives no predicate although it has logic
//     ruleatlas does not read (see unreadLogic) is partial, never ok.
package splunk

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/normalize/splunk/macro"
	"github.com/ruleatlas/ruleatlas/normalize/splunk/spl"
	"github.com/ruleatlas/ruleatlas/normalize/yamlfast"
)

// Frontend reads Splunk security_content repositories. The zero value finds
// macros next to the detections.
type Frontend struct {
	// MacrosDir, when set, is the folder of macro YAML files to use for
	// every root (the --splunk-macros flag).
	MacrosDir string
}

// New returns a Frontend reading macros from macrosDir ("" = find them in
// each root).
func New(macrosDir string) Frontend { return Frontend{MacrosDir: macrosDir} }

// Vendor returns "splunk".
func (Frontend) Vendor() string { return "splunk" }

// Open finds and reads the macro definitions of root.
func (f Frontend) Open(root string) (rule.Source, error) {
	src := &Source{root: root}
	dir := f.MacrosDir
	if dir == "" {
		dir = FindMacros(root)
	}
	if st, err := os.Stat(filepath.Join(root, "detections")); err == nil && st.IsDir() {
		src.detectionsOnly = true
	}
	if dir != "" {
		set, notes, err := macro.LoadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("splunk macros %s: %w", dir, err)
		}
		src.Macros, src.MacroNotes, src.MacroDir = macro.WithBuiltins(set), notes, dir
		if rel, err := filepath.Rel(root, dir); err == nil && !strings.HasPrefix(rel, "..") && rel != "." {
			src.macrosRel = filepath.ToSlash(rel) + "/"
		}
	} else {
		src.Macros = macro.WithBuiltins(nil)
	}
	return src, nil
}

// FindMacros returns the macros folder for root: root/macros, or the
// `macros` folder beside the nearest enclosing `detections` folder
// (root = …/detections or …/detections/endpoint); "" when there is none.
func FindMacros(root string) string {
	isDir := func(p string) bool {
		st, err := os.Stat(p)
		return err == nil && st.IsDir()
	}
	if p := filepath.Join(root, "macros"); isDir(p) {
		return p
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return ""
	}
	for d := abs; ; {
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		if filepath.Base(d) == "detections" {
			if p := filepath.Join(parent, "macros"); isDir(p) {
				return p
			}
			return ""
		}
		d = parent
	}
}

// Source loads the detections of one root. It is safe for concurrent use.
type Source struct {
	Macros     *macro.Set // definitions read by Open over the built-in ones
	MacroDir   string     // where they came from, "" when none was found
	MacroNotes []string   // macro files that could not be read

	root           string
	macrosRel      string // "macros/" when the macro folder is inside root
	detectionsOnly bool   // root has a detections folder: read only that
}

// Match accepts YAML files, under `detections/` when the root has such a
// folder, never in the macros folder.
func (s *Source) Match(rel string, _ fs.DirEntry) bool {
	if !strings.HasSuffix(rel, ".yml") && !strings.HasSuffix(rel, ".yaml") {
		return false
	}
	if s.macrosRel != "" && strings.HasPrefix(rel, s.macrosRel) {
		return false
	}
	return !s.detectionsOnly || strings.HasPrefix(rel, "detections/")
}

// Load decodes one detection file.
func (s *Source) Load(f rule.File) (rule.Result, error) {
	var doc yaml.Node
	if err := yamlfast.Unmarshal(f.Data, &doc); err != nil {
		return rule.Result{}, yamlError(err)
	}
	if len(doc.Content) == 0 {
		return rule.Result{Skipped: "empty YAML file"}, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return rule.Result{}, rule.Errorf(root.Line, root.Column, "a Splunk detection must be a mapping")
	}
	search := get(root, "search")
	if search == nil {
		if get(root, "definition") != nil {
			return rule.Result{Skipped: "macro definition, not a detection"}, nil
		}
		return rule.Result{Skipped: "not a Splunk detection (no search)"}, nil
	}
	switch strings.ToLower(scalar(root, "type")) {
	case "baseline", "investigation", "investigate", "response":
		return rule.Result{Skipped: "security_content " + scalar(root, "type") + ", not a detection"}, nil
	}
	r, notes := s.build(root, search, f.Path)
	return rule.Result{Rules: []rule.Rule{r}, Notes: notes}, nil
}

func (s *Source) build(root, search *yaml.Node, path string) (rule.Rule, []string) {
	r := rule.Rule{
		Vendor:   "splunk",
		RuleID:   scalar(root, "id"),
		Path:     path,
		Title:    scalar(root, "name"),
		Status:   strings.ToLower(scalar(root, "status")),
		Language: rule.LangSPL,
		Date:     date(scalar(root, "date")),
		RuleType: scalar(root, "type"),
	}
	r.Kind = kindOf(r.RuleType)
	if r.RuleID == "" {
		r.RuleID = path
	}
	r.Deprecated = r.Status == "deprecated"
	tags := get(root, "tags")
	for _, t := range scalars(get(tags, "mitre_attack_id")) {
		if id, ok := rule.Technique(t); ok {
			r.Techniques = append(r.Techniques, id)
		}
	}
	r.Techniques = rule.Dedup(r.Techniques)
	r.Severity = severity(root, tags)

	r.Predicates, r.ParseStatus, r.ParseError, r.LogSources = nil, rule.StatusOK, "", nil
	var notes []string
	text := search.Value
	r.Query = text
	if search.Kind != yaml.ScalarNode || strings.TrimSpace(text) == "" {
		r.ParseStatus, r.Language = rule.StatusNoQuery, rule.LangNone
	} else {
		exp := s.Macros.Expand(text)
		notes = exp.Notes
		q, err := spl.Parse(exp.Text)
		switch {
		case exp.Truncated:
			r.ParseStatus = rule.StatusFailed
			r.ParseError = "search: " + exp.Notes[len(exp.Notes)-1]
		case err != nil:
			r.ParseStatus = rule.StatusFailed
			r.ParseError = "search " + originError(text, exp, err)
		default:
			logic := spl.Lower(q)
			ps, skipped := rule.Flatten(logic)
			r.Predicates, r.Logic = ps, rule.Logic(logic)
			if len(skipped) > 0 {
				r.ParseStatus, r.ParseError = rule.StatusPartial, skipped[0]
			}
			r.LogSources = spl.LogSources(q)
			if r.ParseStatus == rule.StatusOK && len(ps) == 0 {
				if why := unreadLogic(q); why != "" {
					r.ParseStatus, r.ParseError = rule.StatusPartial, why
				}
			}
		}
	}
	for _, v := range scalars(get(root, "datamodel")) {
		r.LogSources = append(r.LogSources, "datamodel:"+v)
	}
	for _, k := range []string{"data_source", "data_sources"} {
		for _, v := range scalars(get(root, k)) {
			r.LogSources = append(r.LogSources, "datasource:"+v)
		}
	}
	for _, v := range scalars(get(tags, "security_domain")) {
		r.LogSources = append(r.LogSources, "security_domain:"+v)
	}
	for _, v := range scalars(get(tags, "asset_type")) {
		r.LogSources = append(r.LogSources, "asset_type:"+v)
	}
	r.LogSources = rule.Dedup(r.LogSources)
	return r, notes
}

// kindOf maps the security_content detection type to a rule kind.
func kindOf(typ string) rule.Kind {
	switch strings.ToLower(typ) {
	case "hunting":
		return rule.KindHunting
	case "correlation":
		return rule.KindCorrelation
	}
	return rule.KindDetection
}

// originError renders a parse error of the expanded search at its position
// in the search as written.
func originError(text string, exp *macro.Expansion, err error) string {
	se, ok := err.(*rule.SyntaxError)
	if !ok || se.Line == 0 {
		return err.Error()
	}
	off := offsetOf(exp.Text, se.Line, se.Col)
	src, name := exp.Origin(off)
	line, col := spl.Position(text, src)
	msg := fmt.Sprintf("line %d, column %d: %s", line, col, se.Msg)
	if name != "" {
		msg += " (in the expansion of macro `" + name + "`)"
	}
	return msg
}

// offsetOf converts a 1-based line and column back to a byte offset.
func offsetOf(s string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(s[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
	}
	return min(off+col-1, len(s))
}

// severity derives a severity from the risk score (see the package doc).
func severity(root, tags *yaml.Node) string {
	score := -1.0
	if v := scalar(tags, "risk_score"); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			score = f
		}
	}
	if ros := get(get(root, "rba"), "risk_objects"); ros != nil && ros.Kind == yaml.SequenceNode {
		for _, ro := range ros.Content {
			if f, err := strconv.ParseFloat(scalar(ro, "score"), 64); err == nil && f > score {
				score = f
			}
		}
	}
	switch {
	case score < 0:
		return ""
	case score <= 20:
		return "informational"
	case score <= 40:
		return "low"
	case score <= 60:
		return "medium"
	case score <= 80:
		return "high"
	}
	return "critical"
}

// date returns YYYY-MM-DD from a date scalar, or "".
func date(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
		return s[:10]
	}
	return ""
}

// yamlError turns a yaml.v3 error into a *rule.SyntaxError when it names a line.
func yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil && line > 0 {
		return rule.Errorf(line, 0, "invalid YAML:%s", msg[strings.IndexByte(msg, ':')+1:])
	}
	return fmt.Errorf("invalid YAML: %s", msg)
}

// get returns the value of key in mapping n, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// scalar returns the trimmed scalar value of key in n, or "".
func scalar(n *yaml.Node, key string) string {
	v := get(n, key)
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		return ""
	}
	return strings.TrimSpace(v.Value)
}

// scalars returns a scalar or a sequence of scalars as strings.
func scalars(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" || strings.TrimSpace(n.Value) == "" {
			return nil
		}
		return []string{strings.TrimSpace(n.Value)}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			out = append(out, scalars(c)...)
		}
		return out
	}
	return nil
}

// unreadLogic says why a search that gave no predicate is not fully
// understood: the stages whose comparisons ruleatlas does not read as
// predicates (spl.Unread). "" when there is none: the search truly
// compares nothing (it lists every event of a data set).
func unreadLogic(q *spl.Query) string {
	stages := spl.Unread(q)
	if len(stages) == 0 {
		return ""
	}
	return "no predicate: the logic lies in " + strings.Join(stages, ", ") + ", not read as field comparisons"
}
