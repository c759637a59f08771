package rule

import (
	"fmt"
	"path"
	"strings"
)

// Gates is a `when` condition on a rule's log sources (Rule.LogSources),
// prepared once: for every key, one of the log sources with that key must
// have a value matching one of the key's globs (path.Match). Keys, values
// and globs compare lower-cased. The field map's layers and the event
// taxonomy's entries are gated this way.
type Gates []Gate

// Gate is one key of a `when` condition.
type Gate struct {
	Key  string // lower-cased
	pats []pattern
}

// NewGates prepares a `when` map; a malformed glob is an error.
func NewGates(when map[string][]string) (Gates, error) {
	gates := make(Gates, 0, len(when))
	for k, globs := range when {
		g := Gate{Key: strings.ToLower(k)}
		for _, glob := range globs {
			if _, err := path.Match(glob, ""); err != nil {
				return nil, fmt.Errorf("pattern %q: %w", glob, err)
			}
			g.pats = append(g.pats, newPattern(strings.ToLower(glob)))
		}
		gates = append(gates, g)
	}
	return gates, nil
}

// Hold reports whether every gate holds for these log sources.
func (gs Gates) Hold(srcs LogSources) bool {
	for _, g := range gs {
		if !g.holds(srcs) {
			return false
		}
	}
	return true
}

// holds reports whether one of the log sources has the gate's key and a
// value matching one of its globs.
func (g Gate) holds(srcs LogSources) bool {
	for _, src := range srcs {
		if src.Key != g.Key {
			continue
		}
		for _, p := range g.pats {
			if p.matches(src.Value) {
				return true
			}
		}
	}
	return false
}

// LogSource is one "key:value" log source, split and lower-cased.
type LogSource struct{ Key, Value string }

// LogSources are a rule's log sources prepared for Gates.Hold.
type LogSources []LogSource

// SplitLogSources splits and lower-cases "key:value" log sources once;
// sources without a colon are left out.
func SplitLogSources(sources []string) LogSources {
	srcs := make(LogSources, 0, len(sources))
	for _, s := range sources {
		if k, v, ok := strings.Cut(s, ":"); ok {
			srcs = append(srcs, LogSource{strings.ToLower(k), strings.ToLower(v)})
		}
	}
	return srcs
}

// pattern is one lower-cased glob, with the two common forms (no wildcard;
// one trailing *) matched without path.Match.
type pattern struct {
	glob   string
	prefix string // glob without its trailing *, for the prefix form
	kind   patternKind
}

type patternKind uint8

const (
	literal patternKind = iota // equal to glob
	prefix                     // starts with prefix
	general                    // path.Match(glob, value)
)

// newPattern classifies a lower-cased glob.
func newPattern(glob string) pattern {
	body, star := strings.CutSuffix(glob, "*")
	switch {
	case !strings.ContainsAny(glob, `*?[\`):
		return pattern{glob: glob, kind: literal}
	case star && !strings.ContainsAny(body, `*?[\`):
		return pattern{glob: glob, prefix: body, kind: prefix}
	}
	return pattern{glob: glob, kind: general}
}

// matches reports whether value matches the pattern as path.Match would
// (a trailing * also matches no characters, and never a slash).
func (p pattern) matches(value string) bool {
	switch p.kind {
	case literal:
		return value == p.glob
	case prefix:
		return strings.HasPrefix(value, p.prefix) && !strings.Contains(value[len(p.prefix):], "/")
	}
	ok, _ := path.Match(p.glob, value)
	return ok
}
