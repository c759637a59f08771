package yamlfast

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// render prints a tree compactly: scalars as tag"value"@line:col (with
// style letters p/s/d/l/f), collections as {k: v} / [a, b] with their
// position, flow collections marked with ~.
func render(n *yaml.Node) string {
	var b strings.Builder
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		flow := ""
		if n.Style&yaml.FlowStyle != 0 {
			flow = "~"
		}
		switch n.Kind {
		case yaml.DocumentNode:
			fmt.Fprintf(&b, "doc@%d:%d ", n.Line, n.Column)
			walk(n.Content[0])
		case yaml.MappingNode:
			fmt.Fprintf(&b, "%s{@%d:%d ", flow, n.Line, n.Column)
			for i := 0; i < len(n.Content); i += 2 {
				if i > 0 {
					b.WriteString(", ")
				}
				walk(n.Content[i])
				b.WriteString(": ")
				walk(n.Content[i+1])
			}
			b.WriteString("}")
		case yaml.SequenceNode:
			fmt.Fprintf(&b, "%s[@%d:%d ", flow, n.Line, n.Column)
			for i, c := range n.Content {
				if i > 0 {
					b.WriteString(", ")
				}
				walk(c)
			}
			b.WriteString("]")
		case yaml.ScalarNode:
			style := map[yaml.Style]string{0: "", yaml.SingleQuotedStyle: "s", yaml.DoubleQuotedStyle: "d",
				yaml.LiteralStyle: "l", yaml.FoldedStyle: "f"}[n.Style]
			fmt.Fprintf(&b, "%s%s%q@%d:%d", strings.TrimPrefix(n.Tag, "!!"), style, n.Value, n.Line, n.Column)
		}
	}
	walk(n)
	return b.String()
}

var parseCases = []struct {
	name, in, want string
}{
	{"empty", "", ""},
	{"comments only", "# c\n\n# d\n", ""},
	{"scalar", "hello\n", `doc@1:1 str"hello"@1:1`},
	{"map", "a: 1\nb: x\n", `doc@1:1 {@1:1 str"a"@1:1: int"1"@1:4, str"b"@2:1: str"x"@2:4}`},
	{"types", "a: true\nb: ~\nc: 1.5\nd: 0x1F\ne: 2023-01-02\nf: 2023/01/02\ng:\n",
		`doc@1:1 {@1:1 str"a"@1:1: bool"true"@1:4, str"b"@2:1: null"~"@2:4, str"c"@3:1: float"1.5"@3:4, str"d"@4:1: int"0x1F"@4:4, str"e"@5:1: timestamp"2023-01-02"@5:4, str"f"@6:1: str"2023/01/02"@6:4, str"g"@7:1: null""@7:3}`},
	{"nested map", "a:\n  b: c\n  d:\n    e: f\n", `doc@1:1 {@1:1 str"a"@1:1: {@2:3 str"b"@2:3: str"c"@2:6, str"d"@3:3: {@4:5 str"e"@4:5: str"f"@4:8}}}`},
	{"seq", "- a\n- b\n", `doc@1:1 [@1:1 str"a"@1:3, str"b"@2:3]`},
	{"indentless seq", "k:\n- a\n- b\nz: 1\n", `doc@1:1 {@1:1 str"k"@1:1: [@2:1 str"a"@2:3, str"b"@3:3], str"z"@4:1: int"1"@4:4}`},
	{"indented seq", "k:\n  - a\n  - b\n", `doc@1:1 {@1:1 str"k"@1:1: [@2:3 str"a"@2:5, str"b"@3:5]}`},
	{"seq of maps", "- a: 1\n  b: 2\n- c: 3\n", `doc@1:1 [@1:1 {@1:3 str"a"@1:3: int"1"@1:6, str"b"@2:3: int"2"@2:6}, {@3:3 str"c"@3:3: int"3"@3:6}]`},
	{"nested seq", "- - a\n  - b\n- c\n", `doc@1:1 [@1:1 [@1:3 str"a"@1:5, str"b"@2:5], str"c"@3:3]`},
	{"empty entries", "- \n-\n- x\n", `doc@1:1 [@1:1 null""@1:2, null""@2:2, str"x"@3:3]`},
	{"single quoted", "a: 'it''s'\n", `doc@1:1 {@1:1 str"a"@1:1: strs"it's"@1:4}`},
	{"double quoted escapes", `a: "x\ty\n\"q\" \\ \u00e9 \x41"` + "\n", `doc@1:1 {@1:1 str"a"@1:1: strd"x\ty\n\"q\" \\ é A"@1:4}`},
	{"quoted keys", "'a b': 1\n\"c\": 2\n", `doc@1:1 {@1:1 strs"a b"@1:1: int"1"@1:8, strd"c"@2:1: int"2"@2:6}`},
	{"multi-line quoted", "a: \"x\n  y\n\n  z\"\n", `doc@1:1 {@1:1 str"a"@1:1: strd"x y\nz"@1:4}`},
	{"escaped line break", "a: \"x\\\n   y\"\n", `doc@1:1 {@1:1 str"a"@1:1: strd"xy"@1:4}`},
	{"multi-line plain", "a: one\n  two\n\n  three\nb: x\n", `doc@1:1 {@1:1 str"a"@1:1: str"one two\nthree"@1:4, str"b"@5:1: str"x"@5:4}`},
	{"plain with colon and hash", "a: http://x/#y z\nb: c # comment\n", `doc@1:1 {@1:1 str"a"@1:1: str"http://x/#y z"@1:4, str"b"@2:1: str"c"@2:4}`},
	{"literal", "a: |\n  x\n   y\n\n  z\nb: 1\n", `doc@1:1 {@1:1 str"a"@1:1: strl"x\n y\n\nz\n"@1:4, str"b"@6:1: int"1"@6:4}`},
	{"literal strip", "a: |-\n  x\n\n", `doc@1:1 {@1:1 str"a"@1:1: strl"x"@1:4}`},
	{"literal keep", "a: |+\n  x\n\n", `doc@1:1 {@1:1 str"a"@1:1: strl"x\n\n"@1:4}`},
	{"literal indicator", "a: |2\n    x\n  y\n", `doc@1:1 {@1:1 str"a"@1:1: strl"  x\ny\n"@1:4}`},
	{"folded", "a: >\n  one\n  two\n\n  three\n    more\n  end\n", `doc@1:1 {@1:1 str"a"@1:1: strf"one two\nthree\n  more\nend\n"@1:4}`},
	{"folded keep", "a: >+\n  x\n\n\nb: 1\n", `doc@1:1 {@1:1 str"a"@1:1: strf"x\n\n\n"@1:4, str"b"@5:1: int"1"@5:4}`},
	{"seq block scalar", "- |\n  x\n- >-\n  y\n", `doc@1:1 [@1:1 strl"x\n"@1:3, strf"y"@3:3]`},
	{"flow seq", "a: [x, 'y', \"z\", 1]\n", `doc@1:1 {@1:1 str"a"@1:1: ~[@1:4 str"x"@1:5, strs"y"@1:8, strd"z"@1:13, int"1"@1:18]}`},
	{"flow map", "a: {b: c, d: [e]}\n", `doc@1:1 {@1:1 str"a"@1:1: ~{@1:4 str"b"@1:5: str"c"@1:8, str"d"@1:11: ~[@1:14 str"e"@1:15]}}`},
	{"multi-line flow", "a: [\n  x,  # c\n  y,\n]\n", `doc@1:1 {@1:1 str"a"@1:1: ~[@1:4 str"x"@2:3, str"y"@3:3]}`},
	{"empty flow", "a: []\nb: {}\n", `doc@1:1 {@1:1 str"a"@1:1: ~[@1:4 ], str"b"@2:1: ~{@2:4 }}`},
	{"documents", "a: 1\n---\nb: 2\n...\n---\n- c\n", `doc@1:1 {@1:1 str"a"@1:1: int"1"@1:4}|doc@2:1 {@3:1 str"b"@3:1: int"2"@3:4}|doc@5:1 [@6:1 str"c"@6:3]`},
	{"leading document marker", "# c\n--- # x\na: 1\n", `doc@2:1 {@3:1 str"a"@3:1: int"1"@3:4}`},
	{"bom and crlf", "\xEF\xBB\xBFa: 1\r\nb: |\r\n  x\r\n  y\r\n", `doc@1:1 {@1:1 str"a"@1:1: int"1"@1:4, str"b"@2:1: strl"x\ny\n"@2:4}`},
	{"tabs", "a: x\ty\t# c\nb: \"\tq\"\nc: |\n  x\n  \tz\n", `doc@1:1 {@1:1 str"a"@1:1: str"x\ty"@1:4, str"b"@2:1: strd"\tq"@2:4, str"c"@3:1: strl"x\n\tz\n"@3:4}`},
	{"unicode columns", "é: ü\nb: [ä, ö]\n", `doc@1:1 {@1:1 str"é"@1:1: str"ü"@1:4, str"b"@2:1: ~[@2:4 str"ä"@2:5, str"ö"@2:8]}`},
	{"merge value", "a: <<\n", `doc@1:1 {@1:1 str"a"@1:1: merge"<<"@1:4}`},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var parts []string
			for _, d := range docs {
				parts = append(parts, render(d))
			}
			if got := strings.Join(parts, "|"); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if !checkOracle(t, tc.name, []byte(tc.in)) {
				t.Errorf("not accepted")
			}
		})
	}
}

var unsupportedCases = []struct{ name, in string }{
	{"anchor", "a: &x 1\nb: *x\n"},
	{"tag", "a: !foo 1\n"},
	{"complex key", "? a\n: b\n"},
	{"merge key", "a: {x: 1}\nb:\n  <<: 1\n"},
	{"directive", "%YAML 1.2\n---\na: 1\n"},
	{"content on document line", "--- a\n"},
	{"empty document", "---\n---\na: 1\n"},
	{"tab indentation", "a:\n\tb: 1\n"},
	{"tab after colon", "a:\tb\n"},
	{"tab in block scalar indentation", "a: |\n  \tz\n"},
	{"lone CR", "a: 1\rb: 2\n"},
	{"NEL", "a: x\u0085y\n"},
	{"control character", "a: \x01\n"},
	{"flow key", "[a]: b\n"},
	{"multi-line plain in flow", "a: [x\n  y]\n"},
	{"flow single pair", "a: [b: c]\n"},
	{"bad indentation", "a: 1\n  b: 2\n"},
	{"missing colon", "a: 1\nb\n"},
	{"unterminated quote", "a: 'x\n"},
	{"unknown escape", `a: "\q"` + "\n"},
	{"block seq on key line", "a: - b\n"},
	{"mapping on value line", "a: b: c\n"},
	{"deep nesting", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1) + "\n"},
}

func TestParseUnsupported(t *testing.T) {
	for _, tc := range unsupportedCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("Parse error = %v, want ErrUnsupported", err)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	if _, err := Parse(make([]byte, MaxInput+1)); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("got %v, want ErrUnsupported", err)
	}
}

func TestUnmarshal(t *testing.T) {
	var v struct {
		Title string   `yaml:"title"`
		Tags  []string `yaml:"tags"`
	}
	if err := Unmarshal([]byte("title: x\ntags: [a, b]\n"), &v); err != nil || v.Title != "x" || len(v.Tags) != 2 {
		t.Fatalf("fast path: %+v %v", v, err)
	}
	// Fallback keeps yaml.v3's results and errors.
	var m map[string]int
	if err := Unmarshal([]byte("a: &x 1\nb: *x\n"), &m); err != nil || m["b"] != 1 {
		t.Fatalf("fallback: %v %v", m, err)
	}
	var bad map[string]int
	want := yaml.Unmarshal([]byte("a: [1\n"), &bad)
	if err := Unmarshal([]byte("a: [1\n"), &bad); err == nil || want == nil || err.Error() != want.Error() {
		t.Fatalf("error: got %v, want %v", err, want)
	}
	var n yaml.Node
	if err := Unmarshal(nil, &n); err != nil || n.Kind != 0 {
		t.Fatalf("empty: %v %v", n.Kind, err)
	}
}

func TestDocuments(t *testing.T) {
	for _, in := range []string{"a: 1\n---\nb: 2\n", "a: &x 1\n---\nb: *x\n"} {
		docs, err := Documents([]byte(in))
		if err != nil || len(docs) != 2 {
			t.Fatalf("%q: %d docs, %v", in, len(docs), err)
		}
		want, _ := v3Docs([]byte(in))
		for i := range want {
			if d := diffNode("doc", want[i], docs[i]); d != "" {
				t.Errorf("%q: %s", in, d)
			}
		}
	}
	if _, err := Documents([]byte("a: [1\n")); err == nil {
		t.Fatal("want error")
	}
}
