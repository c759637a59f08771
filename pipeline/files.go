package pipeline

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// fileStat is what became of one loaded candidate file (State.Files[i]):
// Load fills it, Filter counts the rules it leaves out.
type fileStat struct {
	failed     bool   // could not be read or decoded
	reason     string // the load error, the skip reason, else the file's first problem
	deprecated int    // deprecated rules left out
	filtered   int    // rules left out by the filters
}

// fileRow is one row of the files table.
type fileRow struct {
	src                        int // source index, for the sort
	vendor, root, path, reason string
	outcome                    tables.Outcome
	rules                      int64
}

// fileNote sets the reason of file number i unless it has one.
func (st *State) fileNote(i int, msg string) {
	if st.fileStats[i].reason == "" {
		st.fileStats[i].reason = msg
	}
}

// fileRows gives every candidate file its outcome: the loaded files from
// their stats and the rules they gave (rules, indexed by State.Files), with
// the rows Discover recorded (links, duplicates, unreadable entries).
func (st *State) fileRows(rules []int) []fileRow {
	rows := make([]fileRow, 0, len(st.Files)+len(st.otherFiles))
	for i, f := range st.Files {
		s := st.fileStats[i]
		row := fileRow{src: f.src, vendor: f.vendor, root: f.root, path: f.rel, rules: int64(rules[i]), reason: s.reason}
		var left []string
		if s.deprecated > 0 {
			left = append(left, plural(s.deprecated, "deprecated rule")+" left out (--include-deprecated keeps them)")
		}
		if s.filtered > 0 {
			left = append(left, plural(s.filtered, "rule")+" left out by the filters")
		}
		switch {
		case s.failed:
			row.outcome = tables.OutcomeFailed
		case rules[i] > 0:
			row.outcome = tables.OutcomeRule
		case s.filtered > 0:
			row.outcome = tables.OutcomeFiltered
		case s.deprecated > 0:
			row.outcome = tables.OutcomeDeprecated
		default:
			row.outcome = tables.OutcomeSkipped
			if row.reason == "" {
				row.reason = "no rule in the file"
			}
		}
		if s.failed && s.filtered > 0 {
			row.reason += " (its failed row left out by the filters)"
		} else if len(left) > 0 {
			note := strings.Join(left, ", ")
			if row.reason == "" {
				row.reason = note
			} else {
				row.reason = note + "; " + row.reason
			}
		}
		rows = append(rows, row)
	}
	rows = append(rows, st.otherFiles...)
	slices.SortStableFunc(rows, func(a, b fileRow) int {
		return cmp.Or(cmp.Compare(a.src, b.src), cmp.Compare(a.path, b.path))
	})
	return rows
}

// plural is "1 rule" or "n rules".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// buildFiles writes the files table.
func buildFiles(st *State, rows []fileRow) arrow.RecordBatch {
	b := tables.NewBuilder(st.Mem, tables.FilesSchema)
	b.Reserve(len(rows))
	for _, r := range rows {
		b.Str(tables.FileVendor, r.vendor)
		b.Str(tables.FileRoot, r.root)
		b.Str(tables.FilePath, r.path)
		b.Str(tables.FileOutcome, string(r.outcome))
		b.Int64(tables.FileRules, r.rules)
		b.Str(tables.FileReason, r.reason)
	}
	return b.Finish()
}

// FileCounts counts the candidate files by vendor and outcome.
type FileCounts = Tally[tables.Outcome]

func countFiles(rows []fileRow) FileCounts {
	c := FileCounts{}
	for _, r := range rows {
		c.add(r.vendor, r.outcome)
	}
	return c
}
