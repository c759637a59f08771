package pipeline_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// statusCode is what an HTTP status code value may be: digits, a digit
// pattern, nothing (an existence check), or Splunk CIM's placeholder
// "unknown" (the CIM's value for a field the source did not fill).
var statusCode = regexp.MustCompile(`^([0-9*?]*|unknown)$`)

// TestSharedFieldMeanings checks, on the whole shared catalog, that
// canonical names whose meaning is narrow hold only values and events of
// that meaning: a name that means different things in different products
// (status, Description, query) must not land on one canonical field for
// all of them. Each check reads the rules' own values and events.
func TestSharedFieldMeanings(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-catalog run")
	}
	rules := loadNormalized(t)
	reads := func(r rule.Rule, events ...string) bool {
		return slices.ContainsFunc(r.Events, func(e string) bool { return slices.Contains(events, e) })
	}
	counts := map[string]int{}
	for _, r := range rules {
		for _, p := range r.Predicates {
			switch {
			case p.Field == "http.response.status_code":
				counts[p.Field]++
				assert.Regexp(t, statusCode, p.Value, "%s %s: %s %s %q is no HTTP status", r.Vendor, r.RuleID, p.FieldRaw, p.Op, p.Value)
			case strings.HasPrefix(p.Field, "process.pe.") && p.Field != "process.pe.original_file_name":
				counts[p.Field]++
				assert.True(t, reads(r, "process_creation"), "%s %s: %s → %s outside a process event (%v)", r.Vendor, r.RuleID, p.FieldRaw, p.Field, r.Events)
			case strings.HasPrefix(p.Field, "dll.pe.") && p.Field != "dll.pe.imphash":
				counts[p.Field]++
				assert.True(t, reads(r, "image_load", "driver_load"), "%s %s: %s → %s outside an image-load event (%v)", r.Vendor, r.RuleID, p.FieldRaw, p.Field, r.Events)
			case p.Field == "dns.question.name" && strings.EqualFold(p.FieldRaw, "query"):
				counts["query → dns.question.name"]++
				assert.True(t, reads(r, "dns_query"), "%s %s: query → dns.question.name outside a DNS event (%v)", r.Vendor, r.RuleID, r.Events)
			}
		}
	}
	assert.Greater(t, counts["http.response.status_code"], 50)
	assert.Greater(t, counts["process.pe.description"], 50)
	assert.Greater(t, counts["dll.pe.description"], 5)
	t.Logf("field meanings checked: %v", counts)
}
