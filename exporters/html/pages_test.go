package html_test

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/exporters/internal/sitetest"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// section returns the markup of page from the element with id to the end
// of its table.
func section(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, ` id="`+id+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</table>")
	if j < 0 {
		t.Fatalf("no end of table after %s", id)
	}
	return page[i : i+j]
}

var cellRe = regexp.MustCompile(`<tr data-r="[^"]*"><td><code>([^<]*)</code><td>([^<]*)<td>`)

// TestTechniqueTables checks, on T1595 and T1059.001, the technique page
// parts of issues 20 and 23: no existence check among indicator values, eq
// and in one equality, computed columns in their own table and not among
// the fields, and the hunting queries in their own section, against the
// rules and predicates tables.
func TestTechniqueTables(t *testing.T) {
	set := sitetest.Sample(t)
	dir, _ := export(t, set)
	rules := readRules(set)
	for _, tech := range []string{"T1595", "T1059.001"} {
		page := string(pipetest.Read(t, filepath.Join(dir, "html", "techniques", tech+".html")))
		ind := section(t, page, "indicator-rows")
		rows := cellRe.FindAllStringSubmatch(ind, -1)
		if len(rows) == 0 {
			t.Errorf("%s: no indicator row", tech)
		}
		for _, m := range rows {
			if m[2] == "is_null" || m[2] == "is_not_null" || m[2] == "in" {
				t.Errorf("%s: indicator %s %s", tech, m[1], m[2])
			}
		}
		// Computed columns of the counted rules: in their table, not among
		// the fields (unless an event field of the same name).
		computed, event := map[string]bool{}, map[string]bool{}
		var hunting int
		for _, r := range rules {
			if !slices.Contains(r.techniques, tech) {
				continue
			}
			if r.kind == "hunting" {
				hunting++
			}
			if !slices.Contains(set.Meta.Kinds, r.kind) {
				continue
			}
			for _, p := range r.preds {
				if !p.negated && p.role == "computed" {
					computed[p.field] = true
				} else if !p.negated {
					event[p.field] = true
				}
			}
		}
		fields, comp := section(t, page, "field-rows"), section(t, page, "computed-rows")
		for f := range computed {
			if !strings.Contains(comp, "<code>"+f+"</code>") {
				t.Errorf("%s: computed column %s not in its table", tech, f)
			}
			if !event[f] && strings.Contains(fields, "<code>"+f+"</code>") {
				t.Errorf("%s: computed column %s among the event fields", tech, f)
			}
		}
		if strings.Index(page, `id="fields"`) > strings.Index(page, `id="computed"`) {
			t.Errorf("%s: computed columns before the event fields", tech)
		}
		head := `<h2 id="hunting">Hunting queries (<span id="hunting-shown">` + strconv.Itoa(hunting) + `</span>`
		if hunting > 0 && !strings.Contains(page, head) {
			t.Errorf("%s: no hunting section of %d queries", tech, hunting)
		}
		if hunting == 0 && strings.Contains(page, `id="hunting"`) {
			t.Errorf("%s: a hunting section without hunting queries", tech)
		}
		t.Logf("%s: %d indicator rows, %d computed columns, %d hunting queries", tech, len(rows), len(computed), hunting)
	}
}

var outcomeRe = regexp.MustCompile(`<tr data-outcome="([a-z]+)"><t[dh]>[^<]*</t[dh]><t[dh] class="n">(\d+)</t[dh]>`)

// TestProblemsPage checks that the problems page's outcome counts are
// files.parquet's, and add up to its rows.
func TestProblemsPage(t *testing.T) {
	set := sitetest.Sample(t)
	dir, _ := export(t, set)
	page := string(pipetest.Read(t, filepath.Join(dir, "html", "problems.html")))
	want := map[string]int{}
	out := tables.Strings(set.Files, tables.FileOutcome)
	for i := range out.Len() {
		want[out.Value(i)]++
	}
	want["all"] = int(set.Files.NumRows())
	got, sum := map[string]int{}, 0
	for _, m := range outcomeRe.FindAllStringSubmatch(page, -1) {
		n, _ := strconv.Atoi(m[2])
		got[m[1]] = n
		if m[1] != "all" {
			sum += n
		}
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("outcome %s: %d files on the page, want %d", k, got[k], n)
		}
	}
	if sum != want["all"] || want["all"] == 0 {
		t.Errorf("outcomes add up to %d, want %d", sum, want["all"])
	}
	if n := want["all"] - want["rule"]; !strings.Contains(page, "Files that gave no rule ("+strconv.Itoa(n)+")") {
		t.Errorf("problems page does not list the %d files that gave no rule", n)
	}
	if n := len(set.Problems); !strings.Contains(page, "Problems of the rules read ("+strconv.Itoa(n)+")") {
		t.Errorf("problems page does not list the %d problems", n)
	}
}

// TestRuleData checks a rule's details data: its query as written (the
// Texts row of its rules row), its predicate count, and the link to its
// file at its source's commit when the source has a web address.
func TestRuleData(t *testing.T) {
	set := sitetest.Sample(t)
	for i := range set.Meta.Sources {
		set.Meta.Sources[i].WebURL = "https://example.test/" + set.Meta.Sources[i].Vendor + "/blob/0123abc/rules"
	}
	dir, files := export(t, set)
	type data struct {
		P [][]any
		Q string
		U string
		H string
	}
	byHome := map[string]data{}
	for _, f := range files {
		if !strings.HasPrefix(f, "html/rules/") {
			continue
		}
		b := string(pipetest.Read(t, filepath.Join(dir, f)))
		start, end := strings.Index(b, "{"), strings.LastIndex(b, "}")
		var chunk struct {
			F []string
			R []data
		}
		if err := json.Unmarshal([]byte(b[start:end+1]), &chunk); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, d := range chunk.R {
			byHome[d.H] = d
			for _, p := range d.P {
				if l, _ := p[8].(string); l != "" {
					k, _, _ := strings.Cut(l, "#")
					if n, err := strconv.Atoi(k); err != nil || n >= len(chunk.F) || !slices.Contains(files, "html/"+chunk.F[n]) {
						t.Errorf("%s: rule %s: link %q to no page", f, d.H, l)
					}
				}
			}
		}
	}
	rules := readRules(set)
	if len(byHome) != len(rules) {
		t.Errorf("%d rules in the data files, want %d", len(byHome), len(rules))
	}
	checked := 0
	for row, r := range rules {
		// The rule's page: its first technique's, where it is shown.
		var d data
		found := false
		for h, x := range byHome {
			if strings.HasSuffix(h, "-"+r.id) && strings.Contains(h, "r-"+r.vendor+"-") {
				d, found = x, true
				break
			}
		}
		if !found || r.id == "" {
			continue
		}
		checked++
		if len(d.P) != r.nPreds {
			t.Errorf("%s %s: %d predicates in its data, want %d", r.vendor, r.id, len(d.P), r.nPreds)
		}
		if want := set.Texts[row].Query; d.Q != strings.ReplaceAll(strings.ReplaceAll(want, "\r\n", "\n"), "\t", "    ") {
			t.Errorf("%s %s: query %q, want %q", r.vendor, r.id, d.Q, want)
		}
		if want := "https://example.test/" + r.vendor + "/blob/0123abc/rules/" + r.path; d.U != want {
			t.Errorf("%s %s: source %q, want %q", r.vendor, r.id, d.U, want)
		}
	}
	if checked < len(rules)/2 {
		t.Errorf("checked %d of %d rules", checked, len(rules))
	}
}

// TestUncoveredAndGroups checks the page of a technique without a rule
// and the order of a group page (gaps first).
func TestUncoveredAndGroups(t *testing.T) {
	set := sitetest.Run(t, pipeline.Options{Sources: sitetest.SampleSources(t), Groups: []string{"APT29", "G0007"}})
	dir, files := export(t, set)
	covered := map[string]bool{}
	for _, r := range readRules(set) {
		for _, tech := range r.techniques {
			covered[tech] = true
		}
	}
	var tech string
	for _, at := range set.Attack.List {
		if at.Current() && !covered[at.ID] && len(at.Tactics) > 0 {
			tech = at.ID
			break
		}
	}
	page := string(pipetest.Read(t, filepath.Join(dir, "html", "techniques", tech+".html")))
	at := set.Attack.Techniques[tech]
	for _, want := range append([]string{"Not covered: 0 rules.", `<h2 id="telemetry">`}, at.Tactics...) {
		if !strings.Contains(page, want) {
			t.Errorf("%s (uncovered): no %q", tech, want)
		}
	}
	if len(set.Groups) != 2 {
		t.Fatalf("groups %v, want APT29 and G0007", set.Groups)
	}
	var groupPages []string
	for _, f := range files {
		if strings.HasPrefix(f, "html/groups/") {
			groupPages = append(groupPages, f)
		}
	}
	if want := groupsUsingTechniques(set); len(groupPages) != want {
		t.Errorf("%d group pages, want %d (every group that uses a technique)", len(groupPages), want)
	}
	for _, g := range set.Groups {
		if !slices.ContainsFunc(groupPages, func(f string) bool { return strings.Contains(f, g) }) {
			t.Errorf("no page for --group %s", g)
		}
	}
	rowRe := regexp.MustCompile(`<tr class="(c\d)">`)
	for _, f := range groupPages {
		b := string(pipetest.Read(t, filepath.Join(dir, f)))
		var shades []string
		for _, m := range rowRe.FindAllStringSubmatch(b, -1) {
			shades = append(shades, m[1])
		}
		if len(shades) == 0 || !slices.IsSorted(shades) {
			t.Errorf("%s: rows not gaps first, then by rules: %v", f, shades)
		}
	}
}

var telemetryCellRe = regexp.MustCompile(`<tr><td>(DC\d+)[^<]*</td><td[^>]*>[^<]*</td><td class="n"(?: data-r="([^"]*)")?>(\d+)</td>`)

// TestTelemetryRecounts checks every telemetry row of the sample's
// technique pages that counts rules carries the page positions of as many
// rules as it counts, so the filters can recount it.
func TestTelemetryRecounts(t *testing.T) {
	set := sitetest.Sample(t)
	dir, _ := export(t, set)
	rows := 0
	for _, tech := range []string{"T1595", "T1059.001", "T1110", "T1003.001"} {
		page := string(pipetest.Read(t, filepath.Join(dir, "html", "techniques", tech+".html")))
		for _, m := range telemetryCellRe.FindAllStringSubmatch(section(t, page, "telemetry"), -1) {
			n, _ := strconv.Atoi(m[3])
			if n == 0 {
				continue // a gap: nothing to recount
			}
			rows++
			got := 0
			for _, part := range strings.Fields(m[2]) {
				lo, hi, isRange := strings.Cut(part, "-")
				a, _ := strconv.Atoi(lo)
				b := a
				if isRange {
					b, _ = strconv.Atoi(hi)
				}
				got += b - a + 1
			}
			if got != n {
				t.Errorf("%s %s: %d rules, members %q name %d", tech, m[1], n, m[2], got)
			}
		}
	}
	if rows == 0 {
		t.Fatal("no telemetry row with rules")
	}
}
