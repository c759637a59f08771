package panther

import (
	"fmt"
	"os"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

func TestDumpPartial(t *testing.T) {
	if os.Getenv("PANTHER_DUMP") == "" {
		t.Skip()
	}
	root := pipetest.SharedCorpus(t, "panther")
	paths, results := loadTree(t, root)
	for _, p := range paths {
		for _, r := range results[p].Rules {
			if r.Kind == rule.KindDetection && r.Language == rule.LangPython && r.ParseStatus != rule.StatusOK {
				fmt.Printf("%s\t%s\n", p, r.ParseError)
			}
		}
	}
}

func TestDumpNoPreds(t *testing.T) {
	if os.Getenv("PANTHER_DUMP") == "" {
		t.Skip()
	}
	root := pipetest.SharedCorpus(t, "panther")
	paths, results := loadTree(t, root)
	for _, p := range paths {
		for _, r := range results[p].Rules {
			if r.Kind == rule.KindDetection && r.Language == rule.LangPython && len(r.Predicates) == 0 {
				fmt.Printf("NOPRED %s\t%s\t%s\n", r.RuleType, p, r.ParseError)
			}
		}
	}
}
