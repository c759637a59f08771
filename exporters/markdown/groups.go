package markdown

import (
	"cmp"
	"slices"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// group is the report section of one ATT&CK group asked for with --group.
type group struct {
	Key   string // as asked
	Found bool
	view.GroupPage
	Gaps int // techniques the group uses without any rule
}

// groups builds the section of every group of the run (set.Groups), the
// techniques ordered gaps first, then fewest rules first (ties by id), so
// that the weakest coverage leads.
func groups(set *tables.Set) []group {
	var out []group
	for _, key := range set.Groups {
		p, ok := view.Group(set, key)
		g := group{Key: key, Found: ok, GroupPage: p}
		slices.SortStableFunc(g.Rows, func(a, b view.GroupRow) int {
			return cmp.Or(cmp.Compare(a.Rules, b.Rules), cmp.Compare(a.ID, b.ID))
		})
		g.Gaps = len(g.Rows) - g.Covered
		out = append(out, g)
	}
	return out
}
