// Package telemetry maps what a rule reads to ATT&CK data components: from
// each normalized event of the taxonomy (process_creation, windows_event,
// cloud_audit, …) and, where the rule says more, its event codes (Sysmon
// EventID, Windows Security event code), actions (auditd record type, cloud
// API call) and log sources, to data components such as DC0032 Process
// Creation. The mapping is data (templates/datacomponents.yaml, embedded).
//
// For one rule the data components are the union over its events of the
// event's components, the components of every refinement whose conditions
// hold, and the event's fallback components when no refinement held.
package telemetry

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/templates"
)

// Normalized fields a rule names its event codes and actions in.
const (
	CodeField   = "event.code"
	ActionField = "event.action"
	// AuditdTypeField is the auditd record type (EXECVE, SYSCALL, PATH),
	// read as an action like event.action.
	AuditdTypeField = "auditd.message_type"
)

// Component is a data component as the mapping names it.
type Component struct {
	ID   string // DC0032
	Name string // Process Creation
}

// Refinement adds data components when every condition it gives holds.
type Refinement struct {
	Codes      []string `yaml:"codes"`   // event.code values
	Actions    []string `yaml:"actions"` // event.action globs, case-insensitive
	When       []string `yaml:"when"`    // log-source globs ("key:value"), case-insensitive
	Components []string `yaml:"components"`
}

// Entry is the mapping of one event.
type Entry struct {
	Components []string     `yaml:"components"`
	Fallback   []string     `yaml:"fallback"`
	LogSources []string     `yaml:"log_sources"`
	Refine     []Refinement `yaml:"refine"`
}

// File is the decoded datacomponents.yaml.
type File struct {
	Unmapped map[string]string `yaml:"unmapped"` // event → why it has no data component
	Events   map[string]Entry  `yaml:"events"`
}

// Mapping is a validated events → data components mapping.
type Mapping struct {
	file  File
	names map[string]string // component id → name
}

// Parse decodes and validates a mapping: every component is written
// "DCxxxx Name" with one name per id, every refinement has a condition and
// components, and no event is both mapped and unmapped.
func Parse(data []byte) (*Mapping, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("datacomponents: %w", err)
	}
	m := &Mapping{file: f, names: map[string]string{}}
	check := func(event string, comps []string) error {
		for _, c := range comps {
			id, name, ok := strings.Cut(c, " ")
			if !ok || !strings.HasPrefix(id, "DC") || name == "" {
				return fmt.Errorf("datacomponents: event %s: %q is not \"DCxxxx Name\"", event, c)
			}
			if prev, seen := m.names[id]; seen && prev != name {
				return fmt.Errorf("datacomponents: %s named both %q and %q", id, prev, name)
			}
			m.names[id] = name
		}
		return nil
	}
	for ev, e := range f.Events {
		if _, both := f.Unmapped[ev]; both {
			return nil, fmt.Errorf("datacomponents: event %s is both mapped and unmapped", ev)
		}
		if len(e.Components)+len(e.Fallback)+len(e.Refine) == 0 {
			return nil, fmt.Errorf("datacomponents: event %s maps to nothing (list it as unmapped)", ev)
		}
		for _, c := range [][]string{e.Components, e.Fallback} {
			if err := check(ev, c); err != nil {
				return nil, err
			}
		}
		for i, r := range e.Refine {
			if len(r.Codes)+len(r.Actions)+len(r.When) == 0 || len(r.Components) == 0 {
				return nil, fmt.Errorf("datacomponents: event %s refinement %d needs a condition and components", ev, i+1)
			}
			if err := check(ev, r.Components); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

var (
	defaultOnce sync.Once
	defaultMap  *Mapping
	defaultErr  error
)

// Default returns the embedded mapping (templates/datacomponents.yaml).
func Default() (*Mapping, error) {
	defaultOnce.Do(func() { defaultMap, defaultErr = Parse(templates.DataComponents) })
	return defaultMap, defaultErr
}

// Events returns the mapped events, sorted.
func (m *Mapping) Events() []string { return sortedKeys(m.file.Events) }

// Unmapped returns the events deliberately mapped to nothing, with the reason.
func (m *Mapping) Unmapped() map[string]string { return m.file.Unmapped }

// Components returns every data component the mapping names, sorted by id.
func (m *Mapping) Components() []Component {
	out := make([]Component, 0, len(m.names))
	for _, id := range sortedKeys(m.names) {
		out = append(out, Component{id, m.names[id]})
	}
	return out
}

// Name returns the name the mapping gives a component id.
func (m *Mapping) Name(id string) string { return m.names[id] }

// LogSources returns the ATT&CK log-source names of an event.
func (m *Mapping) LogSources(event string) []string { return m.file.Events[event].LogSources }

// Rule returns the data component ids a rule reads, sorted: from its
// events, log sources and (normalized) predicates.
func (m *Mapping) Rule(r *rule.Rule) []string {
	return m.Map(r.Events, r.LogSources, FactsOf(r.Predicates))
}

// Facts are the event codes and actions a rule's positive equality
// predicates name.
type Facts struct {
	Codes   []string
	Actions []string // lower-case
}

// FactsOf collects the event codes and actions of predicates.
func FactsOf(ps []rule.Predicate) Facts {
	var f Facts
	for _, p := range ps {
		if p.Negated || p.Exclusion || (p.Op != rule.OpEq && p.Op != rule.OpIn) {
			continue
		}
		switch p.Field {
		case CodeField:
			f.Codes = append(f.Codes, strings.TrimSpace(p.Value))
		case ActionField, AuditdTypeField:
			f.Actions = append(f.Actions, strings.ToLower(strings.TrimSpace(p.Value)))
		}
	}
	return f
}

// Map returns the data component ids of events read from log sources with
// the given facts, sorted and deduplicated.
func (m *Mapping) Map(events, sources []string, facts Facts) []string {
	var out []string
	var lowerSources []string
	for _, ev := range events {
		e, ok := m.file.Events[ev]
		if !ok {
			continue
		}
		out = append(out, ids(e.Components)...)
		refined := false
		for _, r := range e.Refine {
			if len(r.When) > 0 && lowerSources == nil {
				lowerSources = make([]string, len(sources))
				for i, s := range sources {
					lowerSources[i] = strings.ToLower(s)
				}
			}
			if r.holds(facts, lowerSources) {
				out = append(out, ids(r.Components)...)
				refined = true
			}
		}
		if !refined {
			out = append(out, ids(e.Fallback)...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (r *Refinement) holds(f Facts, lowerSources []string) bool {
	if len(r.Codes) > 0 && !slices.ContainsFunc(f.Codes, func(c string) bool { return slices.Contains(r.Codes, c) }) {
		return false
	}
	if len(r.Actions) > 0 && !anyGlob(r.Actions, f.Actions) {
		return false
	}
	if len(r.When) > 0 && !anyGlob(r.When, lowerSources) {
		return false
	}
	return true
}

// anyGlob reports whether any value matches any pattern (patterns
// lower-cased here, values already lower-case).
func anyGlob(pats, values []string) bool {
	for _, p := range pats {
		p = strings.ToLower(p)
		for _, v := range values {
			if Glob(p, v) {
				return true
			}
		}
	}
	return false
}

// Glob matches s against a pattern where * is any run of characters and
// ? any one byte; nothing else is special (slashes included).
func Glob(pat, s string) bool {
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pat) && (pat[px] == '?' || pat[px] == s[sx]):
			px++
			sx++
		case px < len(pat) && pat[px] == '*':
			star, mark = px, sx
			px++
		case star >= 0:
			px = star + 1
			mark++
			sx = mark
		default:
			return false
		}
	}
	for px < len(pat) && pat[px] == '*' {
		px++
	}
	return px == len(pat)
}

func ids(comps []string) []string {
	out := make([]string, len(comps))
	for i, c := range comps {
		out[i], _, _ = strings.Cut(c, " ")
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
