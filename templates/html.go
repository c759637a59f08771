package templates

import "embed"

// HTML holds the templates and assets of the static HTML site
// (exporters/html): html/*.tmpl and html/assets/*.
//
//go:embed html
var HTML embed.FS
