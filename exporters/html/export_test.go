package html

import (
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// TechPage exposes the site's technique page model to the external tests.
func TechPage(set *tables.Set, id string, vendors []string, limit int) (view.Page, int, int, int) {
	return newTechTables(set).page(id, vendors, limit)
}
