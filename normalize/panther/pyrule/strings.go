package pyrule

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeString decodes one Python string literal (prefix, quotes, escapes).
// It reports false for f-strings with replacement fields and for text that
// is not a well-formed literal.
func decodeString(lit string) (string, bool) {
	i := 0
	raw, fstr := false, false
	for i < len(lit) && strings.IndexByte("rRbBuUfF", lit[i]) >= 0 {
		switch lit[i] {
		case 'r', 'R':
			raw = true
		case 'f', 'F':
			fstr = true
		}
		i++
	}
	rest := lit[i:]
	var q string
	switch {
	case strings.HasPrefix(rest, `"""`), strings.HasPrefix(rest, `'''`):
		q = rest[:3]
	case strings.HasPrefix(rest, `"`), strings.HasPrefix(rest, `'`):
		q = rest[:1]
	default:
		return "", false
	}
	if len(rest) < 2*len(q) || !strings.HasSuffix(rest, q) {
		return "", false
	}
	body := rest[len(q) : len(rest)-len(q)]
	if fstr {
		var b strings.Builder
		for j := 0; j < len(body); j++ {
			switch {
			case body[j] == '{' && j+1 < len(body) && body[j+1] == '{',
				body[j] == '}' && j+1 < len(body) && body[j+1] == '}':
				b.WriteByte(body[j])
				j++
			case body[j] == '{' || body[j] == '}':
				return "", false // a replacement field: not a constant
			default:
				b.WriteByte(body[j])
			}
		}
		body = b.String()
	}
	if raw || !strings.Contains(body, `\`) {
		return body, true
	}
	return unescape(body), true
}

// unescape processes Python backslash escapes; unknown escapes are kept.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case '\n':
			// line continuation inside the literal
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+1+n <= len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32); err == nil && utf8.ValidRune(rune(v)) {
					b.WriteRune(rune(v))
					i += n
					continue
				}
			}
			b.WriteByte('\\')
			b.WriteByte(e)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}

// quote renders s as a double-quoted Python string literal that decodes back to s.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			switch {
			case r == utf8.RuneError:
				b.WriteString(`\ufffd`)
			case r < 0x20 || r == 0x7f:
				b.WriteString(`\x`)
				b.WriteString(strconv.FormatUint(uint64(r)|0x100, 16)[1:])
			case r >= 0x80 && r < 0xa0, r == 0x2028, r == 0x2029, r == 0x85, r == 0xfeff:
				b.WriteString(`\u`)
				b.WriteString(strconv.FormatUint(uint64(r)|0x10000, 16)[1:])
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
