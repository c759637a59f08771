package taxonomy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClassify(t *testing.T) {
	tx, err := Default()
	require.NoError(t, err)
	tests := []struct {
		name    string
		vendor  string
		sources []string
		want    Result
	}{
		{"sigma process creation", "sigma", []string{"product:windows", "category:process_creation"},
			Result{Events: []string{"process_creation"}, Platforms: []string{"windows"}, Domains: []string{"endpoint"}}},
		{"sigma security service", "sigma", []string{"product:windows", "service:security"},
			Result{Events: []string{"windows_event"}, Platforms: []string{"windows"}, Domains: []string{"endpoint"}}},
		{"vendor gate", "elastic", []string{"service:security"}, Result{}},
		{"glob gate", "panther", []string{"logtype:Okta.SystemLog"},
			Result{Events: []string{"identity_audit"}, Platforms: []string{"okta"}, Domains: []string{"identity"}}},
		{"splunk datamodel", "splunk", []string{"datamodel:Endpoint.Processes"},
			Result{Events: []string{"process_creation"}, Domains: []string{"endpoint"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tx.Classify(tc.vendor, tc.sources))
		})
	}
	assert.Equal(t, "other:foo", Other([]string{"product:foo"}))
	assert.Equal(t, "other:unknown", Other(nil))
}

func TestParseRejectsUnknownNames(t *testing.T) {
	_, err := Parse([]byte("events: [a]\nentries:\n- {when: {x: [y]}, events: [b]}\n"))
	assert.ErrorContains(t, err, `unknown event "b"`)
	_, err = Parse([]byte("events: [a]\nentries:\n- {events: [a]}\n"))
	assert.ErrorContains(t, err, "no when gate")
	_, err = Parse([]byte("eventz: [a]\n"))
	assert.Error(t, err)
}

func TestFallbackOnlyWithoutOtherEvents(t *testing.T) {
	tx, err := Parse([]byte(`
events: [a, b]
entries:
  - {when: {cat: [x]}, events: [a]}
  - {fallback: true, when: {src: [s]}, events: [b]}
`))
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, tx.Classify("v", []string{"cat:x", "src:s"}).Events)
	assert.Equal(t, []string{"b"}, tx.Classify("v", []string{"src:s"}).Events)
}
