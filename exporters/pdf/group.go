package pdf

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline/outfile"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// This file writes the report of each ATT&CK group asked for with --group,
// pdf/group-<id>.pdf: the techniques the group uses, the gaps (no rule)
// first in their own section, then the covered ones from the fewest rules
// up, their rule counts shaded on a scale made from the group's own counts.

// GroupFile is the report of one ATT&CK group, relative to the output folder.
func GroupFile(id string) string { return Dir + "/group-" + id + ".pdf" }

func init() {
	for k, v := range map[string]string{
		"group_doc":           "{id} {name}",
		"group_subtitle":      "Threat-actor coverage · ATT&CK {attack} · run date {date}",
		"group_aliases":       "Aliases",
		"group_summary":       "Techniques used",
		"group_summary_value": "{n} techniques linked by ATT&CK (uses); {covered} covered by at least one rule ({pct}), {gaps} without",
		"group_gaps_key":      "Gaps",
		"group_legend":        "Rules per technique (shading from this group's counts, logarithmic steps):",
		"group_gap_legend":    "no rule",
		"group_gaps":          "Gaps: techniques the group uses with no rule ({n})",
		"group_gaps_note":     "No rule of the catalog covers these techniques (rules of a sub-technique count for its parent).",
		"group_covered":       "Covered techniques ({n}), fewest rules first",
		"group_uncovered":     "no rule",
	} {
		telemetryLabels[k] = v
	}
}

var (
	groupCols = []Column{
		{Key: "id", Label: "Technique", Width: 1.3, Style: "td"},
		{Key: "name", Label: "Name", Width: 3.4, Style: "td"},
		{Key: "rules", Label: "Rules", Width: 0.9, Style: "td", Align: "R"},
		{Key: "vendors", Label: "Per vendor", Width: 3.6, Style: "td"},
		{Key: "tactics", Label: "Tactics", Width: 2.4, Style: "td"},
	}
	// groupRulesCol is the column of groupCols the shading colours.
	groupRulesCol = 2
)

// Shading of rule counts: gapShade for none, then shadeRamp from light
// (clearly not white, so one rule differs from none) to dark.
var (
	gapShade  = rgb{0xf4, 0xb6, 0xb6}
	gapRow    = rgb{0xfd, 0xec, 0xec}
	shadeRamp = []rgb{{0xc6, 0xdb, 0xef}, {0x6b, 0xae, 0xd6}, {0x21, 0x71, 0xb5}, {0x08, 0x30, 0x6b}}
)

// countScale shades rule counts in steps made from the data: from the
// smallest to the largest count, at 1, 3, 10, 30, … between. Counts span
// orders of magnitude (1 to several hundred for one group), so the steps
// and their colours are logarithmic.
type countScale struct {
	steps []int64 // lower bound of each step, rising; the first is the smallest count
	max   int64
}

// newCountScale makes the scale of the positive counts.
func newCountScale(counts []int64) countScale {
	var s countScale
	lo := int64(0)
	for _, n := range counts {
		if n > 0 && (lo == 0 || n < lo) {
			lo = n
		}
		s.max = max(s.max, n)
	}
	if lo == 0 {
		return s
	}
	s.steps = []int64{lo}
	for p := int64(1); p <= s.max; p *= 10 {
		for _, m := range []int64{1, 3} {
			if v := p * m; v > lo && v <= s.max {
				s.steps = append(s.steps, v)
			}
		}
	}
	return s
}

// step returns the index of n's step.
func (s countScale) step(n int64) int {
	i := 0
	for k, lo := range s.steps {
		if n >= lo {
			i = k
		}
	}
	return i
}

// shadeOf is the shade of a count: gapShade for 0, else its step's colour
// (the ramp at the step's place from the first step to the last).
func (s countScale) shadeOf(n int64) shade {
	if n <= 0 || len(s.steps) == 0 {
		return shade{c: gapShade}
	}
	f := 0.0
	if last := len(s.steps) - 1; last > 0 {
		f = float64(s.step(n)) / float64(last)
	}
	c := rampAt(shadeRamp, f)
	return shade{c: c, light: 0.2126*float64(c.r)+0.7152*float64(c.g)+0.0722*float64(c.b) < 140}
}

// labels names each step ("1", "3–9", "300–494", "500+" never: the last
// step ends at the largest count).
func (s countScale) labels() []string {
	out := make([]string, len(s.steps))
	for i, lo := range s.steps {
		hi := s.max
		if i+1 < len(s.steps) {
			hi = s.steps[i+1] - 1
		}
		out[i] = itoa(lo)
		if hi > lo {
			out[i] += "–" + itoa(hi)
		}
	}
	return out
}

// rampAt interpolates a colour ramp at f in [0, 1].
func rampAt(ramp []rgb, f float64) rgb {
	f = min(max(f, 0), 1)
	seg := f * float64(len(ramp)-1)
	i := min(int(seg), len(ramp)-2)
	t := seg - float64(i)
	mix := func(a, b int) int { return int(math.Round(float64(a) + t*float64(b-a))) }
	a, b := ramp[i], ramp[i+1]
	return rgb{mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)}
}

// group renders the report of one ATT&CK group.
func (r *renderer) group(g view.GroupPage) ([]byte, error) {
	l := r.l
	name := strings.TrimSpace(r.tlabel("group_doc", "{id}", g.ID, "{name}", g.Name))
	d := newDoc(l, r.st, r.meta, name, name)
	subtitle := r.tlabel("group_subtitle", "{attack}", orUnknown(g.AttackVersion), "{date}", r.meta.ReportDate)
	d.f.SetSubject(d.clean("body", subtitle), true)
	d.newPage("")
	ts := d.st["title"]
	lh := ts.mm * 1.25
	for _, line := range d.wrap(ts, name, d.width(), 3) {
		d.text(ts, d.left(), d.y, lh, line)
		d.y += lh
	}
	d.para("subtitle", subtitle, d.left())
	d.y += 2

	var gaps, covered []view.GroupRow
	var counts []int64
	for _, x := range g.Rows {
		if x.Covered() {
			covered = append(covered, x)
			counts = append(counts, x.Rules)
		} else {
			gaps = append(gaps, x)
		}
	}
	slices.SortStableFunc(gaps, func(a, b view.GroupRow) int { return strings.Compare(a.ID, b.ID) })
	slices.SortStableFunc(covered, func(a, b view.GroupRow) int {
		return cmp.Or(cmp.Compare(a.Rules, b.Rules), strings.Compare(a.ID, b.ID))
	})
	gapsCaption := r.tlabel("group_gaps", "{n}", strconv.Itoa(len(gaps)))
	coveredCaption := r.tlabel("group_covered", "{n}", strconv.Itoa(len(covered)))

	keyW := 34.0
	if len(g.Aliases) > 0 {
		d.keyValue(r.tlabel("group_aliases"), strings.Join(g.Aliases, ", "), keyW)
	}
	d.keyValue(r.tlabel("group_summary"), r.tlabel("group_summary_value", "{n}", strconv.Itoa(len(g.Rows)),
		"{covered}", strconv.Itoa(g.Covered), "{pct}", pct(int64(g.Covered), int64(len(g.Rows))),
		"{gaps}", strconv.Itoa(len(gaps))), keyW)
	if len(gaps) > 0 {
		var ids []string
		for _, x := range gaps {
			ids = append(ids, x.ID+" "+x.Name)
		}
		top := d.y
		d.keyValue(r.tlabel("group_gaps_key"), strings.Join(ids, "; "), keyW)
		d.f.Link(d.left(), top, d.width(), d.y-top, d.linkTo(gapsCaption))
	}
	if f := r.meta.Filters.String(); f != "" {
		d.keyValue(l.Labels["filters"], f, keyW)
	}
	sc := newCountScale(counts)
	d.y += 2
	r.groupLegend(d, sc)

	if len(gaps) > 0 {
		d.heading(gapsCaption, 15)
		d.para("note", r.tlabel("group_gaps_note"), d.left())
		d.y += 1
		d.table(gapsCaption, groupCols, r.groupRows(gaps, sc))
	}
	d.heading(coveredCaption, 15)
	d.table(coveredCaption, groupCols, r.groupRows(covered, sc))
	return d.bytes()
}

// groupRows are the table rows of techniques, the rule count shaded; gap
// rows are tinted whole.
func (r *renderer) groupRows(rows []view.GroupRow, sc countScale) []row {
	out := make([]row, 0, len(rows))
	for _, x := range rows {
		rw := cellsOf(groupCols, func(key string) string {
			switch key {
			case "id":
				return x.ID
			case "name":
				return x.Name
			case "rules":
				if !x.Covered() {
					return r.tlabel("group_uncovered")
				}
				return itoa(x.Rules)
			case "vendors":
				return vendorCounts(x.Vendors)
			case "tactics":
				return strings.Join(x.Tactics, ", ")
			}
			return ""
		})
		rw.shades = map[int]shade{groupRulesCol: sc.shadeOf(x.Rules)}
		if !x.Covered() {
			rw.fill = &gapRow
		}
		out = append(out, rw)
	}
	return out
}

// groupLegend draws the shading's steps on one line, the gap first.
func (r *renderer) groupLegend(d *doc, sc countScale) {
	s := d.st["legend"]
	lh := d.pitch(s) + 2
	d.para("note", r.tlabel("group_legend"), d.left())
	d.ensure(lh)
	x := d.left()
	item := func(c rgb, text string) {
		text = s.m.clean(text)
		d.fill(c, x, d.y+1, 6, lh-2)
		d.text(s, x+7, d.y, lh, text)
		x += 7 + s.width(text) + 4
	}
	item(gapShade, r.tlabel("group_gap_legend"))
	for i, label := range sc.labels() {
		item(sc.shadeOf(sc.steps[i]).c, label)
	}
	d.y += lh + 1
}

// groups writes the report of every group asked for with --group.
func (r *renderer) groups(ctx context.Context, dir string) ([]string, error) {
	var files []string
	for _, id := range r.set.Groups {
		g, ok := view.Group(r.set, id)
		if !ok {
			continue
		}
		data, err := r.group(g)
		if err != nil {
			return nil, err
		}
		name := GroupFile(g.ID)
		if err := outfile.WriteFile(ctx, dir, name, data); err != nil {
			return nil, err
		}
		files = append(files, name)
	}
	return files, nil
}

// vendorCounts lists the vendors with rules as "sigma 3 · elastic 2".
func vendorCounts(vs []view.Count) string {
	var parts []string
	for _, v := range vs {
		if v.Rules > 0 {
			parts = append(parts, v.Name+" "+itoa(v.Rules))
		}
	}
	return strings.Join(parts, " · ")
}
