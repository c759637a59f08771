package tables

// History is the coverage trend of an earlier `ruleatlas history` run whose
// tables lie in the report's output folder; exporters draw it beside the
// run's own figures. Counts are of the kinds that raise alerts, and a
// technique counts as covered when it or one of its sub-techniques has a
// rule (parent techniques only, as the headline coverage counts them).
type History struct {
	Points  []string // YYYY-MM-DD, oldest first
	Vendors []string // sorted
	// Covered[vendor][i] is the number of ATT&CK techniques the vendor
	// covers at point i; -1 when the vendor was not measured there.
	Covered map[string][]int
	// All[i] is the number of techniques any vendor covers at point i; -1
	// when no source was measured there (every series is then -1 too).
	All []int
	// Tactics[name][i] is the number of the tactic's techniques covered by
	// any vendor at point i, for the tactics in TacticOrder.
	Tactics     map[string][]int
	TacticOrder []string
	// TacticTotal[name] is the number of techniques the tactic has.
	TacticTotal map[string]int
	// Rules[technique][i] is the number of rules (all vendors) for the
	// technique at point i; a technique absent from the map had none.
	Rules map[string][]int
	// Commits[vendor][i] is the commit read for the vendor at point i.
	Commits map[string][]string
}

// Last is the index of the newest point, -1 when there is none.
func (h *History) Last() int { return len(h.Points) - 1 }

// First is the index of the oldest point at which any source was measured
// (had a commit), -1 when there is none.
func (h *History) First() int {
	for i, v := range h.All {
		if v >= 0 {
			return i
		}
	}
	return -1
}
