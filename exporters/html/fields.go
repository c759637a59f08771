package html

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Field pages list every value of every field with the rules that use it.
// Fields are packed in name order into sheets (fields/<first field>.html)
// of about maxSheetWeight values and uses each: most fields have one or
// two values, a few have thousands, which then span several sheets. The
// site search (search.go) finds any value on them.

// maxSheetWeight bounds a sheet: one per value plus one per rule using it.
const maxSheetWeight = 3000

// fieldPage is a field with every value, in value order. Its values are
// cut into parts, one per sheet it spans: part k is idents[start[k]:
// start[k+1]] on files[k], a section with anchor.
type fieldPage struct {
	field, anchor string
	files         []string
	start         []int
	idents        []*ident
}

// fieldSheet is one field page: sections of fields (or parts of one).
type fieldSheet struct {
	file     string
	sections []sheetSection
	prev     *fieldSheet
	next     *fieldSheet
}

type sheetSection struct {
	fp   *fieldPage
	part int
}

func weight(id *ident) int { return 1 + len(id.Uses) }

// nameFieldPages sorts every field's values, packs the fields into sheets
// and gives every value its anchor.
func (s *site) nameFieldPages(byField map[string]*fieldPage) {
	for _, fp := range byField {
		for _, id := range fp.idents {
			// A positive use wins over the markers.
			for u := range id.Uses {
				if id.Uses[u].Positive {
					id.Uses[u].Excluded, id.Uses[u].Negated = false, false
				}
			}
		}
		slices.SortFunc(fp.idents, func(a, b *ident) int {
			return cmp.Or(strings.Compare(a.lower, b.lower), strings.Compare(a.Op, b.Op), strings.Compare(a.Value, b.Value))
		})
	}
	names := newNamer()
	var sheet *fieldSheet
	room := 0
	newSheet := func(fp *fieldPage, k int) {
		want := fp.field
		if k > 0 {
			want += "-" + strconv.Itoa(len(fp.files)+1)
		}
		next := &fieldSheet{file: "fields/" + names.name(fp.field+"\x00"+strconv.Itoa(k), want) + ".html", prev: sheet}
		if sheet != nil {
			sheet.next = next
		}
		sheet, room = next, maxSheetWeight
		s.sheets = append(s.sheets, sheet)
	}
	for _, f := range sortedKeys(byField) {
		fp := byField[f]
		s.fields = append(s.fields, fp)
		w := 0
		for _, id := range fp.idents {
			w += weight(id)
		}
		if sheet == nil || w > room && len(sheet.sections) > 0 {
			newSheet(fp, 0)
		}
		// The field's parts: as much as fits on the sheet, then new sheets.
		for k := 0; k < len(fp.idents); {
			if room <= 0 {
				newSheet(fp, k)
			}
			end := k
			for end < len(fp.idents) && (end == k || room-weight(fp.idents[end]) >= 0) {
				room -= weight(fp.idents[end])
				end++
			}
			fp.start = append(fp.start, k)
			fp.files = append(fp.files, sheet.file)
			sheet.sections = append(sheet.sections, sheetSection{fp, len(fp.files) - 1})
			k = end
		}
		fp.start = append(fp.start, len(fp.idents))
	}
	// Anchors: a field's sections are "f-<field>" on each sheet; values
	// get a hash of (field, op, value), so links survive catalog changes.
	for _, sh := range s.sheets {
		an := newNamer()
		for _, sec := range sh.sections {
			fp := sec.fp
			a := an.name("\x00field\x00"+fp.field, "f-"+fp.field)
			if sec.part == 0 {
				fp.anchor = a
				s.fieldHref[fp.field] = sh.file + "#" + a
			}
			for _, id := range fp.idents[fp.start[sec.part]:fp.start[sec.part+1]] {
				key := fp.field + "\x00" + id.Op + "\x00" + id.lower
				id.Anchor, id.file = an.name(key, "v-"+hash8(key)), sh.file
			}
		}
	}
}

// sheetPage renders a field sheet.
func (s *site) sheetPage(w *worker, sh *fieldSheet) []byte {
	first, last := clean(sh.sections[0].fp.field), clean(sh.sections[len(sh.sections)-1].fp.field)
	title := "Fields " + first
	if last != first {
		title += " to " + last
	}
	b := s.f.head.fill(w.buf[:0], title, "../")
	b = s.f.fieldSheet.fill(b, first, last, strconv.Itoa(len(sh.sections)))
	b = s.appendPager(b, sh)
	for _, sec := range sh.sections {
		fp := sec.fp
		part := ""
		if len(fp.files) > 1 {
			part = "; part " + strconv.Itoa(sec.part+1) + " of " + strconv.Itoa(len(fp.files))
		}
		b = s.f.fieldSection.fill(b, fp.anchor, clean(fp.field), strconv.Itoa(len(fp.idents)), part)
		b = s.appendIdents(b, fp.idents[fp.start[sec.part]:fp.start[sec.part+1]])
	}
	b = s.appendPager(b, sh)
	b = append(b, s.foot...)
	w.buf = b
	return b
}

// appendPager links a sheet's neighbours.
func (s *site) appendPager(b []byte, sh *fieldSheet) []byte {
	b = append(b, `<p class="pager">`...)
	for _, x := range []struct {
		sh    *fieldSheet
		label string
	}{{sh.prev, "← fields "}, {sh.next, "fields → "}} {
		if x.sh != nil {
			b = s.f.fieldPager.fill(b, strings.TrimPrefix(x.sh.file, "fields/"), x.label+clean(shorten(x.sh.sections[0].fp.field, 40)))
		}
	}
	return append(b, "</p>\n"...)
}

// shorten cuts s to at most n runes, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
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
