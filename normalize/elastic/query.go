package elastic

import (
	"errors"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/kql"
	"github.com/ruleatlas/ruleatlas/normalize/elastic/lucene"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// queryResult is what a language parser made of a rule's query.
type queryResult struct {
	expr       rule.Expr
	err        string   // the parse error, prefixed with the language
	categories []string // EQL event categories
	indices    []string // ES|QL `from` patterns
}

// parseQuery parses src in lang and lowers it.
func parseQuery(lang, src string) queryResult {
	switch lang {
	case rule.LangKuery:
		q, err := kql.Parse(src)
		if err != nil {
			return failed(lang, err)
		}
		return queryResult{expr: kql.Lower(q)}
	case rule.LangLucene:
		q, err := lucene.Parse(src)
		if err != nil {
			return failed(lang, err)
		}
		return queryResult{expr: lucene.Lower(q)}
	case rule.LangEQL:
		return parseEQL(src)
	case rule.LangESQL:
		return parseESQL(src)
	}
	return queryResult{err: "unsupported query language " + lang}
}

// failed formats a parse error as "<lang> query line L, column C: msg".
func failed(lang string, err error) queryResult {
	var se *rule.SyntaxError
	if errors.As(err, &se) {
		return queryResult{err: lang + " query " + se.Error()}
	}
	return queryResult{err: lang + " query: " + err.Error()}
}
