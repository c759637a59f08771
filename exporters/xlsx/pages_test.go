package xlsx_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/exporters/xlsx"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// TestPageSections reads every technique sheet of the sample workbook and
// checks, against fields.parquet and rules.parquet read here, that the
// computed columns are in "Thresholds and computed columns" and not among
// the fields, and that the technique's hunting queries are in their own
// section, after the rules.
func TestPageSections(t *testing.T) {
	set := sampleSet(t)
	f := open(t, write(t, set, xlsx.Exporter{PerTechnique: true}))
	// Computed columns and event fields per technique, from fields.parquet.
	computed, event := map[string]int{}, map[string]int{}
	tech, role := tables.Strings(set.Fields, tables.FieldTechnique), tables.Strings(set.Fields, tables.FieldRole)
	for i := range tech.Len() {
		if role.Value(i) == "computed" {
			computed[tech.Value(i)]++
		} else {
			event[tech.Value(i)]++
		}
	}
	// Hunting titles per technique tagged directly, from rules.parquet.
	hunting := map[string][]string{}
	kind, title, techs := tables.Strings(set.Rules, tables.RuleKind), tables.Strings(set.Rules, 3), tables.Lists(set.Rules, 7)
	for i := range kind.Len() {
		if kind.Value(i) == "hunting" {
			for _, id := range tables.ListAt(techs, i) {
				hunting[id] = append(hunting[id], title.Value(i))
			}
		}
	}
	checked := 0
	for id, n := range computed {
		rows, err := f.GetRows(id)
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		text := dumpRows(rows)
		want := fmt.Sprintf("Thresholds and computed columns (%d distinct)", n)
		if !strings.Contains(text, want) {
			t.Errorf("%s: no %q", id, want)
		}
		if want := fmt.Sprintf("Fields filtered most (%d distinct)", event[id]); !strings.Contains(text, want) {
			t.Errorf("%s: no %q", id, want)
		}
		checked++
	}
	for id, titles := range hunting {
		rows, err := f.GetRows(id)
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		text := dumpRows(rows)
		at, rulesAt := strings.Index(text, "\nHunting queries ("), strings.Index(text, "\nRules (")
		if at < 0 || at < rulesAt {
			t.Errorf("%s: no hunting section after the rules", id)
			continue
		}
		for _, title := range titles {
			if !strings.Contains(text[at:], title) {
				t.Errorf("%s: hunting query %q not in its section", id, title)
			}
			if strings.Contains(text[rulesAt:at], title) {
				t.Errorf("%s: hunting query %q among the rules", id, title)
			}
		}
		checked++
	}
	if len(hunting) == 0 {
		t.Error("the sample has no hunting query")
	}
	t.Logf("%d technique sheets checked (%d with computed columns, %d with hunting queries)", checked, len(computed), len(hunting))
}

func dumpRows(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t"))
		b.WriteByte('\n')
	}
	return b.String()
}
