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
	fieldSheet, fieldSection, fieldPager, idents, ident, uses                *frag
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
			text("KindToken"), text("Title"), raw("Tags"), text("C"), text("O")}},
		{&f.fieldSheet, "f-field-sheet", []hole{text("First"), text("Last"), text("N")}},
		{&f.fieldSection, "f-field-section", []hole{text("Anchor"), text("Field"), text("N"), text("Part")}},
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
	members      members // technique page rows (members.go)
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
	return s.f.card.fill(b, s.anchor[i], tokens(r.Platforms), tokens(r.Domains), token(r.Vendor), token(r.Kind),
		r.Title, s.tags[i], strconv.Itoa(i/ruleChunk), strconv.Itoa(i%ruleChunk))
}
