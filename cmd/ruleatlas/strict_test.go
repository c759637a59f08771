package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// TestStrictResult: --strict fails on failed rules only, --strict-partial
// on partly parsed ones too, and the message counts the two apart.
func TestStrictResult(t *testing.T) {
	state := func(failed, partial, failedFiles int) *pipeline.State {
		return &pipeline.State{
			Counts:     pipeline.RuleCounts{"sigma": {rule.StatusOK: 10, rule.StatusFailed: failed, rule.StatusPartial: partial}},
			FileCounts: pipeline.FileCounts{"sigma": {tables.OutcomeRule: 10, tables.OutcomeFailed: failedFiles}},
		}
	}
	for _, c := range []struct {
		name                   string
		failed, partial, files int
		strict, strictPartial  bool
		wantFail               bool
		wantMsg                string
	}{
		{"not strict", 3, 420, 2, false, false, false, ""},
		{"strict, failed and partial", 3, 420, 2, true, false, true,
			"3 rules failed (2 files could not be read or decoded), 420 parsed partly (--strict fails on failed rules; --strict-partial on partial ones too)"},
		{"strict, partial only", 0, 420, 0, true, false, false, ""},
		{"strict-partial, partial only", 0, 420, 0, true, true, true, "0 rules failed, 420 parsed partly (--strict-partial fails on both)"},
		{"strict, one failed query", 1, 0, 0, true, false, true,
			"1 rule failed, 0 parsed partly (--strict fails on failed rules; --strict-partial on partial ones too)"},
		{"strict-partial, clean", 0, 0, 0, true, true, false, ""},
	} {
		msg, fail := strictResult(state(c.failed, c.partial, c.files), c.strict, c.strictPartial)
		assert.Equal(t, c.wantFail, fail, c.name)
		assert.Equal(t, c.wantMsg, msg, c.name)
	}
}
