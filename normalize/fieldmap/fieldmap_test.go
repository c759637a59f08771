package fieldmap

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
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
		{"sigma image", Scope{Vendor: "sigma", LogSources: []string{"category:process_creation", "product:windows"}}, "Image", "process.executable", "sigma-windows"},
		{"sigma image in image_load beats vendor-wide", Scope{Vendor: "sigma", LogSources: []string{"category:image_load"}}, "ImageLoaded", "dll.path", "sigma-image-load"},
		{"sigma file event target", Scope{Vendor: "sigma", LogSources: []string{"category:file_event"}}, "TargetFilename", "file.path", "sigma-file-events"},
		{"sigma image load imphash", Scope{Vendor: "sigma", LogSources: []string{"category:image_load", "product:windows"}}, "Hashes", "dll.pe.imphash", "sigma-image-load"},
		{"sigma process creation hashes kept", Scope{Vendor: "sigma", LogSources: []string{"category:process_creation", "product:windows"}}, "Hashes", "Hashes", ""},
		{"sigma script block", Scope{Vendor: "sigma", LogSources: []string{"category:ps_script", "product:windows"}}, "ScriptBlockText", "powershell.file.script_block_text", "sigma-windows-eventlog"},
		{"splunk script block", Scope{Vendor: "splunk", LogSources: []string{"datasource:Powershell Script Block Logging 4104"}}, "ScriptBlockText", "powershell.file.script_block_text", "splunk-windows-eventlog"},
		{"script block needs a windows source", Scope{Vendor: "splunk", LogSources: []string{"datasource:Okta"}}, "ScriptBlockText", "ScriptBlockText", ""},
		{"panther cloudtrail eventType", Scope{Vendor: "panther", LogSources: []string{"logtype:AWS.CloudTrail"}}, "eventType", "aws.cloudtrail.event_type", "panther-cloudtrail"},
		{"panther okta eventType", Scope{Vendor: "panther", LogSources: []string{"logtype:Okta.SystemLog"}}, "eventType", "okta.event_type", "panther-okta"},
		{"eventType ungated passes through", Scope{Vendor: "panther", LogSources: []string{"logtype:Slack.AuditLogs"}}, "eventType", "eventType", ""},
		{"sigma cloudtrail identity", Scope{Vendor: "sigma", LogSources: []string{"product:aws", "service:cloudtrail"}}, "userIdentity.type", "aws.cloudtrail.user_identity.type", "sigma-cloud-aws"},
		{"elastic keeps its own name", Scope{Vendor: "elastic", LogSources: nil}, "winlog.event_data.TargetUserName", "winlog.event_data.TargetUserName", ""},
		{"elastic common names not remapped", Scope{Vendor: "elastic", LogSources: nil}, "CommandLine", "CommandLine", ""},
		{"elastic ECS multi-field", Scope{Vendor: "elastic", LogSources: nil}, "process.command_line.text", "process.command_line", ""},
		{"splunk prefix stripped", Scope{Vendor: "splunk", LogSources: nil}, "Processes.process_name", "process.name", "splunk-cim"},
		{"splunk traffic", Scope{Vendor: "splunk", LogSources: nil}, "All_Traffic.dest_port", "destination.port", "splunk-cim"},
		{"sentinel default FileName", Scope{Vendor: "sentinel", LogSources: []string{"table:DeviceProcessEvents"}}, "FileName", "process.name", "sentinel-defender"},
		{"sentinel file table FileName", Scope{Vendor: "sentinel", LogSources: []string{"table:DeviceFileEvents"}}, "FileName", "file.name", "sentinel-file-events"},
		{"panther cloudtrail", Scope{Vendor: "panther", LogSources: []string{"logtype:AWS.CloudTrail"}}, "eventName", "event.action", "panther-cloudtrail"},
		{"sentinel signin result", Scope{Vendor: "sentinel", LogSources: []string{"table:SigninLogs"}}, "ResultType", "azure.signinlogs.properties.status.error_code", "sentinel-signin"},
		{"sentinel ResultType elsewhere passes", Scope{Vendor: "sentinel", LogSources: []string{"table:AzureActivity"}}, "ResultType", "ResultType", ""},
		{"case folded", Scope{Vendor: "sigma", LogSources: nil}, "commandline", "process.command_line", "common-ecs-aliases"},
		{"unmapped passes through", Scope{Vendor: "elastic", LogSources: nil}, "process.name", "process.name", ""},
		{"unknown keeps name", Scope{Vendor: "sigma", LogSources: nil}, "FooBar", "FooBar", ""},
		// Names whose meaning depends on the event read.
		{"Description of a process", Scope{Vendor: "sigma", LogSources: []string{"category:process_creation"}, Events: []string{"process_creation"}}, "Description", "process.pe.description", "common-pe-process"},
		{"Description of a loaded image", Scope{Vendor: "sigma", LogSources: []string{"category:image_load"}, Events: []string{"image_load"}}, "Description", "dll.pe.description", "common-pe-image-load"},
		{"a firewall's Description is not a PE field", Scope{Vendor: "sentinel", LogSources: []string{"table:AzureDiagnostics"}, Events: []string{"firewall"}}, "Description", "Description", ""},
		{"query in a DNS event", Scope{Vendor: "sigma", LogSources: []string{"category:dns"}, Events: []string{"dns_query"}}, "query", "dns.question.name", "common-dns"},
		{"a WMI query is not a domain", Scope{Vendor: "splunk", LogSources: []string{"datasource:Sysmon EventID 20"}, Events: []string{"windows_event"}}, "query", "query", ""},
		{"status in CIM Web is the HTTP status", Scope{Vendor: "splunk", LogSources: []string{"datamodel:Web"}, Events: []string{"web_request"}}, "Web.status", "http.response.status_code", "splunk-cim-web"},
		{"status in CIM Change is the outcome", Scope{Vendor: "splunk", LogSources: []string{"datamodel:Change.All_Changes"}, Events: []string{"account_change"}}, "All_Changes.status", "event.outcome", "splunk-cim-change"},
		{"action in CIM Authentication is the outcome", Scope{Vendor: "splunk", LogSources: []string{"datamodel:Authentication"}, Events: []string{"authentication"}}, "Authentication.action", "event.outcome", "splunk-cim-authentication"},
		{"action elsewhere in CIM", Scope{Vendor: "splunk", LogSources: []string{"datamodel:Endpoint.Filesystem"}, Events: []string{"file_event"}}, "Filesystem.action", "event.action", "splunk-cim"},
		{"the Windows add-on's status is the outcome", Scope{Vendor: "splunk", LogSources: []string{"datasource:Windows Event Log Security 4724"}, Events: []string{"account_change"}}, "status", "event.outcome", "splunk-windows-ta-status"},
		{"the event's own Status stays the NTSTATUS", Scope{Vendor: "splunk", LogSources: []string{"datasource:Windows Event Log Security 4625"}, Events: []string{"authentication"}}, "Status", "winlog.event_data.Status", "splunk-windows-eventlog"},
		{"a Wiz audit status is not an HTTP status", Scope{Vendor: "panther", LogSources: []string{"logtype:Wiz.Audit"}, Events: []string{"saas_audit"}}, "status", "status", ""},
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
		"unknown key":              "layerz: []\n",
		"old canonical list":       "canonical: [process.name]\n",
		"duplicate id":             "layers:\n- {id: x, map: {f: process.name}}\n- {id: x, map: {g: process.name}}\n",
		"invented canonical":       "layers:\n- {id: x, map: {f: process.hash}}\n",
		"ambiguous":                "layers:\n- {id: x, vendor: v, map: {f: process.name}}\n- {id: y, vendor: v, map: {f: file.name}}\n",
		"exception without reason": "exceptions: {a.b: \"\"}\n",
		"exception already ECS":    "exceptions: {process.name: why}\n",
		"bad name_of":              "name_of: {process.executable: z}\n",
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

// TestCanonicalNamesExist checks the names issue 21 found invented against
// the generated lists, and that every target of the default map is an ECS
// field, an Elastic integration field or a listed exception (Parse refuses
// anything else; this asserts it on the real map).
func TestCanonicalNamesExist(t *testing.T) {
	m, err := Default()
	require.NoError(t, err)
	for _, name := range []string{"powershell.script_block_text", "dll.hash.imphash", "destination.hostname", "process.hash",
		"cloud.user_identity.type", "kubernetes.verb", "cloud.app.id", "logon.type", "target.process.name", "pipe.name", "process.granted_access"} {
		assert.False(t, m.IsCanonical(name), name)
	}
	for name, kind := range map[string]string{"process.name": OriginECS, "dll.pe.imphash": OriginECS, "powershell.file.script_block_text": OriginIntegration,
		"aws.cloudtrail.user_identity.type": OriginIntegration, "kubernetes.audit.verb": OriginIntegration, "aws.cloudtrail.event_type": OriginException} {
		assert.Equal(t, kind, m.Origin(name).Kind, name)
	}
	assert.Equal(t, "windows", m.Origin("powershell.file.script_block_text").Integration)
	assert.Equal(t, "process.command_line", ECSMultiFieldOf("process.command_line.text"))
	for _, l := range m.Layers() {
		for raw, c := range l.Map {
			assert.True(t, m.IsCanonical(c), "layer %s maps %s to %s", l.ID, raw, c)
		}
	}
	for raw, name := range m.file.NameOf {
		assert.Equal(t, OriginECS, m.Origin(raw).Kind, raw)
		assert.Equal(t, OriginECS, m.Origin(name).Kind, name)
	}
}

func TestSources(t *testing.T) {
	m, err := Default()
	require.NoError(t, err)
	var sb *CanonicalFields
	for _, c := range m.MapSources() {
		if c.Field == "powershell.file.script_block_text" {
			sb = &c
		}
		assert.NotEmpty(t, c.Origin.Kind, c.Field)
	}
	require.NotNil(t, sb)
	vendors := map[string]bool{}
	for _, r := range sb.Raw {
		vendors[r.Vendor] = true
	}
	assert.Equal(t, map[string]bool{"elastic": true, "sentinel": true, "sigma": true, "splunk": true}, vendors)

	rules := []rule.Rule{
		{Vendor: "sigma", Predicates: []rule.Predicate{{FieldRaw: "ScriptBlockText", Field: "powershell.file.script_block_text"}, {FieldRaw: "ScriptBlockText", Field: "powershell.file.script_block_text"}, {FieldRaw: "X", Field: "invented.name"}}},
		{Vendor: "elastic", Predicates: []rule.Predicate{{FieldRaw: "powershell.file.script_block_text", Field: "powershell.file.script_block_text"}, {FieldRaw: "process.name", Field: "process.name", Negated: true}}},
	}
	got := m.RuleSources(rules)
	require.Len(t, got, 1)
	assert.Equal(t, "powershell.file.script_block_text", got[0].Field)
	assert.Equal(t, []RawField{{Vendor: "elastic", Field: "powershell.file.script_block_text", Predicates: 1}, {Vendor: "sigma", Field: "ScriptBlockText", Predicates: 2}}, got[0].Raw)
	assert.Equal(t, "integration windows", got[0].Origin.Describe())
}
