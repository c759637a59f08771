package view

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// summaryCatalog is a hand-made catalog: two tactics, a technique in both,
// sub-techniques, a gap with sub-techniques, a gap spanning more platforms,
// a revoked technique and an unknown id.
func summaryCatalog() (*Catalog, *attack.Model) {
	tc := func(id, name, parent string, rules int64, current bool, tactics ...string) TechniqueCoverage {
		return TechniqueCoverage{ID: id, Name: name, ParentID: parent, Tactics: tactics, Known: true, Current: current,
			Rules: rules, Vendors: []Count{{"sigma", rules}}}
	}
	c := &Catalog{
		Tactics: []TacticCoverage{{ID: "TA0002", Name: "Execution"}, {ID: "TA0003", Name: "Persistence"}},
		Techniques: []TechniqueCoverage{
			tc("T1053", "Scheduled Task/Job", "", 7, true, "Execution", "Persistence"),
			tc("T1053.005", "Scheduled Task", "T1053", 5, true, "Execution", "Persistence"),
			tc("T1059", "Command and Scripting Interpreter", "", 30, true, "Execution"),
			tc("T1098", "Account Manipulation", "", 0, true, "Persistence"),
			tc("T1098.001", "Additional Cloud Credentials", "T1098", 0, true, "Persistence"),
			tc("T1098.002", "Additional Email Delegate Permissions", "T1098", 0, true, "Persistence"),
			tc("T1204", "User Execution", "", 0, true, "Execution"),
			tc("T1203", "Exploitation for Client Execution", "", 0, true, "Execution"),
			tc("T1064", "Scripting", "", 3, false, "Execution"),
			{ID: "T9999", Rules: 2, Vendors: []Count{{"sigma", 2}}},
		},
	}
	m := &attack.Model{Techniques: map[string]*attack.Technique{
		"T1204": {ID: "T1204", Platforms: []string{"Linux", "macOS", "Windows"}},
		"T1203": {ID: "T1203", Platforms: []string{"Windows"}},
	}}
	return c, m
}

func TestMatrix(t *testing.T) {
	c, _ := summaryCatalog()
	got := c.Matrix()
	require.Len(t, got, 2)
	require.Equal(t, "Execution", got[0].Tactic)
	var ids []string
	for _, cell := range got[0].Cells {
		ids = append(ids, cell.ID)
	}
	// Sorted by name; the revoked T1064, sub-techniques and unknown ids are left out.
	require.Equal(t, []string{"T1059", "T1203", "T1053", "T1204"}, ids)
	require.Equal(t, MatrixCell{ID: "T1053", Name: "Scheduled Task/Job", Rules: 7, SubTechniques: 1, SubCovered: 1}, got[0].Cells[2])
	require.Equal(t, []MatrixCell{
		{ID: "T1098", Name: "Account Manipulation", SubTechniques: 2},
		{ID: "T1053", Name: "Scheduled Task/Job", Rules: 7, SubTechniques: 1, SubCovered: 1},
	}, got[1].Cells)
}

func TestBiggestGaps(t *testing.T) {
	c, m := summaryCatalog()
	got := c.BiggestGaps(m, 10)
	var ids []string
	for _, g := range got {
		ids = append(ids, g.ID)
	}
	// Most sub-techniques first, then most platforms.
	require.Equal(t, []string{"T1098", "T1204", "T1203"}, ids)
	require.Equal(t, 2, got[0].SubTechniques)
	require.Equal(t, []string{"Linux", "macOS", "Windows"}, got[1].Platforms)
	require.Len(t, c.BiggestGaps(m, 1), 1)
	require.Len(t, c.BiggestGaps(nil, 10), 3)
}

func TestMostCovered(t *testing.T) {
	c, _ := summaryCatalog()
	var ids []string
	for _, tc := range c.MostCovered(3) {
		ids = append(ids, tc.ID)
	}
	require.Equal(t, []string{"T1059", "T1053", "T1064"}, ids)
}

func TestTopProblems(t *testing.T) {
	ps := []tables.Problem{
		{Vendor: "splunk", Kind: "note", Msg: "macro `x(1)` not found"},
		{Vendor: "splunk", Kind: "note", Msg: "macro `x(2)` not found"},
		{Vendor: "sigma", Kind: "failed", Msg: "query line 3, column 15: unexpected token"},
		{Vendor: "sigma", Kind: "failed", Msg: "query line 12, column 1: unexpected token"},
		{Vendor: "sigma", Kind: "partial", Msg: "unsupported modifier"},
		{Vendor: "zeta", Kind: "note", Msg: "skipped"},
	}
	got := TopProblems(ps, []string{"sigma", "splunk"}, 3)
	require.Equal(t, []ProblemGroup{
		{"sigma", "failed", "query line N, column N: unexpected token", 2},
		{"sigma", "partial", "unsupported modifier", 1}, // failures and partial parses before notes
		{"splunk", "note", "macro `x(N)` not found", 2},
	}, got)
	all := TopProblems(ps, []string{"sigma", "splunk"}, 10)
	require.Len(t, all, 4)
	require.Equal(t, "zeta", all[3].Vendor, "vendors outside the run order come last")
}

func TestMaskNumbersKeepsNames(t *testing.T) {
	for in, want := range map[string]string{
		"sourcetype=aws:s3:accesslogs not found": "sourcetype=aws:s3:accesslogs not found",
		"line 12, column 3: bad token":           "line N, column N: bad token",
		"technique T1059 unknown (utf8 at 40)":   "technique T1059 unknown (utf8 at N)",
		"version 1.2 of rule_2 at offset 7.":     "version 1.2 of rule_2 at offset N.",
		"macro `x(2)` not found":                 "macro `x(N)` not found",
	} {
		if got := maskNumbers(in); got != want {
			t.Errorf("maskNumbers(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPercentRoundsHalfUp(t *testing.T) {
	for _, c := range []struct {
		n, of int64
		want  string
	}{{192, 216, "89%"}, {191, 216, "88%"}, {1, 8, "13%"}, {1, 200, "1%"}, {1, 201, "0%"}, {0, 5, "0%"},
		{5, 5, "100%"}, {199, 200, "100%"}, {3, 0, "–"}, {7, 11, "64%"}, {1, 2, "50%"}} {
		if got := PercentText(c.n, c.of); got != c.want {
			t.Errorf("PercentText(%d, %d) = %s, want %s", c.n, c.of, got, c.want)
		}
	}
	if got := Share(7, 8); got != 0.88 {
		t.Errorf("Share(7, 8) = %v, want 0.88", got)
	}
}

func TestChange(t *testing.T) {
	for n, want := range map[int]string{3: "+3", -2: "−2", 0: "0"} {
		if got := Change(n); got != want {
			t.Errorf("Change(%d) = %q, want %q", n, got, want)
		}
	}
}
