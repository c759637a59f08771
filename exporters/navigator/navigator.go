// Package navigator writes ATT&CK Navigator layers (layer format 4.5) scored
// by rule count: navigator.json over every vendor and navigator-<vendor>.json
// per vendor. Scores are the technique totals of coverage.parquet
// (sub-technique rules rolled up into their parent, as there); every
// technique with rules gets one entry per tactic it belongs to; comments
// carry the per-vendor counts. With --group, navigator-group-<id>.json marks
// the techniques an ATT&CK group uses, covered and uncovered. Output is
// deterministic.
package navigator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
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
	ShowTMLinks                   bool        `json:"showTMLinks"`
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

// Technique is one technique in one tactic.
type Technique struct {
	TechniqueID       string `json:"techniqueID"`
	Tactic            string `json:"tactic"`
	Score             int64  `json:"score"`
	Color             string `json:"color"`
	Comment           string `json:"comment"`
	Enabled           bool   `json:"enabled"`
	Metadata          []Meta `json:"metadata"`
	Links             []Link `json:"links"`
	ShowSubtechniques bool   `json:"showSubtechniques"`
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

// gradientColors run from white through light to dark blue.
var gradientColors = []string{"#ffffff", "#a6cee3", "#1f78b4"}

// Export writes navigator.json and one navigator-<vendor>.json per vendor.
func (Exporter) Export(ctx context.Context, set *tables.Set, dir string) ([]string, error) {
	cat := view.NewCatalog(set)
	files := []string{File}
	layers := []*Layer{Build(cat, "")}
	for _, v := range set.Meta.Vendors {
		files = append(files, VendorFile(v))
		layers = append(layers, Build(cat, v))
	}
	files, layers = groupLayers(set, cat, files, layers) // groups.go: one layer per --group
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

// Build makes the layer of one vendor, or of every vendor when vendor is "".
func Build(cat *view.Catalog, vendor string) *Layer {
	m := cat.Meta
	l := &Layer{
		Versions: Versions{Attack: majorVersion(m.AttackVersion), Navigator: NavigatorVersion, Layer: LayerVersion},
		Domain:   Domain,
		Sorting:  3, // descending score
		Layout: Layout{Layout: "side", AggregateFunction: "average", ShowName: true,
			ExpandedSubtechniques: "annotated"},
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

	// Parents with a scored sub-technique open their sub-techniques.
	openSubs := map[string]bool{}
	var scores []int64
	var rules int64
	for _, t := range cat.Techniques {
		if t.Current && t.ParentID != "" && score(t) > 0 {
			openSubs[t.ParentID] = true
		}
	}
	for _, t := range cat.Techniques {
		s := score(t)
		if s == 0 || !t.Current {
			continue
		}
		comment := commentOf(t, vendor)
		added := false
		for _, tactic := range t.Tactics {
			short := cat.TacticShortName(tactic)
			if short == "" {
				continue
			}
			l.Techniques = append(l.Techniques, Technique{TechniqueID: t.ID, Tactic: short, Score: s, Comment: comment,
				Enabled: true, Metadata: []Meta{}, Links: []Link{}, ShowSubtechniques: openSubs[t.ID]})
			added = true
		}
		if added {
			scores = append(scores, s)
		}
	}
	for _, v := range cat.Vendors {
		if vendor == "" || v.Name == vendor {
			rules += v.Rules
		}
	}

	maxV := percentile(scores, 0.9)
	l.Gradient = Gradient{Colors: gradientColors, MinValue: 0, MaxValue: maxV}
	l.LegendItems = legend(maxV)

	who := "all vendors"
	if vendor != "" {
		who = vendor
	}
	l.Name = "ruleatlas " + who
	if vendor == "" {
		l.Name = "ruleatlas coverage"
	}
	l.Description = fmt.Sprintf("Detection rules per ATT&CK technique (%s): %d rules, %d techniques with rules, report date %s. "+
		"Scores count distinct rules; sub-technique rules also count for their parent. Colours saturate at %d rules.",
		who, rules, len(scores), m.ReportDate, maxV)

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

// percentile returns the p-quantile of xs (nearest rank), at least 1.
func percentile(xs []int64, p float64) int64 {
	if len(xs) == 0 {
		return 1
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return max(s[max(i, 0)], 1)
}

// legend has entries for one rule, the middle of the scale and its top.
func legend(maxV int64) []Legend {
	items := []Legend{{Label: "1 rule", Color: colorAt(1, maxV)}}
	if mid := (maxV + 1) / 2; mid > 1 && mid < maxV {
		items = append(items, Legend{Label: strconv.FormatInt(mid, 10) + " rules", Color: colorAt(mid, maxV)})
	}
	if maxV > 1 {
		items = append(items, Legend{Label: strconv.FormatInt(maxV, 10) + "+ rules", Color: colorAt(maxV, maxV)})
	}
	return items
}

// colorAt interpolates the gradient at score v of [0, maxV].
func colorAt(v, maxV int64) string {
	f := float64(v) / float64(maxV)
	f = min(max(f, 0), 1)
	seg := f * float64(len(gradientColors)-1)
	i := min(int(seg), len(gradientColors)-2)
	t := seg - float64(i)
	a, b := rgb(gradientColors[i]), rgb(gradientColors[i+1])
	var out [3]int
	for k := range out {
		out[k] = int(math.Round(float64(a[k]) + t*float64(b[k]-a[k])))
	}
	return fmt.Sprintf("#%02x%02x%02x", out[0], out[1], out[2])
}

func rgb(hex string) [3]int {
	n, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	return [3]int{int(n >> 16 & 0xff), int(n >> 8 & 0xff), int(n & 0xff)}
}

var _ pipeline.Exporter = Exporter{}
