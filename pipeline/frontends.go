package pipeline

import (
	"github.com/ruleatlas/ruleatlas/normalize/elastic"
	"github.com/ruleatlas/ruleatlas/normalize/panther"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/normalize/sentinel"
	"github.com/ruleatlas/ruleatlas/normalize/sigma"
	"github.com/ruleatlas/ruleatlas/normalize/splunk"
)

// Frontends returns the registered vendor frontends, one per vendor key.
func Frontends() []rule.Frontend {
	return []rule.Frontend{
		sigma.Frontend{},
		elastic.Frontend{},
		splunk.Frontend{},
		sentinel.Frontend{},
		panther.Frontend{},
	}
}

// Vendors lists the vendor keys ruleatlas knows, in report order.
var Vendors = []string{"sigma", "elastic", "splunk", "sentinel", "panther"}
