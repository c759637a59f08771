package navigator_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/exporters/internal/sitetest"
	"github.com/ruleatlas/ruleatlas/exporters/navigator"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// TestGroupLayer checks navigator-group-G0016.json: every technique APT29
// uses is present in each of its tactics, covered ones green with their
// rule count, uncovered ones red with score 0 and a comment.
func TestGroupLayer(t *testing.T) {
	set := sitetest.Run(t, pipeline.Options{Sources: sitetest.SampleSources(t), Groups: []string{"cozy bear"}})
	dir, files := export(t, set)
	if files[len(files)-1] != "navigator-group-G0016.json" || navigator.GroupFile("G0016") != "navigator-group-G0016.json" {
		t.Fatalf("files = %v", files)
	}
	b := pipetest.Read(t, filepath.Join(dir, "navigator-group-G0016.json"))
	var l navigator.Layer
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	// The shared format check wants scores of at least 1, as in coverage
	// layers: run it on the covered entries.
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var scored []any
	for _, x := range m["techniques"].([]any) {
		if x.(map[string]any)["score"].(float64) > 0 {
			scored = append(scored, x)
		}
	}
	m["techniques"] = scored
	cb, _ := json.Marshal(m)
	validate(t, cb)
	g, _ := set.Attack.Group("G0016")
	seen := map[string]bool{}
	cov := map[string]int64{}
	for _, r := range coverageRows(set) {
		cov[r.id] += r.rules
	}
	covered, uncovered := 0, 0
	for _, tq := range l.Techniques {
		seen[tq.TechniqueID] = true
		if tq.Score != cov[tq.TechniqueID] {
			t.Errorf("%s: score %d, coverage %d", tq.TechniqueID, tq.Score, cov[tq.TechniqueID])
		}
		switch {
		case tq.Score > 0 && tq.Color == navigator.CoveredColor:
			covered++
		case tq.Score == 0 && tq.Color == navigator.UncoveredColor && strings.Contains(tq.Comment, "no rule"):
			uncovered++
		default:
			t.Errorf("%s: score %d colour %s comment %q", tq.TechniqueID, tq.Score, tq.Color, tq.Comment)
		}
	}
	if len(seen) != len(g.Techniques) || len(g.Techniques) != 66 {
		t.Errorf("%d techniques in the layer, %d used by the group", len(seen), len(g.Techniques))
	}
	if covered == 0 || uncovered == 0 {
		t.Errorf("covered %d, uncovered %d entries", covered, uncovered)
	}
	if !strings.Contains(l.Description, "ATT&CK 18.1") || l.Versions.Attack != "18" {
		t.Errorf("ATT&CK version missing: %q %q", l.Description, l.Versions.Attack)
	}
}

type covRow struct {
	id    string
	rules int64
}

func coverageRows(set *tables.Set) []covRow {
	var out []covRow
	ids, rules := tables.Strings(set.Coverage, 0), tables.Int64s(set.Coverage, 5)
	for i := range ids.Len() {
		out = append(out, covRow{ids.Value(i), rules.Value(i)})
	}
	return out
}
