package yamlfast

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Section returns the text of root's top-level key as the file writes it:
// from the key's line up to the line before the next top-level key of the
// document (or the document's end, `---`), trailing blank and comment lines
// left out. It is how reports show a rule's detection "as written". root
// is a mapping node of data's document (yaml.v3's or Parse's: both carry
// the line numbers).
func Section(data []byte, root *yaml.Node, key string) string {
	start := 0
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			start = root.Content[i].Line
		}
	}
	if start == 0 {
		return ""
	}
	end := 0 // the first line after the section; 0: the document's end
	for i := 0; i+1 < len(root.Content); i += 2 {
		if l := root.Content[i].Line; l > start && (end == 0 || l < end) {
			end = l
		}
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if start > len(lines) {
		return ""
	}
	var out []string
	for n := start; n <= len(lines) && (end == 0 || n < end); n++ {
		line := strings.TrimRight(string(lines[n-1]), "\r\n")
		if n > start && (strings.HasPrefix(line, "---") || strings.HasPrefix(line, "...")) {
			break
		}
		out = append(out, line)
	}
	for len(out) > 1 {
		last := strings.TrimSpace(out[len(out)-1])
		if last != "" && !strings.HasPrefix(last, "#") {
			break
		}
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}
