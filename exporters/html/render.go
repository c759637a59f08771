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
	group, groupEnd, card, huntingHead, unmappedHead                         *frag
	field, fieldGroup, fieldSection, fieldPager, idents, ident, uses         *frag
	usesSpan, usesEnd, identsEnd, use, useMark                               *frag
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
		{&f.group, "f-group", []hole{text("Vendor"), text("N")}},
		{&f.groupEnd, "f-group-end", nil},
		{&f.huntingHead, "f-hunting", []hole{text("N")}},
		{&f.unmappedHead, "f-unmapped", []hole{text("ID"), text("Title"), text("N")}},
		{&f.card, "f-card", []hole{text("Anchor"), text("PlatformTokens"), text("DomainTokens"), text("VendorToken"),
			text("KindToken"), text("Title"), raw("Tags"), text("ID"), text("Path"), text("Kind"), text("Parse"), text("C"), text("O")}},
		{&f.field, "field", []hole{text("Field"), text("N"), text("Page"), text("Pages")}},
		{&f.fieldGroup, "f-field-group", []hole{text("Title"), text("N"), text("Min")}},
		{&f.fieldSection, "f-field-section", []hole{text("Anchor"), text("Field"), text("N")}},
		{&f.fieldPager, "f-field-pager", []hole{url("Href"), text("Label")}},
		{&f.idents, "f-idents", nil},
		{&f.identsEnd, "f-idents-end", nil},
		{&f.ident, "f-ident", []hole{text("Anchor"), text("Op"), text("Value"), text("N")}},
		{&f.uses, "f-uses", nil},
		{&f.usesSpan, "f-uses-span", []hole{text("Span")}},
		{&f.usesEnd, "f-uses-end", nil},
		{&f.use, "f-use", []hole{url("Root"), url("Href"), text("Title"), text("Vendor")}},
		{&f.useMark, "f-use-mark", []hole{text("Mark")}},
		{&f.eventRow, "f-event-row", []hole{text("R"), text("Name"), text("Rules")}},
		{&f.fieldRow, "f-field-row", []hole{text("R"), url("Root"), url("Href"), text("Field"), text("Rules"), text("How"), raw("Samples")}},
		{&f.sample, "f-sample", []hole{raw("Sep"), text("Value")}},
		{&f.sampleSep, "f-sample-sep", nil},
		{&f.indRow, "f-ind-row", []hole{text("R"), text("Field"), text("Op"), raw("Value"), text("Rules"), text("Reach")}},
		{&f.exclRow, "f-excl-row", []hole{text("R"), text("Field"), text("Op"), raw("Value"), text("Rules")}},
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
		b = s.f.use.fill(b[:0], "../", s.home[i]+"#"+s.anchor[i], r.Title, r.Vendor)
		s.uses[i] = string(b)
		b = s.appendCard(b[:0], i)
		s.cards[i] = string(b)
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
	if r.Kind != "detection" {
		b = s.f.tag.fill(b, strings.ReplaceAll(r.Kind, "_", " "))
	}
	if r.ParseStatus != "ok" {
		b = s.f.tagParse.fill(b, r.ParseStatus, r.ParseStatus)
	}
	return b
}

// appendCard appends rule i's card: its summary, with the details that
// load when it opens (ruledata.go: chunk C, offset O). It has no link, so
// it reads the same on every page.
func (s *site) appendCard(b []byte, i int) []byte {
	r := &s.rules[i]
	kind := r.Kind
	if r.RuleType != "" {
		kind += " (" + r.RuleType + ")"
	}
	return s.f.card.fill(b, s.anchor[i], tokens(r.Platforms), tokens(r.Domains), token(r.Vendor), token(r.Kind),
		r.Title, s.tags[i], dash(r.ID), r.Path, kind, r.ParseStatus, strconv.Itoa(i/ruleChunk), strconv.Itoa(i%ruleChunk))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fieldPage renders page k of a field with many values.
func (s *site) fieldPage(w *worker, fp *fieldPage, k int) []byte {
	title := "Field " + fp.field
	if len(fp.files) > 1 {
		title += " (" + strconv.Itoa(k+1) + "/" + strconv.Itoa(len(fp.files)) + ")"
	}
	b := s.f.head.fill(w.buf[:0], clean(title), "../")
	b = s.f.field.fill(b, clean(fp.field), strconv.Itoa(len(fp.idents)), strconv.Itoa(k+1), strconv.Itoa(len(fp.files)))
	pager := func(b []byte) []byte {
		if len(fp.files) == 1 {
			return b
		}
		b = append(b, `<p class="pager">`...)
		for j, f := range fp.files {
			from := j * maxValuesPerPage
			label := strconv.Itoa(j+1) + ": " + clean(shorten(fp.idents[from].Value, 24))
			if j == k {
				b = s.f.text.fill(append(b, "<strong>"...), label)
				b = append(b, "</strong> "...)
				continue
			}
			b = s.f.fieldPager.fill(b, strings.TrimPrefix(f, "fields/"), label)
		}
		return append(b, "</p>\n"...)
	}
	b = pager(b)
	b = s.appendIdents(b, fp.idents[k*maxValuesPerPage:min(len(fp.idents), (k+1)*maxValuesPerPage)])
	b = pager(b)
	b = append(b, s.foot...)
	w.buf = b
	return b
}

// shorten cuts s to at most n runes, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
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
		b = s.appendIdents(b, fp.idents)
	}
	b = append(b, s.foot...)
	w.buf = b
	return b
}

// appendIdents appends the table of a field's values with the rules using
// them; consecutive values with the same uses share one list.
func (s *site) appendIdents(b []byte, ids []*ident) []byte {
	b = s.f.idents.fill(b)
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
