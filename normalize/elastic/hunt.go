package elastic

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// huntTable is the `[hunt]` table of a hunting query file
// (`hunting/<area>/queries/*.toml` in detection-rules).
type huntTable struct {
	Name        string     `toml:"name"`
	UUID        string     `toml:"uuid"`
	Integration stringList `toml:"integration"`
	Language    stringList `toml:"language"`
	Query       stringList `toml:"query"`
	Mitre       stringList `toml:"mitre"`
}

// RuleTypeHunting is the rule type of a hunting query.
const RuleTypeHunting = "hunting"

// langOSQuery stands for the osquery SQL of hunting queries, which no
// parser here reads; it is never a rule's language.
const langOSQuery = "osquery SQL"

// huntLanguages maps the names a hunt's `language` list uses.
var huntLanguages = map[string]string{
	"es|ql": rule.LangESQL, "esql": rule.LangESQL,
	"eql": rule.LangEQL,
	"kql": rule.LangKuery, "kuery": rule.LangKuery,
	"lucene": rule.LangLucene,
	"sql":    langOSQuery, "osquery": langOSQuery,
}

// fenceTags are Markdown code-fence language tags that some hunting
// queries begin with, alone on their first line.
var fenceTags = map[string]bool{"sql": true, "esql": true, "eql": true, "kql": true, "kuery": true}

// buildHunt makes the rule of a hunting query file (see the package
// documentation). notes are remarks about the file that do not change
// what was read.
func buildHunt(path string, h *huntTable) (r rule.Rule, notes []string) {
	r = rule.Rule{
		Vendor:   Vendor,
		RuleID:   strings.TrimSpace(h.UUID),
		Path:     path,
		Title:    strings.TrimSpace(h.Name),
		Kind:     rule.KindHunting,
		RuleType: RuleTypeHunting,
	}
	if r.RuleID == "" {
		r.RuleID = path
	}
	for _, m := range h.Mitre {
		// Only ATT&CK ids: MITRE ATLAS ids (AML.T0051.000) hold a
		// technique-like part that is not an ATT&CK technique.
		if id, ok := rule.Technique(m); ok && strings.EqualFold(strings.TrimSpace(m), id) {
			r.Techniques = append(r.Techniques, id)
		} else {
			notes = append(notes, fmt.Sprintf("mitre entry %q is not an ATT&CK technique id; left out", m))
		}
	}
	r.Techniques = rule.Dedup(r.Techniques)
	var logSources []string
	for _, in := range h.Integration {
		logSources = append(logSources, "integration:"+strings.TrimSpace(in))
	}

	var declared []string
	for _, l := range h.Language {
		lang, ok := huntLanguages[strings.ToLower(strings.TrimSpace(l))]
		if !ok {
			notes = append(notes, fmt.Sprintf("hunt language %q is not known", l))
			continue
		}
		if !slices.Contains(declared, lang) {
			declared = append(declared, lang)
		}
	}

	var queries []string
	for _, q := range h.Query {
		if strings.TrimSpace(q) != "" {
			queries = append(queries, q)
		}
	}
	// The hunt's queries, each as written, one after the other.
	r.Query = strings.Join(queries, "\n\n")
	var reasons []string
	var alternatives rule.Or
	parsed, failedN := 0, 0
	failedLang := ""
	for i, q := range queries {
		label := "query"
		if len(queries) > 1 {
			label = fmt.Sprintf("query %d of %d", i+1, len(queries))
		}
		lang, body, tag := sniffLanguage(q)
		if tag != "" {
			notes = append(notes, fmt.Sprintf("%s begins with a stray %q line (a Markdown code-fence tag), read without it", label, tag))
		}
		switch {
		case lang == "" && len(declared) == 1:
			lang = declared[0]
		case lang == "":
			reasons = append(reasons, fmt.Sprintf("%s: language not recognized (the hunt declares %s)", label, strings.Join(h.Language, ", ")))
			continue
		case !slices.Contains(declared, lang):
			notes = append(notes, fmt.Sprintf("%s reads as %s, which the hunt's language list (%s) does not name", label, lang, strings.Join(h.Language, ", ")))
		}
		if lang == langOSQuery {
			reasons = append(reasons, label+": osquery SQL is not parsed")
			continue
		}
		res := parseQuery(lang, body)
		if res.err != "" {
			reasons = append(reasons, label+": "+res.err)
			failedN++
			if failedLang == "" {
				failedLang = lang
			}
			continue
		}
		if parsed == 0 {
			r.Language = lang
		}
		parsed++
		// Each query is flattened on its own: the hunt matches when any of
		// them does, and a query's `and not …` filters stay its exclusions.
		ps, skipped := rule.Flatten(res.expr)
		r.Predicates = append(r.Predicates, ps...)
		alternatives = append(alternatives, res.expr)
		for _, s := range skipped {
			reasons = append(reasons, label+": "+s)
		}
		for _, c := range res.categories {
			logSources = append(logSources, "category:"+c)
		}
		for _, ix := range res.indices {
			logSources = append(logSources, "index:"+ix)
		}
	}
	switch {
	case len(queries) == 0:
		r.Language, r.ParseStatus = rule.LangNone, rule.StatusNoQuery
	case parsed == 0 && failedN > 0:
		r.Language, r.ParseStatus = failedLang, rule.StatusFailed
	case len(reasons) > 0:
		r.ParseStatus = rule.StatusPartial
	default:
		r.ParseStatus = rule.StatusOK
	}
	if r.Language == "" {
		r.Language = rule.LangNone
	}
	if len(reasons) > 0 {
		r.ParseError = reasons[0]
	}
	if len(alternatives) > 0 {
		r.Logic = rule.Logic(alternatives)
	}
	r.LogSources = rule.Dedup(append(logSources, categorySources(r.Predicates)...))
	return r, notes
}

// sniffLanguage tells the language of one hunting query from its first
// words: SELECT or WITH is osquery SQL; FROM, ROW, SHOW, TS or METRICS is
// ES|QL; SEQUENCE, SAMPLE or `<category> where` is EQL. lang is empty when
// the words say nothing (KQL, Lucene). A first line holding only a
// code-fence tag (`sql`) is blanked: body is the query without it, tag the
// tag.
func sniffLanguage(q string) (lang, body, tag string) {
	body = q
	trimmed := strings.TrimLeft(q, " \t\r\n")
	if first, rest, ok := strings.Cut(trimmed, "\n"); ok && fenceTags[strings.ToLower(strings.TrimSpace(first))] && strings.TrimSpace(rest) != "" {
		// Blank the tag rather than cut it, so error positions stay those
		// of the file's query.
		tag = strings.TrimSpace(first)
		body = q[:len(q)-len(trimmed)] + strings.Repeat(" ", len(first)) + "\n" + rest
	}
	words := strings.Fields(body)
	if len(words) == 0 {
		return "", body, tag
	}
	switch strings.ToLower(words[0]) {
	case "select", "with":
		return langOSQuery, body, tag
	case "from", "row", "show", "ts", "metrics":
		return rule.LangESQL, body, tag
	case "sequence", "sample":
		return rule.LangEQL, body, tag
	}
	if len(words) > 1 && strings.EqualFold(words[1], "where") {
		return rule.LangEQL, body, tag
	}
	return "", body, tag
}
