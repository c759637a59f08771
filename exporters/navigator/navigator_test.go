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

// vendorOf is the vendor of a coverage layer's file name ("" for all).
func vendorOf(f string) string {
	if f == navigator.File {
		return ""
	}
	return strings.TrimSuffix(strings.TrimPrefix(f, "navigator-"), ".json")
}

// TestLayerFormat checks every layer against the keys and types of the
// Navigator layer format 4.5, and its entries against the run's ATT&CK
// techniques and coverage.parquet.
func TestLayerFormat(t *testing.T) {
	set := sitetest.Sample(t)
	dir, files := export(t, set)
	want := modelTactics(set)
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			b := pipetest.Read(t, filepath.Join(dir, f))
			validate(t, b)
			scored, gaps := checkCoverageLayer(t, b, want, coverageTotals(set, vendorOf(f)), vendorOf(f))
			if scored == 0 || gaps == 0 {
				t.Errorf("%d scored, %d gaps", scored, gaps)
			}
		})
	}
}

// TestSharedScores runs the checks on the full shared corpora, with the
// techniques read from the ATT&CK bundle itself.
func TestSharedScores(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	set := sitetest.Shared(t)
	dir, files := export(t, set)
	want := bundleTactics(t, pipetest.SharedAttack(t))
	for _, f := range files {
		b := pipetest.Read(t, filepath.Join(dir, f))
		validate(t, b)
		scored, gaps := checkCoverageLayer(t, b, want, coverageTotals(set, vendorOf(f)), vendorOf(f))
		t.Logf("%s: %d techniques and sub-techniques scored, %d gaps", f, scored, gaps)
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
	optionalKeys = map[string]string{"description": "string", "customDataURL": "string", "filters": "object", "sorting": "number",
		"layout": "object", "hideDisabled": "bool", "gradient": "object", "legendItems": "array",
		"metadata": "array", "links": "array", "showTacticRowBackground": "bool", "tacticRowBackground": "string",
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
		if v, ok := tech["score"]; ok {
			if s, _ := v.(float64); s < 0 || s != float64(int64(s)) {
				t.Errorf("techniques[%d]: score %v", i, v)
			}
		}
		if c, ok := tech["color"].(string); ok && !hexColor.MatchString(c) {
			t.Errorf("techniques[%d]: colour %q", i, c)
		}
	}
	g, ok := layer["gradient"].(map[string]any)
	if !ok {
		t.Fatal("no gradient")
	}
	checkKeys(t, "gradient", g, map[string]string{"colors": "array", "minValue": "number", "maxValue": "number"}, nil)
	if len(g["colors"].([]any)) < 2 {
		t.Errorf("gradient has %d colours, the format wants at least 2", len(g["colors"].([]any)))
	}
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
