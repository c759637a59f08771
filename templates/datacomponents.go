package templates

import _ "embed"

// DataComponents is datacomponents.yaml: the mapping from normalized events
// (and the event codes, actions and log sources a rule names) to ATT&CK data
// components, read by normalize/telemetry.
//
//go:embed datacomponents.yaml
var DataComponents []byte
