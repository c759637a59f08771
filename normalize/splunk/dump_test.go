package splunk_test

import (
	"os"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

func TestDumpFailures(t *testing.T) {
	if os.Getenv("SPLUNK_DUMP") == "" {
		t.Skip()
	}
	rules, _, _ := loadAll(t, pipetest.SharedCorpus(t, "splunk"))
	for _, r := range rules {
		if r.ParseStatus != rule.StatusOK && !r.Deprecated {
			t.Logf("%s: %s", r.Path, r.ParseError)
		}
	}
}

func TestDumpRule(t *testing.T) {
	name := os.Getenv("SPLUNK_RULE")
	if name == "" {
		t.Skip()
	}
	rules, _, _ := loadAll(t, pipetest.SharedCorpus(t, "splunk"))
	for _, r := range rules {
		if r.Title == name || r.Path == name {
			t.Logf("%s %s %s sev=%s %v %v\n%s", r.Path, r.ParseStatus, r.ParseError, r.Severity, r.Techniques, r.LogSources, rule.Format(r.Predicates))
		}
	}
}
