package panther

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/panther/snowsql"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/normalize/yamlfast"
)

// queriesDir is the folder of panther-analysis's saved and scheduled queries.
const queriesDir = "queries"

// savedQuery is one `AnalysisType: scheduled_query` or `saved_query` file.
type savedQuery struct {
	name, path string
	sql        string
	line       int // the file line where the query text starts
}

// loadQueries indexes queries/**/*.yml by QueryName once.
func (r *repo) loadQueries() {
	r.qOnce.Do(func() {
		r.queries = map[string]*savedQuery{}
		if r.root == "" {
			return
		}
		for _, rel := range r.yamlFiles(queriesDir) {
			q := readSavedQuery(filepath.Join(r.root, filepath.FromSlash(rel)), rel)
			if q != nil && r.queries[q.name] == nil {
				r.queries[q.name] = q
			}
		}
	})
}

func readSavedQuery(p, rel string) *savedQuery {
	data, err := readLimited(p, snowsql.MaxQuery*2)
	if err != nil {
		return nil
	}
	var doc yaml.Node
	if err := yamlfast.Unmarshal(blankTests(data), &doc); err != nil || len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	switch strings.ToLower(strings.TrimSpace(scalar(root, "AnalysisType"))) {
	case "scheduled_query", "saved_query":
	default:
		return nil
	}
	name := strings.TrimSpace(scalar(root, "QueryName"))
	qn := get(root, "Query")
	if name == "" || qn == nil || qn.Kind != yaml.ScalarNode {
		return &savedQuery{name: name, path: rel}
	}
	line := qn.Line
	if qn.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		line++
	}
	return &savedQuery{name: name, path: rel, sql: qn.Value, line: line}
}

// query returns the saved query named name, or nil.
func (r *repo) query(name string) *savedQuery {
	if r == nil {
		return nil
	}
	r.loadQueries()
	return r.queries[name]
}

// tableSource is the log source a scheduled rule records for a Panther
// log table its query reads, until Finish names the table's log type.
const tableSource = "table:"

// Finish names the log type of each table the scheduled rules' queries
// read (`table:aws_cloudtrail` becomes `logtype:AWS.CloudTrail`): a table
// is its log type lower-cased with dots as underscores, and the log types
// are the repository's own, the LogTypes its rules and data models
// declare. A table no rule or data model names keeps its table: source.
func (s *source) Finish(results []*rule.Result) {
	var names []string
	tables := false
	for _, res := range results {
		for _, r := range res.Rules {
			for _, ls := range r.LogSources {
				if lt, ok := strings.CutPrefix(ls, "logtype:"); ok {
					names = append(names, lt)
				}
				tables = tables || strings.HasPrefix(ls, tableSource)
			}
		}
	}
	if !tables {
		return // no scheduled rule read a table: nothing to name, no data models to read
	}
	if s.repo != nil {
		s.repo.loadModels()
		for lt := range s.repo.models {
			names = append(names, lt)
		}
	}
	sort.Strings(names)
	byTable := map[string]string{}
	for _, lt := range names {
		k := strings.ToLower(strings.ReplaceAll(lt, ".", "_"))
		if _, dup := byTable[k]; !dup {
			byTable[k] = lt
		}
	}
	for _, res := range results {
		changed := false
		rules := slices.Clone(res.Rules)
		for i := range rules {
			if !slices.ContainsFunc(rules[i].LogSources, func(ls string) bool { return strings.HasPrefix(ls, tableSource) }) {
				continue
			}
			srcs := make([]string, 0, len(rules[i].LogSources))
			for _, ls := range rules[i].LogSources {
				if t, ok := strings.CutPrefix(ls, tableSource); ok && byTable[t] != "" {
					ls = "logtype:" + byTable[t]
				}
				srcs = append(srcs, ls)
			}
			rules[i].LogSources, changed = rule.Dedup(srcs), true
		}
		if changed {
			res.Rules = rules
		}
	}
}

// scheduledLogic reads the saved queries a scheduled rule names: their
// SQL logic (ANDed), the log sources of the tables they read, the names
// of the queries' computed output columns (what the Python rule() reads
// of a result row that is not an event field) and the SQL as written.
func (s *source) scheduledLogic(f rule.File, names []string) (logic rule.Expr, sources []string, cols resultColumns, text string) {
	rp := s.repo
	if rp == nil || rp.root != f.Root {
		rp = newRepo(f.Root)
	}
	if len(names) == 0 {
		return rule.Skipped{Reason: "the scheduled rule names no ScheduledQueries"}, nil, cols, ""
	}
	cols = resultColumns{computed: map[string]bool{}, renamed: map[string]string{}}
	and := rule.And{}
	var b strings.Builder
	for _, name := range names {
		q := rp.query(name)
		switch {
		case q == nil:
			and = append(and, rule.Skipped{Reason: fmt.Sprintf("scheduled query %q not found under %s/", name, queriesDir)})
			continue
		case q.sql == "":
			and = append(and, rule.Skipped{Reason: fmt.Sprintf("%s: scheduled query %q has no Query text", q.path, name)})
			continue
		}
		fmt.Fprintf(&b, "-- %s (%s)\n%s", name, q.path, q.sql)
		if !strings.HasSuffix(q.sql, "\n") {
			b.WriteByte('\n')
		}
		res, err := snowsql.Read(q.sql, q.path, q.line)
		if err != nil {
			and = append(and, rule.Skipped{Reason: err.Error()})
			continue
		}
		for _, t := range res.Tables {
			sources = append(sources, tableSource+strings.ToLower(t))
		}
		for _, c := range res.Computed {
			cols.computed[c] = true
		}
		for c, field := range res.Renamed {
			cols.renamed[c] = field
		}
		if res.Logic != nil {
			and = append(and, res.Logic)
		}
	}
	return and, sources, cols, b.String()
}

// resultColumns are what the queries' result rows hold besides event
// fields under their own names: computed columns and renamed fields.
type resultColumns struct {
	computed map[string]bool
	renamed  map[string]string // column → the event field's dotted path
}

// onResultRows reads a scheduled rule's Python comparisons as tests of
// the query's result rows: a field that is a computed column has role
// computed, one that is a renamed event field maps to that field.
func onResultRows(e rule.Expr, cols resultColumns) rule.Expr {
	return rule.MapCmp(e, func(x rule.Cmp) rule.Cmp {
		head, rest, dotted := strings.Cut(x.FieldRaw, ".")
		head = strings.ToLower(head)
		switch {
		case cols.computed[head]:
			x.Role, x.Field = rule.RoleComputed, ""
		case cols.renamed[head] != "":
			x.Field = cols.renamed[head]
			if dotted {
				x.Field += "." + rest
			}
		}
		return x
	})
}
