package html

import (
	"strconv"
	"strings"
)

// maxStem bounds file-name stems so paths stay well under every OS limit.
const maxStem = 80

// reserved are the Windows device names no file may be called, with any
// extension.
var reserved = map[string]bool{"con": true, "prn": true, "aux": true, "nul": true,
	"com1": true, "com2": true, "com3": true, "com4": true, "com5": true, "com6": true, "com7": true, "com8": true, "com9": true,
	"lpt1": true, "lpt2": true, "lpt3": true, "lpt4": true, "lpt5": true, "lpt6": true, "lpt7": true, "lpt8": true, "lpt9": true}

// hash8 is a short stable hash of s in hex (32-bit FNV-1a).
func hash8(s string) string {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return strconv.FormatUint(uint64(h), 16)
}

// safeStem turns any key into a file-name stem that is valid on Linux,
// macOS and Windows and needs no escaping in a URL: letters, digits, '-',
// '_' and '.' only, no leading or trailing dot, no device name, bounded
// length. A key that had to be altered gets a hash of the original appended
// so distinct keys stay distinct.
func safeStem(key string) string {
	var b strings.Builder
	changed := false
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
			changed = true
		}
	}
	stem := b.String()
	if t := strings.Trim(stem, "."); t != stem {
		stem, changed = t, true
	}
	if len(stem) > maxStem {
		stem, changed = stem[:maxStem], true
	}
	base, _, _ := strings.Cut(stem, ".")
	if stem == "" || reserved[strings.ToLower(base)] {
		changed = true
	}
	if changed {
		if stem == "" {
			return "x-" + hash8(key)
		}
		return stem + "-" + hash8(key)
	}
	return stem
}

// namer hands out file-name stems unique within one folder, compared
// case-insensitively (macOS and Windows folders are case-insensitive).
// Call it in a deterministic order.
type namer struct {
	used  map[string]bool
	names map[string]string
}

func newNamer() *namer { return &namer{used: map[string]bool{}, names: map[string]string{}} }

// name returns the stem for key, made from want (the readable part, e.g.
// a rule id), allocating it on first use.
func (n *namer) name(key, want string) string {
	if s, ok := n.names[key]; ok {
		return s
	}
	s := safeStem(want)
	if n.used[strings.ToLower(s)] {
		base := s + "-" + hash8(key)
		s = base
		for i := 2; n.used[strings.ToLower(s)]; i++ {
			s = base + "-" + strconv.Itoa(i)
		}
	}
	n.used[strings.ToLower(s)] = true
	n.names[key] = s
	return s
}
