package elastic

import (
	"github.com/ruleatlas/ruleatlas/normalize/elastic/eql"
	"github.com/ruleatlas/ruleatlas/normalize/elastic/esql"
)

// parseEQL parses an EQL query; its event categories become log sources.
func parseEQL(src string) queryResult {
	q, err := eql.Parse(src)
	if err != nil {
		return failed("eql", err)
	}
	return queryResult{expr: eql.Lower(q), categories: q.Categories()}
}

// parseESQL parses an ES|QL query; its `from` patterns become index log
// sources.
func parseESQL(src string) queryResult {
	q, err := esql.Parse(src)
	if err != nil {
		return failed("esql", err)
	}
	return queryResult{expr: esql.Lower(q), indices: q.Indices()}
}
