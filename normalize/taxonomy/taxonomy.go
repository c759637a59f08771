// Package taxonomy classifies rules by what they read: normalized events
// (process_creation, network_connection, dns_query, …), platforms (windows,
// linux, aws, …) and domains (endpoint, network, cloud, identity, web,
// application), from the rule's log sources (rule.Rule.LogSources). The
// mapping is data (templates/taxonomy.yaml, embedded).
//
// Every entry whose vendor (if any) and `when` gates match adds its events,
// platforms and domains; the results are unions. Entries marked `fallback`
// add their events only when no other entry gave the rule an event (a
// broad source such as "Elastic Defend" says little once the query's own
// category is known). A rule no entry gives an event gets `other:<raw>` from
// its first log source (or `other:unknown`).
package taxonomy

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/templates"
)

// Entry is one classification rule of the taxonomy.
type Entry struct {
	Vendor    string              `yaml:"vendor"`
	When      map[string][]string `yaml:"when"`
	Events    []string            `yaml:"events"`
	Platforms []string            `yaml:"platforms"`
	Domains   []string            `yaml:"domains"`
	Fallback  bool                `yaml:"fallback"`

	gates []gate // When, lower-cased once by Parse
}

// gate is one condition of an entry's `when`: a log source with this key
// whose value matches one of the patterns (path.Match globs), all
// lower-cased.
type gate struct {
	key  string
	pats []pattern
}

// pattern is one lower-cased glob of a gate, with the two common forms
// (no wildcard; one trailing *) matched without path.Match.
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

// source is one of a rule's log sources, split and lower-cased.
type source struct{ key, value string }

// File is the decoded taxonomy document.
type File struct {
	Events    []string `yaml:"events"`
	Platforms []string `yaml:"platforms"`
	Domains   []string `yaml:"domains"`
	Entries   []Entry  `yaml:"entries"`
}

// Taxonomy is a validated classification.
type Taxonomy struct {
	file File
	// byKey indexes entries by the keys of their gates, so a rule only
	// tests entries that can match one of its log sources.
	byKey map[string][]*Entry
}

// Result is the classification of one rule.
type Result struct {
	Events, Platforms, Domains []string
}

// Parse decodes and validates a taxonomy: every event, platform and domain
// an entry names must be listed at the top.
func Parse(data []byte) (*Taxonomy, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("taxonomy: %w", err)
	}
	t := &Taxonomy{file: f, byKey: map[string][]*Entry{}}
	for i := range f.Entries {
		e := &f.Entries[i]
		if len(e.When) == 0 {
			return nil, fmt.Errorf("taxonomy: entry %d has no when gate", i+1)
		}
		for _, check := range []struct {
			what  string
			names []string
			known []string
		}{{"event", e.Events, f.Events}, {"platform", e.Platforms, f.Platforms}, {"domain", e.Domains, f.Domains}} {
			for _, n := range check.names {
				if !slices.Contains(check.known, n) {
					return nil, fmt.Errorf("taxonomy: entry %d names unknown %s %q", i+1, check.what, n)
				}
			}
		}
		for k, pats := range e.When {
			g := gate{key: strings.ToLower(k)}
			for _, p := range pats {
				if _, err := path.Match(p, ""); err != nil {
					return nil, fmt.Errorf("taxonomy: entry %d: pattern %q: %w", i+1, p, err)
				}
				g.pats = append(g.pats, newPattern(strings.ToLower(p)))
			}
			e.gates = append(e.gates, g)
			t.byKey[g.key] = append(t.byKey[g.key], e)
		}
	}
	return t, nil
}

var (
	defaultOnce sync.Once
	defaultTax  *Taxonomy
	defaultErr  error
)

// Default returns the embedded taxonomy (templates/taxonomy.yaml).
func Default() (*Taxonomy, error) {
	defaultOnce.Do(func() {
		data, err := templates.FS.ReadFile("taxonomy.yaml")
		if err != nil {
			defaultErr = err
			return
		}
		defaultTax, defaultErr = Parse(data)
	})
	return defaultTax, defaultErr
}

// Events lists the known events.
func (t *Taxonomy) Events() []string { return t.file.Events }

// Classify returns the events, platforms and domains of a rule of vendor
// reading sources (key:value strings).
func (t *Taxonomy) Classify(vendor string, sources []string) Result {
	var r Result
	var fallback []string
	var seen []*Entry
	srcs := make([]source, 0, len(sources))
	for _, src := range sources {
		if k, v, ok := strings.Cut(src, ":"); ok {
			srcs = append(srcs, source{strings.ToLower(k), strings.ToLower(v)})
		}
	}
	for _, src := range srcs {
		for _, e := range t.byKey[src.key] {
			if slices.Contains(seen, e) {
				continue
			}
			seen = append(seen, e)
			if e.matches(vendor, srcs) {
				if e.Fallback {
					fallback = append(fallback, e.Events...)
				} else {
					r.Events = append(r.Events, e.Events...)
				}
				r.Platforms = append(r.Platforms, e.Platforms...)
				r.Domains = append(r.Domains, e.Domains...)
			}
		}
	}
	if len(r.Events) == 0 {
		r.Events = fallback
	}
	r.Events = sortedSet(r.Events)
	r.Platforms = sortedSet(r.Platforms)
	r.Domains = sortedSet(r.Domains)
	return r
}

// Other returns the fallback event for a rule no entry classified.
func Other(sources []string) string {
	for _, s := range sources {
		if _, v, ok := strings.Cut(s, ":"); ok && v != "" {
			return "other:" + strings.ToLower(v)
		}
	}
	return "other:unknown"
}

// matches reports whether every gate of the entry holds for a rule of
// vendor with these log sources.
func (e *Entry) matches(vendor string, srcs []source) bool {
	if e.Vendor != "" && e.Vendor != vendor {
		return false
	}
	for _, g := range e.gates {
		if !g.holds(srcs) {
			return false
		}
	}
	return true
}

// holds reports whether one of the log sources has the gate's key and a
// value matching one of its patterns.
func (g gate) holds(srcs []source) bool {
	for _, src := range srcs {
		if src.key != g.key {
			continue
		}
		for _, p := range g.pats {
			if p.matches(src.value) {
				return true
			}
		}
	}
	return false
}

func sortedSet(ss []string) []string {
	slices.Sort(ss)
	return slices.Compact(ss)
}
