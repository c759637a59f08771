package xlsx_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/exporters/xlsx"
)

// TestTelemetryAndGroupsSheets checks the Telemetry sheet against
// datacomponents.parquet and the Groups sheet against the ATT&CK groups.
func TestTelemetryAndGroupsSheets(t *testing.T) {
	set := sampleSet(t)
	f := open(t, write(t, set, xlsx.Exporter{}))
	if got, want := dataRows(t, f, xlsx.TelemetrySheet), int(set.DataComponents.NumRows()); got != want {
		t.Errorf("Telemetry: %d rows, want %d", got, want)
	}
	if got, want := dataRows(t, f, xlsx.GroupsSheet), len(set.Attack.Groups); got != want {
		t.Errorf("Groups: %d rows, want %d", got, want)
	}
	rows, err := f.GetRows(xlsx.TelemetrySheet)
	if err != nil {
		t.Fatal(err)
	}
	var recommended []string
	for _, r := range rows {
		if len(r) > 5 && r[0] == "T1059.001" && r[5] == "yes" {
			recommended = append(recommended, r[2])
		}
	}
	slices.Sort(recommended)
	if want := []string{"DC0016", "DC0032", "DC0034", "DC0064"}; !slices.Equal(recommended, want) {
		t.Errorf("T1059.001 recommended %v, want %v", recommended, want)
	}
	groups, _ := f.GetRows(xlsx.GroupsSheet)
	found := false
	for _, r := range groups {
		if r[0] == "G0016" {
			found = true
			if r[1] != "APT29" || r[2] != "66" || !strings.Contains(r[len(r)-1], "Cozy Bear") {
				t.Errorf("G0016 row %q", r)
			}
		}
	}
	if !found {
		t.Error("no G0016 row")
	}
}
