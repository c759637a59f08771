package xlsx

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Fixes to the parts excelize writes, so that streaming readers (openpyxl
// in read-only mode, exceljs) read the workbook as Excel does:
//   - every worksheet declares the range its cells span (<dimension>),
//     which read-only readers trust to size the sheet;
//   - <col> entries are in ascending order, as the schema requires;
//   - docProps/core.xml uses the cp: prefix for its own namespace, as
//     Excel writes it (exceljs matches the element names literally).

// corePart is the package's core properties.
const corePart = "docProps/core.xml"

// isWorksheet reports whether name is a worksheet part.
func isWorksheet(name string) bool {
	return strings.HasPrefix(name, "xl/worksheets/sheet") && strings.HasSuffix(name, ".xml")
}

// fixSheet sets the dimension of a worksheet written whole to the range of
// its cells, sorts its column entries and names the drawing's relationship
// with the r: prefix the root element declares (excelize redeclares the
// namespace under another prefix, which exceljs does not resolve).
func fixSheet(doc []byte) []byte {
	if drawing := []byte(`<drawing xmlns:relationships="` + relNS + `" relationships:id=`); bytes.Contains(doc, drawing) {
		doc = bytes.ReplaceAll(doc, drawing, []byte(`<drawing r:id=`)) // ReplaceAll copies even without a match
	}
	return sortCols(setDimension(doc, sheetRange(doc)))
}

// relNS is the namespace of relationship ids.
const relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

// sheetRange is the A1-style range from A1 to the last row and the widest
// column that hold a cell ("A1" for an empty sheet), read from the cells'
// references (<c r="B12") with a plain scan: the sheets are megabytes.
func sheetRange(doc []byte) string {
	maxCol, maxRow := 1, 1
	prefix := []byte(`<c r="`)
	for {
		i := bytes.Index(doc, prefix)
		if i < 0 {
			break
		}
		doc = doc[i+len(prefix):]
		col, k := 0, 0
		for k < len(doc) && k < 3 && doc[k] >= 'A' && doc[k] <= 'Z' {
			col = col*26 + int(doc[k]-'A'+1)
			k++
		}
		row, d := 0, 0
		for k < len(doc) && d < 8 && doc[k] >= '0' && doc[k] <= '9' {
			row = row*10 + int(doc[k]-'0')
			k++
			d++
		}
		if col == 0 || d == 0 || k >= len(doc) || doc[k] != '"' {
			continue // not a cell reference
		}
		maxCol, maxRow = max(maxCol, col), max(maxRow, row)
		doc = doc[k:]
	}
	if maxCol == 1 && maxRow == 1 {
		return "A1"
	}
	return "A1:" + cellName(maxCol, maxRow)
}

// setDimension replaces the ref of the first <dimension> element.
func setDimension(doc []byte, ref string) []byte {
	const dimension = `<dimension ref="`
	i := bytes.Index(doc, []byte(dimension))
	if i < 0 {
		return doc
	}
	at := i + len(dimension)
	j := bytes.IndexByte(doc[at:], '"')
	if j < 0 {
		return doc
	}
	return slices.Concat(doc[:at], []byte(ref), doc[at+j:])
}

var colMin = regexp.MustCompile(`<col min="([0-9]+)"`)

// sortCols puts the <col> entries of the first <cols> element in ascending
// order of their min attribute.
func sortCols(doc []byte) []byte {
	start := bytes.Index(doc, []byte("<cols>"))
	if start < 0 {
		return doc
	}
	end := bytes.Index(doc[start:], []byte("</cols>"))
	if end < 0 {
		return doc
	}
	body := doc[start+len("<cols>") : start+end]
	var entries [][]byte
	for len(body) > 0 {
		k := bytes.Index(body, []byte("/>"))
		if k < 0 || !bytes.HasPrefix(body, []byte("<col ")) {
			return doc // not the shape excelize writes: leave it
		}
		entries = append(entries, body[:k+2])
		body = body[k+2:]
	}
	key := func(e []byte) int {
		m := colMin.FindSubmatch(e)
		if m == nil {
			return 0
		}
		n, _ := strconv.Atoi(string(m[1]))
		return n
	}
	slices.SortStableFunc(entries, func(a, b []byte) int { return key(a) - key(b) })
	out := make([]byte, 0, len(doc))
	out = append(out, doc[:start+len("<cols>")]...)
	for _, e := range entries {
		out = append(out, e...)
	}
	return append(out, doc[start+end:]...)
}

// coreNS is the namespace of the core-properties elements.
const coreNS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"

var bareTag = regexp.MustCompile(`<(/?)([A-Za-z]+)([ >/])`)

// prefixCore rewrites a core-properties part that declares its namespace
// as the default one so that it uses the cp: prefix instead: every element
// without a prefix is in that namespace.
func prefixCore(doc []byte) []byte {
	def := []byte(`xmlns="` + coreNS + `"`)
	if !bytes.Contains(doc, def) {
		return doc
	}
	doc = bytes.Replace(doc, def, []byte(`xmlns:cp="`+coreNS+`"`), 1)
	return bareTag.ReplaceAll(doc, []byte("<${1}cp:${2}${3}"))
}
