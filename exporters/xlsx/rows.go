package xlsx

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// sheetRows are the data rows of a table sheet written straight into the
// package instead of through excelize's stream writer: the sheet is
// streamed with its header only, and sortedZip puts these rows before its
// </sheetData>. The rows are made in blocks on the compression workers, so
// the biggest sheets are built in parallel and never held whole in memory.
// Only sheets without per-row links or row options take this path.
type sheetRows struct {
	ctx   context.Context
	cols  []string               // column letters
	first int                    // sheet row of data row 0
	n     int                    // data rows
	fill  func(i int, row []any) // cells of data row i (row is cleared); called from several goroutines
	// outline is data row i's outline level (nil: none); called from
	// several goroutines.
	outline func(i int) int
	// links adds data row i's hyperlinks to locations in the workbook
	// (nil: none); called in row order on one goroutine.
	links func(i int, add func(col int, location string))
	note  []any  // optional row after the data
	last  string // last cell of the sheet, for its dimension
	// xml, when set, is the rows' XML made already (a technique sheet):
	// the one block, written as is.
	xml []byte
}

// appendLinks appends the <hyperlinks> element of the rows' links, or
// nothing when there are none.
func (s *sheetRows) appendLinks(dst []byte) []byte {
	if s.links == nil {
		return dst
	}
	start := len(dst)
	dst = append(dst, `<hyperlinks>`...)
	n := 0
	for i := range s.n {
		r := strconv.Itoa(s.first + i)
		s.links(i, func(col int, location string) {
			n++
			dst = append(dst, `<hyperlink ref="`...)
			dst = append(dst, s.cols[col-1]...)
			dst = append(dst, r...)
			dst = append(dst, `" location="`...)
			dst = appendAttr(dst, location)
			dst = append(dst, `"/>`...)
		})
	}
	if n == 0 {
		return dst[:start]
	}
	return append(dst, `</hyperlinks>`...)
}

// appendAttr appends s escaped for a double-quoted XML attribute.
func appendAttr(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			dst = append(dst, "&amp;"...)
		case '<':
			dst = append(dst, "&lt;"...)
		case '"':
			dst = append(dst, "&quot;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// blockRows is how many rows one compression chunk holds.
const blockRows = 2048

// blocks is the number of chunks the rows take (the note rides on the last).
func (s *sheetRows) blocks() int {
	if s.xml != nil {
		return 1
	}
	return max((s.n+blockRows-1)/blockRows, 1)
}

// block appends the XML of block k to dst.
func (s *sheetRows) block(dst []byte, k int) ([]byte, error) {
	if err := s.ctx.Err(); err != nil {
		return dst, err
	}
	if s.xml != nil {
		return append(dst, s.xml...), nil
	}
	row := make([]any, len(s.cols))
	from, to := k*blockRows, min((k+1)*blockRows, s.n)
	var err error
	for i := from; i < to && err == nil; i++ {
		clear(row)
		s.fill(i, row)
		level := 0
		if s.outline != nil {
			level = s.outline(i)
		}
		dst, err = s.appendRow(dst, s.first+i, rowAttrs{outline: level}, row)
	}
	if err == nil && k == s.blocks()-1 && s.note != nil {
		dst, err = s.appendRow(dst, s.first+s.n, rowAttrs{}, s.note)
	}
	return dst, err
}

// rowAttrs are a row's options: outline level and height in points (0:
// none, default).
type rowAttrs struct {
	outline int
	height  float64
}

// appendRow appends one <row> of cells with attrs; nil cells are left out.
func (s *sheetRows) appendRow(dst []byte, r int, attrs rowAttrs, cells []any) ([]byte, error) {
	num := strconv.Itoa(r)
	dst = append(dst, `<row r="`...)
	dst = append(dst, num...)
	if attrs.height > 0 {
		dst = append(dst, `" ht="`...)
		dst = strconv.AppendFloat(dst, attrs.height, 'f', -1, 64)
		dst = append(dst, `" customHeight="1`...)
	}
	if attrs.outline > 0 {
		dst = append(dst, `" outlineLevel="`...)
		dst = strconv.AppendInt(dst, int64(attrs.outline), 10)
	}
	dst = append(dst, `">`...)
	for c, v := range cells {
		style := 0
		if cell, ok := v.(excelize.Cell); ok {
			style, v = cell.StyleID, cell.Value
		}
		if f, ok := v.(float64); v == nil || ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			continue // blank, as no spreadsheet number can hold it
		}
		dst = append(dst, `<c r="`...)
		dst = append(dst, s.cols[c]...)
		dst = append(dst, num...)
		dst = append(dst, '"')
		if style != 0 {
			dst = append(dst, ` s="`...)
			dst = strconv.AppendInt(dst, int64(style), 10)
			dst = append(dst, '"')
		}
		switch x := v.(type) {
		case sharedStr:
			dst = append(dst, ` t="s"><v>`...)
			dst = strconv.AppendInt(dst, int64(x), 10)
			dst = append(dst, `</v></c>`...)
		case string:
			dst = appendInlineStr(dst, x)
		case int64:
			dst = append(dst, `><v>`...)
			dst = strconv.AppendInt(dst, x, 10)
			dst = append(dst, `</v></c>`...)
		case int:
			dst = append(dst, `><v>`...)
			dst = strconv.AppendInt(dst, int64(x), 10)
			dst = append(dst, `</v></c>`...)
		case float64:
			dst = append(dst, `><v>`...)
			dst = strconv.AppendFloat(dst, x, 'f', -1, 64)
			dst = append(dst, `</v></c>`...)
		default:
			return dst, fmt.Errorf("row %d: cell of type %T", r, v)
		}
	}
	return append(dst, `</row>`...), nil
}

// appendInlineStr appends the rest of a text cell (after its attributes).
// The text was sanitized (str): no control characters, not too long.
// Leading or trailing spaces are kept with xml:space; a literal "_xHHHH_"
// gets its underscore escaped so Excel does not read it as an escape.
func appendInlineStr(dst []byte, s string) []byte {
	dst = append(dst, ` t="inlineStr"><is><t`...)
	dst = appendText(dst, s)
	return append(dst, `</t></is></c>`...)
}

// appendText appends the rest of a <t> element's start tag and its
// escaped text (the caller closes the element).
func appendText(dst []byte, s string) []byte {
	if s != "" && (s[0] == ' ' || s[len(s)-1] == ' ') {
		dst = append(dst, ` xml:space="preserve"`...)
	}
	dst = append(dst, '>')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			dst = append(dst, "&amp;"...)
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '_':
			if excelEscape(s[i:]) {
				dst = append(dst, "_x005F"...)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// excelEscape reports whether s starts with "_xHHHH_", which Excel reads
// as the character with that hex code.
func excelEscape(s string) bool {
	if len(s) < 7 || s[1] != 'x' && s[1] != 'X' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
