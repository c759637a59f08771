package navigator

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
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
func groupLayers(set *tables.Set, cat *view.Catalog, counted map[string]int64, files []string, layers []*Layer) ([]string, []*Layer) {
	for _, id := range set.Groups {
		g, ok := view.Group(set, id)
		if !ok {
			continue
		}
		files = append(files, GroupFile(g.ID))
		layers = append(layers, BuildGroup(cat, counted, g))
	}
	return files, layers
}

// BuildGroup makes the layer of one ATT&CK group: every technique the group
// uses, in each of its tactics, scored by its rules and coloured on the
// group's own scale (from its least to its most covered technique), the
// uncovered ones as gaps (score 0, GapColor) sorted first. A parent of a
// sub-technique the group uses opens its sub-techniques; when the group is
// not linked to the parent itself, the parent gets an unscored entry that
// only does that.
func BuildGroup(cat *view.Catalog, counted map[string]int64, g view.GroupPage) *Layer {
	l := Build(cat, counted, "")
	l.Name = "ruleatlas " + g.ID + " " + g.Name
	l.Techniques = []Technique{}
	l.Sorting = 2 // ascending score: the gaps (score 0) lead every tactic
	l.Layout.ExpandedSubtechniques = "annotated"
	l.HideDisabled = false
	group := []Meta{{"group", g.ID + " " + g.Name}}

	used := map[string]bool{}
	subTactics := map[string]map[string]bool{} // parent → tactics of its sub-techniques the group uses
	var scores []int64
	for _, r := range g.Rows {
		used[r.ID] = true
		scores = append(scores, r.Rules)
		if p := parentOf(r.ID); p != "" {
			if subTactics[p] == nil {
				subTactics[p] = map[string]bool{}
			}
			for _, tactic := range r.Tactics {
				subTactics[p][tactic] = true
			}
		}
	}
	sc := newScale(scores)
	gaps := 0
	for _, r := range g.Rows {
		s := r.Rules
		entry := Technique{TechniqueID: r.ID, Score: &s, Color: GapColor, Comment: groupComment(g, r), Enabled: true,
			Metadata: group, ShowSubtechniques: subTactics[r.ID] != nil}
		if r.Covered() {
			entry.Color = sc.color(s)
		} else {
			gaps++
		}
		for _, tactic := range r.Tactics {
			if short := cat.TacticShortName(tactic); short != "" {
				entry.Tactic = short
				l.Techniques = append(l.Techniques, entry)
			}
		}
	}
	parents := slices.Sorted(maps.Keys(subTactics))
	for _, p := range parents {
		if used[p] {
			continue
		}
		t, ok := cat.Technique(p)
		if !ok {
			continue
		}
		for _, tactic := range t.Tactics {
			if short := cat.TacticShortName(tactic); short != "" && subTactics[p][tactic] {
				l.Techniques = append(l.Techniques, Technique{TechniqueID: p, Tactic: short, Enabled: true, Metadata: group,
					Comment:           "ATT&CK links " + g.Name + " to sub-techniques of " + p + ", not to " + p + " itself",
					ShowSubtechniques: true})
			}
		}
	}
	l.Gradient = sc.gradient()
	gapText := "used by " + g.ID + ", no rule"
	l.LegendItems = sc.legend(gapText)
	l.Description = fmt.Sprintf("Techniques ATT&CK %s links to %s %s (uses): %d, of which %d covered by at least one rule "+
		"(%s) and %d without (gaps, sorted first); report date %s. Scores count distinct rules (sub-technique rules also "+
		"count for their parent). %s", g.AttackVersion, g.ID, g.Name, len(g.Rows), g.Covered,
		view.PercentText(int64(g.Covered), int64(len(g.Rows))), gaps, cat.Meta.ReportDate, sc.explain(gapText))
	l.Metadata = append(slices.Clone(group), l.Metadata...)
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
