package elastic

// parseEQL is a placeholder until package eql exists.
func parseEQL(src string) queryResult {
	return queryResult{err: "eql parser not available"}
}

// parseESQL is a placeholder until package esql exists.
func parseESQL(src string) queryResult {
	return queryResult{err: "esql parser not available"}
}
