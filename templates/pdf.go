package templates

import "embed"

// PDF holds the layout of the PDF reports (exporters/pdf): pdf/layout.yaml
// with page geometry, text styles, colours, section order, table columns,
// limits and every text label.
//
//go:embed pdf
var PDF embed.FS
