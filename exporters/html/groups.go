package html

import (
	"cmp"
	"slices"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// Group pages: every ATT&CK group that uses at least one technique gets a
// page with those techniques, gaps first, each shaded by its number of
// rules; groups.html lists every group of the bundle with its coverage,
// worst covered first, the --group ones on top. The pages read the tables
// through one view.Groups index.

// groupList returns the groups with a page, in the order of
// view.GroupSummaries (worst covered first).
func (s *site) groupList() []view.GroupSummary {
	var out []view.GroupSummary
	for _, g := range s.groupSummaries {
		if g.Techniques > 0 {
			out = append(out, g)
		}
	}
	return out
}

// shade names the coverage band of a number of rules (site.css colours
// them): 0 is a gap; then 1, 2–4, 5–19, 20–99 and 100 or more.
func shade(rules int64) string {
	switch {
	case rules == 0:
		return "c0"
	case rules < 2:
		return "c1"
	case rules < 5:
		return "c2"
	case rules < 20:
		return "c3"
	case rules < 100:
		return "c4"
	}
	return "c5"
}

type groupRow struct {
	view.GroupRow
	Href, Shade, Tactics string
}

type groupListRow struct {
	view.GroupSummary
	Href, Aliases, Percent string
	Requested              bool
}

func (s *site) groupsData(from string) any {
	d := struct {
		base
		Requested, Rows []groupListRow
	}{base: s.base(from, "Threat groups")}
	requested := map[string]bool{}
	for _, g := range s.set.Groups {
		requested[g] = true
	}
	for _, g := range s.groupSummaries {
		r := groupListRow{GroupSummary: g, Href: hrefIf(from, s.groupFile[g.ID]), Aliases: clean(strings.Join(g.Aliases, ", ")),
			Percent: view.PercentText(int64(g.Covered), int64(g.Techniques)), Requested: requested[g.ID]}
		r.Name = clean(r.Name)
		if r.Requested {
			d.Requested = append(d.Requested, r)
		}
		d.Rows = append(d.Rows, r)
	}
	return d
}

func (s *site) groupData(from, id string) any {
	g, _ := s.groups.Page(id)
	d := struct {
		base
		G       view.GroupPage
		Aliases string
		Percent string
		Rows    []groupRow
		Gaps    int
	}{base: s.base(from, g.ID+" "+g.Name), G: g, Aliases: clean(strings.Join(g.Aliases, ", ")),
		Percent: view.PercentText(int64(g.Covered), int64(len(g.Rows)))}
	d.G.Name = clean(g.Name)
	for _, r := range g.Rows {
		row := groupRow{GroupRow: r, Shade: shade(r.Rules), Tactics: strings.Join(r.Tactics, ", ")}
		row.Name = clean(r.Name)
		if f, ok := s.techFile[r.ID]; ok {
			row.Href = href(from, f)
		}
		if !r.Covered() {
			d.Gaps++
		}
		d.Rows = append(d.Rows, row)
	}
	// Gaps first, then the least covered.
	slices.SortStableFunc(d.Rows, func(a, b groupRow) int {
		return cmp.Or(cmp.Compare(a.Rules, b.Rules), strings.Compare(a.ID, b.ID))
	})
	return d
}

// hrefIf is href, or "" when the target is "" (no page).
func hrefIf(from, to string) string {
	if to == "" {
		return ""
	}
	return href(from, to)
}
