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
//
// A log-source value that joins several sources with " AND " (a Splunk
// data_source "Sysmon EventID 1 AND Sysmon EventID 11") is read as each of
// them too. Results are cached per vendor and log sources: rules share few
// distinct ones.
package taxonomy

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

// Entry is one classification rule of the taxonomy.
type Entry struct {
	Vendor    string              `yaml:"vendor"`
	When      map[string][]string `yaml:"when"`
	Events    []string            `yaml:"events"`
	Platforms []string            `yaml:"platforms"`
	Domains   []string            `yaml:"domains"`
	Fallback  bool                `yaml:"fallback"`

	gates rule.Gates // When, prepared once by Parse
}

// File is the decoded taxonomy document.
type File struct {
	Events    []string `yaml:"events"`
	Platforms []string `yaml:"platforms"`
	Domains   []string `yaml:"domains"`
	Entries   []Entry  `yaml:"entries"`
}

// Taxonomy is a validated classification.
type Taxonomy struct {
	file  File
	cache sync.Map // vendor + "\x00" + sources → Result
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
		gates, err := rule.NewGates(e.When)
		if err != nil {
			return nil, fmt.Errorf("taxonomy: entry %d: %w", i+1, err)
		}
		e.gates = gates
		for _, g := range gates {
			t.byKey[g.Key] = append(t.byKey[g.Key], e)
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
	key := vendor + "\x00" + strings.Join(sources, "\x00")
	if r, ok := t.cache.Load(key); ok {
		return r.(Result).clone()
	}
	r := t.classify(vendor, sources)
	t.cache.Store(key, r)
	return r.clone()
}

func (r Result) clone() Result {
	return Result{Events: slices.Clone(r.Events), Platforms: slices.Clone(r.Platforms), Domains: slices.Clone(r.Domains)}
}

// compoundSep joins several sources in one log-source value.
const compoundSep = " AND "

func (t *Taxonomy) classify(vendor string, sources []string) Result {
	var r Result
	var fallback []string
	var seen []*Entry
	for _, s := range sources {
		if k, v, ok := strings.Cut(s, ":"); ok && strings.Contains(v, compoundSep) {
			for _, part := range strings.Split(v, compoundSep) {
				sources = append(sources[:len(sources):len(sources)], k+":"+strings.TrimSpace(part))
			}
		}
	}
	srcs := rule.SplitLogSources(sources)
	for _, src := range srcs {
		for _, e := range t.byKey[src.Key] {
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

// matches reports whether the entry holds for a rule of vendor with these
// log sources.
func (e *Entry) matches(vendor string, srcs rule.LogSources) bool {
	return (e.Vendor == "" || e.Vendor == vendor) && e.gates.Hold(srcs)
}

func sortedSet(ss []string) []string {
	slices.Sort(ss)
	return slices.Compact(ss)
}
