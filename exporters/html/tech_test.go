package html_test

import (
	"reflect"
	"testing"

	htmlexp "github.com/ruleatlas/ruleatlas/exporters/html"
	"github.com/ruleatlas/ruleatlas/exporters/internal/sitetest"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// TestTechTablesMatchView checks that the technique page model the site
// reads (without rules, rows bounded) equals view.Index.Page's.
func TestTechTablesMatchView(t *testing.T) {
	set := sitetest.Sample(t)
	ix := view.NewIndex(set)
	for _, id := range ix.Techniques() {
		want := ix.Page(id)
		var vendors []string
		for _, r := range want.Rules {
			vendors = append(vendors, r.Vendor)
		}
		for _, limit := range []int{1 << 30, 2} {
			got, nf, ni, ne := htmlexp.TechPage(set, id, vendors, limit)
			w := want
			w.Rules, w.Hunting = nil, nil // the site renders rules and hunting queries from its own cards
			if len(w.Computed) == 0 {
				w.Computed = nil
			}
			if nf != len(w.Fields) || ni != len(w.Indicators) || ne != len(w.Exclusions) {
				t.Errorf("%s: totals %d %d %d, want %d %d %d", id, nf, ni, ne, len(w.Fields), len(w.Indicators), len(w.Exclusions))
			}
			w.Fields, w.Indicators, w.Exclusions = w.Fields[:min(limit, nf)], w.Indicators[:min(limit, ni)], w.Exclusions[:min(limit, ne)]
			if len(w.Fields) == 0 {
				w.Fields = nil
			}
			if len(w.Indicators) == 0 {
				w.Indicators = nil
			}
			if len(w.Exclusions) == 0 {
				w.Exclusions = nil
			}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("%s (limit %d): page differs from view's:\n got %+v\nwant %+v", id, limit, got, w)
			}
		}
	}
}
