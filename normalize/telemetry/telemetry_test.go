package telemetry

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/normalize/taxonomy"
)

// TestEveryEventMapped checks that every event of the taxonomy is mapped or
// deliberately unmapped, and that the mapping names no other event.
func TestEveryEventMapped(t *testing.T) {
	m, err := Default()
	require.NoError(t, err)
	tax, err := taxonomy.Default()
	require.NoError(t, err)
	known := map[string]bool{}
	for _, ev := range tax.Events() {
		known[ev] = true
		_, unmapped := m.Unmapped()[ev]
		mapped := false
		for _, e := range m.Events() {
			mapped = mapped || e == ev
		}
		assert.True(t, mapped != unmapped, "event %s must be mapped or listed as unmapped", ev)
	}
	for _, ev := range m.Events() {
		assert.True(t, known[ev], "mapped event %s is not in the taxonomy", ev)
	}
	for ev, why := range m.Unmapped() {
		assert.True(t, known[ev], "unmapped event %s is not in the taxonomy", ev)
		assert.NotEmpty(t, why, ev)
	}
}

// TestComponentsAsInATTACK checks every data component id and name against
// the embedded ATT&CK model: current components, names spelled as there.
func TestComponentsAsInATTACK(t *testing.T) {
	m, err := Default()
	require.NoError(t, err)
	am, err := attack.Default()
	require.NoError(t, err)
	for _, c := range m.Components() {
		dc := am.Component(c.ID)
		if assert.NotNil(t, dc, "%s is not a current ATT&CK data component", c.ID) {
			assert.Equal(t, dc.Name, c.Name, c.ID)
		}
	}
	assert.GreaterOrEqual(t, len(m.Components()), 60)
}

func TestMap(t *testing.T) {
	m, err := Default()
	require.NoError(t, err)
	eq := func(f, v string) rule.Predicate { return rule.Predicate{Field: f, Op: rule.OpEq, Value: v} }
	for _, tc := range []struct {
		name    string
		events  []string
		sources []string
		preds   []rule.Predicate
		want    []string
	}{
		{"process creation", []string{"process_creation"}, []string{"category:process_creation", "product:windows"}, nil, []string{"DC0032"}},
		{"two events", []string{"process_creation", "network_connection"}, nil, nil, []string{"DC0032", "DC0082"}},
		{"powershell", []string{"powershell"}, []string{"category:ps_script"}, nil, []string{"DC0029", "DC0064"}},
		{"powershell classic", []string{"powershell"}, []string{"category:ps_classic_start"}, nil, []string{"DC0029", "DC0034", "DC0064"}},
		{"security 4624", []string{"windows_event"}, []string{"service:security"}, []rule.Predicate{eq(CodeField, "4624")}, []string{"DC0067"}},
		{"security code list", []string{"windows_event"}, []string{"service:security"},
			[]rule.Predicate{{Field: CodeField, Op: rule.OpIn, Value: "4720"}, {Field: CodeField, Op: rule.OpIn, Value: "4726"}}, []string{"DC0009", "DC0014"}},
		{"negated code ignored", []string{"windows_event"}, []string{"service:security"},
			[]rule.Predicate{{Field: CodeField, Op: rule.OpEq, Value: "4624", Negated: true}}, nil},
		{"windows_event without code", []string{"windows_event"}, []string{"service:system"}, nil, nil},
		{"sysmon id gated on sysmon", []string{"windows_event"}, []string{"service:sysmon"}, []rule.Predicate{eq(CodeField, "1")}, []string{"DC0032"}},
		{"small id elsewhere", []string{"windows_event"}, []string{"service:system"}, []rule.Predicate{eq(CodeField, "1")}, nil},
		{"cloudtrail action", []string{"cloud_audit"}, []string{"service:cloudtrail"}, []rule.Predicate{eq(ActionField, "StopLogging")}, []string{"DC0090"}},
		{"cloud fallback", []string{"cloud_audit"}, []string{"service:cloudtrail"}, nil, []string{"DC0069"}},
		{"auditd execve", []string{"kernel_audit"}, []string{"service:auditd"}, []rule.Predicate{eq(ActionField, "EXECVE")}, []string{"DC0032", "DC0064"}},
		{"zeek dns", []string{"dns_query"}, []string{"product:zeek", "service:dns"}, nil, []string{"DC0082", "DC0085"}},
		{"unmapped", []string{"alert", "correlation"}, nil, nil, nil},
		{"other", []string{"other:unknown"}, nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := m.Map(tc.events, tc.sources, FactsOf(tc.preds))
			if len(tc.want) == 0 {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseErrors(t *testing.T) {
	for name, src := range map[string]string{
		"bad component":  "events:\n  x: {components: [Process Creation]}\n",
		"two names":      "events:\n  x: {components: [DC0001 A]}\n  y: {components: [DC0001 B]}\n",
		"both":           "unmapped: {x: why}\nevents:\n  x: {components: [DC0001 A]}\n",
		"empty":          "events:\n  x: {log_sources: [a]}\n",
		"bare refine":    "events:\n  x: {refine: [{components: [DC0001 A]}]}\n",
		"unknown key":    "events:\n  x: {component: [DC0001 A]}\n",
		"refine no comp": "events:\n  x: {refine: [{codes: [\"1\"]}]}\n",
	} {
		_, err := Parse([]byte(src))
		assert.Error(t, err, name)
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pat, s string
		want   bool
	}{
		{"*sysmon*", "service:sysmon", true},
		{"*sysmon*", "datasource:sysmon eventid 1", true},
		{"list*", "listbuckets", true},
		{"list*", "getlist", false},
		{"*/write*", "microsoft.compute/virtualmachines/write", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"", "", true},
		{"*", "", true},
	} {
		assert.Equal(t, tc.want, Glob(tc.pat, tc.s), "%s ~ %s", tc.pat, tc.s)
	}
}
