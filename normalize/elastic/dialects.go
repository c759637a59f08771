package elastic

import "github.com/ruleatlas/ruleatlas/normalize/elastic/eql"

// parseEQL parses an EQL query; its event categories become log sources.
func parseEQL(src string) queryResult {
	q, err := eql.Parse(src)
	if err != nil {
		return failed("eql", err)
	}
	return queryResult{expr: eql.Lower(q), categories: q.Categories()}
}

// parseESQL is a placeholder until package esql exists.
func parseESQL(src string) queryResult {
	return queryResult{err: "esql parser not available"}
}
