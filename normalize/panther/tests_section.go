package panther

import "bytes"

// blankTests returns data with the body of a block-style top-level
// `Tests:` section replaced by empty lines (line numbers are kept), or
// data itself when there is none. Tests (sample events, three quarters of
// the bytes of panther-analysis) are not used, and skipping them before
// the YAML parse is the largest single saving of the Panther load. The
// section is the lines after a line that is exactly `Tests:` (with
// optional trailing spaces or comment) up to the next line that starts in
// column 0 with anything but a space, `-` (a sequence entry), `#` or
// nothing; a document marker (`---`, `...`) ends it too. A flow-style
// `Tests: [...]` is left alone.
func blankTests(data []byte) []byte {
	start := -1
	for i := 0; i < len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		next := len(data)
		if end >= 0 {
			next = i + end + 1
		}
		line := data[i:next]
		if start < 0 {
			if isTestsKey(line) {
				start = next
			}
		} else if endsSection(line) {
			return blankRange(data, start, i)
		}
		i = next
	}
	if start >= 0 {
		return blankRange(data, start, len(data))
	}
	return data
}

func isTestsKey(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("Tests:"))
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " \t")
	return len(rest) == 0 || rest[0] == '\n' || rest[0] == '\r' || rest[0] == '#'
}

func endsSection(line []byte) bool {
	if len(line) == 0 {
		return false
	}
	switch line[0] {
	case ' ', '#', '\n', '\r':
		return false
	case '-':
		return bytes.HasPrefix(line, []byte("---"))
	}
	return true
}

// blankRange copies data with every byte of [from, to) but newlines removed.
func blankRange(data []byte, from, to int) []byte {
	out := make([]byte, 0, len(data)-(to-from)+bytes.Count(data[from:to], []byte("\n")))
	out = append(out, data[:from]...)
	for _, c := range data[from:to] {
		if c == '\n' {
			out = append(out, '\n')
		}
	}
	return append(out, data[to:]...)
}
