package panther

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/normalize/yamlfast"
)

// correlationRule reads an `AnalysisType: correlation_rule` file: a rule
// of kind correlation whose techniques come from its Reports. Its logic
// is a sequence or group of other rules' alerts, not field tests: it has
// no predicates, and the rules it correlates are named in the note.
func correlationRule(root *yaml.Node, f rule.File) (rule.Rule, string) {
	r := rule.Rule{
		RuleID:   strings.TrimSpace(scalar(root, "RuleID")),
		Path:     f.Path,
		Title:    strings.TrimSpace(scalar(root, "DisplayName")),
		Status:   strings.ToLower(strings.TrimSpace(scalar(root, "Status"))),
		Severity: rule.Severity(scalar(root, "Severity")),
		Kind:     rule.KindCorrelation,
		RuleType: "correlation_rule",
		Language: rule.LangNone,
	}
	if r.RuleID == "" {
		r.RuleID = f.Path
	}
	if r.Title == "" {
		r.Title = r.RuleID
	}
	r.Deprecated = r.Status == "deprecated"
	if enabled := strings.ToLower(strings.TrimSpace(scalar(root, "Enabled"))); enabled == "false" && !r.Deprecated {
		r.Status = "disabled"
	}
	r.Date = newestDate(scalar(root, "CreatedAt"), scalar(root, "LastModified"))
	r.Techniques, r.Tactics = reports(get(root, "Reports"))
	ids := correlatedRules(get(root, "Detection"), nil, 0)
	r.Correlates = rule.Dedup(ids)
	r.Query = yamlfast.Section(f.Data, root, "Detection")
	r.ParseStatus = rule.StatusOK
	if len(ids) == 0 {
		r.ParseStatus = rule.StatusPartial
		r.ParseError = "correlation rule names no rules it correlates (Detection: Sequence/Group RuleID)"
		return r, ""
	}
	return r, fmt.Sprintf("correlation rule %s correlates the alerts of %s", r.RuleID, strings.Join(rule.Dedup(ids), ", "))
}

// correlatedRules collects the RuleID values of a correlation Detection
// (Sequence and Group entries, at any depth).
func correlatedRules(n *yaml.Node, out []string, depth int) []string {
	if n == nil || depth > maxMatchDepth {
		return out
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "RuleID" && v.Kind == yaml.ScalarNode {
				if id := strings.TrimSpace(v.Value); id != "" {
					out = append(out, id)
				}
				continue
			}
			out = correlatedRules(v, out, depth+1)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			out = correlatedRules(c, out, depth+1)
		}
	}
	return out
}
