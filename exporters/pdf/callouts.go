package pdf

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// callout is one finding of the executive summary's first page: a short
// bold title, a sentence, and the section it links to ("" for none).
type callout struct {
	title, text, target string
}

// callouts lists the findings a reader must see first: failures, then
// vendors whose rules mostly did not parse, then technique ids the ATT&CK
// data does not know, then ids it revokes or deprecates.
func (r *renderer) callouts(c *view.Catalog) []callout {
	l := r.l
	var out []callout
	if c.Parse.Failed > 0 {
		var parts []string
		for _, v := range c.Vendors {
			if v.Parse.Failed > 0 {
				parts = append(parts, v.Name+" "+itoa(v.Parse.Failed))
			}
		}
		out = append(out, callout{r.countLabel("callout_failed_title", c.Parse.Failed),
			l.label("callout_failed", "{vendors}", strings.Join(parts, ", "), "{partial}", itoa(c.Parse.Partial)),
			l.Labels["problems_heading"]})
	}
	for _, v := range c.Vendors {
		if !v.MostlyFailed() {
			continue
		}
		bad := v.Parse.NotParsed()
		out = append(out, callout{l.label("callout_vendor_title", "{vendor}", v.Name),
			l.label("callout_vendor", "{bad}", itoa(bad), "{rules}", itoa(v.Rules), "{pct}", view.PercentText(bad, v.Rules),
				"{failed}", itoa(v.Parse.Failed), "{partial}", itoa(v.Parse.Partial), "{no_query}", itoa(v.Parse.NoQuery)),
			l.Labels["health_heading"]})
	}
	if c := r.notCurrentCallout(c); c != nil {
		out = append(out, *c)
	}
	return out
}

// notCurrentCallout names the tagged ids with rules that are not current
// ATT&CK techniques, in one callout (the overview counts them together):
// the ids the ATT&CK data does not know, with the advice to pass a newer
// bundle, then those it revokes or deprecates, with their replacement. It
// is nil when there are none.
func (r *renderer) notCurrentCallout(c *view.Catalog) *callout {
	l := r.l
	var unknown, retired []view.TechniqueCoverage
	for _, t := range c.Other {
		switch {
		case t.Rules == 0:
		case t.Known:
			retired = append(retired, t)
		default:
			unknown = append(unknown, t)
		}
	}
	if len(unknown)+len(retired) == 0 {
		return nil
	}
	version := orUnknown(r.meta.AttackVersion)
	var texts []string
	title := r.countLabel("callout_other_title", int64(len(unknown)+len(retired)))
	if len(unknown) > 0 {
		texts = append(texts, l.label("callout_unknown", "{version}", version, "{ids}", r.idList(unknown, 6)))
		if len(retired) == 0 {
			title = r.countLabel("callout_unknown_title", int64(len(unknown)))
		}
	}
	if len(retired) > 0 {
		texts = append(texts, r.tlabel("callout_retired", "{version}", version, "{ids}", r.idList(retired, 3)))
		if len(unknown) == 0 {
			title = r.countLabel("callout_retired_title", int64(len(retired)))
		}
	}
	return &callout{title, strings.Join(texts, " "), ""}
}

// idList lists up to n ids, most rules first, each with its rules per
// vendor and, for a revoked technique, its replacement.
func (r *renderer) idList(ts []view.TechniqueCoverage, n int) string {
	ts = slices.Clone(ts)
	slices.SortStableFunc(ts, func(a, b view.TechniqueCoverage) int {
		return cmp.Or(cmp.Compare(b.Rules, a.Rules), strings.Compare(a.ID, b.ID))
	})
	var ids []string
	for _, t := range ts[:min(len(ts), n)] {
		var by []string
		for _, v := range t.Vendors {
			if v.Rules > 0 {
				by = append(by, v.Name+" "+itoa(v.Rules))
			}
		}
		s := t.ID + " (" + strings.Join(by, ", ")
		if a := r.set.Attack.Techniques[t.ID]; a != nil && a.RevokedBy != "" {
			s += r.tlabel("callout_revoked_by", "{id}", a.RevokedBy)
		}
		ids = append(ids, s+")")
	}
	if len(ts) > n {
		ids = append(ids, r.l.label("callout_more", "{n}", strconv.Itoa(len(ts)-n)))
	}
	return strings.Join(ids, "; ")
}

// countLabel is the label key with {n} = n, or its key_one form when n is
// 1 ("1 rule failed to parse", not "1 rules").
func (r *renderer) countLabel(key string, n int64) string {
	if n == 1 {
		if _, ok := r.l.Labels[key+"_one"]; ok || telemetryLabels[key+"_one"] != "" {
			key += "_one"
		}
	}
	return r.tlabel(key, "{n}", itoa(n))
}

func init() {
	for k, v := range map[string]string{
		"callout_other_title":       "{n} tagged technique ids are not current in the ATT&CK data",
		"callout_retired_title":     "{n} technique ids are revoked or deprecated in ATT&CK",
		"callout_failed_title_one":  "1 rule failed to parse",
		"callout_unknown_title_one": "1 technique id is not in the ATT&CK data",
		"callout_other_title_one":   "1 tagged technique id is not current in the ATT&CK data",
		"callout_retired_title_one": "1 technique id is revoked or deprecated in ATT&CK",
		"callout_retired":           "ATT&CK {version} revokes or deprecates {ids}: retag those rules with the replacement.",
		"callout_revoked_by":        "; revoked by {id}",
	} {
		telemetryLabels[k] = v
	}
}

// drawCallouts prints the callouts as shaded boxes, each linked to its
// section.
func (r *renderer) drawCallouts(d *doc, items []callout) {
	if len(items) == 0 {
		return
	}
	d.heading(r.l.Labels["callouts_heading"], 15)
	ks, vs := d.st["subheading"], d.st["body"]
	pad := 1.5
	for _, it := range items {
		lines := d.wrap(vs, it.text, d.width()-2*pad-3, 0)
		h := d.pitch(ks) + float64(len(lines))*d.pitch(vs) + 2*pad
		d.ensure(h + 1)
		top := d.y
		d.fill(r.l.colors["total_fill"], d.left(), top, d.width(), h)
		d.fill(r.l.colors["accent"], d.left(), top, 1.2, h)
		d.y += pad
		d.text(ks, d.left()+pad+2, d.y, d.pitch(ks), d.fit(ks, it.title, d.width()-2*pad-3))
		d.y += d.pitch(ks)
		for _, line := range lines {
			d.text(vs, d.left()+pad+2, d.y, d.pitch(vs), line)
			d.y += d.pitch(vs)
		}
		if it.target != "" {
			d.f.Link(d.left(), top, d.width(), h, d.linkTo(it.target))
		}
		d.y = top + h + 1.5
	}
}
