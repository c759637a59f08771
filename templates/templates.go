// Package templates embeds the data files and report templates of
// ruleatlas: the field map, the event/platform/domain taxonomy, report
// layouts and fonts.
package templates

import "embed"

// FS holds every embedded template and data file.
//
//go:embed *.yaml
var FS embed.FS
