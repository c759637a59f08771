package diff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// Required lists the tables a folder must hold to be diffed, as file names.
var Required = []string{
	tables.RulesName + ".parquet", tables.PredicatesName + ".parquet", tables.CoverageName + ".parquet",
	tables.IndicatorsName + ".parquet", tables.ExclusionsName + ".parquet",
}

// NotOutputError says a folder is not a ruleatlas output: it lacks some of
// the Required files.
type NotOutputError struct {
	Dir     string
	Missing []string // file names, in Required order
}

func (e *NotOutputError) Error() string {
	return fmt.Sprintf("%s is not a ruleatlas output folder: missing %s (write it with `ruleatlas report --format parquet --out %s`)",
		e.Dir, strings.Join(e.Missing, ", "), e.Dir)
}

// Snapshot is what one run's output says, as far as diff needs it.
type Snapshot struct {
	Dir        string
	Run        Run        // from manifest.json; empty when there is none
	Rules      []*Rule    // in file order: sorted by vendor, rule id
	Coverage   []Coverage // technique × vendor, zero rows included
	Indicators []Pattern
	Exclusions []Pattern

	// HasRaw says predicates.parquet has the form as written (op_raw,
	// value_raw); HasRole that predicates, indicators and exclusions have
	// role. Outputs of older versions lack them; Compare then leaves them
	// out on both sides.
	HasRaw, HasRole bool
}

// Run holds the facts of manifest.json that explain a difference.
type Run struct {
	Version       string `json:"version"` // of ruleatlas
	AttackVersion string `json:"attack_version"`
	ReportDate    string `json:"report_date"`
}

// String is "ATT&CK 18.1, report date 2026-07-30, ruleatlas v1.2"
// without the parts the manifest lacks.
func (r Run) String() string {
	var parts []string
	if r.AttackVersion != "" {
		parts = append(parts, "ATT&CK "+r.AttackVersion)
	}
	if r.ReportDate != "" {
		parts = append(parts, "report date "+r.ReportDate)
	}
	if r.Version != "" {
		parts = append(parts, "ruleatlas "+r.Version)
	}
	return strings.Join(parts, ", ")
}

// Rule is one row of rules.parquet with its predicates.
type Rule struct {
	Vendor, RuleID, Path    string
	Title, Status, Severity string
	Techniques              []string // sorted
	ParseStatus, ParseError string
	Predicates              []rule.Predicate // in file order

	nPreds int // predicate_count
}

// Key is the rule's identity across runs.
func (r *Rule) Key() string { return r.Vendor + "\x00" + r.RuleID }

// Coverage is one row of coverage.parquet.
type Coverage struct {
	TechniqueID, Name, Vendor string
	Rules                     int64
}

// Pattern is one row of indicators.parquet or exclusions.parquet.
type Pattern struct {
	TechniqueID, Field, Op, Value string
	Rules                         int64
	Role                          string // empty in outputs without a role column
}

// key is the pattern's identity: technique and indicator identity (SPEC
// §5: field, role, op with in and eq one equality, lower(value)), so a new
// most-common spelling of the same value is not a change, nor is an older
// output's in row beside a newer one's eq. withRole is false when either
// output has no role.
func (p Pattern) key(withRole bool) string {
	op := p.Op
	if op == string(rule.OpIn) {
		op = string(rule.OpEq)
	}
	k := p.TechniqueID + "\x00" + p.Field + "\x00" + op + "\x00" + strings.ToLower(p.Value)
	if withRole {
		k += "\x00" + p.Role
	}
	return k
}

// Load reads the Parquet tables of the output folder dir. It fails with a
// *NotOutputError when a required file is missing, and names the file and
// column when a table cannot be read.
func Load(ctx context.Context, dir string) (*Snapshot, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is a file, not a ruleatlas output folder", dir)
	}
	var missing []string
	for _, name := range Required {
		if _, err := os.Stat(filepath.Join(dir, name)); errors.Is(err, os.ErrNotExist) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, &NotOutputError{Dir: dir, Missing: missing}
	}
	s := &Snapshot{Dir: dir}
	var preds []predRow
	// A trailing "?" marks a column older outputs lack; it reads as empty.
	present := map[string]bool{}
	steps := []struct {
		name  string
		cols  []string
		kinds string // per column: s string, l list<string>, i integer, b bool
		grow  func(n int)
		row   func(c []column, i int)
	}{
		{tables.RulesName, []string{"vendor", "rule_id", "path", "title", "status", "severity", "techniques", "parse_status", "parse_error", "predicate_count"}, "sssssslssi",
			func(n int) { s.Rules = make([]*Rule, 0, n) },
			func(c []column, i int) {
				techs := c[6].list(i)
				slices.Sort(techs)
				s.Rules = append(s.Rules, &Rule{
					Vendor: c[0].str(i), RuleID: c[1].str(i), Path: c[2].str(i), Title: c[3].str(i),
					Status: c[4].str(i), Severity: c[5].str(i), Techniques: techs,
					ParseStatus: c[7].str(i), ParseError: c[8].str(i),
					nPreds: int(max(0, min(c[9].int(i), 1<<20))),
				})
			}},
		{tables.PredicatesName, []string{"vendor", "rule_id", "field", "field_raw", "op", "value", "negated", "exclusion",
			"op_raw?", "value_raw?", "role?"}, "ssssssbbsss",
			func(n int) { preds = make([]predRow, 0, n) },
			func(c []column, i int) {
				preds = append(preds, predRow{vendor: c[0].str(i), ruleID: c[1].str(i), pred: rule.Predicate{
					Field: c[2].str(i), FieldRaw: c[3].str(i), Op: rule.Op(c[4].str(i)), Value: c[5].str(i),
					Negated: c[6].bool(i), Exclusion: c[7].bool(i),
					OpRaw: rule.Op(c[8].str(i)), ValueRaw: c[9].str(i), Role: rule.Role(c[10].str(i)),
				}})
			}},
		{tables.CoverageName, []string{"technique_id", "technique_name", "vendor", "rules"}, "sssi",
			func(n int) { s.Coverage = make([]Coverage, 0, n) },
			func(c []column, i int) {
				s.Coverage = append(s.Coverage, Coverage{TechniqueID: c[0].str(i), Name: c[1].str(i), Vendor: c[2].str(i), Rules: c[3].int(i)})
			}},
		{tables.IndicatorsName, []string{"technique_id", "field", "op", "value", "rules", "role?"}, "ssssis",
			func(n int) { s.Indicators = make([]Pattern, 0, n) },
			func(c []column, i int) {
				s.Indicators = append(s.Indicators, Pattern{c[0].str(i), c[1].str(i), c[2].str(i), c[3].str(i), c[4].int(i), c[5].str(i)})
			}},
		{tables.ExclusionsName, []string{"technique_id", "field", "op", "value", "rules", "role?"}, "ssssis",
			func(n int) { s.Exclusions = make([]Pattern, 0, n) },
			func(c []column, i int) {
				s.Exclusions = append(s.Exclusions, Pattern{c[0].str(i), c[1].str(i), c[2].str(i), c[3].str(i), c[4].int(i), c[5].str(i)})
			}},
	}
	for _, st := range steps {
		if err := readTable(ctx, filepath.Join(dir, st.name+".parquet"), st.cols, st.kinds, st.grow, st.row, func(col string) {
			present[st.name+"."+col] = true
		}); err != nil {
			return nil, err
		}
	}
	s.HasRaw = present[tables.PredicatesName+".op_raw"] && present[tables.PredicatesName+".value_raw"]
	s.HasRole = present[tables.PredicatesName+".role"] && present[tables.IndicatorsName+".role"] && present[tables.ExclusionsName+".role"]
	attachPredicates(s.Rules, preds)
	// The manifest is optional (older outputs have none).
	if data, err := os.ReadFile(filepath.Join(dir, ManifestName)); err == nil {
		if err := json.Unmarshal(data, &s.Run); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestName), err)
		}
	}
	return s, nil
}

// ManifestName is the run manifest Load reads when present.
const ManifestName = "manifest.json"

type predRow struct {
	vendor, ruleID string
	pred           rule.Predicate
}

// attachPredicates gives each rule its predicates. The pipeline writes the
// predicates in rule order, predicate_count rows per rule; when a file
// does not follow that order the rows are grouped by vendor and rule id.
func attachPredicates(rules []*Rule, preds []predRow) {
	i := 0
	inOrder := true
	for _, r := range rules {
		n := r.nPreds
		if i+n > len(preds) {
			inOrder = false
			break
		}
		for _, p := range preds[i : i+n] {
			if p.vendor != r.Vendor || p.ruleID != r.RuleID {
				inOrder = false
				break
			}
		}
		if !inOrder {
			break
		}
		r.Predicates = make([]rule.Predicate, n)
		for j, p := range preds[i : i+n] {
			r.Predicates[j] = p.pred
		}
		i += n
	}
	if inOrder && i == len(preds) {
		return
	}
	byKey := map[string][]rule.Predicate{}
	for _, p := range preds {
		k := p.vendor + "\x00" + p.ruleID
		byKey[k] = append(byKey[k], p.pred)
	}
	for _, r := range rules {
		r.Predicates = byKey[r.Key()]
		// Rules sharing a key (not produced by ruleatlas) share the lines.
	}
}

// readTable reads the named columns of a Parquet file and calls row for
// every row, batch by batch. A name ending in "?" is optional: when the
// file lacks it the column reads as empty; found is told every optional
// column the file has.
func readTable(ctx context.Context, path string, names []string, kinds string, grow func(int), row func(c []column, i int), found func(col string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	pr, err := file.NewParquetReader(f)
	if err != nil {
		return fmt.Errorf("%s: not a Parquet file: %w", path, err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, memory.DefaultAllocator)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	schema, err := fr.Schema()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	idx := make([]int, len(names))
	for i, n := range names {
		name, optional := strings.CutSuffix(n, "?")
		names[i] = name
		fi := schema.FieldIndices(name)
		switch {
		case len(fi) > 0:
			idx[i] = fi[0]
			if optional {
				found(name)
			}
		case optional:
			idx[i] = -1
		default:
			return fmt.Errorf("%s: no column %q: not a ruleatlas table", path, name)
		}
	}
	tbl, err := fr.ReadTable(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer tbl.Release()
	grow(int(tbl.NumRows()))
	tr := array.NewTableReader(tbl, 64<<10)
	defer tr.Release()
	cols := make([]column, len(names))
	for tr.Next() {
		rec := tr.RecordBatch()
		for i, ci := range idx {
			if ci < 0 {
				cols[i] = column{}
				continue
			}
			c, err := newColumn(rec.Column(ci), kinds[i])
			if err != nil {
				return fmt.Errorf("%s: column %q: %w", path, names[i], err)
			}
			cols[i] = c
		}
		for r := range int(rec.NumRows()) {
			row(cols, r)
		}
	}
	if err := tr.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// column reads cells of the types the ruleatlas tables use, tolerating the
// encodings other writers choose (large strings and lists, dictionaries,
// int32 counts).
type column struct {
	a    arrow.Array
	strs interface{ Value(int) string }
	offs interface {
		ValueOffsets(int) (int64, int64)
	}
	listVals interface{ Value(int) string }
}

func stringer(a arrow.Array) (interface{ Value(int) string }, bool) {
	switch a := a.(type) {
	case *array.String:
		return a, true
	case *array.LargeString:
		return a, true
	case *array.StringView:
		return a, true
	case *array.Dictionary:
		d, ok := stringer(a.Dictionary())
		if !ok {
			return nil, false
		}
		return dictStrings{a, d}, true
	}
	return nil, false
}

type dictStrings struct {
	d    *array.Dictionary
	vals interface{ Value(int) string }
}

func (d dictStrings) Value(i int) string { return d.vals.Value(d.d.GetValueIndex(i)) }

func newColumn(a arrow.Array, kind byte) (column, error) {
	c := column{a: a}
	ok := false
	switch kind {
	case 's':
		c.strs, ok = stringer(a)
	case 'l':
		switch v := a.(type) {
		case *array.List:
			c.offs = v
			c.listVals, ok = stringer(v.ListValues())
		case *array.LargeList:
			c.offs = v
			c.listVals, ok = stringer(v.ListValues())
		}
	case 'i':
		switch a.(type) {
		case *array.Int64, *array.Int32:
			ok = true
		}
	case 'b':
		_, ok = a.(*array.Boolean)
	}
	if !ok {
		return c, fmt.Errorf("unexpected type %s", a.DataType())
	}
	return c, nil
}

func (c column) str(i int) string {
	if c.strs == nil || c.a.IsNull(i) {
		return ""
	}
	return c.strs.Value(i)
}

func (c column) list(i int) []string {
	if c.offs == nil || c.a.IsNull(i) {
		return nil
	}
	start, end := c.offs.ValueOffsets(i)
	out := make([]string, 0, end-start)
	for j := start; j < end; j++ {
		out = append(out, c.listVals.Value(int(j)))
	}
	return out
}

func (c column) int(i int) int64 {
	if c.a == nil || c.a.IsNull(i) {
		return 0
	}
	switch a := c.a.(type) {
	case *array.Int64:
		return a.Value(i)
	case *array.Int32:
		return int64(a.Value(i))
	}
	return 0
}

func (c column) bool(i int) bool {
	if a, ok := c.a.(*array.Boolean); ok && !a.IsNull(i) {
		return a.Value(i)
	}
	return false
}
