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

// problems writes the Parse problems sheet.
func (b *book) problems() error {
	rows := b.problemRows()
	cols := []column{{title: "Vendor", max: 10}, {title: "File", max: 60}, {title: "Kind", max: 9},
		{title: "Line", max: 7}, {title: "Column", max: 8}, {title: "Error", max: 80}, {title: "Rule ID", max: 40},
		{title: "Title", max: 50}, {title: "Source folder", max: 40}}
	t := b.st.text
	return b.table(table{
		name: ProblemsSheet, cols: cols, rows: len(rows), source: tables.RulesName,
		fill: func(i int, row []any) {
			p := rows[i]
			row[0], row[1], row[2] = b.str(p.Vendor, t), b.str(p.Path, t), b.str(p.Kind, t)
			if p.Line > 0 {
				row[3] = b.num(int64(p.Line))
			}
			if p.Col > 0 {
				row[4] = b.num(int64(p.Col))
			}
			row[5], row[6], row[7], row[8] = b.str(p.Msg, t), b.str(p.ruleID, t), b.str(p.title, t), b.str(p.Root, t)
		},
	})
}
