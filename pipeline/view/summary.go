package view

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// This file adds the ranked and grid views of an executive summary to the
// Catalog: the ATT&CK matrix heat map, the biggest gaps, the most covered
// techniques and the most frequent parse problems.

// MatrixCell is one top-level technique of the ATT&CK matrix heat map.
type MatrixCell struct {
	ID, Name string
	Rules    int64 // distinct rules, sub-techniques rolled up
	// SubTechniques counts the current sub-techniques, SubCovered those
	// with at least one rule.
	SubTechniques, SubCovered int
}

// MatrixColumn is one tactic column of the heat map.
type MatrixColumn struct {
	Tactic string
	Cells  []MatrixCell // sorted by name, then id
}

// RankedGap is a current top-level technique without any rule, with what it
// spans.
type RankedGap struct {
	ID, Name           string
	Tactics, Platforms []string
	SubTechniques      int // current sub-techniques (none has a rule either)
}

// ProblemGroup counts the parse problems of one vendor and kind whose
// messages read the same once numbers are masked ("line N, column N").
type ProblemGroup struct {
	Vendor, Kind, Message string
	Count                 int
}

// subTechniques counts the current sub-techniques of every parent, and those
// with rules.
func (c *Catalog) subTechniques() map[string][2]int {
	subs := map[string][2]int{}
	for _, t := range c.Techniques {
		if !t.Current || t.ParentID == "" {
			continue
		}
		s := subs[t.ParentID]
		s[0]++
		if t.Rules > 0 {
			s[1]++
		}
		subs[t.ParentID] = s
	}
	return subs
}

// Matrix returns the heat-map grid of the ATT&CK matrix: one column per
// tactic in matrix order, one cell per current top-level technique of that
// tactic (a technique of several tactics appears in each).
func (c *Catalog) Matrix() []MatrixColumn {
	cols := make([]MatrixColumn, len(c.Tactics))
	idx := map[string]int{}
	for i, t := range c.Tactics {
		cols[i].Tactic = t.Name
		idx[t.Name] = i
	}
	subs := c.subTechniques()
	for _, t := range c.Techniques {
		if !t.Current || t.ParentID != "" {
			continue
		}
		s := subs[t.ID]
		for _, name := range t.Tactics {
			if i, ok := idx[name]; ok {
				cols[i].Cells = append(cols[i].Cells, MatrixCell{ID: t.ID, Name: t.Name, Rules: t.Rules,
					SubTechniques: s[0], SubCovered: s[1]})
			}
		}
	}
	for i := range cols {
		slices.SortFunc(cols[i].Cells, func(a, b MatrixCell) int {
			return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
		})
	}
	return cols
}

// BiggestGaps returns up to n current top-level techniques without any rule
// (their sub-techniques have none either), ranked by how many sub-techniques
// they have, then by how many platforms they span (from m; nil leaves
// platforms empty), then by id.
func (c *Catalog) BiggestGaps(m *attack.Model, n int) []RankedGap {
	subs := c.subTechniques()
	var out []RankedGap
	for _, t := range c.Techniques {
		if !t.Current || t.ParentID != "" || t.Rules > 0 {
			continue
		}
		g := RankedGap{ID: t.ID, Name: t.Name, Tactics: t.Tactics, SubTechniques: subs[t.ID][0]}
		if m != nil {
			if at := m.Techniques[t.ID]; at != nil {
				g.Platforms = at.Platforms
			}
		}
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b RankedGap) int {
		return cmp.Or(b.SubTechniques-a.SubTechniques, len(b.Platforms)-len(a.Platforms), strings.Compare(a.ID, b.ID))
	})
	return out[:min(len(out), n)]
}

// MostCovered returns up to n top-level techniques with the most rules
// (sub-techniques rolled up; unknown ids included), ranked by rules, then id.
func (c *Catalog) MostCovered(n int) []TechniqueCoverage {
	var out []TechniqueCoverage
	for _, t := range c.Techniques {
		if t.Rules > 0 && attack.Parent(t.ID) == "" {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b TechniqueCoverage) int {
		return cmp.Or(cmp.Compare(b.Rules, a.Rules), strings.Compare(a.ID, b.ID))
	})
	return out[:min(len(out), n)]
}

// TopProblems groups problems by vendor, kind and message with numbers
// masked, and returns up to n groups: failures first, then partial parses,
// then notes; most frequent first within a kind (ties: vendor in the given
// order, message).
func TopProblems(problems []tables.Problem, vendors []string, n int) []ProblemGroup {
	order := map[string]int{}
	for i, v := range vendors {
		order[v] = i
	}
	type key struct{ vendor, kind, msg string }
	groups := map[key]int{}
	for _, p := range problems {
		groups[key{p.Vendor, p.Kind, maskNumbers(p.Msg)}]++
	}
	out := make([]ProblemGroup, 0, len(groups))
	for k, c := range groups {
		out = append(out, ProblemGroup{k.vendor, k.kind, k.msg, c})
	}
	rank := func(v string) int {
		if i, ok := order[v]; ok {
			return i
		}
		return len(order)
	}
	slices.SortFunc(out, func(a, b ProblemGroup) int {
		return cmp.Or(kindRank(a.Kind)-kindRank(b.Kind), b.Count-a.Count, rank(a.Vendor)-rank(b.Vendor),
			strings.Compare(a.Vendor, b.Vendor), strings.Compare(a.Kind, b.Kind), strings.Compare(a.Message, b.Message))
	})
	return out[:min(len(out), n)]
}

// kindRank orders problem kinds by severity: failed, partial, then the rest.
func kindRank(kind string) int {
	switch kind {
	case "failed":
		return 0
	case "partial":
		return 1
	}
	return 2
}

// maskNumbers replaces every standalone run of digits (not touching a
// letter, digit, underscore or dot on either side: "line 12, column 3")
// with N, so that messages differing only in positions group together while
// names that hold digits (sourcetype=aws:s3:accesslogs, T1059, utf8) stay
// as written.
func maskNumbers(s string) string {
	word := func(r rune) bool {
		return r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r)
	}
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); {
		if rs[i] < '0' || rs[i] > '9' {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
			j++
		}
		if (i > 0 && word(rs[i-1])) || (j < len(rs) && word(rs[j]) && !(rs[j] == '.' && (j+1 == len(rs) || !word(rs[j+1])))) {
			b.WriteString(string(rs[i:j]))
		} else {
			b.WriteByte('N')
		}
		i = j
	}
	return b.String()
}

// Percent is n of `of` as a whole percentage, rounded half up: the one
// rounding rule of every output (report.md, the PDFs, the site, the
// workbook), so that 191.5 of 216 reads the same everywhere. 0 when of is 0.
func Percent(n, of int64) int64 {
	if of <= 0 || n <= 0 {
		return 0
	}
	return (200*n + of) / (2 * of)
}

// PercentText is Percent with a "%" sign, or "–" when of is 0 (a share of
// nothing is no figure).
func PercentText(n, of int64) string {
	if of <= 0 {
		return "–"
	}
	return strconv.FormatInt(Percent(n, of), 10) + "%"
}

// Change writes a difference with its sign ("+3", "−2", "0"), as the trend
// tables of the summary PDF and the site show it.
func Change(n int) string {
	switch {
	case n > 0:
		return "+" + strconv.Itoa(n)
	case n < 0:
		return "−" + strconv.Itoa(-n)
	}
	return "0"
}

// Share is Percent as a fraction (0.89 for 89%), for spreadsheet cells in
// a percent format: the cell then shows the figure every other output shows.
func Share(n, of int64) float64 {
	return float64(Percent(n, of)) / 100
}
