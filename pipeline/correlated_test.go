package pipeline

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

func TestCorrelatedEvents(t *testing.T) {
	rules := []rule.Rule{
		{Vendor: "panther", RuleID: "A", Events: []string{"cloud_audit"}, Platforms: []string{"aws"}, Domains: []string{"cloud"}},
		{Vendor: "panther", RuleID: "B", Events: []string{"authentication"}, Platforms: []string{"okta"}},
		{Vendor: "sigma", RuleID: "A", Events: []string{"process_creation"}},
		{Vendor: "sigma", RuleID: "1", Events: []string{"authentication"}},
		{Vendor: "sigma", RuleID: "3", Name: "new_service", Events: []string{"service_creation"}, Platforms: []string{"windows"}},
		// Names one rule by id, another by its name.
		{Vendor: "sigma", RuleID: "4", Kind: rule.KindCorrelation, Correlates: []string{"1", "new_service"}, Events: []string{"other:unknown"}},
		// Correlates A and B of its own vendor, not sigma's A.
		{Vendor: "panther", RuleID: "C", Kind: rule.KindCorrelation, Correlates: []string{"A", "B", "missing"}, Events: []string{"other:unknown"}},
		{Vendor: "sigma", RuleID: "2", Kind: rule.KindCorrelation, Correlates: []string{"1"}, Events: []string{"other:unknown"}},
		// Correlated rules all missing: keeps its own events.
		{Vendor: "panther", RuleID: "D", Kind: rule.KindCorrelation, Correlates: []string{"nowhere"}, Events: []string{"other:unknown"}},
		// Reads a log source of its own: untouched.
		{Vendor: "panther", RuleID: "E", Kind: rule.KindCorrelation, Correlates: []string{"A"}, Events: []string{"network_flow"}},
	}
	correlatedEvents(rules)
	require.Equal(t, []string{"authentication", "service_creation"}, rules[5].Events)
	require.Equal(t, []string{"windows"}, rules[5].Platforms)
	require.Equal(t, []string{"authentication", "cloud_audit"}, rules[6].Events)
	require.Equal(t, []string{"aws", "okta"}, rules[6].Platforms)
	require.Equal(t, []string{"cloud"}, rules[6].Domains)
	require.Equal(t, []string{"authentication"}, rules[7].Events)
	require.Equal(t, []string{"other:unknown"}, rules[8].Events)
	require.Equal(t, []string{"network_flow"}, rules[9].Events)
}
