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

func TestGates(t *testing.T) {
	tx, err := Parse([]byte(`
events: [a, b]
entries:
  - {when: {Product: [Win*], category: [process_creation]}, events: [a]}
  - {vendor: v2, when: {service: ["sec?rity"]}, events: [b]}
`))
	require.NoError(t, err)
	tests := []struct {
		name    string
		vendor  string
		sources []string
		want    []string
	}{
		{"every gate holds", "v", []string{"product:windows", "category:process_creation"}, []string{"a"}},
		{"keys, values and patterns ignore case", "v", []string{"PRODUCT:WINDOWS", "Category:Process_Creation"}, []string{"a"}},
		{"one gate fails", "v", []string{"product:windows", "category:file_event"}, nil},
		{"one gate missing", "v", []string{"product:windows"}, nil},
		{"a later source holds the gate", "v", []string{"product:linux", "category:process_creation", "product:windows"}, []string{"a"}},
		{"single-character glob", "v2", []string{"service:security"}, []string{"b"}},
		{"vendor gate", "v", []string{"service:security"}, nil},
		{"source without a key", "v2", []string{"security"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tx.Classify(tc.vendor, tc.sources).Events)
		})
	}
}

func TestParseRejectsBadPatterns(t *testing.T) {
	_, err := Parse([]byte("events: [a]\nentries:\n- {when: {x: [\"[y\"]}, events: [a]}\n"))
	assert.ErrorContains(t, err, `entry 1: pattern "[y": syntax error in pattern`)
}

func TestSplunkDataSources(t *testing.T) {
	tx, err := Default()
	require.NoError(t, err)
	tests := []struct {
		name    string
		sources []string
		want    Result
	}{
		{"sysmon 1 is process creation", []string{"datasource:Sysmon EventID 1"},
			Result{Events: []string{"process_creation"}, Platforms: []string{"windows"}, Domains: []string{"endpoint"}}},
		{"sysmon 13 is not process creation", []string{"datasource:Sysmon EventID 13"},
			Result{Events: []string{"registry_event"}, Platforms: []string{"windows"}, Domains: []string{"endpoint"}}},
		{"compound data source is both", []string{"datasource:Sysmon EventID 1 AND Sysmon EventID 11"},
			Result{Events: []string{"file_event", "process_creation"}, Platforms: []string{"windows"}, Domains: []string{"endpoint"}}},
		{"tags.product says nothing about the data", []string{"product:Splunk Enterprise", "product:Splunk Cloud"}, Result{}},
		{"cloudtrail sourcetype", []string{"sourcetype:aws:cloudtrail"},
			Result{Events: []string{"cloud_audit"}, Platforms: []string{"aws"}, Domains: []string{"cloud"}}},
		{"sourcetype with a slash", []string{"sourcetype:wineventlog:microsoft-windows-wmi-activity/operational"},
			Result{Events: []string{"windows_event"}, Platforms: []string{"windows"}, Domains: []string{"endpoint"}}},
		{"splunk stream http is web traffic", []string{"datasource:Splunk Stream HTTP"},
			Result{Events: []string{"web_request"}, Domains: []string{"web"}}},
		{"splunk's own logs", []string{"sourcetype:splunkd"},
			Result{Events: []string{"application_log"}, Domains: []string{"application"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tx.Classify("splunk", tc.sources))
			got := tx.Classify("splunk", tc.sources) // cached
			assert.Equal(t, tc.want, got)
			got.Events = append(got.Events[:0], "mutated")
			assert.Equal(t, tc.want, tx.Classify("splunk", tc.sources), "the cache hands out copies")
		})
	}
}
