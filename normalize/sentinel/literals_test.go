package sentinel

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// This file is a second reading of the Sentinel queries, written apart
// from package kusto: a character scanner finds the where clauses, regular
// expressions find the literal comparisons on plain columns in them, and
// the test checks that each one is among the rule's raw predicates.

// literalCmp is one literal comparison found in a where clause.
type literalCmp struct {
	field string
	op    rule.Op
	value string
	text  string // as written, for messages
}

// stringEnd returns the index just past the string literal whose quote is
// at s[i]: verbatim (@"…", a doubled quote is one quote) when "@" precedes
// it, else with backslash escapes.
func stringEnd(s string, i int) int {
	q := s[i]
	verbatim := i > 0 && s[i-1] == '@'
	for j := i + 1; j < len(s); j++ {
		switch {
		case !verbatim && s[j] == '\\':
			j++
		case s[j] == q && verbatim && j+1 < len(s) && s[j+1] == q:
			j++
		case s[j] == q:
			return j + 1
		}
	}
	return len(s)
}

// stripComments blanks // comments outside string literals.
func stripComments(q string) string {
	b := []byte(q)
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"' || c == '\'':
			i = stringEnd(string(b), i) - 1
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			for i < len(b) && b[i] != '\n' {
				b[i] = ' '
				i++
			}
		}
	}
	return string(b)
}

var whereRE = regexp.MustCompile(`(?i)(?:^|[|(]\s*)where\s`)

// whereClauses returns the text of every where clause: from the keyword
// (after "|", or after "(" as in mv-apply … on (where …)) to the next "|"
// or ";" at its own bracket depth, or the bracket that closes around it.
func whereClauses(q string) []string {
	var out []string
	for _, m := range whereRE.FindAllStringIndex(q, -1) {
		start := m[1]
		depth := 0
		end := len(q)
	scan:
		for i := start; i < len(q); i++ {
			c := q[i]
			switch {
			case c == '"' || c == '\'':
				i = stringEnd(q, i) - 1
			case c == '(' || c == '[' || c == '{':
				depth++
			case c == ')' || c == ']' || c == '}':
				depth--
				if depth < 0 {
					end = i
					break scan
				}
			case (c == '|' || c == ';') && depth == 0:
				end = i
				break scan
			}
		}
		out = append(out, q[start:end])
	}
	return out
}

const (
	column  = `([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)`
	literal = `(@"[^"]*(?:""[^"]*)*"|@'[^']*(?:''[^']*)*'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|-?\d+(?:\.\d+)?\b)`
)

var (
	scalarRE = regexp.MustCompile(`(?i)` + column + `\s*(==|=~|!=|!~|<>|(?:!?(?:has_cs|has|contains_cs|contains|startswith_cs|startswith|endswith_cs|endswith|hasprefix|hassuffix))\s)\s*` + literal)
	listRE   = regexp.MustCompile(`(?i)` + column + `\s*(!?in~?|!?has_any|has_all)\s*\(([^()]*)\)`)
	itemRE   = regexp.MustCompile(`^\s*` + literal + `\s*$`)
	letRE    = regexp.MustCompile(`(?i)\blet\s+([A-Za-z_][A-Za-z0-9_]*)\s*=`)
	paramRE  = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?:string|int|long|dynamic|bool|real|double|datetime|timespan)\b`)
)

// decodeLiteral returns the value of a literal as Kusto reads it.
func decodeLiteral(lit string) string {
	switch {
	case strings.HasPrefix(lit, `@"`):
		return strings.ReplaceAll(lit[2:len(lit)-1], `""`, `"`)
	case strings.HasPrefix(lit, `@'`):
		return strings.ReplaceAll(lit[2:len(lit)-1], `''`, `'`)
	case lit[0] == '"' || lit[0] == '\'':
		var b strings.Builder
		s := lit[1 : len(lit)-1]
		for i := 0; i < len(s); i++ {
			if s[i] != '\\' || i+1 == len(s) {
				b.WriteByte(s[i])
				continue
			}
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '\\', '"', '\'':
				b.WriteByte(s[i])
			default:
				b.WriteByte('\\')
				b.WriteByte(s[i])
			}
		}
		return b.String()
	}
	return lit
}

// opOf maps a Kusto operator to the predicate operator SPEC §4 gives it.
func opOf(kop string) rule.Op {
	k := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(kop)), "!")
	k = strings.TrimSuffix(k, "_cs")
	switch k {
	case "==", "=~", "=", "~", "<>":
		return rule.OpEq
	case "has", "contains", "has_any", "has_all":
		return rule.OpContains
	case "startswith", "hasprefix":
		return rule.OpStartsWith
	case "endswith", "hassuffix":
		return rule.OpEndsWith
	case "in", "in~":
		return rule.OpIn
	}
	return ""
}

// plainColumnAt reports whether the column match at text[i:] is a plain
// column: not a member of a call result or the like (x).y, not preceded by
// a name character, and not a keyword or a let-bound name.
func plainColumnAt(text string, i int, name string, bound map[string]bool) bool {
	if i > 0 {
		switch c := text[i-1]; {
		case c == '.' || c == ')' || c == ']' || c == '$' || c == '_' || c == '@' ||
			'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
			return false
		}
	}
	root := strings.SplitN(name, ".", 2)[0]
	switch strings.ToLower(root) {
	case "and", "or", "not", "where", "in", "has", "contains", "timegenerated", "timestamp":
		return false
	}
	return !bound[root]
}

// literalComparisons returns the literal comparisons on plain columns in
// the where clauses of query q.
func literalComparisons(q string) []literalCmp {
	q = stripComments(q)
	bound := map[string]bool{}
	for _, m := range letRE.FindAllStringSubmatch(q, -1) {
		bound[m[1]] = true
	}
	for _, m := range paramRE.FindAllStringSubmatch(q, -1) {
		bound[m[1]] = true
	}
	var out []literalCmp
	for _, w := range whereClauses(q) {
		for _, m := range scalarRE.FindAllStringSubmatchIndex(w, -1) {
			name, op, lit := w[m[2]:m[3]], w[m[4]:m[5]], w[m[6]:m[7]]
			if !plainColumnAt(w, m[2], name, bound) || !endsOperand(w, m[1]) {
				continue
			}
			out = append(out, literalCmp{field: name, op: opOf(op), value: decodeLiteral(lit), text: w[m[0]:m[1]]})
		}
		for _, m := range listRE.FindAllStringSubmatchIndex(w, -1) {
			name, op, items := w[m[2]:m[3]], w[m[4]:m[5]], w[m[6]:m[7]]
			if !plainColumnAt(w, m[2], name, bound) || strings.TrimSpace(items) == "" {
				continue
			}
			var vals []string
			for _, it := range splitItems(items) {
				lm := itemRE.FindStringSubmatch(it)
				if lm == nil {
					vals = nil // not a list of literals only
					break
				}
				vals = append(vals, decodeLiteral(lm[1]))
			}
			for _, v := range vals {
				out = append(out, literalCmp{field: name, op: opOf(op), value: v, text: w[m[0]:m[1]]})
			}
		}
	}
	return out
}

// endsOperand reports whether the literal ending at text[i:] is the whole
// right operand (not "x" + y, not "a" "b" concatenated).
func endsOperand(text string, i int) bool {
	rest := strings.TrimLeft(text[i:], " \t\r\n")
	return rest == "" || !strings.ContainsAny(rest[:1], `+-*/"'.[`)
}

// splitItems splits a list's text at commas outside string literals.
func splitItems(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\'':
			i = stringEnd(s, i) - 1
		case c == ',':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func TestLiteralComparisons(t *testing.T) {
	got := literalComparisons("T\n| where A == \"x\" and B.c has ' /s ' // C == 'no'\n| where D in (\"a\", 'b') and f(E) == 'no' and F !in~ (g) " +
		"| mv-apply r = R on (where r.type =~ @\"C:\\\")\n| where G has @'x\\' | extend y = iff(H has 'no', 1, 2)")
	var s []string
	for _, c := range got {
		s = append(s, c.field+" "+string(c.op)+" "+c.value)
	}
	assert.Equal(t, []string{"A eq x", "B.c contains  /s ", "D in a", "D in b", `r.type eq C:\`, `G contains x\`}, s)
}

// TestWhereLiteralsRead checks, over the shared Sentinel corpus, that every
// literal comparison on a plain column in a where clause, as the scanner of
// this file finds it, is among the rule's raw predicates (field as written,
// operator, exact value). It logs the coverage and each miss, asserts the
// coverage and that the Mercury rule (a union missing its comma) is partial.
func TestWhereLiteralsRead(t *testing.T) {
	root := pipetest.SharedCorpus(t, "sentinel")
	var want, found, rules int
	var misses []string
	mercury := rule.Status("")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		var doc struct {
			Query string `yaml:"query"`
		}
		if yaml.Unmarshal(data, &doc) != nil || doc.Query == "" {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		res, err := Source{}.Load(rule.File{Root: root, Path: rel, Data: data})
		if err != nil || len(res.Rules) != 1 {
			return nil
		}
		r := res.Rules[0]
		rules++
		if strings.HasSuffix(rel, "Mercury_Log4j_August2022.yaml") {
			mercury = r.ParseStatus
		}
		for _, c := range literalComparisons(doc.Query) {
			want++
			ok := false
			for _, p := range r.Predicates {
				if p.FieldRaw == c.field && p.Op == c.op && p.Value == c.value {
					ok = true
					break
				}
			}
			if ok {
				found++
			} else {
				misses = append(misses, rel+": "+c.text+" ("+r.ParseError+")")
			}
		}
		return nil
	})
	require.NoError(t, err)
	for _, m := range misses {
		t.Logf("miss: %s", m)
	}
	cov := float64(found) / float64(max(want, 1))
	t.Logf("%d rules, %d literal comparisons in where clauses, %d among the raw predicates (%.2f%%), %d missed",
		rules, want, found, 100*cov, len(misses))
	assert.Greater(t, want, 1000, "the scanner finds the corpus's comparisons")
	assert.GreaterOrEqual(t, cov, 0.99)
	assert.Equal(t, rule.StatusPartial, mercury, "Mercury_Log4j_August2022.yaml: union missing its comma")
}
