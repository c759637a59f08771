package panther

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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

// logTypeOf maps a Panther log table (`aws_cloudtrail`) to its log type
// (`AWS.CloudTrail`): the table is the log type lower-cased with dots as
// underscores. The log types are the repository's own: every LogTypes
// list of its rules, queries, data models and correlation rules, read once.
func (r *repo) logTypeOf(table string) string {
	r.ltOnce.Do(func() {
		r.logTypes = map[string]string{}
		if r.root == "" {
			return
		}
		var names []string
		buf := make([]byte, logTypesPrefix)
		for _, dir := range []string{"rules", queriesDir, "data_models", "correlation_rules"} {
			_ = filepath.WalkDir(filepath.Join(r.root, dir), func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
					return nil
				}
				n, err := readPrefix(p, buf)
				if err != nil {
					return nil
				}
				found := logTypesIn(buf[:n])
				if found == nil && n == len(buf) { // LogTypes may follow a long Tests section
					if data, err := readLimited(p, 4<<20); err == nil {
						found = logTypesIn(data)
					}
				}
				names = append(names, found...)
				return nil
			})
		}
		sort.Strings(names)
		for _, lt := range names {
			k := strings.ToLower(strings.ReplaceAll(lt, ".", "_"))
			if _, dup := r.logTypes[k]; !dup {
				r.logTypes[k] = lt
			}
		}
	})
	return r.logTypes[strings.ToLower(table)]
}

// logTypesPrefix is how much of each file logTypeOf reads first: LogTypes
// mostly sits among the metadata at the top, before the Tests section that
// makes most of the bytes; a file whose prefix has none is read whole.
const logTypesPrefix = 4 << 10

// readPrefix reads up to len(buf) bytes of a file.
func readPrefix(name string, buf []byte) (int, error) {
	fh, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	n, err := io.ReadFull(fh, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return n, err
}

// logTypesIn reads the top-level `LogTypes:` list of a YAML file without
// decoding the whole file: block items (`  - AWS.CloudTrail`) or a flow
// list (`[AWS.CloudTrail, Okta.SystemLog]`).
func logTypesIn(data []byte) []string {
	i := bytes.Index(data, []byte("\nLogTypes:"))
	if i < 0 {
		if !bytes.HasPrefix(data, []byte("LogTypes:")) {
			return nil
		}
		i = -1
	}
	rest := data[i+1+len("LogTypes:"):]
	line, rest, _ := bytes.Cut(rest, []byte("\n"))
	var out []string
	if l := strings.TrimSpace(string(line)); strings.HasPrefix(l, "[") {
		for _, v := range strings.Split(strings.Trim(l, "[]"), ",") {
			if v = strings.Trim(strings.TrimSpace(v), `"'`); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		l := strings.TrimSpace(string(line))
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if !strings.HasPrefix(l, "- ") || line[0] != ' ' && line[0] != '-' {
			break
		}
		if v := strings.Trim(strings.TrimSpace(l[2:]), `"'`); v != "" {
			out = append(out, v)
		}
	}
	return out
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
			if lt := rp.logTypeOf(t); lt != "" {
				sources = append(sources, "logtype:"+lt)
			}
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
