package navigator_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/exporters/internal/sitetest"
	"github.com/ruleatlas/ruleatlas/exporters/navigator"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// TestGroupLayer checks navigator-group-G0016.json: every technique APT29
// uses is present in each of its tactics with its coverage total as score,
// shaded by rule count, the uncovered ones as gaps (score 0, GapColor)
// sorted first; every parent of a sub-technique entry opens its
// sub-techniques, through an unscored entry when the group does not use the
// parent itself.
func TestGroupLayer(t *testing.T) {
	set := sitetest.Run(t, pipeline.Options{Sources: sitetest.SampleSources(t), Groups: []string{"cozy bear"}})
	dir, files := export(t, set)
	if files[len(files)-1] != "navigator-group-G0016.json" || navigator.GroupFile("G0016") != "navigator-group-G0016.json" {
		t.Fatalf("files = %v", files)
	}
	b := pipetest.Read(t, filepath.Join(dir, "navigator-group-G0016.json"))
	validate(t, b)
	l := decode(t, b)
	g, _ := set.Attack.Group("G0016")
	uses := map[string]bool{}
	for _, id := range g.Techniques {
		uses[id] = true
	}
	cov := map[string]int64{}
	for _, r := range coverageRows(set) {
		cov[r.id] += r.rules
	}
	tactics := modelTactics(set)
	seen := map[string]bool{}
	opened := map[string]bool{} // parent/tactic with showSubtechniques
	covered, uncovered := 0, 0
	for _, e := range l.Techniques {
		if !slices.Contains(tactics[e.ID], e.Tactic) {
			t.Errorf("%s: not in tactic %s", e.ID, e.Tactic)
		}
		if e.Show {
			opened[e.ID+"/"+e.Tactic] = true
		}
		if e.Score == nil {
			// Only a parent the group does not use, opening sub-techniques it does.
			if uses[e.ID] || !e.Show || parentID(e.ID) != "" {
				t.Errorf("%s: unscored entry (used %v, showSubtechniques %v)", e.ID, uses[e.ID], e.Show)
			}
			continue
		}
		seen[e.ID] = true
		s := int64(*e.Score)
		switch {
		case !uses[e.ID]:
			t.Errorf("%s: scored but not used by the group", e.ID)
		case s != cov[e.ID]:
			t.Errorf("%s: score %d, coverage %d", e.ID, s, cov[e.ID])
		case s > 0 && e.Color != navigator.GapColor:
			covered++
		case s == 0 && e.Color == navigator.GapColor && strings.Contains(e.Comment, "no rule"):
			uncovered++
		default:
			t.Errorf("%s: score %d colour %s comment %q", e.ID, s, e.Color, e.Comment)
		}
	}
	for _, e := range l.Techniques {
		if p := parentID(e.ID); p != "" && !opened[p+"/"+e.Tactic] {
			t.Errorf("%s/%s: its parent does not open its sub-techniques", e.ID, e.Tactic)
		}
	}
	if len(seen) != len(g.Techniques) || len(g.Techniques) != 66 {
		t.Errorf("%d techniques in the layer, %d used by the group", len(seen), len(g.Techniques))
	}
	if covered == 0 || uncovered == 0 {
		t.Errorf("covered %d, uncovered %d entries", covered, uncovered)
	}
	if l.Sorting != 2 {
		t.Errorf("sorting %d: the gaps (score 0) do not come first", l.Sorting)
	}
	checkShading(t, l)
	if !strings.Contains(l.Description, "ATT&CK 18.1") {
		t.Errorf("ATT&CK version missing: %q", l.Description)
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
