package fieldmap

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultMapLoads(t *testing.T) {
	m, err := Default()
	require.NoError(t, err)
	tests := []struct {
		name  string
		scope Scope
		raw   string
		want  string
		layer string
	}{
		{"sigma image", Scope{"sigma", []string{"category:process_creation", "product:windows"}}, "Image", "process.executable", "sigma-windows"},
		{"sigma image in image_load beats vendor-wide", Scope{"sigma", []string{"category:image_load"}}, "ImageLoaded", "dll.path", "sigma-image-load"},
		{"sigma file event hashes", Scope{"sigma", []string{"category:file_event"}}, "Hashes", "file.hash.sha256", "sigma-file-events"},
		{"splunk prefix stripped", Scope{"splunk", nil}, "Processes.process_name", "process.name", "splunk-cim"},
		{"splunk traffic", Scope{"splunk", nil}, "All_Traffic.dest_port", "destination.port", "splunk-cim"},
		{"sentinel default FileName", Scope{"sentinel", []string{"table:DeviceProcessEvents"}}, "FileName", "process.name", "sentinel-defender"},
		{"sentinel file table FileName", Scope{"sentinel", []string{"table:DeviceFileEvents"}}, "FileName", "file.name", "sentinel-file-events"},
		{"panther cloudtrail", Scope{"panther", []string{"logtype:AWS.CloudTrail"}}, "eventName", "event.action", "panther-cloudtrail"},
		{"case folded", Scope{"sigma", nil}, "commandline", "process.command_line", "common-ecs-aliases"},
		{"unmapped passes through", Scope{"elastic", nil}, "process.name", "process.name", ""},
		{"unknown keeps name", Scope{"sigma", nil}, "FooBar", "FooBar", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := m.Lookup(tc.scope, tc.raw)
			assert.Equal(t, tc.want, got.Field)
			assert.Equal(t, tc.layer, got.LayerID)
		})
	}
}

func TestParseRejectsBadMaps(t *testing.T) {
	tests := map[string]string{
		"unknown key":         "canonical: [a]\nlayerz: []\n",
		"duplicate id":        "canonical: [a]\nlayers:\n- {id: x, map: {f: a}}\n- {id: x, map: {g: a}}\n",
		"unknown canonical":   "canonical: [a]\nlayers:\n- {id: x, map: {f: b}}\n",
		"ambiguous":           "canonical: [a, b]\nlayers:\n- {id: x, vendor: v, map: {f: a}}\n- {id: y, vendor: v, map: {f: b}}\n",
		"duplicate canonical": "canonical: [a, a]\n",
		"bad name_of":         "canonical: [a]\nname_of: {a: z}\n",
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(doc))
			assert.Error(t, err)
		})
	}
}

func TestRewritesChainAndSpecificity(t *testing.T) {
	m, err := Parse([]byte(`
canonical: [process.name, file.name]
layers:
  - {id: strip-a, priority: 10, strip_prefix: [A.]}
  - {id: strip-b, priority: 20, strip_prefix: [B.]}
  - {id: common, priority: 1, map: {n: file.name}}
  - {id: vendor, priority: 99, vendor: v, map: {n: process.name}}
`))
	require.NoError(t, err)
	assert.Equal(t, Mapped{"process.name", "vendor"}, m.Lookup(Scope{Vendor: "v"}, "A.B.n"))
	assert.Equal(t, Mapped{"file.name", "common"}, m.Lookup(Scope{Vendor: "w"}, "A.B.n"))
}
