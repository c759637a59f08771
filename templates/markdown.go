package templates

import "embed"

// Markdown holds the template of report.md (exporters/markdown).
//
//go:embed markdown
var Markdown embed.FS
