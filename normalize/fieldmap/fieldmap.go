// Package fieldmap maps each vendor's field names onto one canonical name
// (Elastic Common Schema where ECS has one), from a field map kept as data
// (templates/fieldmap.yaml, embedded).
//
// The map is a list of layers. A layer has an id, a priority, an optional
// vendor, an optional `when` gate on the rule's log sources, and either a
// `map` (field → canonical field) or a `strip_prefix` rewrite. Rules:
//
//   - Rewrite layers (strip_prefix) run first, in priority order, then id;
//     they chain: the output of one is the input of the next.
//   - For lookups the most specific matching layer wins: vendor + when over
//     vendor over when over common; among equals, lower priority first.
//   - A lookup tries the exact name, then the name case-folded.
//   - No match keeps the (rewritten) name: pass through.
//
// The map is validated when parsed: unknown keys, duplicate layer ids,
// canonical names not listed under `canonical`, and two layers of equal
// specificity mapping one key differently are errors.
package fieldmap

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/templates"
)

// File is the decoded field-map document.
type File struct {
	Canonical []string `yaml:"canonical"`
	// ECSNamespaces are the Elastic Common Schema field sets: a lower-case
	// dotted name under one of them (process.*, file.*, …) is canonical too,
	// except vendor extensions (`.Ext.`).
	ECSNamespaces []string            `yaml:"ecs_namespaces"`
	Kept          map[string][]string `yaml:"kept"`    // vendor → raw fields deliberately left unmapped
	NameOf        map[string]string   `yaml:"name_of"` // executable-path field → its file-name field
	Layers        []Layer             `yaml:"layers"`
}

// Layer is one set of mappings or rewrites.
type Layer struct {
	ID          string              `yaml:"id"`
	Priority    int                 `yaml:"priority"`
	Vendor      string              `yaml:"vendor"`
	When        map[string][]string `yaml:"when"`
	Map         map[string]string   `yaml:"map"`
	StripPrefix []string            `yaml:"strip_prefix"`
	StripSuffix []string            `yaml:"strip_suffix"`

	folded map[string]string
	gates  rule.Gates // When, prepared once by Parse
}

// Mapped is the result of a lookup.
type Mapped struct {
	Field   string // the canonical (or passed-through) name
	LayerID string // the layer that mapped it; empty when passed through
}

// Map is a validated field map.
type Map struct {
	file      File
	canonical map[string]bool
	ecs       map[string]bool
	rewrites  []*Layer
	lookups   []*Layer // sorted by specificity, then priority, then id
}

// Scope is what a lookup may be gated on: the vendor and the rule's log
// sources ("key:value", as in rule.Rule.LogSources).
type Scope struct {
	Vendor     string
	LogSources []string
}

// Parse decodes and validates a field map.
func Parse(data []byte) (*Map, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("field map: %w", err)
	}
	m := &Map{file: f, canonical: map[string]bool{}, ecs: map[string]bool{}}
	for _, ns := range f.ECSNamespaces {
		m.ecs[ns] = true
	}
	for _, c := range f.Canonical {
		if m.canonical[c] {
			return nil, fmt.Errorf("field map: canonical name %q listed twice", c)
		}
		m.canonical[c] = true
	}
	ids := map[string]bool{}
	for i := range f.Layers {
		l := &f.Layers[i]
		if l.ID == "" {
			return nil, fmt.Errorf("field map: layer %d has no id", i+1)
		}
		if ids[l.ID] {
			return nil, fmt.Errorf("field map: duplicate layer id %q", l.ID)
		}
		ids[l.ID] = true
		rewrite := len(l.StripPrefix)+len(l.StripSuffix) > 0
		if len(l.Map) > 0 && rewrite {
			return nil, fmt.Errorf("field map: layer %q has both map and a strip rewrite", l.ID)
		}
		gates, err := rule.NewGates(l.When)
		if err != nil {
			return nil, fmt.Errorf("field map: layer %q: %w", l.ID, err)
		}
		l.gates = gates
		l.folded = map[string]string{}
		for k, v := range l.Map {
			if !m.IsCanonical(v) {
				return nil, fmt.Errorf("field map: layer %q maps %q to %q, which is not a canonical name", l.ID, k, v)
			}
			l.folded[strings.ToLower(k)] = v
		}
		if rewrite {
			m.rewrites = append(m.rewrites, l)
		} else {
			m.lookups = append(m.lookups, l)
		}
	}
	for raw, name := range f.NameOf {
		if !m.IsCanonical(raw) || !m.IsCanonical(name) {
			return nil, fmt.Errorf("field map: name_of %q: %q must both be canonical names", raw, name)
		}
	}
	slices.SortStableFunc(m.rewrites, func(a, b *Layer) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.ID, b.ID))
	})
	slices.SortStableFunc(m.lookups, func(a, b *Layer) int {
		return cmp.Or(cmp.Compare(specificity(b), specificity(a)), cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.ID, b.ID))
	})
	// Two layers of equal specificity, gate and vendor that map one key
	// differently are ambiguous.
	for i, a := range m.lookups {
		for _, b := range m.lookups[i+1:] {
			if specificity(a) != specificity(b) || a.Vendor != b.Vendor || !sameWhen(a.When, b.When) {
				continue
			}
			for k, v := range a.Map {
				if w, ok := b.Map[k]; ok && w != v {
					return nil, fmt.Errorf("field map: layers %q and %q map %q differently (%q, %q)", a.ID, b.ID, k, v, w)
				}
			}
		}
	}
	return m, nil
}

func specificity(l *Layer) int {
	s := 0
	if l.Vendor != "" {
		s += 2
	}
	if len(l.When) > 0 {
		s++
	}
	return s
}

func sameWhen(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

var (
	defaultOnce sync.Once
	defaultMap  *Map
	defaultErr  error
)

// Default returns the embedded field map (templates/fieldmap.yaml).
func Default() (*Map, error) {
	defaultOnce.Do(func() {
		data, err := templates.FS.ReadFile("fieldmap.yaml")
		if err != nil {
			defaultErr = err
			return
		}
		defaultMap, defaultErr = Parse(data)
	})
	return defaultMap, defaultErr
}

// applies reports whether layer l is in force for a rule of vendor with
// these log sources.
func (l *Layer) applies(vendor string, srcs rule.LogSources) bool {
	return (l.Vendor == "" || l.Vendor == vendor) && l.gates.Hold(srcs)
}

// Scoped is the map narrowed to one scope: the layers in force for it, in
// the order they are consulted. Build one per distinct scope and reuse it.
type Scoped struct {
	rewrites, lookups []*Layer
}

// Scope narrows the map to the layers that apply to s.
func (m *Map) Scope(s Scope) *Scoped {
	sc := &Scoped{}
	srcs := rule.SplitLogSources(s.LogSources)
	for _, l := range m.rewrites {
		if l.applies(s.Vendor, srcs) {
			sc.rewrites = append(sc.rewrites, l)
		}
	}
	for _, l := range m.lookups {
		if l.applies(s.Vendor, srcs) {
			sc.lookups = append(sc.lookups, l)
		}
	}
	return sc
}

// Lookup maps one raw field name.
func (m *Map) Lookup(s Scope, raw string) Mapped { return m.Scope(s).Lookup(raw) }

// Lookup maps one raw field name within the scope.
func (sc *Scoped) Lookup(raw string) Mapped {
	name := raw
	for _, l := range sc.rewrites {
		for _, p := range l.StripPrefix {
			if len(name) > len(p) && strings.HasPrefix(name, p) {
				name = name[len(p):]
				break
			}
		}
		for _, p := range l.StripSuffix {
			if len(name) > len(p) && strings.HasSuffix(name, p) {
				name = name[:len(name)-len(p)]
				break
			}
		}
	}
	for _, l := range sc.lookups {
		if v, ok := l.Map[name]; ok {
			return Mapped{Field: v, LayerID: l.ID}
		}
	}
	low := strings.ToLower(name)
	for _, l := range sc.lookups {
		if v, ok := l.folded[low]; ok {
			return Mapped{Field: v, LayerID: l.ID}
		}
	}
	return Mapped{Field: name}
}

// IsCanonical reports whether name is a canonical field of the map: listed
// under canonical, or a lower-case ECS name under one of ecs_namespaces.
func (m *Map) IsCanonical(name string) bool {
	if m.canonical[name] {
		return true
	}
	ns, rest, ok := strings.Cut(name, ".")
	if !ok || rest == "" || !m.ecs[ns] || strings.Contains(name, ".Ext.") {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// NameOf returns the file-name field paired with an executable-path field
// (process.executable → process.name), or "".
func (m *Map) NameOf(field string) string { return m.file.NameOf[field] }

// Kept reports whether a raw field is listed as deliberately unmapped for a vendor.
func (m *Map) Kept(vendor, raw string) bool { return slices.Contains(m.file.Kept[vendor], raw) }

// Layers returns the layers in the order they are consulted: rewrites, then lookups.
func (m *Map) Layers() []Layer {
	var out []Layer
	for _, l := range m.rewrites {
		out = append(out, *l)
	}
	for _, l := range m.lookups {
		out = append(out, *l)
	}
	return out
}
