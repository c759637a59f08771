// Package sentinel loads Microsoft Sentinel analytic rules (the YAML format
// of the Azure-Sentinel repository's Detections/ and Solutions/*/Analytic
// Rules/ folders) into the common rule model, parsing each rule's Kusto
// query with package kusto. It implements rule.Frontend for the vendor key
// "sentinel".
//
// Read keys: id, name, description, severity, status, kind (Scheduled,
// NRT; query-less kinds such as Fusion give parse status no_query), query,
// relevantTechniques, tactics, requiredDataConnectors (connectorId →
// LogSources "connector:<id>", dataTypes → "datatype:<type>") and version.
// The tables and ASIM functions the query reads become "table:<name>".
// Analytic rules have kind detection and rule type Scheduled, NRT, … (the
// kind key in Microsoft's spelling, Scheduled when absent); a query in a
// Hunting Queries folder without a kind, or anywhere without kind,
// severity or schedule, is a rule of kind hunting, rule type "hunting".
// Files with a UTF-8 byte-order mark, CRLF line ends or tab-indented lines
// inside block scalars are read. Files that decode but are not analytic
// rules or hunting queries (ASIM and workspace parsers, other YAML without
// a query) are skipped with a reason. An analytic rule whose query key is
// missing (an id plus severity, schedule, trigger or kind keys, or an id or
// name in a Detections/ or Analytic Rules/ folder: typically a truncated
// file; in a Hunting Queries folder, an id or name) or whose query is empty
// is a rule with parse status failed. A file
// that is not valid YAML is an error with its line, which the pipeline
// turns into one failed row.
//
// Parse errors in a query are reported relative to the query text, with
// the file position added where the query is a literal block scalar:
// "query line 4, column 12 (file line 40, column 14): expected ...".
package sentinel

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/kusto"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/normalize/yamlfast"
)

// Frontend is the Sentinel analytic-rule frontend.
type Frontend struct{}

// Vendor returns "sentinel".
func (Frontend) Vendor() string { return "sentinel" }

// Open returns the source of one repository root; it needs no setup.
func (Frontend) Open(root string) (rule.Source, error) { return Source{}, nil }

// Source loads Sentinel YAML files. It holds no state, so Load is safe for
// concurrent use.
type Source struct{}

// Match accepts .yaml and .yml files.
func (Source) Match(rel string, d fs.DirEntry) bool {
	ext := strings.ToLower(path.Ext(rel))
	return ext == ".yaml" || ext == ".yml"
}

// stringList decodes a YAML sequence of scalars, or one scalar, tolerating
// comma-separated values in a scalar.
type stringList []string

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *stringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		for _, v := range strings.Split(n.Value, ",") {
			if v = strings.TrimSpace(v); v != "" {
				*s = append(*s, v)
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode && strings.TrimSpace(c.Value) != "" {
				*s = append(*s, strings.TrimSpace(c.Value))
			}
		}
	}
	return nil
}

type connector struct {
	ConnectorID string     `yaml:"connectorId"`
	DataTypes   stringList `yaml:"dataTypes"`
}

// connectors decodes requiredDataConnectors, ignoring malformed entries.
type connectors []connector

// UnmarshalYAML implements yaml.Unmarshaler.
func (cs *connectors) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.SequenceNode {
		return nil
	}
	for _, c := range n.Content {
		var x connector
		if c.Kind == yaml.MappingNode && c.Decode(&x) == nil {
			*cs = append(*cs, x)
		}
	}
	return nil
}

// scalar decodes any scalar as its text and ignores other nodes.
type scalar string

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *scalar) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = scalar(strings.TrimSpace(n.Value))
	}
	return nil
}

type document struct {
	ID                     scalar     `yaml:"id"`
	Name                   scalar     `yaml:"name"`
	Description            scalar     `yaml:"description"`
	Severity               scalar     `yaml:"severity"`
	Status                 scalar     `yaml:"status"`
	Kind                   scalar     `yaml:"kind"`
	RelevantTechniques     stringList `yaml:"relevantTechniques"`
	Tactics                stringList `yaml:"tactics"`
	RequiredDataConnectors connectors `yaml:"requiredDataConnectors"`
	Version                scalar     `yaml:"version"`
	QueryFrequency         scalar     `yaml:"queryFrequency"`
}

// queryLessKinds are analytic rule kinds without a Kusto query.
var queryLessKinds = map[string]bool{"fusion": true, "microsoftsecurityincidentcreation": true,
	"mlbehavioranalytics": true, "threatintelligence": true, "anomaly": true}

// parserKeys mark ASIM parsers and workspace functions.
var parserKeys = []string{"ParserQuery", "FunctionQuery", "ParserName", "FunctionName", "Parser", "Function"}

var bom = []byte("\xEF\xBB\xBF")

// Load decodes one file. It fails only when the file is not valid YAML.
func (Source) Load(f rule.File) (rule.Result, error) {
	data := bytes.TrimPrefix(f.Data, bom)
	root, err := decode(data)
	if err != nil && bytes.Contains(data, []byte("\t")) {
		if r2, err2 := decode(untab(data)); err2 == nil {
			data, root, err = untab(data), r2, nil
		}
	}
	if err != nil {
		return rule.Result{}, yamlError(err)
	}
	if root == nil || root.Kind != yaml.MappingNode {
		return rule.Result{Skipped: "not a YAML mapping: not an analytic rule"}, nil
	}
	var queryNode *yaml.Node
	var ruleKeys []string // keys only analytic rules have, in file order
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i].Value
		for _, pk := range parserKeys {
			if k == pk {
				return rule.Result{Skipped: "parser or workspace function (" + k + "), not an analytic rule"}, nil
			}
		}
		switch k {
		case "query":
			queryNode = root.Content[i+1]
		case "severity", "queryFrequency", "queryPeriod", "triggerOperator", "triggerThreshold", "kind":
			ruleKeys = append(ruleKeys, k)
		}
	}
	var d document
	if err := root.Decode(&d); err != nil {
		return rule.Result{}, fmt.Errorf("decoding rule: %w", yamlError(err))
	}
	kind := strings.ToLower(string(d.Kind))
	lowerPath := strings.ToLower(f.Path)
	lostQuery := "" // the problem of an analytic rule whose query key is gone
	hunting := false
	inHunting := strings.Contains(lowerPath, "hunting queries/") || strings.Contains(lowerPath, "hunting-queries/") ||
		strings.HasPrefix(lowerPath, "hunting queries/")
	switch {
	case strings.Contains(lowerPath, "/parsers/") || strings.HasPrefix(lowerPath, "parsers/"):
		return rule.Result{Skipped: "parser, not an analytic rule"}, nil
	case inHunting && queryNode == nil && kind == "":
		if d.ID == "" && d.Name == "" {
			return rule.Result{Skipped: "no query: not a hunting query"}, nil
		}
		hunting = true
		lostQuery = fmt.Sprintf("no query: hunting query folder file with an id or name but no query key; truncated? (file ends at line %d)",
			lineCount(data))
	case inHunting && kind == "":
		hunting = true
	case queryNode == nil && !queryLessKinds[kind]:
		if lostQuery = missingQuery(d, ruleKeys, lowerPath, data); lostQuery == "" {
			return rule.Result{Skipped: "no query: not an analytic rule"}, nil
		}
	case kind == "" && d.Severity == "" && d.QueryFrequency == "":
		hunting = true // a query without kind, severity or schedule raises no alert
	}

	r := rule.Rule{
		Vendor:   "sentinel",
		RuleID:   string(d.ID),
		Path:     f.Path,
		Title:    string(d.Name),
		Status:   string(d.Status),
		Severity: rule.Severity(string(d.Severity)),
		Language: rule.LangKusto,
		Tactics:  rule.Dedup(d.Tactics),
		Kind:     rule.KindDetection,
		RuleType: ruleType(string(d.Kind)),
	}
	if hunting {
		r.Kind, r.RuleType = rule.KindHunting, "hunting"
	}
	if r.RuleID == "" {
		r.RuleID = f.Path
	}
	if strings.EqualFold(r.Status, "deprecated") || strings.HasPrefix(strings.ToLower(r.Title), "[deprecated]") {
		r.Deprecated = true
	}
	for _, t := range d.RelevantTechniques {
		if id, ok := rule.Technique(t); ok {
			r.Techniques = append(r.Techniques, id)
		}
	}
	r.Techniques = rule.Dedup(r.Techniques)
	for _, c := range d.RequiredDataConnectors {
		if c.ConnectorID != "" {
			r.LogSources = append(r.LogSources, "connector:"+strings.TrimSpace(c.ConnectorID))
		}
		for _, dt := range c.DataTypes {
			r.LogSources = append(r.LogSources, "datatype:"+dt)
		}
	}
	var res rule.Result
	if queryNode == nil || strings.TrimSpace(queryNode.Value) == "" {
		r.LogSources = rule.Dedup(r.LogSources)
		switch {
		case lostQuery != "":
			r.ParseStatus = rule.StatusFailed
			r.ParseError = lostQuery
		case !queryLessKinds[kind]:
			// A scheduled or NRT rule whose query is empty (a file cut
			// right after `query: |`) cannot run: it is broken.
			r.ParseStatus = rule.StatusFailed
			r.ParseError = fmt.Sprintf("empty query (file line %d)", queryNode.Line)
		default:
			r.Language = rule.LangNone
			r.ParseStatus = rule.StatusNoQuery
		}
		res.Rules = []rule.Rule{r}
		return res, nil
	}
	r.Query = queryNode.Value
	q, err := kusto.Parse(queryNode.Value)
	if err != nil {
		r.ParseStatus = rule.StatusFailed
		r.ParseError = queryError(err, queryNode, data)
		r.LogSources = rule.Dedup(r.LogSources)
		res.Rules = []rule.Rule{r}
		return res, nil
	}
	a := kusto.Analyze(q)
	for _, t := range a.Tables {
		r.LogSources = append(r.LogSources, "table:"+t)
	}
	r.LogSources = rule.Dedup(r.LogSources)
	var skipped []string
	r.Predicates, skipped = kusto.Predicates(a)
	r.Logic = rule.Logic(a.Expr)
	r.ParseStatus = rule.StatusOK
	if len(skipped) > 0 {
		r.ParseStatus = rule.StatusPartial
		r.ParseError = positioned(skipped[0], queryNode, data)
	}
	for _, n := range a.Notes {
		res.Notes = append(res.Notes, "query "+n)
	}
	res.Rules = []rule.Rule{r}
	return res, nil
}

// missingQuery tells whether a file without a query key (and of a kind
// that needs one) is an analytic rule that lost its query, typically a
// truncated file, and returns the parse problem to report; "" means the
// file is some other YAML and is skipped. It is a rule when it has an id and
// keys only analytic rules carry (severity, the schedule and trigger keys,
// kind Scheduled or NRT: hunting queries, exploration queries and parsers
// have none of them), or when it has an id or name and sits in an analytic
// rule folder (Detections/, Analytic Rules/), since the keys after id and
// name may be cut off too.
func missingQuery(d document, ruleKeys []string, lowerPath string, data []byte) string {
	inRuleFolder := strings.HasPrefix(lowerPath, "detections/") || strings.Contains(lowerPath, "/detections/") ||
		strings.Contains(lowerPath, "analytic rules/") || strings.Contains(lowerPath, "analytic-rules/")
	switch {
	case d.ID != "" && len(ruleKeys) > 0:
		return fmt.Sprintf("no query: the file has analytic rule keys (id, %s) but no query key; truncated? (file ends at line %d)",
			strings.Join(ruleKeys, ", "), lineCount(data))
	case (d.ID != "" || d.Name != "") && inRuleFolder:
		return fmt.Sprintf("no query: analytic rule folder file with an id or name but no query key; truncated? (file ends at line %d)",
			lineCount(data))
	}
	return ""
}

// lineCount returns the number of the last line of data.
func lineCount(data []byte) int {
	n := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	return n
}

// decode parses data into its document's root node.
func decode(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yamlfast.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// untab makes lines that start with a tab part of the block they sit in:
// the indentation of the previous space-indented line is put before the
// tab, which stays as content. YAML forbids tabs as indentation, but rule
// authors paste tab-indented queries into block scalars.
func untab(data []byte) []byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	var indent []byte
	var out bytes.Buffer
	out.Grow(len(data) + 64)
	for _, ln := range lines {
		switch {
		case len(ln) > 0 && ln[0] == '\t':
			out.Write(indent)
		case len(bytes.TrimSpace(ln)) > 0:
			n := 0
			for n < len(ln) && ln[n] == ' ' {
				n++
			}
			indent = ln[:n:n]
		}
		out.Write(ln)
	}
	return out.Bytes()
}

var yamlLineRE = regexp.MustCompile(`line (\d+)(?:, column (\d+))?: `)

// yamlError turns a yaml.v3 error into a *rule.SyntaxError with its line.
func yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = strings.Join(te.Errors, "; ")
	}
	if m := yamlLineRE.FindStringSubmatchIndex(msg); m != nil {
		line, _ := strconv.Atoi(msg[m[2]:m[3]])
		col := 0
		if m[4] >= 0 {
			col, _ = strconv.Atoi(msg[m[4]:m[5]])
		}
		return &rule.SyntaxError{Line: line, Col: col, Msg: "invalid YAML: " + msg[:m[0]] + msg[m[1]:]}
	}
	return &rule.SyntaxError{Msg: "invalid YAML: " + msg}
}

// ruleKinds spells the analytic rule kinds as Microsoft does.
var ruleKinds = map[string]string{"scheduled": "Scheduled", "nrt": "NRT", "fusion": "Fusion",
	"microsoftsecurityincidentcreation": "MicrosoftSecurityIncidentCreation", "mlbehavioranalytics": "MLBehaviorAnalytics",
	"threatintelligence": "ThreatIntelligence", "anomaly": "Anomaly"}

// ruleType returns the rule type of an analytic rule's kind: Scheduled,
// NRT, Fusion, … in Microsoft's spelling whatever the case written;
// Scheduled when the kind is missing (the default of the analytic rule
// format).
func ruleType(kind string) string {
	k := strings.TrimSpace(kind)
	if k == "" {
		return "Scheduled"
	}
	if t, ok := ruleKinds[strings.ToLower(k)]; ok {
		return t
	}
	return k
}

var reasonPosRE = regexp.MustCompile(`^line (\d+), column (\d+): `)

// positioned words a skip reason that starts with a query position
// ("line 62, column 1: …") like a parse error, with the file position.
func positioned(reason string, n *yaml.Node, data []byte) string {
	m := reasonPosRE.FindStringSubmatch(reason)
	if m == nil {
		return reason
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	return queryError(&rule.SyntaxError{Line: line, Col: col, Msg: reason[len(m[0]):]}, n, data)
}

// queryError words a query parse error with the query's position, adding
// the file position when the query is a literal block scalar or one line.
func queryError(err error, n *yaml.Node, data []byte) string {
	var se *rule.SyntaxError
	if !errors.As(err, &se) || se.Line == 0 {
		return "query: " + err.Error()
	}
	msg := fmt.Sprintf("query line %d, column %d: %s", se.Line, se.Col, se.Msg)
	switch {
	case n.Style&yaml.LiteralStyle != 0:
		fileLine := n.Line + se.Line
		indent := blockIndent(data, n.Line)
		if indent >= 0 {
			return fmt.Sprintf("query line %d, column %d (file line %d, column %d): %s",
				se.Line, se.Col, fileLine, se.Col+indent, se.Msg)
		}
		return fmt.Sprintf("query line %d, column %d (file line %d): %s", se.Line, se.Col, fileLine, se.Msg)
	case se.Line == 1 && !strings.Contains(n.Value, "\n"):
		col := n.Column + se.Col - 1
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			col++
		}
		return fmt.Sprintf("query line %d, column %d (file line %d, column ~%d): %s", se.Line, se.Col, n.Line, col, se.Msg)
	}
	return msg
}

// blockIndent returns the indentation of the first non-blank line after
// the 1-based line header, or -1.
func blockIndent(data []byte, header int) int {
	lines := bytes.Split(data, []byte("\n"))
	for i := header; i < len(lines); i++ {
		ln := bytes.TrimRight(lines[i], "\r")
		if len(bytes.TrimSpace(ln)) == 0 {
			continue
		}
		return len(ln) - len(bytes.TrimLeft(ln, " "))
	}
	return -1
}
