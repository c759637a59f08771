package spl

import (
	"strings"
)

// Columns the pipeline computes. A comparison on one of them (`| stats
// count by user | where count > 50`) tests the query's own arithmetic, not
// a field of the logged event: its predicate has role computed. Field
// names are case-sensitive in Splunk, so the names are kept as written.

// scope is the set of computed column names defined so far in a pipeline.
type scope map[string]bool

// define records the columns a stage defines, after it ran.
func (s scope) define(c Command) {
	switch c := c.(type) {
	case *TstatsCmd:
		s.add(aggregateNames(c.Head)...)
	case *LookupCmd:
		if c.Cmd == "lookup" {
			s.add(lookupOutputs(c.Args)...)
		}
	case *RawCmd:
		s.defineRaw(c)
	}
}

func (s scope) add(names ...string) {
	for _, n := range names {
		if n != "" {
			s[n] = true
		}
	}
}

func (s scope) defineRaw(c *RawCmd) {
	switch c.Cmd {
	case "eval":
		s.defineEval(c.Args)
	case "stats", "eventstats", "streamstats", "chart", "timechart", "sistats", "geostats", "tstats", "mstats":
		s.add(aggregateNames(c.Args)...)
	case "top", "rare":
		count, percent := "count", "percent"
		for _, t := range argTokens(c.Args) {
			if k, v, ok := strings.Cut(t, "="); ok {
				switch strings.ToLower(k) {
				case "countfield":
					count = unquoteName(v)
				case "percentfield":
					percent = unquoteName(v)
				}
			}
		}
		s.add(count, percent)
	case "transaction":
		s.add("duration", "eventcount")
	case "rex":
		// An extraction from a field of the event is a field of the
		// event; from a computed column, computed.
		s.extract(optionValue(c.Args, "field"), rexGroups(c.Args))
	case "iplocation":
		prefix := optionValue(c.Args, "prefix")
		for _, n := range []string{"City", "Country", "Region", "lat", "lon", "Continent", "MetroCode", "Timezone"} {
			s.add(prefix + n)
		}
	case "spath":
		if out := optionValue(c.Args, "output"); out != "" {
			s.extract(optionValue(c.Args, "input"), []string{out})
		}
	case "strcat":
		if ts := argTokens(c.Args); len(ts) > 0 {
			s.add(unquoteName(ts[len(ts)-1]))
		}
	case "rename":
		s.rename(c.Args)
	}
}

// extract records the fields an extraction (rex, spath) takes from the
// field from ("" = _raw): computed when from is, else fields of the event.
func (s scope) extract(from string, names []string) {
	for _, n := range names {
		if s[from] {
			s[n] = true
		} else {
			delete(s, n)
		}
	}
}

// optionValue returns the value of the option key=value in args (key in
// any case), unquoted; "" when absent.
func optionValue(args, key string) string {
	for _, t := range argTokens(args) {
		if k, v, ok := strings.Cut(t, "="); ok && strings.EqualFold(k, key) {
			return unquoteName(v)
		}
	}
	return ""
}

// defineEval reads `eval a=expr, b=expr`. A column that is only another
// field seen through lower()/upper()/trim()/tostring() or coalesce() of
// fields is that field under a new name: computed only when its sources
// are.
func (s scope) defineEval(args string) {
	for _, seg := range splitTopLevel(args, ',') {
		e, err := parseExprText(seg)
		if err != nil {
			continue
		}
		b, ok := e.(EBinary)
		if !ok || b.Op != "=" {
			continue
		}
		id, ok := b.L.(EIdent)
		if !ok {
			continue
		}
		if srcs, derived := fieldSources(b.R); derived {
			computed := false
			for _, f := range srcs {
				computed = computed || s[f]
			}
			if computed {
				s[id.Name] = true
			} else {
				delete(s, id.Name)
			}
			continue
		}
		s[id.Name] = true
	}
}

// fieldSources returns the fields an eval expression copies when it is a
// plain field, a look-through function of one, or coalesce() of such.
func fieldSources(e Expr) ([]string, bool) {
	switch x := e.(type) {
	case EIdent:
		if _, lit := literalOf(x); lit {
			return nil, false
		}
		return []string{x.Name}, true
	case ECall:
		if len(x.Args) == 1 && lookThrough(x.Func) {
			return fieldSources(x.Args[0])
		}
		if strings.EqualFold(x.Func, "coalesce") && len(x.Args) > 0 {
			var out []string
			for _, a := range x.Args {
				fs, ok := fieldSources(a)
				if !ok {
					return nil, false
				}
				out = append(out, fs...)
			}
			return out, true
		}
	}
	return nil, false
}

// rename moves computed names: `rename a as b, c.* as *`.
func (s scope) rename(args string) {
	ts := argTokens(args)
	for i := 0; i+2 < len(ts); i++ {
		if !strings.EqualFold(ts[i+1], "as") {
			continue
		}
		from, to := unquoteName(ts[i]), unquoteName(ts[i+2])
		i += 2
		if !strings.Contains(from, "*") {
			if s[from] {
				delete(s, from)
				s[to] = true
			} else {
				delete(s, to)
			}
			continue
		}
		fp, fs, _ := strings.Cut(from, "*")
		tp, tsuf, _ := strings.Cut(to, "*")
		for name := range s {
			if len(name) >= len(fp)+len(fs) && strings.HasPrefix(name, fp) && strings.HasSuffix(name, fs) {
				mid := name[len(fp) : len(name)-len(fs)]
				delete(s, name)
				s[tp+mid+tsuf] = true
			}
		}
	}
}

// aggregateNames returns the output columns of a stats-like argument list
// (`count min(_time) as firstTime dc(user) by host`): the name after AS,
// else the aggregation as written; options (k=v) and the BY/OVER clause
// are not outputs.
func aggregateNames(args string) []string {
	ts := argTokens(args)
	var out []string
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		if strings.EqualFold(t, "by") || strings.EqualFold(t, "over") || strings.EqualFold(t, "groupby") {
			break
		}
		if eq, paren := strings.IndexByte(t, '='), strings.IndexByte(t, '('); eq >= 0 && (paren < 0 || eq < paren) {
			continue // an option: summariesonly=true, allnum=f, span=1h
		}
		if strings.EqualFold(t, "as") {
			continue
		}
		var name string
		name, i = renamedAs(ts, i)
		out = append(out, name)
	}
	return out
}

// renamedAs returns the column token i of ts names, or the name after a
// following `AS` (`f AS g` gives g), and the index of the last token read.
func renamedAs(ts []string, i int) (string, int) {
	if i+2 < len(ts) && strings.EqualFold(ts[i+1], "as") {
		return unquoteName(ts[i+2]), i + 2
	}
	return unquoteName(ts[i]), i
}

// lookupOutputs returns the columns a `lookup` adds: the names after
// OUTPUT / OUTPUTNEW (`f AS g` gives g).
func lookupOutputs(args string) []string {
	ts := argTokens(args)
	var out []string
	in := false
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		if strings.EqualFold(t, "output") || strings.EqualFold(t, "outputnew") {
			in = true
			continue
		}
		if !in || strings.EqualFold(t, "as") {
			continue
		}
		var name string
		name, i = renamedAs(ts, i)
		out = append(out, name)
	}
	return out
}

// rexGroups returns the named groups of a rex pattern ((?<name>…),
// (?P<name>…)); sed mode extracts nothing.
func rexGroups(args string) []string {
	for _, t := range argTokens(args) {
		if k, v, ok := strings.Cut(t, "="); ok && strings.EqualFold(k, "mode") && strings.EqualFold(unquoteName(v), "sed") {
			return nil
		}
	}
	var out []string
	for rest := args; ; {
		i := strings.Index(rest, "(?")
		if i < 0 {
			return out
		}
		rest = rest[i+2:]
		rest = strings.TrimPrefix(rest, "P")
		if !strings.HasPrefix(rest, "<") || strings.HasPrefix(rest, "<=") || strings.HasPrefix(rest, "<!") {
			continue
		}
		j := strings.IndexByte(rest, '>')
		if j < 0 {
			return out
		}
		out = append(out, rest[1:j])
		rest = rest[j+1:]
	}
}

// argTokens splits command arguments at white space and top-level commas,
// keeping quoted strings and parenthesized groups whole.
func argTokens(s string) []string {
	var out []string
	depth, start := 0, -1
	flush := func(i int) {
		if start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			if start < 0 {
				start = i
			}
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case c == '\\':
			if start < 0 {
				start = i
			}
			i++
		case c == '(':
			if start < 0 {
				start = i
			}
			depth++
		case c == ')':
			if depth > 0 {
				depth--
			}
		case depth == 0 && (isSpace(c) || c == ','):
			flush(i)
		default:
			if start < 0 {
				start = i
			}
		}
	}
	flush(len(s))
	return out
}

// splitTopLevel splits s at sep outside quotes and parentheses.
func splitTopLevel(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case c == '"' || c == '\'':
			for i++; i < len(s) && s[i] != c; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// unquoteName removes the double or single quotes around a column name.
func unquoteName(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return unescape(s[1 : len(s)-1])
	}
	return s
}

// parseExprText parses an eval expression alone (an eval assignment).
func parseExprText(src string) (e Expr, err error) {
	p := &parser{src: src}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(parseError)
			if !ok {
				panic(r)
			}
			e, err = nil, pe.err
		}
	}()
	e = p.parseExpr()
	if t := p.lexEval(); t.kind != tEOF {
		p.failAt(t.pos, "unexpected %s", t.describe())
	}
	return e, nil
}
