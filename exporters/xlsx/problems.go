package xlsx

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// problemRow is one row of the Parse problems sheet.
type problemRow struct {
	tables.Problem
	ruleID, title string
	outcome       string // the file's outcome in files.parquet; "" when the file is not there
	rules         int64  // rules the file gave (files.parquet)
	file          int    // row of files.parquet, -1 when none
}

// fileKey is a file of files.parquet.
type fileKey struct{ vendor, root, path string }

// sheetProblems returns the rows of the Parse problems sheet: every
// problem and every failed or partial rule (problemRows), each with its
// file's outcome, and one row for every file of files.parquet that did not
// give a rule (skipped, deprecated, filtered, failed, duplicate, link) with
// its reason, so that the rows of each outcome but rule are exactly the
// files of that outcome. A non-rule file with problems is on one row: the
// first problem's, the others' messages appended. Rows are ordered by kind
// (failed, partial, note, then the outcomes), vendor in run order, file.
func (b *book) sheetProblems() []problemRow {
	rows := b.problemRows()
	files := b.set.Files
	if files == nil {
		return rows
	}
	fv, froot, fpath := tables.Strings(files, tables.FileVendor), tables.Strings(files, tables.FileRoot), tables.Strings(files, tables.FilePath)
	fout, frules, freason := tables.Strings(files, tables.FileOutcome), tables.Int64s(files, tables.FileRules), tables.Strings(files, tables.FileReason)
	byKey := map[fileKey]int{}
	byPath := map[[2]string]int{} // vendor, path → first row (problems of rules carry no root)
	for i := range int(files.NumRows()) {
		k := fileKey{fv.Value(i), froot.Value(i), fpath.Value(i)}
		if _, ok := byKey[k]; !ok {
			byKey[k] = i
		}
		if _, ok := byPath[[2]string{k.vendor, k.path}]; !ok {
			byPath[[2]string{k.vendor, k.path}] = i
		}
	}
	first := map[int]int{} // non-rule file → its row in out
	out := make([]problemRow, 0, len(rows))
	for _, r := range rows {
		r.file = -1
		i, ok := byKey[fileKey{r.Vendor, r.Root, r.Path}]
		if !ok {
			i, ok = byPath[[2]string{r.Vendor, r.Path}]
		}
		if ok {
			r.file, r.outcome, r.rules = i, fout.Value(i), frules.Value(i)
			if r.Root == "" {
				r.Root = froot.Value(i)
			}
			if r.outcome != string(tables.OutcomeRule) {
				if j, seen := first[i]; seen {
					out[j].Msg += " · " + r.Kind + ": " + r.Msg
					continue
				}
				first[i] = len(out)
			}
		}
		out = append(out, r)
	}
	for i := range int(files.NumRows()) {
		o := fout.Value(i)
		if _, seen := first[i]; seen || o == string(tables.OutcomeRule) {
			continue
		}
		out = append(out, problemRow{Problem: tables.Problem{Vendor: fv.Value(i), Root: froot.Value(i), Path: fpath.Value(i),
			Kind: o, Msg: freason.Value(i)}, outcome: o, rules: frules.Value(i), file: i})
	}
	order := map[string]int{}
	for i, v := range b.set.Meta.Vendors {
		order[v] = i
	}
	slices.SortStableFunc(out, func(a, c problemRow) int {
		return cmp.Or(problemRank(a.Kind)-problemRank(c.Kind), order[a.Vendor]-order[c.Vendor],
			cmp.Compare(a.Vendor, c.Vendor), cmp.Compare(a.Path, c.Path))
	})
	return out
}

// problemRank orders the kinds of the Parse problems sheet: failed,
// partial, note, then the file outcomes in tables.Outcomes order.
func problemRank(kind string) int {
	switch kind {
	case "failed":
		return 0
	case "partial":
		return 1
	case "note":
		return 2
	}
	for i, o := range tables.Outcomes {
		if string(o) == kind {
			return 3 + i
		}
	}
	return 3 + len(tables.Outcomes)
}

// problemRows returns the run's problems plus any failed or partial rule of
// the rules table that has no problem of its own, with the rule id and
// title attached where the file holds the rule, and line/column read from
// the message when the problem does not carry them.
func (b *book) problemRows() []problemRow {
	rc := b.set.Rules
	vendor, id, path, title := tables.Strings(rc, 0), tables.Strings(rc, 1), tables.Strings(rc, 2), tables.Strings(rc, 3)
	pstatus, perr := tables.Strings(rc, 12), tables.Strings(rc, 13)
	byFile := map[string][]int{}
	for i := range int(rc.NumRows()) {
		k := vendor.Value(i) + "\x00" + path.Value(i)
		byFile[k] = append(byFile[k], i)
	}
	key := func(vendor, path, kind, msg string) string {
		return vendor + "\x00" + path + "\x00" + kind + "\x00" + msg
	}
	have := map[string]bool{}
	var out []problemRow
	for _, p := range b.set.Problems {
		row := problemRow{Problem: p}
		have[key(p.Vendor, p.Path, p.Kind, p.Msg)] = true
		if p.Kind == "failed" || p.Kind == "partial" {
			rows := byFile[p.Vendor+"\x00"+p.Path]
			pick := -1
			for _, r := range rows {
				if perr.Value(r) == p.Msg && pstatus.Value(r) == p.Kind {
					pick = r
					break
				}
			}
			if pick < 0 && len(rows) == 1 {
				pick = rows[0]
			}
			if pick >= 0 {
				row.ruleID, row.title = id.Value(pick), title.Value(pick)
			}
		}
		out = append(out, row)
	}
	var extra []problemRow
	for i := range int(rc.NumRows()) {
		st := pstatus.Value(i)
		if st != "failed" && st != "partial" {
			continue
		}
		if have[key(vendor.Value(i), path.Value(i), st, perr.Value(i))] {
			continue
		}
		extra = append(extra, problemRow{Problem: tables.Problem{Vendor: vendor.Value(i), Path: path.Value(i), Kind: st,
			Msg: perr.Value(i)}, ruleID: id.Value(i), title: title.Value(i)})
	}
	slices.SortStableFunc(extra, func(a, c problemRow) int {
		return cmp.Or(cmp.Compare(a.Vendor, c.Vendor), cmp.Compare(a.Path, c.Path), cmp.Compare(a.ruleID, c.ruleID))
	})
	out = append(out, extra...)
	for i := range out {
		if out[i].Line == 0 {
			out[i].Line, out[i].Col = position(out[i].Msg)
		}
	}
	return out
}

// position finds "line N" and an optional "column M" / "col M" / ":M"
// right after it in an error message; 0 when absent.
func position(msg string) (line, col int) {
	lower := strings.ToLower(msg)
	i := strings.Index(lower, "line ")
	for i >= 0 {
		rest := lower[i+len("line "):]
		n, w := leadingInt(rest)
		if w > 0 {
			line = n
			rest = rest[w:]
			rest = strings.TrimLeft(rest, ", ")
			for _, p := range []string{"column ", "col ", ":"} {
				if strings.HasPrefix(rest, p) {
					if c, cw := leadingInt(rest[len(p):]); cw > 0 {
						col = c
					}
					break
				}
			}
			return line, col
		}
		j := strings.Index(rest, "line ")
		if j < 0 {
			break
		}
		i += len("line ") + j
	}
	return 0, 0
}

func leadingInt(s string) (int, int) {
	w := 0
	for w < len(s) && w < 9 && s[w] >= '0' && s[w] <= '9' {
		w++
	}
	if w == 0 {
		return 0, 0
	}
	n, _ := strconv.Atoi(s[:w])
	return n, w
}

// problems writes the Parse problems sheet: every file that did not give a
// clean rule, and why (sheetProblems).
func (b *book) problems() error {
	rows := b.sheetProblems()
	cols := []column{{title: "Vendor", max: 10}, {title: "File", max: 60}, {title: "Outcome", max: 11}, {title: "Kind", max: 11},
		{title: "Rules", max: 8}, {title: "Line", max: 7}, {title: "Column", max: 8}, {title: "Problem or reason", max: 80},
		{title: "Rule ID", max: 40}, {title: "Title", max: 50}, {title: "Source folder", max: 40}}
	t := b.st.text
	return b.table(table{
		name: ProblemsSheet, cols: cols, rows: len(rows), source: tables.FilesName,
		fill: func(i int, row []any) {
			p := rows[i]
			row[0], row[1], row[2], row[3] = b.str(p.Vendor, t), b.str(p.Path, t), b.str(p.outcome, t), b.str(p.Kind, t)
			if p.file >= 0 {
				row[4] = b.num(p.rules)
			}
			if p.Line > 0 {
				row[5] = b.num(int64(p.Line))
			}
			if p.Col > 0 {
				row[6] = b.num(int64(p.Col))
			}
			row[7], row[8], row[9], row[10] = b.str(p.Msg, t), b.str(p.ruleID, t), b.str(p.title, t), b.str(p.Root, t)
		},
	})
}
