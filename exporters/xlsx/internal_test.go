package xlsx

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	long := strings.Repeat("x", MaxCellChars+10)
	emoji := strings.Repeat("😀", MaxCellChars/2+5) // two UTF-16 units each
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"", ""},
		{"tab\there\nnew\r\nline", "tab here new  line"},
		{"bell\a\x00\x1f\x7fend", "bellend"},
		{"c1\u0085\u009fend", "c1end"},
		{"nonchar\ufffe\uffffend", "noncharend"},
		{"bad\xffutf8", "bad\ufffdutf8"},
		{"=HYPERLINK(\"http://x\",\"y\")", "=HYPERLINK(\"http://x\",\"y\")"},
		{"ünïcødé 漢字 🙂", "ünïcødé 漢字 🙂"},
	} {
		if got := Sanitize(c.in); got != c.want {
			t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, in := range []string{long, emoji} {
		got := Sanitize(in)
		if !strings.HasSuffix(got, TruncMarker) || utf16Units(got) > MaxCellChars || utf16Units(got) < MaxCellChars-2 {
			t.Errorf("long input: %d UTF-16 units, marker %v", utf16Units(got), strings.HasSuffix(got, TruncMarker))
		}
	}
	if got := Sanitize(strings.Repeat("y", MaxCellChars)); got != strings.Repeat("y", MaxCellChars) {
		t.Error("a value of exactly the limit was changed")
	}
}

func TestFormulaLike(t *testing.T) {
	for s, want := range map[string]bool{"=1+1": true, "+1": true, "-enc": true, "@SUM(1)": true,
		"a=b": false, "": false, " =x": false, "T1059": false} {
		if got := formulaLike(s); got != want {
			t.Errorf("formulaLike(%q) = %v", s, got)
		}
	}
}

func TestPosition(t *testing.T) {
	for _, c := range []struct {
		msg       string
		line, col int
	}{
		{"query line 3, column 5: unexpected token", 3, 5},
		{"yaml: line 12: mapping values are not allowed", 12, 0},
		{"line 7:14 bad", 7, 14},
		{"parse error at Line 2 col 9", 2, 9},
		{"esql parser not available", 0, 0},
		{"pipeline line broken; line 4, column 1", 4, 1},
	} {
		if l, col := position(c.msg); l != c.line || col != c.col {
			t.Errorf("position(%q) = %d, %d; want %d, %d", c.msg, l, col, c.line, c.col)
		}
	}
}

func TestPageSheetName(t *testing.T) {
	taken := map[string]string{}
	for _, c := range []struct{ id, want string }{
		{"T1059.001", "T1059.001"},
		{"T1059.001", "T1059.001~2"},
		{"T1/2:3", "T1_2_3"},
		{strings.Repeat("T", 40), strings.Repeat("T", 31)},
		{"summary", "summary~2"},
	} {
		got := pageSheetName(c.id, taken)
		if got != c.want {
			t.Errorf("pageSheetName(%q) = %q, want %q", c.id, got, c.want)
		}
		taken[c.id+got] = got
	}
}

func TestSheetRange(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{``, "A1"},
		{`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData>`, "A1"},
		{`<row r="1"><c r="A1"/><c r="C1"/></row><row r="12"><c r="B12"/></row>`, "A1:C12"},
		{`<row r="3"><c r="AB3"/></row><row r="4"><c r="A4"/></row>`, "A1:AB4"},
		{`<c r="a1"/><c r="B"/><c r="7"/><c r="XFD1048576"/>`, "A1:XFD1048576"},
		{`<c r="B2`, "A1"}, // cut short: no closing quote
	} {
		if got := sheetRange([]byte(c.doc)); got != c.want {
			t.Errorf("sheetRange(%q) = %s, want %s", c.doc, got, c.want)
		}
	}
}
