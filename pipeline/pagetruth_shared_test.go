package pipeline_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// TestSharedTechniquePagesTell checks, on every technique page of the
// whole shared catalog (the page model every medium renders), what issue 20
// asks of the indicator and field tables: no existence check and no `in`
// among indicator values, eq and in one equality everywhere, computed
// columns apart from event fields, no empty sample value, no repeated
// indicator identity. It counts again from the rules themselves the rules
// that filter on Splunk's sourcetype on every page (a log-source field), and
// the computed columns of T1595 and T1059.001.
func TestSharedTechniquePagesTell(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-catalog run")
	}
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: allShared(t), AttackFile: pipetest.SharedAttack(t)})
	require.NoError(t, err)
	defer st.Tables.Release()
	ix := view.NewIndex(st.Tables)
	require.Greater(t, len(ix.Techniques()), 400)
	for _, id := range ix.Techniques() {
		p := ix.Page(id)
		seen := map[string]bool{}
		for _, r := range p.Indicators {
			require.NotContains(t, []string{"in", "is_null", "is_not_null"}, r.Op, "%s: indicator %s %s %q", id, r.Field, r.Op, r.Value)
			require.NotEqual(t, rule.RoleComputed, rule.Role(r.Role), "%s: computed column %s among indicator values", id, r.Field)
			key := r.Field + "\x00" + r.Role + "\x00" + r.Op + "\x00" + strings.ToLower(r.Value)
			require.False(t, seen[key], "%s: indicator %s %s %q twice", id, r.Field, r.Op, r.Value)
			seen[key] = true
		}
		for _, f := range p.Fields {
			require.NotEqual(t, string(rule.RoleComputed), f.Role, "%s: computed column %s among the fields", id, f.Field)
			require.NotContains(t, " "+f.How, " in ", "%s: %s how %q splits in from eq", id, f.Field, f.How)
			require.NotContains(t, f.Samples, "", "%s: %s has an empty sample value", id, f.Field)
		}
		for _, f := range p.Computed {
			require.Equal(t, string(rule.RoleComputed), f.Role, "%s: %s in the computed table", id, f.Field)
			require.NotContains(t, f.Samples, "", "%s: %s has an empty sample value", id, f.Field)
		}
	}

	counted := map[rule.Kind]bool{}
	for _, k := range rule.AlertingKinds {
		counted[k] = true
	}
	// Rules of a technique (or one of its sub-techniques) of the counted
	// kinds with a non-negated predicate that ok accepts.
	count := func(tech string, ok func(rule.Predicate) bool) int64 {
		var n int64
		for _, r := range st.Rules {
			k := r.Kind
			if k == "" {
				k = rule.KindDetection
			}
			if !counted[k] || !slices.ContainsFunc(r.Techniques, func(t string) bool { return t == tech || attack.Parent(t) == tech }) {
				continue
			}
			if slices.ContainsFunc(r.Predicates, func(p rule.Predicate) bool { return !p.Negated && ok(p) }) {
				n++
			}
		}
		return n
	}
	// Every page's sourcetype row against a count of the rules.
	withSourcetype := 0
	for _, id := range ix.Techniques() {
		want := count(id, func(p rule.Predicate) bool { return p.Field == "sourcetype" && p.Role == rule.RoleLogSource })
		got := int64(0)
		for _, f := range ix.Page(id).Fields {
			if f.Field == "sourcetype" {
				require.Equal(t, string(rule.RoleLogSource), f.Role)
				got = f.Rules
			}
		}
		require.Equal(t, want, got, "%s: rules filtering on sourcetype", id)
		if got > 0 {
			withSourcetype++
		}
	}
	require.Greater(t, withSourcetype, 50, "pages that list Splunk's sourcetype among their fields")
	for _, id := range []string{"T1595", "T1059.001"} {
		p := ix.Page(id)
		computedFields := map[string]bool{}
		for _, r := range st.Rules {
			for _, q := range r.Predicates {
				if q.Role == rule.RoleComputed && slices.ContainsFunc(r.Techniques, func(t string) bool { return t == id || attack.Parent(t) == id }) {
					computedFields[q.Field] = true
				}
			}
		}
		for _, f := range p.Computed {
			require.True(t, computedFields[f.Field], "%s: %s is no rule's computed column", id, f.Field)
		}
		t.Logf("%s: %d rules, %d fields, %d computed columns, %d indicators", id, p.Total, len(p.Fields), len(p.Computed), len(p.Indicators))
	}
	t.Logf("%d of %d technique pages list sourcetype among their fields", withSourcetype, len(ix.Techniques()))
}
