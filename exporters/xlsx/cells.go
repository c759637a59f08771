package xlsx

import (
	"strings"
	"unicode/utf8"
)

// MaxCellChars is Excel's limit on the length of a cell's text, in UTF-16
// code units.
const MaxCellChars = 32767

// TruncMarker ends a value that was cut to fit MaxCellChars.
const TruncMarker = "… [truncated]"

// Sanitize makes a string from the wild safe for a cell: tabs and line
// breaks become spaces, other control characters (C0, DEL, C1) and the
// non-characters U+FFFE/U+FFFF are removed, invalid UTF-8 becomes U+FFFD,
// and text longer than MaxCellChars is cut and ends with TruncMarker.
// Whether a value may look like a formula is handled by the cell style
// (see formulaLike), not here, so the text itself is never changed for it.
func Sanitize(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	units := 0
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			r = ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0xfffe || r == 0xffff:
			continue
		}
		units += utf16Len(r)
		b.WriteRune(r)
	}
	out := b.String()
	if units > MaxCellChars {
		out = truncate(out)
	}
	return out
}

// clean reports whether s needs no change: printable ASCII or valid UTF-8
// without control characters, and short enough that it cannot exceed the
// cell limit (every UTF-16 unit takes at least one byte).
func clean(s string) bool {
	if len(s) > MaxCellChars {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r <= 0x9f || r == 0xfffe || r == 0xffff {
			return false
		}
		i += n
	}
	return true
}

func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// truncate cuts s (already sanitized) so that it and TruncMarker fit in
// MaxCellChars UTF-16 units.
func truncate(s string) string {
	budget := MaxCellChars
	for _, r := range TruncMarker {
		budget -= utf16Len(r)
	}
	units := 0
	for i, r := range s {
		if units+utf16Len(r) > budget {
			return s[:i] + TruncMarker
		}
		units += utf16Len(r)
	}
	return s
}

// formulaLike reports whether a spreadsheet would read s as a formula (or
// a signed number expression) if a user typed it: such cells get a style
// with Excel's quotePrefix so they stay text even when edited. The cell
// itself is always written as a string, never as a formula.
func formulaLike(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@':
		return true
	}
	return false
}

// utf16Units counts the UTF-16 code units of s (Excel's length).
func utf16Units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16Len(r)
	}
	return n
}
