package html

import (
	"bytes"
	"context"
	"html/template"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// fragments are the compiled fragments of templates/html (frag.go).
type fragments struct {
	head, text, tag, tagSev, tagParse                                        *frag
	preds, predField, predFieldRaw, predValue, predValueLink, predsEnd, none *frag
	rule, ruleTechLink, ruleTech, ruleParseErr                               *frag
	group, groupEnd, card, cardParse, cardHeading, cardMore                  *frag
	field, fieldGroup, fieldSection, idents, ident, uses, usesSpan, usesEnd  *frag
	identsEnd, use, useMark                                                  *frag
	eventRow, fieldRow, sample, sampleSep, indRow, exclRow, valueLink, value *frag
}

func compileFragments(t *template.Template) (*fragments, error) {
	f := &fragments{}
	for _, c := range []struct {
		dst   **frag
		name  string
		holes []hole
	}{
		{&f.head, "head", []hole{text("Title"), url("Root")}},
		{&f.text, "f-text", []hole{text("Text")}},
		{&f.tag, "f-tag", []hole{text("Text")}},
		{&f.tagSev, "f-tag-sev", []hole{text("Class"), text("Text")}},
		{&f.tagParse, "f-tag-parse", []hole{text("Class"), text("Text")}},
		{&f.preds, "f-preds", []hole{text("Class")}},
		{&f.predField, "f-pred-field", []hole{text("Field")}},
		{&f.predFieldRaw, "f-pred-field-raw", []hole{text("Raw"), text("Field")}},
		{&f.predValue, "f-pred-value", []hole{text("Op"), text("Value")}},
		{&f.predValueLink, "f-pred-value-link", []hole{text("Op"), url("Root"), url("File"), part("Anchor"), text("Value")}},
		{&f.predsEnd, "f-preds-end", nil},
		{&f.none, "f-none", nil},
		{&f.rule, "rule", []hole{text("Title"), raw("Tags"), text("Vendor"), text("ID"), text("Path"), text("Language"),
			text("Severity"), text("Status"), raw("Techniques"), text("Platforms"), text("Domains"), text("Events"),
			raw("Parse"), text("NMatch"), raw("Match"), text("NExcl"), raw("Excl")}},
		{&f.ruleTechLink, "f-rule-tech-link", []hole{text("Sep"), url("Root"), url("Href"), text("ID"), text("Name")}},
		{&f.ruleTech, "f-rule-tech", []hole{text("Sep"), text("ID"), text("Name")}},
		{&f.ruleParseErr, "f-rule-parse-err", []hole{text("Status"), text("Err")}},
		{&f.group, "f-group", []hole{text("Vendor"), text("N")}},
		{&f.groupEnd, "f-group-end", nil},
		{&f.card, "f-card", []hole{text("Anchor"), text("PlatformTokens"), text("DomainTokens"), url("Root"), url("Href"),
			text("Title"), raw("Tags"), text("ID"), text("Path"), text("Platforms"), text("Domains"), raw("Parse"), raw("Preds")}},
		{&f.cardParse, "f-card-parse", []hole{text("Err")}},
		{&f.cardHeading, "f-card-heading", []hole{text("Heading"), text("N")}},
		{&f.cardMore, "f-card-more", []hole{text("N"), url("Root"), url("Href")}},
		{&f.field, "field", []hole{text("Field"), text("N")}},
		{&f.fieldGroup, "f-field-group", []hole{text("Title"), text("N"), text("Min")}},
		{&f.fieldSection, "f-field-section", []hole{text("Anchor"), text("Field"), text("N")}},
		{&f.idents, "f-idents", nil},
		{&f.identsEnd, "f-idents-end", nil},
		{&f.ident, "f-ident", []hole{text("Anchor"), text("Op"), text("Value"), text("N")}},
		{&f.uses, "f-uses", nil},
		{&f.usesSpan, "f-uses-span", []hole{text("Span")}},
		{&f.usesEnd, "f-uses-end", nil},
		{&f.use, "f-use", []hole{url("Root"), url("Href"), text("Title"), text("Vendor")}},
		{&f.useMark, "f-use-mark", []hole{text("Mark")}},
		{&f.eventRow, "f-event-row", []hole{text("Name"), text("Rules")}},
		{&f.fieldRow, "f-field-row", []hole{url("Root"), url("Href"), text("Field"), text("Rules"), text("How"), raw("Samples")}},
		{&f.sample, "f-sample", []hole{raw("Sep"), text("Value")}},
		{&f.sampleSep, "f-sample-sep", nil},
		{&f.indRow, "f-ind-row", []hole{text("Field"), text("Op"), raw("Value"), text("Rules"), text("Reach")}},
		{&f.exclRow, "f-excl-row", []hole{text("Field"), text("Op"), raw("Value"), text("Rules")}},
		{&f.valueLink, "f-value-link", []hole{url("Root"), url("File"), part("Anchor"), text("Value")}},
		{&f.value, "f-value", []hole{text("Value")}},
	} {
		var err error
		if *c.dst, err = compileFrag(t, c.name, c.holes...); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// worker is the reusable state of one rendering goroutine.
type worker struct {
	buf, scratch []byte
	bb           bytes.Buffer
}

// prepareRules renders, once per rule, the markup several pages share: its
// tags, its item in field page lists and its card on technique pages (both
// relative to a page one folder deep).
func (s *site) prepareRules(ctx context.Context) error {
	n := len(s.rules)
	s.tags, s.uses, s.cards = make([]string, n), make([]string, n), make([]string, n)
	return parallel(ctx, n, func(i int, w *worker) error {
		r := &s.rules[i]
		b := s.appendTags(w.buf[:0], r)
		s.tags[i] = string(b)
		b = s.f.use.fill(b[:0], "../", s.ruleFile[i], r.Title, r.Vendor)
		s.uses[i] = string(b)
		if len(r.Techniques) > 0 {
			b = s.appendCard(b[:0], w, i)
			s.cards[i] = string(b)
		}
		w.buf = b
		return nil
	})
}

func (s *site) appendTags(b []byte, r *view.Rule) []byte {
	b = s.f.tag.fill(b, r.Vendor)
	if r.Severity != "" {
		b = s.f.tagSev.fill(b, r.Severity, r.Severity)
	}
	if r.Status != "" {
		b = s.f.tag.fill(b, r.Status)
	}
	if r.ParseStatus != "ok" {
		b = s.f.tagParse.fill(b, r.ParseStatus, r.ParseStatus)
	}
	return b
}

// appendCard appends rule i's card for technique pages.
func (s *site) appendCard(b []byte, w *worker, i int) []byte {
	r := &s.rules[i]
	const root = "../"
	sc := w.scratch[:0]
	if r.ParseError != "" {
		sc = s.f.cardParse.fill(sc, r.ParseError)
	}
	parseEnd := len(sc)
	for _, excl := range []bool{false, true} {
		n := countPreds(r, excl)
		if n == 0 {
			continue
		}
		heading := "Predicates"
		if excl {
			heading = "Exclusions"
		}
		sc = s.f.cardHeading.fill(sc, heading, strconv.Itoa(n))
		var shown int
		sc, shown = s.appendPreds(sc, i, excl, "", maxInlinePreds)
		if n > shown {
			sc = s.f.cardMore.fill(sc, strconv.Itoa(n-shown), root, s.ruleFile[i])
		}
	}
	w.scratch = sc
	parts := string(sc)
	return s.f.card.fill(b, s.anchor[i], tokens(r.Platforms), tokens(r.Domains), root, s.ruleFile[i],
		r.Title, s.tags[i], r.ID, r.Path, strings.Join(r.Platforms, ", "), strings.Join(r.Domains, ", "),
		parts[:parseEnd], parts[parseEnd:])
}

func countPreds(r *view.Rule, excl bool) int {
	n := 0
	for j := range r.Predicates {
		if r.Predicates[j].Exclusion == excl {
			n++
		}
	}
	return n
}

// appendPreds appends the table of rule i's predicates (excl false) or
// exclusions (excl true). With root set, values link to their field pages
// (relative to root) and every row is shown; else at most limit rows are.
// It returns the number of rows shown.
func (s *site) appendPreds(b []byte, i int, excl bool, root string, limit int) ([]byte, int) {
	r := &s.rules[i]
	class := "preds"
	if excl {
		class = "preds excl"
	}
	b = s.f.preds.fill(b, class)
	shown := 0
	for j := range r.Predicates {
		p := &r.Predicates[j]
		if p.Exclusion != excl {
			continue
		}
		if root == "" && shown == limit {
			break
		}
		shown++
		if p.Field != p.FieldRaw {
			b = s.f.predFieldRaw.fill(b, p.FieldRaw, p.Field)
		} else {
			b = s.f.predField.fill(b, p.Field)
		}
		op := p.Op
		if p.Negated && !p.Exclusion {
			op = "not " + p.Op
		}
		if root != "" {
			id := s.predIdent[s.predOff[i]+j]
			b = s.f.predValueLink.fill(b, op, root, id.page.file, id.Anchor, p.Value)
		} else {
			b = s.f.predValue.fill(b, op, p.Value)
		}
	}
	return s.f.predsEnd.fill(b), shown
}

// rulePage renders the page of rule i.
func (s *site) rulePage(w *worker, i int) []byte {
	r := &s.rules[i]
	const root = "../../"
	sc := w.scratch[:0]
	for j, t := range r.Techniques {
		sep, name := "", ""
		if j > 0 {
			sep = ", "
		}
		if s.set.Attack != nil {
			if at := s.set.Attack.Techniques[t]; at != nil {
				name = " " + clean(at.Name)
			}
		}
		if f, ok := s.techFile[t]; ok {
			sc = s.f.ruleTechLink.fill(sc, sep, root, f, t, name)
		} else {
			sc = s.f.ruleTech.fill(sc, sep, t, name)
		}
	}
	if len(r.Techniques) == 0 {
		sc = s.f.text.fill(sc, "-")
	}
	techEnd := len(sc)
	if r.ParseError != "" {
		sc = s.f.ruleParseErr.fill(sc, r.ParseStatus, r.ParseError)
	} else {
		sc = s.f.text.fill(sc, r.ParseStatus)
	}
	parseEnd := len(sc)
	var counts [2]int
	var ends [2]int
	for k, excl := range []bool{false, true} {
		if counts[k] = countPreds(r, excl); counts[k] > 0 {
			sc, _ = s.appendPreds(sc, i, excl, root, 0)
		} else {
			sc = s.f.none.fill(sc)
		}
		ends[k] = len(sc)
	}
	w.scratch = sc
	parts := string(sc)

	b := s.f.head.fill(w.buf[:0], r.Title, root)
	b = s.f.rule.fill(b, r.Title, s.tags[i], r.Vendor, r.ID, r.Path, r.Language, dash(r.Severity), dash(r.Status),
		parts[:techEnd], dash(strings.Join(r.Platforms, ", ")), dash(strings.Join(r.Domains, ", ")),
		dash(strings.Join(r.Events, ", ")), parts[techEnd:parseEnd],
		strconv.Itoa(counts[0]), parts[parseEnd:ends[0]], strconv.Itoa(counts[1]), parts[ends[0]:ends[1]])
	b = append(b, s.foot...)
	w.buf = b
	return b
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fieldPage renders the page of a field with many values.
func (s *site) fieldPage(w *worker, fp *fieldPage) []byte {
	b := s.f.head.fill(w.buf[:0], clean("Field "+fp.field), "../")
	b = s.f.field.fill(b, clean(fp.field), strconv.Itoa(len(fp.idents)))
	b = s.appendIdents(b, fp)
	b = append(b, s.foot...)
	w.buf = b
	return b
}

// groupPage renders the page of the fields with few values of a group.
func (s *site) groupPage(w *worker, g *fieldGroup) []byte {
	title := "names starting with “" + strings.ToUpper(g.key) + "”"
	if g.key == "other" {
		title = "names starting with another character"
	}
	b := s.f.head.fill(w.buf[:0], "Fields: "+title, "../")
	b = s.f.fieldGroup.fill(b, title, strconv.Itoa(len(g.fields)), strconv.Itoa(minFieldPage))
	for _, fp := range g.fields {
		b = s.f.fieldSection.fill(b, fp.anchor, clean(fp.field), strconv.Itoa(len(fp.idents)))
		b = s.appendIdents(b, fp)
	}
	b = append(b, s.foot...)
	w.buf = b
	return b
}

// appendIdents appends the table of a field's values with the rules using
// them; consecutive values with the same uses share one list.
func (s *site) appendIdents(b []byte, fp *fieldPage) []byte {
	b = s.f.idents.fill(b)
	ids := fp.idents
	for k := 0; k < len(ids); {
		run := 1
		for k+run < len(ids) && sameUses(ids[k].Uses, ids[k+run].Uses) {
			run++
		}
		for j, id := range ids[k : k+run] {
			b = s.f.ident.fill(b, id.Anchor, id.Op, id.Value, strconv.Itoa(len(id.Uses)))
			if j > 0 {
				continue
			}
			if run == 1 {
				b = s.f.uses.fill(b)
			} else {
				b = s.f.usesSpan.fill(b, strconv.Itoa(run))
			}
			for _, u := range id.Uses {
				b = append(b, s.uses[u.rule]...)
				switch {
				case u.Excluded:
					b = s.f.useMark.fill(b, "excludes")
				case u.Negated:
					b = s.f.useMark.fill(b, "not")
				}
			}
			b = s.f.usesEnd.fill(b)
		}
		k += run
	}
	return s.f.identsEnd.fill(b)
}

// sameUses reports whether two values are used by the same rules in the
// same way.
func sameUses(a, b []use) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].rule != b[i].rule || a[i].Excluded != b[i].Excluded || a[i].Negated != b[i].Negated {
			return false
		}
	}
	return true
}

// techniquePage renders a technique's page: the technique template, then
// its rules by vendor (the cards of prepareRules), then the foot.
func (s *site) techniquePage(w *worker, rel, id string) ([]byte, error) {
	w.bb.Reset()
	if err := s.t.ExecuteTemplate(&w.bb, "technique", s.techniqueData(w, rel, id)); err != nil {
		return nil, err
	}
	b := append(w.buf[:0], w.bb.Bytes()...)
	rules := s.byTech[id]
	for k := 0; k < len(rules); {
		vendor := s.rules[rules[k]].Vendor
		n := 1
		for k+n < len(rules) && s.rules[rules[k+n]].Vendor == vendor {
			n++
		}
		b = s.f.group.fill(b, vendor, strconv.Itoa(n))
		for _, ri := range rules[k : k+n] {
			b = append(b, s.cards[ri]...)
		}
		b = s.f.groupEnd.fill(b)
		k += n
	}
	b = append(b, s.foot...)
	w.buf = b
	return b, nil
}
