package spl

import (
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// corpusSearches returns up to n searches from the shared Splunk corpus, or
// nothing when it is absent.
func corpusSearches(tb testing.TB, n int) []string {
	root := filepath.Join(pipetest.RepoRoot(tb), "..", "shared", "corpora", "splunk", "detections")
	files, _ := filepath.Glob(filepath.Join(root, "*", "*.yml"))
	var out []string
	for _, f := range files {
		if len(out) >= n {
			break
		}
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var d struct{ Search string }
		if yaml.Unmarshal(data, &d) == nil && d.Search != "" {
			out = append(out, d.Search)
		}
	}
	return out
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`a=1 b!=2 NOT (c=*x* OR d IN (1, "2", 10.0.0.0/8))`,
		`| tstats count from datamodel=Endpoint.Processes where Processes.process_name=cmd.exe by Processes.dest | where count > 5`,
		`x | where like(lower(a), "%b_%") AND match(c, "^d") OR NOT isnull(e) | regex f!="g"`,
		`a [search b=1 | fields c] "quoted \" value" TERM(x) | eval y=if(a>1,"a","b") | search z<=3`,
		"a ```c``` b | where a XOR b",
		`a=1 | join type=left p [search sourcetype=s b=2 NOT c=3 | stats count as n by p] | where n > 2`,
		`| tstats count from datamodel=A by p | join p [| tstats count from datamodel=B where B.x="*y*" by p | join q [search z=1]]`,
		`a | stats count by u | append [search b=2] | appendpipe [stats count as z | where z=0]`,
		`a NOT [| inputlookup t | rename x as y | fields y] | eval l=len(c), p=lower(q) | rex field=c "(?<e>.)" | lookup t k OUTPUT s AS v | where l>1 AND e="x" AND v<2`,
		`eventType=user.account index=main source=x eventtype=e | transaction u startswith="a=1" | map search="search b=$c$"`,
		`a | join x [search b=(] | union [search c] [search d]`,
	} {
		f.Add(s)
	}
	// Real searches: macros left in place exercise the macro tokens.
	for _, s := range corpusSearches(f, 400) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			if _, ok := err.(*rule.SyntaxError); !ok {
				t.Fatalf("error is %T, not *rule.SyntaxError", err)
			}
			return
		}
		rule.Flatten(Lower(q))
		LogSources(q)
		Unread(q)
		p1 := q.String()
		q2, err := Parse(p1)
		if err != nil {
			t.Fatalf("printed query does not parse: %v\nsrc: %q\nprinted: %q", err, src, p1)
		}
		if p2 := q2.String(); p1 != p2 {
			t.Fatalf("printer not stable:\nsrc: %q\n1: %q\n2: %q", src, p1, p2)
		}
	})
}
