package elastic

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Vendor is the vendor key of this frontend.
const Vendor = "elastic"

// Frontend reads Elastic detection-rules repositories. It implements
// rule.Frontend.
type Frontend struct{}

// Vendor returns "elastic".
func (Frontend) Vendor() string { return Vendor }

// Open checks that root is a readable directory.
func (Frontend) Open(root string) (rule.Source, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("elastic source: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("elastic source %s: not a directory", root)
	}
	return Source{}, nil
}

// Source loads the TOML rule files of one root. It holds no state, so Load
// is safe for concurrent use.
type Source struct{}

// Match accepts `*.toml` files.
func (Source) Match(rel string, d fs.DirEntry) bool {
	return strings.HasSuffix(strings.ToLower(rel), ".toml")
}

// document is the part of a rule file that ruleatlas reads.
type document struct {
	Metadata metadata   `toml:"metadata"`
	Rule     *ruleTable `toml:"rule"`
	Hunt     *huntTable `toml:"hunt"`
}

type metadata struct {
	CreationDate string     `toml:"creation_date"`
	UpdatedDate  string     `toml:"updated_date"`
	Maturity     string     `toml:"maturity"`
	Integration  stringList `toml:"integration"`
}

type ruleTable struct {
	RuleID            string           `toml:"rule_id"`
	Name              string           `toml:"name"`
	Severity          string           `toml:"severity"`
	RiskScore         int64            `toml:"risk_score"`
	Type              string           `toml:"type"`
	BuildingBlockType string           `toml:"building_block_type"`
	Language          string           `toml:"language"`
	Query             string           `toml:"query"`
	Index             []string         `toml:"index"`
	Tags              []string         `toml:"tags"`
	Threshold         *threshold       `toml:"threshold"`
	NewTerms          *newTerms        `toml:"new_terms"`
	Filters           []map[string]any `toml:"filters"`
	Threat            []threat         `toml:"threat"`
}

type threshold struct {
	Field       stringList `toml:"field"`
	Value       int64      `toml:"value"`
	Cardinality []struct {
		Field string `toml:"field"`
		Value int64  `toml:"value"`
	} `toml:"cardinality"`
}

type newTerms struct {
	Field string     `toml:"field"`
	Value stringList `toml:"value"`
}

type threat struct {
	Framework string `toml:"framework"`
	Technique []struct {
		ID           string `toml:"id"`
		Subtechnique []struct {
			ID string `toml:"id"`
		} `toml:"subtechnique"`
	} `toml:"technique"`
	Tactic struct {
		ID   string `toml:"id"`
		Name string `toml:"name"`
	} `toml:"tactic"`
}

// stringList decodes a TOML string or array of strings.
type stringList []string

// UnmarshalTOML implements toml.Unmarshaler.
func (s *stringList) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		*s = stringList{v}
	case []any:
		out := make(stringList, 0, len(v))
		for _, x := range v {
			str, ok := x.(string)
			if !ok {
				return fmt.Errorf("expected a list of strings, found a %T element", x)
			}
			out = append(out, str)
		}
		*s = out
	default:
		return fmt.Errorf("expected a string or a list of strings, found %T", v)
	}
	return nil
}

// Load decodes one TOML file into at most one rule.
func (Source) Load(f rule.File) (rule.Result, error) {
	doc, err := decode(string(f.Data))
	if err != nil {
		return rule.Result{}, err
	}
	switch {
	case doc.Rule != nil:
		return rule.Result{Rules: []rule.Rule{build(f.Path, &doc)}}, nil
	case doc.Hunt != nil:
		r, notes := buildHunt(f.Path, doc.Hunt)
		return rule.Result{Rules: []rule.Rule{r}, Notes: notes}, nil
	}
	return rule.Result{Skipped: "TOML file with neither a [rule] nor a [hunt] table"}, nil
}

// maxReferenceSize bounds the files handed to BurntSushi/toml, which is
// quadratic on some inputs (deeply dotted table headers); rule files are a
// few kilobytes.
const maxReferenceSize = 1 << 20

// decode decodes a rule file: with the fast reader when the file is within
// its subset, else with BurntSushi/toml (see fasttoml.go).
func decode(data string) (document, error) {
	if m, ok := decodeFast(data); ok {
		if doc, ok := docFromMap(m); ok {
			return doc, nil
		}
	}
	if len(data) > maxReferenceSize {
		return document{}, fmt.Errorf("invalid TOML: file of %d bytes is outside the rule-file subset of TOML, and larger than the %d bytes the reference decoder is given", len(data), maxReferenceSize)
	}
	var doc document
	if _, err := toml.Decode(data, &doc); err != nil {
		return document{}, tomlError(err)
	}
	return doc, nil
}

// tomlError turns a TOML decoding error into a *rule.SyntaxError with the
// file line and column where the decoder knows them.
func tomlError(err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if msg == "" {
			msg = pe.Error()
		}
		return fmt.Errorf("invalid TOML: %w", rule.Errorf(pe.Position.Line, pe.Position.Col, "%s", msg))
	}
	return fmt.Errorf("invalid TOML: %w", err)
}

// build makes the rule of a decoded document.
func build(path string, doc *document) rule.Rule {
	rt := doc.Rule
	r := rule.Rule{
		Vendor:     Vendor,
		RuleID:     strings.TrimSpace(rt.RuleID),
		Path:       path,
		Title:      strings.TrimSpace(rt.Name),
		Status:     strings.ToLower(strings.TrimSpace(doc.Metadata.Maturity)),
		Severity:   rule.Severity(rt.Severity),
		Language:   strings.ToLower(strings.TrimSpace(rt.Language)),
		Date:       newestDate(doc.Metadata.UpdatedDate, doc.Metadata.CreationDate),
		Deprecated: strings.EqualFold(strings.TrimSpace(doc.Metadata.Maturity), "deprecated"),
	}
	if r.RuleID == "" {
		r.RuleID = path
	}
	techniquesAndTactics(&r, rt.Threat)
	var logSources []string
	for _, tag := range rt.Tags {
		key, val, ok := strings.Cut(tag, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(key) {
		case "OS":
			r.Platforms = append(r.Platforms, strings.ToLower(val))
		case "Domain":
			r.Domains = append(r.Domains, strings.ToLower(val))
		case "Data Source":
			logSources = append(logSources, "datasource:"+val)
		}
	}
	r.Platforms = rule.Dedup(r.Platforms)
	r.Domains = rule.Dedup(r.Domains)
	for _, ix := range rt.Index {
		logSources = append(logSources, "index:"+strings.TrimSpace(ix))
	}
	for _, in := range doc.Metadata.Integration {
		logSources = append(logSources, "integration:"+strings.TrimSpace(in))
	}

	ruleType := strings.ToLower(strings.TrimSpace(rt.Type))
	r.RuleType, r.Kind = ruleType, rule.KindDetection
	if strings.TrimSpace(rt.BuildingBlockType) != "" {
		r.Kind = rule.KindBuildingBlock
	}
	var parts rule.And
	status := rule.StatusOK
	var parseErr string
	switch {
	case ruleType == "machine_learning":
		r.Language = rule.LangNone
		status = rule.StatusNoQuery
	case strings.TrimSpace(rt.Query) == "" && ruleType != "threshold" && ruleType != "new_terms" && len(rt.Filters) == 0:
		if r.Language == "" {
			r.Language = rule.LangNone
		}
		status = rule.StatusNoQuery
	default:
		if r.Language == "" {
			r.Language = rule.LangKuery // Kibana's default query language
		}
		res := parseQuery(r.Language, rt.Query)
		if res.err != "" {
			status, parseErr = rule.StatusFailed, res.err
		} else if res.expr != nil {
			parts = append(parts, res.expr)
		}
		for _, c := range res.categories {
			logSources = append(logSources, "category:"+c)
		}
		for _, ix := range res.indices {
			logSources = append(logSources, "index:"+ix)
		}
	}
	if ruleType == "threshold" && rt.Threshold != nil {
		parts = append(parts, thresholdExpr(rt.Threshold))
	}
	if ruleType == "new_terms" && rt.NewTerms != nil {
		for _, fld := range rt.NewTerms.Value {
			parts = append(parts, rule.Cmp{FieldRaw: strings.TrimSpace(fld), Op: rule.OpIsNotNull})
		}
	}
	for i, flt := range rt.Filters {
		if e := filterExpr(flt, i); e != nil {
			parts = append(parts, e)
		}
	}
	ps, skipped := rule.Flatten(parts)
	r.Predicates, r.Query, r.Logic = ps, rt.Query, rule.Logic(parts)
	if status == rule.StatusOK && len(skipped) > 0 {
		status, parseErr = rule.StatusPartial, skipped[0]
	}
	r.ParseStatus, r.ParseError = status, parseErr
	r.LogSources = rule.Dedup(append(logSources, categorySources(ps)...))
	return r
}

// categorySources gives `category:<c>` for every value the predicates
// compare event.category with (equality, not negated).
func categorySources(ps []rule.Predicate) []string {
	var out []string
	for _, p := range ps {
		if p.FieldRaw == "event.category" && !p.Negated && (p.Op == rule.OpEq || p.Op == rule.OpIn) {
			out = append(out, "category:"+p.Value)
		}
	}
	return out
}

// newestDate normalizes YYYY/MM/DD dates to YYYY-MM-DD and returns the later.
func newestDate(dates ...string) string {
	best := ""
	for _, d := range dates {
		d = strings.ReplaceAll(strings.TrimSpace(d), "/", "-")
		if len(d) == len("2006-01-02") && d > best {
			best = d
		}
	}
	return best
}

// techniquesAndTactics fills r.Techniques and r.Tactics from the MITRE
// ATT&CK threat tables.
func techniquesAndTactics(r *rule.Rule, threats []threat) {
	for _, th := range threats {
		if !strings.EqualFold(strings.TrimSpace(th.Framework), "MITRE ATT&CK") {
			continue
		}
		for _, t := range th.Technique {
			if id, ok := rule.Technique(t.ID); ok {
				r.Techniques = append(r.Techniques, id)
			}
			for _, s := range t.Subtechnique {
				if id, ok := rule.Technique(s.ID); ok {
					r.Techniques = append(r.Techniques, id)
				}
			}
		}
		if name := strings.TrimSpace(th.Tactic.Name); name != "" {
			r.Tactics = append(r.Tactics, name)
		} else if id := strings.TrimSpace(th.Tactic.ID); id != "" {
			r.Tactics = append(r.Tactics, id)
		}
	}
	r.Techniques = rule.Dedup(r.Techniques)
	r.Tactics = rule.Dedup(r.Tactics)
}

// thresholdExpr gives the predicates of a threshold rule (see the package
// documentation).
func thresholdExpr(th *threshold) rule.Expr {
	var out rule.And
	for _, f := range th.Field {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, rule.Cmp{FieldRaw: f, Op: rule.OpIsNotNull, Role: rule.RoleComputed})
		}
	}
	out = append(out, rule.Cmp{FieldRaw: "threshold.count", Op: rule.OpGte, Value: strconv.FormatInt(th.Value, 10), Role: rule.RoleComputed})
	for _, c := range th.Cardinality {
		if f := strings.TrimSpace(c.Field); f != "" {
			out = append(out, rule.Cmp{FieldRaw: "cardinality(" + f + ")", Op: rule.OpGte, Value: strconv.FormatInt(c.Value, 10), Role: rule.RoleComputed})
		}
	}
	return out
}
