package panther

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/panther/pyrule"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/normalize/yamlfast"
)

// Frontend reads Panther analysis repositories (the panther-analysis layout).
type Frontend struct{}

// Vendor returns "panther".
func (Frontend) Vendor() string { return "panther" }

// Open returns the loader for one repository root. Python modules and
// data models are read from the root once and shared by its rules.
func (Frontend) Open(root string) (rule.Source, error) { return &source{repo: newRepo(root)}, nil }

type source struct{ repo *repo }

// Match accepts .yml and .yaml files; the Python files are read when the
// YAML names them.
func (*source) Match(rel string, _ fs.DirEntry) bool {
	return strings.HasSuffix(rel, ".yml") || strings.HasSuffix(rel, ".yaml")
}

// skippedTypes are analysis types that are not detection rules.
var skippedTypes = map[string]string{
	"scheduled_query": "scheduled query (SQL), not a rule",
	"saved_query":     "saved query (SQL), not a rule",
	"datamodel":       "data model, not a rule",
	"global":          "global helper module, not a rule",
	"pack":            "detection pack, not a rule",
	"lookup_table":    "lookup table, not a rule",
	"derived":         "derived detection, not analysed",
}

// Load decodes one Panther analysis YAML file into at most one rule.
func (s *source) Load(f rule.File) (rule.Result, error) {
	var res rule.Result
	if f.Path == "templates" || strings.HasPrefix(f.Path, "templates/") {
		res.Skipped = "example under templates/, not a rule"
		return res, nil
	}
	var doc yaml.Node
	if err := yamlfast.Unmarshal(blankTests(f.Data), &doc); err != nil {
		return res, yamlError(err)
	}
	if len(doc.Content) == 0 {
		res.Skipped = "empty YAML file"
		return res, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		res.Skipped = "not a Panther analysis file (top level is not a mapping)"
		return res, nil
	}
	typ := strings.ToLower(strings.TrimSpace(scalar(root, "AnalysisType")))
	switch typ {
	case "rule", "scheduled_rule", "policy":
	case "correlation_rule":
		r, note := correlationRule(root, f)
		res.Rules = []rule.Rule{r}
		if note != "" {
			res.Notes = append(res.Notes, note)
		}
		return res, nil
	case "":
		res.Skipped = "not a Panther analysis file (no AnalysisType)"
		return res, nil
	default:
		reason, known := skippedTypes[typ]
		if !known {
			reason = fmt.Sprintf("analysis type %q is not a rule", typ)
		}
		res.Skipped = reason
		return res, nil
	}
	r := s.loadRule(root, f, typ)
	res.Rules = []rule.Rule{r}
	return res, nil
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

func (s *source) loadRule(root *yaml.Node, f rule.File, typ string) rule.Rule {
	id := scalar(root, "RuleID")
	if typ == "policy" {
		id = scalar(root, "PolicyID")
	}
	r := rule.Rule{
		RuleID:   strings.TrimSpace(id),
		Path:     f.Path,
		Title:    strings.TrimSpace(scalar(root, "DisplayName")),
		Status:   strings.ToLower(strings.TrimSpace(scalar(root, "Status"))),
		Severity: rule.Severity(scalar(root, "Severity")),
	}
	if r.RuleID == "" {
		r.RuleID = f.Path
	}
	if r.Title == "" {
		r.Title = r.RuleID
	}
	r.Kind, r.RuleType = rule.KindDetection, typ
	if typ == "policy" {
		r.Kind = rule.KindPolicy
	}
	r.Deprecated = r.Status == "deprecated"
	if enabled := strings.ToLower(strings.TrimSpace(scalar(root, "Enabled"))); enabled == "false" && !r.Deprecated {
		r.Status = "disabled"
	}
	r.Date = newestDate(scalar(root, "CreatedAt"), scalar(root, "CreatedDate"), scalar(root, "LastModified"),
		scalar(root, "LastModifiedAt"), scalar(root, "UpdatedAt"))
	logTypes := scalars(get(root, "LogTypes"))
	for _, lt := range logTypes {
		r.LogSources = append(r.LogSources, "logtype:"+lt)
	}
	for _, rt := range scalars(get(root, "ResourceTypes")) {
		r.LogSources = append(r.LogSources, "resourcetype:"+rt)
	}
	for _, q := range scalars(get(root, "ScheduledQueries")) {
		r.LogSources = append(r.LogSources, "query:"+q)
	}
	r.LogSources = rule.Dedup(r.LogSources)
	r.Techniques, r.Tactics = reports(get(root, "Reports"))

	var logic rule.Expr
	filename := strings.TrimSpace(scalar(root, "Filename"))
	det := get(root, "Detection")
	switch {
	case filename != "":
		r.Language = rule.LangPython
		var err error
		logic, r.Query, err = s.pythonLogic(f, filename, typ, logTypes)
		if err != nil {
			r.ParseStatus = rule.StatusFailed
			r.ParseError = err.Error()
			return r
		}
		if typ == "scheduled_rule" {
			sql, sources, cols, text := s.scheduledLogic(f, scalars(get(root, "ScheduledQueries")))
			logic = rule.And{sql, onResultRows(logic, cols)}
			r.LogSources = rule.Dedup(append(r.LogSources, sources...))
			if text != "" {
				r.Query = text + "\n# " + filename + "\n" + r.Query
			}
		}
	case det != nil:
		r.Language = rule.LangPantherYAML
		var err error
		r.Query = yamlfast.Section(f.Data, root, "Detection")
		logic, err = LowerMatch(det)
		if err != nil {
			r.ParseStatus = rule.StatusFailed
			r.ParseError = "Detection: " + err.Error()
			return r
		}
	default:
		r.Language = rule.LangNone
		r.ParseStatus = rule.StatusFailed
		r.ParseError = rule.Errorf(root.Line, root.Column, "rule has neither Filename nor Detection").Error()
		return r
	}
	and := rule.And{}
	if inl := get(root, "InlineFilters"); inl != nil {
		e, err := LowerMatch(inl)
		if err != nil {
			and = append(and, rule.Skipped{Reason: "InlineFilters: " + err.Error()})
		} else {
			and = append(and, e)
		}
	}
	and = append(and, logic)
	if n, err := strconv.Atoi(strings.TrimSpace(scalar(root, "Threshold"))); err == nil && n > 1 {
		and = append(and, rule.Cmp{FieldRaw: "threshold", Op: rule.OpGte, Value: strconv.Itoa(n), Role: rule.RoleComputed})
	}
	ps, skipped := rule.Flatten(and)
	r.Predicates, r.Logic = dedupPredicates(ps), rule.Logic(and)
	r.ParseStatus = rule.StatusOK
	if len(skipped) > 0 {
		r.ParseStatus = rule.StatusPartial
		r.ParseError = skipped[0]
	}
	return r
}

// pythonLogic reads, parses and lowers the Python file a rule names:
// rule(event), or policy(resource) for a policy. It returns the lowered
// logic and the file's source (the rule's query as written).
func (s *source) pythonLogic(f rule.File, filename, typ string, logTypes []string) (rule.Expr, string, error) {
	rel := path.Join(path.Dir(f.Path), filepath.ToSlash(filename))
	if path.IsAbs(filepath.ToSlash(filename)) || rel == ".." || strings.HasPrefix(rel, "../") {
		return nil, "", fmt.Errorf("python file %s is outside the repository", filename)
	}
	data, err := readLimited(filepath.Join(f.Root, filepath.FromSlash(rel)), pyrule.MaxSource)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("python file not found: %s", rel)
		}
		return nil, "", fmt.Errorf("python file %s: %w", rel, err)
	}
	if !utf8.Valid(data) {
		return nil, "", fmt.Errorf("python file %s: invalid UTF-8", rel)
	}
	q, err := pyrule.Parse(string(data))
	if err != nil {
		return nil, string(data), fmt.Errorf("python file %s: %w", rel, err)
	}
	fn, param := "rule", "event"
	if typ == "policy" {
		fn, param = "policy", "resource"
	}
	if q.Func(fn) == nil {
		return nil, "", fmt.Errorf("python file %s: no %s(%s) function", rel, fn, param)
	}
	rp := s.repo
	if rp == nil || rp.root != f.Root {
		rp = newRepo(f.Root)
	}
	opts := pyrule.Options{Path: rel, Resolve: rp.resolver(path.Dir(rel)), UDM: rp.udmResolver(logTypes)}
	return pyrule.LowerWith(q, fn, opts), string(data), nil
}

func readLimited(name string, limit int) ([]byte, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	// Sized from the file's length (one allocation instead of ReadAll's
	// doublings); the limit still holds for a file that grows meanwhile.
	size := 512
	if fi, err := fh.Stat(); err == nil && fi.Size() < int64(limit) {
		size = int(fi.Size()) + 1 // +1: the read that sees the end
	}
	data := make([]byte, 0, size)
	r := io.LimitReader(fh, int64(limit)+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if len(data) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// reports reads `Reports: {MITRE ATT&CK: [TA0043:T1595.002, …]}`. A
// report key that is itself a tactic id (`TA0004: [T1548]`) is read the
// same way; other frameworks (CIS, Stratus Red Team, …) are ignored.
func reports(n *yaml.Node) (techniques, tactics []string) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := strings.TrimSpace(n.Content[i].Value)
		vals := scalars(n.Content[i+1])
		switch {
		case strings.EqualFold(key, "MITRE ATT&CK"):
			for _, v := range vals {
				tac, tech, found := strings.Cut(v, ":")
				if !found {
					tac, tech = "", v
					if strings.HasPrefix(strings.ToUpper(v), "TA") {
						tac, tech = v, ""
					}
				}
				if t := strings.TrimSpace(tac); t != "" {
					tactics = append(tactics, t)
				}
				if id, ok := rule.Technique(tech); ok {
					techniques = append(techniques, id)
				}
			}
		case isTacticID(key):
			tactics = append(tactics, key)
			for _, v := range vals {
				if id, ok := rule.Technique(v); ok {
					techniques = append(techniques, id)
				}
			}
		}
	}
	return rule.Dedup(techniques), rule.Dedup(tactics)
}

func isTacticID(s string) bool {
	if len(s) < 5 || !strings.HasPrefix(strings.ToUpper(s), "TA") {
		return false
	}
	return strings.Trim(s[2:], "0123456789") == ""
}

// dedupPredicates drops exact repeats (several paths through rule() can
// test the same thing), keeping the first.
func dedupPredicates(ps []rule.Predicate) []rule.Predicate {
	seen := make(map[rule.Predicate]bool, len(ps))
	out := ps[:0]
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// newestDate returns the newest of the dates given (YYYY-MM-DD prefix).
func newestDate(ds ...string) string {
	best := ""
	for _, d := range ds {
		d = strings.ReplaceAll(strings.TrimSpace(d), "/", "-")
		if len(d) < 10 || d[4] != '-' || d[7] != '-' {
			continue
		}
		if d = d[:10]; d > best {
			best = d
		}
	}
	return best
}

// get returns the value node of key in a mapping, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			v := n.Content[i+1]
			if v.Kind == yaml.AliasNode && v.Alias != nil {
				return v.Alias
			}
			return v
		}
	}
	return nil
}

// scalar returns the scalar value of key, or "".
func scalar(n *yaml.Node, key string) string {
	v := get(n, key)
	if v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	return v.Value
}

// scalars returns the scalar items of a list node (or the node itself when scalar).
func scalars(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		if s := strings.TrimSpace(n.Value); s != "" {
			return []string{s}
		}
		return nil
	}
	var out []string
	for _, c := range n.Content {
		if c.Kind == yaml.ScalarNode {
			if s := strings.TrimSpace(c.Value); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
