package xlsx

import (
	"bytes"
	"regexp"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/xuri/excelize/v2"
)

// The big table sheets (Fields, Indicators, Exclusions, Rules) repeat the
// same few strings on most rows: technique ids, fields, operators, roles,
// and values shared by many techniques. Their columns are written as
// indexes into the workbook's shared-strings part (xl/sharedStrings.xml),
// as Excel itself writes text: the sheets' XML is about a third smaller,
// which is most of the time spent compressing them. Every index is made
// before any row is written, from the Arrow columns, in sheet order, so
// the table and the bytes are deterministic.

// sharedStr is a cell holding the text of shared string number n.
type sharedStr int32

// sharedStrings is the workbook's shared-strings table.
type sharedStrings struct {
	list  []string       // sanitized text, by index
	index map[string]int // sanitized text → index
}

// dictionary is one Arrow string column as shared-string cells: cells[i]
// is row i's cell (nil when blank), boxed once per distinct string.
type dictionary struct {
	cells []any
}

// dict encodes a string column with style for every cell (the quote-prefix
// twin for text that looks like a formula), adding its strings to the
// workbook's table.
func (b *book) dict(col *array.String, style int) dictionary {
	if b.sst.index == nil {
		b.sst.index = map[string]int{}
	}
	boxed := map[string]any{} // raw value → cell
	cells := make([]any, col.Len())
	prev, prevCell := "", any(nil)
	for i := range cells {
		v := col.Value(i)
		if i > 0 && v == prev {
			cells[i] = prevCell
			continue
		}
		c, ok := boxed[v]
		if !ok {
			c = b.sharedCell(v, style)
			boxed[v] = c
		}
		cells[i], prev, prevCell = c, v, c
	}
	return dictionary{cells: cells}
}

// sharedCell returns the cell of text s in style: nil when empty, else a
// shared string, styled when style or the text asks for it.
func (b *book) sharedCell(s string, style int) any {
	s = Sanitize(s)
	if s == "" {
		return nil
	}
	n, ok := b.sst.index[s]
	if !ok {
		n = len(b.sst.list)
		b.sst.index[s] = n
		b.sst.list = append(b.sst.list, s)
	}
	if formulaLike(s) {
		style = b.quote(style)
	}
	if style == 0 {
		return sharedStr(n)
	}
	return excelize.Cell{StyleID: style, Value: sharedStr(n)}
}

// sstPart is the shared-strings part and its content type and relationship.
const (
	sstPart        = "xl/sharedStrings.xml"
	sstContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
	sstRelType     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
	workbookRels   = "xl/_rels/workbook.xml.rels"
)

// appendSST appends the XML of the shared-strings part.
func appendSST(dst []byte, list []string) []byte {
	dst = append(dst, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="`...)
	dst = strconv.AppendInt(dst, int64(len(list)), 10)
	dst = append(dst, `">`...)
	for _, s := range list {
		dst = append(dst, `<si><t`...)
		dst = appendText(dst, s)
		dst = append(dst, `</t></si>`...)
	}
	return append(dst, `</sst>`...)
}

// addSSTType declares the shared-strings part in [Content_Types].xml.
func addSSTType(doc []byte) []byte {
	return insertBefore(doc, "</Types>", `<Override PartName="/`+sstPart+`" ContentType="`+sstContentType+`"></Override>`)
}

var relID = regexp.MustCompile(`Id="rId([0-9]+)"`)

// addSSTRel adds the workbook's relationship to the shared-strings part,
// with the next free rIdN.
func addSSTRel(doc []byte) []byte {
	next := 1
	for _, m := range relID.FindAllSubmatch(doc, -1) {
		if n, err := strconv.Atoi(string(m[1])); err == nil && n >= next {
			next = n + 1
		}
	}
	return insertBefore(doc, "</Relationships>", `<Relationship Id="rId`+strconv.Itoa(next)+`" Target="sharedStrings.xml" Type="`+sstRelType+`"></Relationship>`)
}

// insertBefore puts s before the last occurrence of end in doc (doc
// unchanged when end is missing).
func insertBefore(doc []byte, end, s string) []byte {
	at := bytes.LastIndex(doc, []byte(end))
	if at < 0 {
		return doc
	}
	out := make([]byte, 0, len(doc)+len(s))
	out = append(out, doc[:at]...)
	out = append(out, s...)
	return append(out, doc[at:]...)
}
