// Package navigator writes ATT&CK Navigator layers (layer format 4.5) scored
// by rule count: navigator.json over every vendor and navigator-<vendor>.json
// per vendor. Scores are the technique totals of coverage.parquet
// (sub-technique rules rolled up into their parent, as there); every current
// ATT&CK technique and sub-technique gets one entry per tactic it belongs
// to: those with rules coloured by rule count on a logarithmic scale
// (scale.go), those without as gaps (score 0, GapColor); comments carry the
// per-vendor counts. With --group, navigator-group-<id>.json marks the
// techniques an ATT&CK group uses, shaded by rule count, gaps in GapColor.
// Output is deterministic.
package navigator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/outfile"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// Layer format constants.
const (
	LayerVersion     = "4.5"
	NavigatorVersion = "5.1.0"
	Domain           = "enterprise-attack"
)

// File is the all-vendor layer; VendorFile names a vendor's layer.
const File = "navigator.json"

// VendorFile returns the file name of one vendor's layer.
func VendorFile(vendor string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(vendor) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return "navigator-" + b.String() + ".json"
}

// Exporter writes the Navigator layers.
type Exporter struct{}

// Name is the --format key.
func (Exporter) Name() string { return "navigator" }

// Layer is an ATT&CK Navigator layer, format 4.5.
type Layer struct {
	Name                          string      `json:"name"`
	Versions                      Versions    `json:"versions"`
	Domain                        string      `json:"domain"`
	Description                   string      `json:"description"`
	Sorting                       int         `json:"sorting"`
	Layout                        Layout      `json:"layout"`
	HideDisabled                  bool        `json:"hideDisabled"`
	Techniques                    []Technique `json:"techniques"`
	Gradient                      Gradient    `json:"gradient"`
	LegendItems                   []Legend    `json:"legendItems"`
	Metadata                      []Meta      `json:"metadata"`
	Links                         []Link      `json:"links"`
	TacticRowBackground           string      `json:"tacticRowBackground"`
	SelectTechniquesAcrossTactics bool        `json:"selectTechniquesAcrossTactics"`
	SelectSubtechniquesWithParent bool        `json:"selectSubtechniquesWithParent"`
	SelectVisibleTechniques       bool        `json:"selectVisibleTechniques"`
}

// Versions are the layer, ATT&CK and Navigator versions.
type Versions struct {
	Attack    string `json:"attack,omitempty"`
	Navigator string `json:"navigator"`
	Layer     string `json:"layer"`
}

// Layout is the matrix layout of the layer.
type Layout struct {
	Layout                string `json:"layout"`
	AggregateFunction     string `json:"aggregateFunction"`
	ShowID                bool   `json:"showID"`
	ShowName              bool   `json:"showName"`
	ShowAggregateScores   bool   `json:"showAggregateScores"`
	CountUnscored         bool   `json:"countUnscored"`
	ExpandedSubtechniques string `json:"expandedSubtechniques"`
}

// Technique is one technique in one tactic. Score is nil for an entry
// without a score (a group layer's parent technique shown only to open its
// sub-techniques); empty fields are left out (the format's defaults).
type Technique struct {
	TechniqueID       string `json:"techniqueID"`
	Tactic            string `json:"tactic"`
	Score             *int64 `json:"score,omitempty"`
	Color             string `json:"color,omitempty"`
	Comment           string `json:"comment,omitempty"`
	Enabled           bool   `json:"enabled"`
	Metadata          []Meta `json:"metadata,omitempty"`
	Links             []Link `json:"links,omitempty"`
	ShowSubtechniques bool   `json:"showSubtechniques,omitempty"`
}

// Gradient colours scores from MinValue to MaxValue.
type Gradient struct {
	Colors   []string `json:"colors"`
	MinValue int64    `json:"minValue"`
	MaxValue int64    `json:"maxValue"`
}

// Legend is one legend entry.
type Legend struct {
	Label string `json:"label"`
	Color string `json:"color"`
}

// Meta is a name/value pair.
type Meta struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Link is a labelled URL.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Export writes navigator.json and one navigator-<vendor>.json per vendor.
func (Exporter) Export(ctx context.Context, set *tables.Set, dir string) ([]string, error) {
	cat := view.NewCatalog(set)
	counted := countedRules(set)
	files := []string{File}
	layers := []*Layer{Build(cat, counted, "")}
	for _, v := range set.Meta.Vendors {
		files = append(files, VendorFile(v))
		layers = append(layers, Build(cat, counted, v))
	}
	files, layers = groupLayers(set, cat, counted, files, layers) // groups.go: one layer per --group
	for i, l := range layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := Marshal(l)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", files[i], err)
		}
		if err := outfile.WriteFile(ctx, dir, files[i], b); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// Marshal encodes a layer as indented JSON with a final newline. HTML
// characters are escaped (\u003c), so a layer is inert wherever it is shown.
func Marshal(l *Layer) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(l); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Build makes the layer of one vendor, or of every vendor when vendor is
// "": an entry per tactic for every current ATT&CK technique and
// sub-technique, scored by its rules, coloured on the layer's scale, and
// the techniques without a rule as gaps (score 0, GapColor). counted is the
// number of rules of the counted kinds per vendor.
func Build(cat *view.Catalog, counted map[string]int64, vendor string) *Layer {
	m := cat.Meta
	l := &Layer{
		Versions: Versions{Attack: majorVersion(m.AttackVersion), Navigator: NavigatorVersion, Layer: LayerVersion},
		Domain:   Domain,
		Sorting:  3, // descending score
		// Sub-techniques open where the layer says so (showSubtechniques on
		// the parents with a scored sub-technique): with "annotated",
		// Navigator would open every parent, as every sub-technique is
		// annotated (scored or a gap).
		Layout: Layout{Layout: "side", AggregateFunction: "average", ShowName: true,
			ExpandedSubtechniques: "none"},
		HideDisabled:                  false,
		TacticRowBackground:           "#dddddd",
		SelectTechniquesAcrossTactics: true,
		Techniques:                    []Technique{},
		Links:                         []Link{},
	}
	score := func(t view.TechniqueCoverage) int64 {
		if vendor == "" {
			return t.Rules
		}
		for _, c := range t.Vendors {
			if c.Name == vendor {
				return c.Rules
			}
		}
		return 0
	}
	placed := func(t view.TechniqueCoverage) bool {
		for _, tactic := range t.Tactics {
			if cat.TacticShortName(tactic) != "" {
				return true
			}
		}
		return false
	}

	// Parents with a scored sub-technique open their sub-techniques.
	openSubs := map[string]bool{}
	var scores []int64
	for _, t := range cat.Techniques {
		if !t.Current || !placed(t) {
			continue
		}
		if s := score(t); s > 0 {
			scores = append(scores, s)
			if t.ParentID != "" {
				openSubs[t.ParentID] = true
			}
		}
	}
	sc := newScale(scores)
	gapText := "no rule"
	if vendor != "" {
		gapText = "no " + vendor + " rule"
	}
	gaps := 0
	for _, t := range cat.Techniques {
		if !t.Current || !placed(t) {
			continue
		}
		s := score(t)
		entry := Technique{TechniqueID: t.ID, Score: &s, Color: GapColor, Comment: gapText + " (gap)", Enabled: true,
			ShowSubtechniques: openSubs[t.ID]}
		if s > 0 {
			entry.Color, entry.Comment = sc.color(s), commentOf(t, vendor)
		} else {
			gaps++
		}
		for _, tactic := range t.Tactics {
			if short := cat.TacticShortName(tactic); short != "" {
				entry.Tactic = short
				l.Techniques = append(l.Techniques, entry)
			}
		}
	}
	var rules int64
	for v, n := range counted {
		if vendor == "" || v == vendor {
			rules += n
		}
	}
	l.Gradient = sc.gradient()
	l.LegendItems = sc.legend(gapText)

	who := "all vendors"
	if vendor != "" {
		who = vendor
	}
	l.Name = "ruleatlas " + who
	if vendor == "" {
		l.Name = "ruleatlas coverage"
	}
	l.Description = fmt.Sprintf("Detection rules per ATT&CK technique (%s), report date %s: %d rules (kinds counted: %s); "+
		"%d current techniques and sub-techniques with rules, %d without (gaps). Scores count distinct rules; "+
		"sub-technique rules also count for their parent. %s",
		who, m.ReportDate, rules, strings.Join(m.Kinds, ", "), len(scores), gaps, sc.explain(gapText))

	l.Metadata = append(l.Metadata, Meta{"report_date", m.ReportDate}, Meta{"tool", strings.TrimSpace("ruleatlas " + m.ToolVersion)})
	if m.AttackVersion != "" {
		l.Metadata = append(l.Metadata, Meta{"attack_version", m.AttackVersion})
	}
	for _, s := range m.Sources {
		if vendor != "" && s.Vendor != vendor {
			continue
		}
		val := s.Vendor + ": " + s.Root
		if s.Commit != "" {
			val += " @ " + s.Commit
			if s.Dirty {
				val += " (dirty)"
			}
		}
		l.Metadata = append(l.Metadata, Meta{"source", val})
	}
	for _, f := range []struct {
		name string
		vals []string
	}{{"filter_platform", m.Filters.Platforms}, {"filter_domain", m.Filters.Domains},
		{"filter_vendor", m.Filters.Vendors}, {"filter_technique", m.Filters.Techniques}} {
		if len(f.vals) > 0 {
			l.Metadata = append(l.Metadata, Meta{f.name, strings.Join(f.vals, ",")})
		}
	}
	return l
}

// commentOf lists the per-vendor rule counts of a technique.
func commentOf(t view.TechniqueCoverage, vendor string) string {
	var parts []string
	for _, c := range t.Vendors {
		if vendor == "" || c.Name == vendor {
			parts = append(parts, c.Name+": "+strconv.FormatInt(c.Rules, 10))
		}
	}
	s := strings.Join(parts, ", ")
	if vendor == "" {
		noun := " rules ("
		if t.Rules == 1 {
			noun = " rule ("
		}
		s = strconv.FormatInt(t.Rules, 10) + noun + s + ")"
	}
	return s
}

// majorVersion turns "18.1" into "18" (Navigator compares major
// versions); anything that is not a version number gives "" (key omitted).
func majorVersion(v string) string {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	major, _, _ := strings.Cut(v, ".")
	if major == "" || strings.Trim(major, "0123456789") != "" {
		return ""
	}
	return major
}

// countedRules counts the rules of the counted kinds per vendor.
func countedRules(set *tables.Set) map[string]int64 {
	out := map[string]int64{}
	if set.Rules == nil {
		return out
	}
	counted := map[string]bool{}
	for _, k := range set.Meta.Kinds {
		counted[k] = true
	}
	vendors, kinds := tables.Strings(set.Rules, 0), tables.Strings(set.Rules, tables.RuleKind)
	for i := range vendors.Len() {
		if counted[kinds.Value(i)] {
			out[vendors.Value(i)]++
		}
	}
	return out
}

var _ pipeline.Exporter = Exporter{}
