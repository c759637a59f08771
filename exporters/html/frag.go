package html

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// Fragments: the pieces of markup the site repeats thousands of times (rule
// pages, rule cards, predicate rows, field page rows) are defined in
// templates/html like every other piece of markup, but executing
// html/template per row costs a reflective call per action. A fragment is a
// template executed once, at start-up, with sentinels in place of its
// values; its output is split at the sentinels into literal parts, and each
// use fills the holes in Go with the escaping html/template would have
// applied. A second execution with probe values containing markup proves
// that: every hole must sit where html/template escapes exactly like
// escapeText (text, RCDATA or a quoted attribute), keeps a site-relative
// link unchanged (a link attribute) or passes trusted markup through (text),
// else compiling the fragment fails. Fragment templates take a map of
// strings and use no actions other than {{.Name}} (and {{template}} calls of
// such templates).

// holeKind says how a hole is filled.
type holeKind uint8

const (
	// holeText is escaped like html/template escapes text and quoted
	// attribute values.
	holeText holeKind = iota
	// holeURL is a site-relative link built by the exporter; characters
	// outside [A-Za-z0-9._~/#-] are percent-encoded.
	holeURL
	// holeURLPart is a piece of such a link after its '#' (an anchor):
	// characters outside [A-Za-z0-9._~-] are percent-encoded.
	holeURLPart
	// holeRaw is markup rendered by another fragment, inserted as is.
	holeRaw
)

// hole names a value of a fragment and how it is escaped.
type hole struct {
	name string
	kind holeKind
}

func text(name string) hole { return hole{name, holeText} }
func url(name string) hole  { return hole{name, holeURL} }
func part(name string) hole { return hole{name, holeURLPart} }
func raw(name string) hole  { return hole{name, holeRaw} }

// frag is a compiled fragment: parts[0] hole parts[1] hole … parts[n].
type frag struct {
	name  string
	parts []string
	holes []int // per gap between parts: the argument filling it
	kinds []holeKind
}

const (
	sentinelOpen  = "zQ"
	sentinelClose = "Qz"
	probeText     = "<a href=\"x\" title='y'>&amp; + = ` \x00</a>"
	probeURL      = "../a_b-c/D.e~1.html#v-0f"
	probeURLPart  = "v-0f/a#b"
	probeRaw      = template.HTML(`<b class="p">&amp;<br></b>`)
)

func sentinel(i int) string { return sentinelOpen + strconv.Itoa(i) + sentinelClose }

// compileFrag compiles the template name of t as a fragment with the given
// holes, in the order fill takes their arguments.
func compileFrag(t *template.Template, name string, holes ...hole) (*frag, error) {
	f := &frag{name: name}
	data := map[string]any{}
	for i, h := range holes {
		data[h.name] = sentinel(i)
		if h.kind == holeRaw {
			data[h.name] = template.HTML(sentinel(i))
		}
		f.kinds = append(f.kinds, h.kind)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("fragment %s: %w", name, err)
	}
	out := b.String()
	seen := make([]bool, len(holes))
	for {
		i := strings.Index(out, sentinelOpen)
		if i < 0 {
			break
		}
		j := strings.Index(out[i:], sentinelClose)
		if j < 0 {
			return nil, fmt.Errorf("fragment %s: a broken hole sentinel in %q", name, out)
		}
		n, err := strconv.Atoi(out[i+len(sentinelOpen) : i+j])
		if err != nil || n < 0 || n >= len(holes) {
			return nil, fmt.Errorf("fragment %s: %q looks like a hole but is none (literal text must not contain %q)", name, out[i:i+j+2], sentinelOpen)
		}
		f.parts = append(f.parts, out[:i])
		f.holes = append(f.holes, n)
		seen[n] = true
		out = out[i+j+len(sentinelClose):]
	}
	f.parts = append(f.parts, out)
	for i, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("fragment %s does not use {{.%s}}", name, holes[i].name)
		}
	}

	// Prove the escaping: html/template's output for probe values must
	// equal what fill writes for them.
	args := make([]string, len(holes))
	for i, h := range holes {
		switch h.kind {
		case holeText:
			data[h.name] = probeText
			args[i] = probeText
		case holeURL:
			data[h.name] = probeURL
			args[i] = probeURL
		case holeURLPart:
			data[h.name] = probeURLPart
			args[i] = probeURLPart
		case holeRaw:
			data[h.name] = probeRaw
			args[i] = string(probeRaw)
		}
	}
	b.Reset()
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("fragment %s: %w", name, err)
	}
	if got := string(f.fill(nil, args...)); got != b.String() {
		return nil, fmt.Errorf("fragment %s: a hole is in a context fill does not escape for:\nhtml/template: %q\nfill:          %q", name, b.String(), got)
	}
	return f, nil
}

// fill appends the fragment with its holes filled by args (one per hole,
// in the order given to compileFrag) to b.
func (f *frag) fill(b []byte, args ...string) []byte {
	if len(args) != len(f.kinds) {
		panic(fmt.Sprintf("fragment %s: %d arguments for %d holes", f.name, len(args), len(f.kinds)))
	}
	b = append(b, f.parts[0]...)
	for i, n := range f.holes {
		switch f.kinds[n] {
		case holeText:
			b = escapeText(b, args[n])
		case holeURL:
			b = escapeURL(b, args[n], true)
		case holeURLPart:
			b = escapeURL(b, args[n], false)
		default:
			b = append(b, args[n]...)
		}
		b = append(b, f.parts[i+1]...)
	}
	return b
}

// literal returns the text of a fragment without holes.
func (f *frag) literal() string {
	if len(f.kinds) != 0 {
		panic("fragment " + f.name + " has holes")
	}
	return f.parts[0]
}

// escapeText appends s escaped exactly as html/template escapes a string in
// HTML text, RCDATA and quoted attribute values.
func escapeText(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, r...)
		start = i + 1
	}
	return append(b, s[start:]...)
}

// escapeURL appends a site-relative link (or with path false, a part of
// one after '#'), percent-encoding every byte outside the characters the
// exporter's paths and anchors are made of, as html/template does.
func escapeURL(b []byte, s string, path bool) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || path && (c == '/' || c == '#') {
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, '%', hex[c>>4], hex[c&15])
		start = i + 1
	}
	return append(b, s[start:]...)
}
