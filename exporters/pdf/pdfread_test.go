package pdf_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// pdfOutline is one outline entry (bookmark) as qpdf reads it.
type pdfOutline struct {
	Title string       `json:"title"`
	Page  int          `json:"destpageposfrom1"`
	Kids  []pdfOutline `json:"kids"`
}

// pdfLink is one link annotation: the page it is on and the page it leads
// to (1-based; 0 when its destination is no page of the document).
type pdfLink struct{ from, to int }

// pdfStructure is what qpdf (an independent reader) finds in a PDF: the
// page count, the outline and the internal links.
type pdfStructure struct {
	pages    int
	outlines []pdfOutline
	links    []pdfLink
}

// readStructure runs qpdf --json on a PDF.
func readStructure(t *testing.T, qpdf, path string) pdfStructure {
	t.Helper()
	out, err := exec.Command(qpdf, "--json", path).Output()
	require.NoError(t, err, path)
	var doc struct {
		Pages []struct {
			Object string `json:"object"`
		} `json:"pages"`
		Outlines []pdfOutline `json:"outlines"`
		QPDF     []json.RawMessage
	}
	require.NoError(t, json.Unmarshal(out, &doc), path)
	require.Len(t, doc.QPDF, 2, path)
	var objects map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	require.NoError(t, json.Unmarshal(doc.QPDF[1], &objects), path)
	type annot struct {
		Subtype string `json:"/Subtype"`
		Dest    []any  `json:"/Dest"`
	}
	annots := func(object string) []annot {
		var page struct {
			Annots []annot `json:"/Annots"`
		}
		require.NoError(t, json.Unmarshal(objects["obj:"+object].Value, &page), "%s: page %s", path, object)
		return page.Annots
	}
	pageNo := map[string]int{}
	for i, p := range doc.Pages {
		pageNo[p.Object] = i + 1
	}
	s := pdfStructure{pages: len(doc.Pages), outlines: doc.Outlines}
	for i, p := range doc.Pages {
		for _, a := range annots(p.Object) {
			if a.Subtype != "/Link" {
				continue
			}
			to := 0
			if len(a.Dest) > 0 {
				ref, _ := a.Dest[0].(string)
				to = pageNo[ref]
			}
			s.links = append(s.links, pdfLink{from: i + 1, to: to})
		}
	}
	return s
}

// find returns the outline entry whose title starts with prefix, at any
// level.
func (s pdfStructure) find(prefix string) (pdfOutline, bool) {
	var walk func([]pdfOutline) (pdfOutline, bool)
	walk = func(os []pdfOutline) (pdfOutline, bool) {
		for _, o := range os {
			if strings.HasPrefix(o.Title, prefix) {
				return o, true
			}
			if k, ok := walk(o.Kids); ok {
				return k, true
			}
		}
		return pdfOutline{}, false
	}
	return walk(s.outlines)
}

// linksTo counts the links from page from to page to.
func (s pdfStructure) linksTo(from, to int) int {
	n := 0
	for _, l := range s.links {
		if l.from == from && l.to == to {
			n++
		}
	}
	return n
}

// checkWellFormed checks that every outline entry and every link leads to
// a page of the document.
func checkWellFormed(t *testing.T, name string, s pdfStructure) {
	t.Helper()
	var walk func([]pdfOutline)
	walk = func(os []pdfOutline) {
		for _, o := range os {
			if o.Page < 1 || o.Page > s.pages {
				t.Errorf("%s: outline %q leads to page %d of %d", name, o.Title, o.Page, s.pages)
			}
			walk(o.Kids)
		}
	}
	walk(s.outlines)
	for _, l := range s.links {
		if l.to < 1 || l.to > s.pages {
			t.Errorf("%s: a link on page %d leads to no page (%d)", name, l.from, l.to)
		}
	}
}

// stringsCol reads a string column of a record.
func stringsCol(rec arrow.RecordBatch, col int) []string {
	c := tables.Strings(rec, col)
	out := make([]string, c.Len())
	for i := range out {
		out[i] = c.Value(i)
	}
	return out
}
