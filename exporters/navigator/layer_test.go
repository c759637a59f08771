package navigator_test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/exporters/navigator"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// decoded is the tests' own reading of a layer: the fields the checks
// need, decoded without the exporter's types.
type decoded struct {
	Description string `json:"description"`
	Sorting     int    `json:"sorting"`
	Layout      struct {
		Expanded string `json:"expandedSubtechniques"`
	} `json:"layout"`
	Techniques []entry `json:"techniques"`
	Gradient   struct {
		Colors []string `json:"colors"`
		Min    float64  `json:"minValue"`
		Max    float64  `json:"maxValue"`
	} `json:"gradient"`
	Legend []struct {
		Label string `json:"label"`
		Color string `json:"color"`
	} `json:"legendItems"`
}

type entry struct {
	ID      string   `json:"techniqueID"`
	Tactic  string   `json:"tactic"`
	Score   *float64 `json:"score"`
	Color   string   `json:"color"`
	Comment string   `json:"comment"`
	Show    bool     `json:"showSubtechniques"`
}

func decode(t *testing.T, b []byte) decoded {
	t.Helper()
	var l decoded
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// attackTactics maps every current ATT&CK technique and sub-technique that
// has a tactic to the short names of its tactics (Navigator's tactic ids).
type attackTactics map[string][]string

// modelTactics reads them from the run's ATT&CK model.
func modelTactics(set *tables.Set) attackTactics {
	short := map[string]string{}
	for _, tc := range set.Attack.Tactics {
		short[tc.Name] = tc.ShortName
	}
	out := attackTactics{}
	for id, tq := range set.Attack.Techniques {
		if !tq.Current() {
			continue
		}
		for _, name := range tq.Tactics {
			if s := short[name]; s != "" {
				out[id] = append(out[id], s)
			}
		}
	}
	return out
}

// bundleTactics reads them from a STIX bundle directly: the attack-pattern
// objects that are neither revoked nor deprecated, with their mitre-attack
// kill-chain phases.
func bundleTactics(t *testing.T, path string) attackTactics {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct {
		Objects []struct {
			Type       string `json:"type"`
			Revoked    bool   `json:"revoked"`
			Deprecated bool   `json:"x_mitre_deprecated"`
			Refs       []struct {
				Source string `json:"source_name"`
				ID     string `json:"external_id"`
			} `json:"external_references"`
			Phases []struct {
				Chain string `json:"kill_chain_name"`
				Phase string `json:"phase_name"`
			} `json:"kill_chain_phases"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	out := attackTactics{}
	for _, o := range bundle.Objects {
		if o.Type != "attack-pattern" || o.Revoked || o.Deprecated {
			continue
		}
		id := ""
		for _, r := range o.Refs {
			if r.Source == "mitre-attack" {
				id = r.ID
			}
		}
		for _, p := range o.Phases {
			if id != "" && p.Chain == "mitre-attack" {
				out[id] = append(out[id], p.Phase)
			}
		}
	}
	return out
}

// coverageTotals sums coverage.parquet's rules per technique, over one
// vendor or (vendor "") all.
func coverageTotals(set *tables.Set, vendor string) map[string]int64 {
	out := map[string]int64{}
	ids, vendors, rules := tables.Strings(set.Coverage, 0), tables.Strings(set.Coverage, 4), tables.Int64s(set.Coverage, 5)
	for i := range ids.Len() {
		if vendor == "" || vendors.Value(i) == vendor {
			out[ids.Value(i)] += rules.Value(i)
		}
	}
	return out
}

func parentID(id string) string {
	if p, _, ok := strings.Cut(id, "."); ok {
		return p
	}
	return ""
}

// luminance is the relative brightness of a #rrggbb colour, 0 to 255.
func luminance(t *testing.T, c string) float64 {
	t.Helper()
	n, err := strconv.ParseUint(strings.TrimPrefix(c, "#"), 16, 32)
	if err != nil || len(c) != 7 {
		t.Fatalf("colour %q", c)
	}
	return 0.2126*float64(n>>16&0xff) + 0.7152*float64(n>>8&0xff) + 0.0722*float64(n&0xff)
}

// checkShading checks that scored entries darken as their scores grow, that
// the lowest score is neither white nor the gap colour and looks different
// from the highest, and that the gradient runs from the lowest to the
// highest positive score.
func checkShading(t *testing.T, l decoded) {
	t.Helper()
	colors := map[int64]string{}
	for _, e := range l.Techniques {
		if e.Score == nil || *e.Score == 0 {
			continue
		}
		s := int64(*e.Score)
		if c, ok := colors[s]; ok && c != e.Color {
			t.Errorf("score %d has two colours, %s and %s", s, c, e.Color)
		}
		colors[s] = e.Color
	}
	if len(colors) == 0 {
		return
	}
	scores := slices.Sorted(func(yield func(int64) bool) {
		for s := range colors {
			if !yield(s) {
				return
			}
		}
	})
	lo, hi := scores[0], scores[len(scores)-1]
	for i := 1; i < len(scores); i++ {
		if luminance(t, colors[scores[i]]) > luminance(t, colors[scores[i-1]]) {
			t.Errorf("%d rules (%s) is lighter than %d rules (%s)", scores[i], colors[scores[i]], scores[i-1], colors[scores[i-1]])
		}
	}
	if c := colors[lo]; c == "#ffffff" || c == navigator.GapColor {
		t.Errorf("the lowest score (%d) is coloured %s", lo, c)
	}
	if hi > lo && colors[lo] == colors[hi] {
		t.Errorf("%d and %d rules look the same (%s)", lo, hi, colors[lo])
	}
	if l.Gradient.Min != float64(lo) || (hi > lo && l.Gradient.Max != float64(hi)) || l.Gradient.Max <= l.Gradient.Min {
		t.Errorf("gradient %v..%v, scores %d..%d", l.Gradient.Min, l.Gradient.Max, lo, hi)
	}
	if len(l.Legend) < 2 || l.Legend[0].Color != navigator.GapColor || l.Legend[1].Color != colors[lo] {
		t.Errorf("legend %v does not start with the gap and the lowest score", l.Legend)
	}
	if !strings.Contains(l.Description, "logarithmic") || !strings.Contains(l.Description, "red") {
		t.Errorf("the description does not say what the colours mean: %q", l.Description)
	}
}

// checkCoverageLayer checks a coverage layer against the ATT&CK techniques
// and coverage totals computed by the test: one entry per technique and
// tactic, nothing else; score = the coverage total; the techniques with
// total 0 are the gaps (score 0, GapColor); parents with a scored
// sub-technique, and only they, open their sub-techniques. It returns the
// techniques scored and the gaps.
func checkCoverageLayer(t *testing.T, b []byte, want attackTactics, totals map[string]int64, vendor string) (scored, gaps int) {
	t.Helper()
	l := decode(t, b)
	open := map[string]bool{}
	for id := range want {
		if totals[id] > 0 && parentID(id) != "" {
			open[parentID(id)] = true
		}
	}
	seen := map[string]bool{}
	for _, e := range l.Techniques {
		key := e.ID + "/" + e.Tactic
		if seen[key] {
			t.Errorf("%s twice", key)
		}
		seen[key] = true
		if !slices.Contains(want[e.ID], e.Tactic) {
			t.Errorf("%s: not a current ATT&CK technique in tactic %s (tactics %v)", e.ID, e.Tactic, want[e.ID])
			continue
		}
		if e.Score == nil {
			t.Errorf("%s: no score", key)
			continue
		}
		s := int64(*e.Score)
		switch {
		case s != totals[e.ID]:
			t.Errorf("%s: score %d, coverage total %d", key, s, totals[e.ID])
		case s == 0 && (e.Color != navigator.GapColor || !strings.Contains(e.Comment, "no ")):
			t.Errorf("%s: gap coloured %s, comment %q", key, e.Color, e.Comment)
		case s > 0 && e.Color == navigator.GapColor:
			t.Errorf("%s: %d rules in the gap colour", key, s)
		case s > 0 && vendor == "" && !strings.Contains(e.Comment, " ("):
			t.Errorf("%s: comment %q has no per-vendor counts", key, e.Comment)
		}
		if e.Show != open[e.ID] {
			t.Errorf("%s: showSubtechniques %v, scored sub-techniques %v", key, e.Show, open[e.ID])
		}
	}
	for id, tactics := range want {
		for _, tc := range tactics {
			if !seen[id+"/"+tc] {
				t.Errorf("%s/%s missing (coverage total %d)", id, tc, totals[id])
			}
		}
		if totals[id] > 0 {
			scored++
		} else {
			gaps++
		}
	}
	if l.Layout.Expanded != "none" {
		t.Errorf("expandedSubtechniques %q: Navigator would open every parent, each sub-technique being annotated", l.Layout.Expanded)
	}
	if !strings.Contains(l.Description, fmt.Sprintf("%d without (gaps)", gaps)) {
		t.Errorf("description does not count %d gaps: %q", gaps, l.Description)
	}
	checkShading(t, l)
	return scored, gaps
}
