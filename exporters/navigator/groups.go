package navigator

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// Colours of a group layer: techniques the group uses with and without rules.
const (
	CoveredColor   = "#66bb6a"
	UncoveredColor = "#ef5350"
)

// GroupFile names the layer of one ATT&CK group (navigator-group-G0016.json).
func GroupFile(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return "navigator-group-" + b.String() + ".json"
}

// groupLayers adds a layer per group requested with --group.
func groupLayers(set *tables.Set, cat *view.Catalog, files []string, layers []*Layer) ([]string, []*Layer) {
	for _, id := range set.Groups {
		g, ok := view.Group(set, id)
		if !ok {
			continue
		}
		files = append(files, GroupFile(g.ID))
		layers = append(layers, BuildGroup(cat, g))
	}
	return files, layers
}

// BuildGroup makes the layer of one ATT&CK group: every technique the group
// uses, in each of its tactics; covered techniques (at least one rule) in
// green scored by their rules, uncovered ones in red with score 0 and a
// comment saying so, so the gaps show.
func BuildGroup(cat *view.Catalog, g view.GroupPage) *Layer {
	l := Build(cat, "")
	l.Name = "ruleatlas " + g.ID + " " + g.Name
	l.Techniques = []Technique{}
	l.Sorting = 0
	l.HideDisabled = false
	openSubs := map[string]bool{}
	for _, r := range g.Rows {
		if p := parentOf(r.ID); p != "" {
			openSubs[p] = true
		}
	}
	for _, r := range g.Rows {
		color, comment := CoveredColor, groupComment(g, r)
		if !r.Covered() {
			color = UncoveredColor
		}
		for _, tactic := range r.Tactics {
			short := cat.TacticShortName(tactic)
			if short == "" {
				continue
			}
			l.Techniques = append(l.Techniques, Technique{TechniqueID: r.ID, Tactic: short, Score: r.Rules, Color: color,
				Comment: comment, Enabled: true, Metadata: []Meta{{"group", g.ID + " " + g.Name}}, Links: []Link{},
				ShowSubtechniques: openSubs[r.ID]})
		}
	}
	l.Gradient = Gradient{Colors: []string{UncoveredColor, CoveredColor}, MinValue: 0, MaxValue: 1}
	l.LegendItems = []Legend{
		{Label: "used by " + g.ID + ", covered by at least one rule", Color: CoveredColor},
		{Label: "used by " + g.ID + ", no rule", Color: UncoveredColor},
	}
	l.Description = fmt.Sprintf("Techniques ATT&CK %s links to %s %s (uses): %d, of which %d covered by at least one rule "+
		"(%s); report date %s. Scores count distinct rules (sub-technique rules also count for their parent); "+
		"uncovered techniques have score 0.", g.AttackVersion, g.ID, g.Name, len(g.Rows), g.Covered,
		view.PercentText(int64(g.Covered), int64(len(g.Rows))), cat.Meta.ReportDate)
	l.Metadata = append([]Meta{{"group", g.ID + " " + g.Name}}, l.Metadata...)
	return l
}

// groupComment is "no rule in the catalog" or the per-vendor counts.
func groupComment(g view.GroupPage, r view.GroupRow) string {
	if !r.Covered() {
		return "used by " + g.Name + "; no rule in the catalog"
	}
	var parts []string
	for _, v := range r.Vendors {
		parts = append(parts, v.Name+": "+strconv.FormatInt(v.Rules, 10))
	}
	noun := " rules ("
	if r.Rules == 1 {
		noun = " rule ("
	}
	return "used by " + g.Name + "; " + strconv.FormatInt(r.Rules, 10) + noun + strings.Join(parts, ", ") + ")"
}

func parentOf(id string) string {
	if i := strings.IndexByte(id, '.'); i > 0 {
		return id[:i]
	}
	return ""
}
