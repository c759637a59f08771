package navigator_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/exporters/internal/sitetest"
	"github.com/ruleatlas/ruleatlas/exporters/navigator"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// commitHex is a git commit id: the sample corpus is in the checkout, whose
// commit changes with every commit, so the goldens name it <commit>.
var commitHex = regexp.MustCompile(`\b[0-9a-f]{40}\b`)

func export(t *testing.T, set *tables.Set) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	files, err := navigator.Exporter{}.Export(context.Background(), set, dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, files
}

func TestGolden(t *testing.T) {
	set := sitetest.Sample(t)
	dir, files := export(t, set)
	want := []string{navigator.File}
	for _, v := range set.Meta.Vendors {
		want = append(want, navigator.VendorFile(v))
	}
	if !slices.Equal(files, want) {
		t.Fatalf("files = %v, want %v", files, want)
	}
	b := pipetest.Read(t, filepath.Join(dir, navigator.File))
	// Source roots are absolute paths of this checkout.
	got := commitHex.ReplaceAllString(strings.ReplaceAll(string(b), pipetest.RepoRoot(t), "<repo>"), "<commit>")
	pipetest.Golden(t, "testdata/navigator.golden.json", got)
}

// TestLayerFormat checks every layer against the keys and types of the
// Navigator layer format 4.5, and the scores against coverage.parquet.
func TestLayerFormat(t *testing.T) {
	set := sitetest.Sample(t)
	dir, files := export(t, set)
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			vendor := ""
			if f != navigator.File {
				vendor = strings.TrimSuffix(strings.TrimPrefix(f, "navigator-"), ".json")
			}
			layer := validate(t, pipetest.Read(t, filepath.Join(dir, f)))
			checkScores(t, set, layer, vendor)
		})
	}
}

// TestSharedScores runs the checks on the full shared corpora.
func TestSharedScores(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	set := sitetest.Shared(t)
	dir, files := export(t, set)
	for _, f := range files {
		vendor := ""
		if f != navigator.File {
			vendor = strings.TrimSuffix(strings.TrimPrefix(f, "navigator-"), ".json")
		}
		layer := validate(t, pipetest.Read(t, filepath.Join(dir, f)))
		n := checkScores(t, set, layer, vendor)
		t.Logf("%s: %d technique entries, %d techniques scored", f, len(layer["techniques"].([]any)), n)
	}
}

func TestXSSProbe(t *testing.T) {
	src := sitetest.SampleSources(t)
	set := sitetest.Run(t, pipeline.Options{Sources: append(src, sitetest.XSSSource(t))})
	dir, files := export(t, set)
	sitetest.CheckNoRawPayload(t, dir, files)
	for _, f := range files {
		validate(t, pipetest.Read(t, filepath.Join(dir, f)))
	}
}

var (
	techniqueID = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
	tacticName  = regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)
	hexColor    = regexp.MustCompile(`^#[0-9a-f]{6}$`)
)

// layerKeys are the top-level keys of layer format 4.5 with their JSON
// types; required ones first.
var (
	requiredKeys = map[string]string{"name": "string", "versions": "object", "domain": "string", "techniques": "array"}
	optionalKeys = map[string]string{"description": "string", "filters": "object", "sorting": "number",
		"layout": "object", "hideDisabled": "bool", "gradient": "object", "legendItems": "array",
		"metadata": "array", "links": "array", "showTMLinks": "bool", "tacticRowBackground": "string",
		"selectTechniquesAcrossTactics": "bool", "selectSubtechniquesWithParent": "bool", "selectVisibleTechniques": "bool"}
	techniqueKeys = map[string]string{"techniqueID": "string", "tactic": "string", "score": "number",
		"color": "string", "comment": "string", "enabled": "bool", "metadata": "array", "links": "array",
		"showSubtechniques": "bool"}
)

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case nil:
		return "null"
	}
	return "?"
}

func checkKeys(t *testing.T, where string, obj map[string]any, required, optional map[string]string) {
	t.Helper()
	for k, typ := range required {
		v, ok := obj[k]
		if !ok {
			t.Errorf("%s: missing required key %q", where, k)
		} else if jsonType(v) != typ {
			t.Errorf("%s.%s is %s, want %s", where, k, jsonType(v), typ)
		}
	}
	for k, v := range obj {
		if _, ok := required[k]; ok {
			continue
		}
		typ, ok := optional[k]
		if !ok {
			t.Errorf("%s: key %q is not in layer format 4.5", where, k)
		} else if jsonType(v) != typ {
			t.Errorf("%s.%s is %s, want %s", where, k, jsonType(v), typ)
		}
	}
}

// validate decodes a layer and checks it against layer format 4.5.
func validate(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var layer map[string]any
	if err := json.Unmarshal(b, &layer); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	checkKeys(t, "layer", layer, requiredKeys, optionalKeys)
	if t.Failed() {
		t.FailNow()
	}
	vers := layer["versions"].(map[string]any)
	checkKeys(t, "versions", vers, map[string]string{"layer": "string", "navigator": "string"}, map[string]string{"attack": "string"})
	if vers["layer"] != "4.5" {
		t.Errorf("versions.layer = %v, want 4.5", vers["layer"])
	}
	if a, ok := vers["attack"].(string); ok && !regexp.MustCompile(`^\d+$`).MatchString(a) {
		t.Errorf("versions.attack = %q, want a major version number", a)
	}
	if layer["domain"] != "enterprise-attack" {
		t.Errorf("domain = %v", layer["domain"])
	}
	if l, ok := layer["layout"].(map[string]any); ok {
		checkKeys(t, "layout", l, nil, map[string]string{"layout": "string", "aggregateFunction": "string",
			"showID": "bool", "showName": "bool", "showAggregateScores": "bool", "countUnscored": "bool",
			"expandedSubtechniques": "string"})
		if !slices.Contains([]any{"side", "flat", "mini"}, l["layout"]) {
			t.Errorf("layout.layout = %v", l["layout"])
		}
	}
	seen := map[string]bool{}
	for i, x := range layer["techniques"].([]any) {
		tech, ok := x.(map[string]any)
		if !ok {
			t.Fatalf("techniques[%d] is not an object", i)
		}
		checkKeys(t, "technique", tech, map[string]string{"techniqueID": "string"}, techniqueKeys)
		id, _ := tech["techniqueID"].(string)
		tactic, _ := tech["tactic"].(string)
		if !techniqueID.MatchString(id) || !tacticName.MatchString(tactic) {
			t.Errorf("techniques[%d]: id %q tactic %q", i, id, tactic)
		}
		if seen[id+"/"+tactic] {
			t.Errorf("techniques[%d]: %s/%s twice", i, id, tactic)
		}
		seen[id+"/"+tactic] = true
		if s, _ := tech["score"].(float64); s < 1 || s != float64(int64(s)) {
			t.Errorf("techniques[%d]: score %v", i, tech["score"])
		}
	}
	g, ok := layer["gradient"].(map[string]any)
	if !ok {
		t.Fatal("no gradient")
	}
	checkKeys(t, "gradient", g, map[string]string{"colors": "array", "minValue": "number", "maxValue": "number"}, nil)
	for _, c := range g["colors"].([]any) {
		if s, _ := c.(string); !hexColor.MatchString(s) {
			t.Errorf("gradient colour %v", c)
		}
	}
	if g["maxValue"].(float64) <= g["minValue"].(float64) {
		t.Errorf("gradient %v..%v", g["minValue"], g["maxValue"])
	}
	for _, x := range layer["legendItems"].([]any) {
		li := x.(map[string]any)
		checkKeys(t, "legendItems", li, map[string]string{"label": "string", "color": "string"}, nil)
		if !hexColor.MatchString(li["color"].(string)) {
			t.Errorf("legend colour %v", li["color"])
		}
	}
	sources := 0
	for _, x := range layer["metadata"].([]any) {
		m := x.(map[string]any)
		checkKeys(t, "metadata", m, map[string]string{"name": "string", "value": "string"}, nil)
		if m["name"] == "source" {
			sources++
		}
	}
	if sources == 0 {
		t.Error("metadata names no source")
	}
	return layer
}

// checkScores compares the layer's scores with coverage.parquet read
// directly: every technique with rules and an ATT&CK tactic is present once
// per tactic with score = its coverage total, and nothing else is. It
// returns the number of techniques scored.
func checkScores(t *testing.T, set *tables.Set, layer map[string]any, vendor string) int {
	t.Helper()
	want := map[string]int64{}
	tactics := map[string][]string{}
	cov := set.Coverage
	ids, vendors, rules, tl := tables.Strings(cov, 0), tables.Strings(cov, 4), tables.Int64s(cov, 5), tables.Lists(cov, 3)
	for i := range int(cov.NumRows()) {
		if vendor == "" || vendors.Value(i) == vendor {
			want[ids.Value(i)] += rules.Value(i)
		}
		tactics[ids.Value(i)] = tables.ListAt(tl, i)
	}
	short := map[string]string{}
	for _, tc := range set.Attack.Tactics {
		short[tc.Name] = tc.ShortName
	}
	got := map[string]int64{}
	for _, x := range layer["techniques"].([]any) {
		tech := x.(map[string]any)
		id := tech["techniqueID"].(string)
		s := int64(tech["score"].(float64))
		if s != want[id] {
			t.Errorf("%s: score %d, coverage total %d", id, s, want[id])
		}
		if !slices.Contains(tactics[id], shortToName(short, tech["tactic"].(string))) {
			t.Errorf("%s: tactic %v is not one of its ATT&CK tactics %v", id, tech["tactic"], tactics[id])
		}
		if c, _ := tech["comment"].(string); vendor == "" && !strings.Contains(c, " (") {
			t.Errorf("%s: comment %q has no per-vendor counts", id, c)
		}
		got[id]++
	}
	n := 0
	for id, total := range want {
		at := set.Attack.Techniques[id]
		if total == 0 || at == nil || !at.Current() || len(tactics[id]) == 0 {
			if got[id] > 0 {
				t.Errorf("%s in the layer but has no rules or is not a current technique", id)
			}
			continue
		}
		n++
		if got[id] != int64(len(tactics[id])) {
			t.Errorf("%s: %d entries, want one per tactic (%v)", id, got[id], tactics[id])
		}
	}
	return n
}

func shortToName(short map[string]string, s string) string {
	for name, sh := range short {
		if sh == s {
			return name
		}
	}
	return ""
}

// TestDeterministic exports twice and compares bytes.
func TestDeterministic(t *testing.T) {
	set := sitetest.Sample(t)
	a, files := export(t, set)
	b, _ := export(t, set)
	for _, f := range files {
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		if string(x) != string(y) {
			t.Errorf("%s differs between two exports", f)
		}
	}
}
