package spl

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// LogSources lists what q reads as "key:value" strings: the data model of
// tstats/mstats FROM, `| from datamodel:X` and `| datamodel X Y` stages
// ("datamodel:Endpoint.Processes"), and the sourcetypes the search selects
// in a positive position ("sourcetype:WinEventLog"), subsearches included.
// Order of first appearance, deduplicated.
func LogSources(q *Query) []string {
	return rule.Dedup(logSources(q, nil))
}

func logSources(q *Query, out []string) []string {
	for _, c := range q.Commands {
		switch c := c.(type) {
		case *TstatsCmd:
			if c.Datamodel != "" {
				out = append(out, "datamodel:"+c.Datamodel)
			}
			out = sourcetypes(c.Where, out)
		case *SearchCmd:
			out = sourcetypes(c.Expr, out)
		case *RawCmd:
			if dm := rawDatamodel(c); dm != "" {
				out = append(out, "datamodel:"+dm)
			}
		}
		for _, sub := range subsearchQueries(c) {
			out = logSources(sub, out)
		}
	}
	return out
}

// rawDatamodel reads `from datamodel:X.Y` / `from datamodel=X.Y` and
// `datamodel X Y [search]`.
func rawDatamodel(c *RawCmd) string {
	switch c.Cmd {
	case "from":
		a := c.Args
		if len(a) > len("datamodel") && strings.EqualFold(a[:len("datamodel")], "datamodel") {
			a = strings.TrimLeft(a[len("datamodel"):], ":= ")
			if f := strings.Fields(a); len(f) > 0 {
				return strings.Trim(f[0], `"`)
			}
		}
	case "datamodel":
		f := strings.Fields(c.Args)
		if len(f) >= 2 && !strings.EqualFold(f[1], "search") && !strings.EqualFold(f[1], "flat") {
			return f[0] + "." + f[1]
		}
		if len(f) >= 1 {
			return f[0]
		}
	}
	return ""
}

func sourcetypes(e SearchExpr, out []string) []string {
	switch e := e.(type) {
	case SAnd:
		for _, x := range e {
			out = sourcetypes(x, out)
		}
	case SOr:
		for _, x := range e {
			out = sourcetypes(x, out)
		}
	case STerm:
		if e.Op == "=" && e.Field == "sourcetype" && e.Value.Text != "" {
			out = append(out, "sourcetype:"+e.Value.Text)
		}
	case SIn:
		if e.Field == "sourcetype" {
			for _, v := range e.Values {
				out = append(out, "sourcetype:"+v.Text)
			}
		}
	}
	return out
}

// Lookups lists the lookup tables the query reads or writes.
func (q *Query) Lookups() []string {
	var out []string
	for _, c := range q.Commands {
		if l, ok := c.(*LookupCmd); ok && l.Table != "" {
			out = append(out, l.Table)
		}
	}
	return rule.Dedup(out)
}
