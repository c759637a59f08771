package attack

import (
	"slices"
	"strings"
)

// DataComponent is one ATT&CK data component (x-mitre-data-component), the
// kind of telemetry an analytic reads: DC0032 Process Creation.
type DataComponent struct {
	ID   string `json:"id"` // DC0032
	Name string `json:"name"`
}

// LogSource is one entry of an analytic's x_mitre_log_source_references: the
// data component it reads, in ATT&CK's log-source naming.
type LogSource struct {
	Component string `json:"dc"`                // data component id, DC0032
	Name      string `json:"name"`              // WinEventLog:Sysmon
	Channel   string `json:"channel,omitempty"` // EventCode=1
}

// Analytic is one ATT&CK analytic (x-mitre-analytic) of a detection strategy.
type Analytic struct {
	ID         string      `json:"id"` // AN1252
	Platforms  []string    `json:"platforms,omitempty"`
	LogSources []LogSource `json:"log_sources,omitempty"`
}

// DetectionStrategy is one ATT&CK detection strategy
// (x-mitre-detection-strategy): the analytics that detect some techniques
// (its detects relationships).
type DetectionStrategy struct {
	ID         string   `json:"id"` // DET0455
	Name       string   `json:"name"`
	Techniques []string `json:"techniques"` // technique ids it detects, sorted
	Analytics  []string `json:"analytics"`  // analytic ids
}

// Group is one ATT&CK group (intrusion-set) with the techniques it uses.
type Group struct {
	ID         string   `json:"id"` // G0016
	Name       string   `json:"name"`
	Aliases    []string `json:"aliases,omitempty"`    // other names, the group's own name left out
	Techniques []string `json:"techniques,omitempty"` // technique ids of its uses relationships, sorted
	// Former holds the ids and names of revoked groups merged into this one.
	Former []string `json:"former,omitempty"`
}

// Skipped counts the bundle objects and relationships the model left out or
// redirected: revoked objects followed to their replacement, and revoked or
// deprecated objects without one.
type Skipped struct {
	RevokedTechniques    int `json:"revoked_techniques"`    // revoked attack-patterns (kept in List, flagged)
	DeprecatedTechniques int `json:"deprecated_techniques"` // deprecated attack-patterns (kept in List, flagged)
	RevokedGroups        int `json:"revoked_groups"`        // revoked intrusion-sets, merged into their replacement
	DeprecatedGroups     int `json:"deprecated_groups"`     // deprecated intrusion-sets, left out
	DeprecatedComponents int `json:"deprecated_components"` // deprecated data components, left out
	DeprecatedOther      int `json:"deprecated_other"`      // deprecated or revoked strategies and analytics, left out
	Followed             int `json:"followed"`              // relationships re-pointed from a revoked object to its replacement
	Dropped              int `json:"dropped"`               // relationships to or from objects left out
}

// Relations is the part of the model built from ATT&CK's detection
// strategies and groups. Every list is sorted by id.
type Relations struct {
	DataComponents []DataComponent     `json:"data_components,omitempty"`
	Analytics      []Analytic          `json:"analytics,omitempty"`
	Strategies     []DetectionStrategy `json:"detection_strategies,omitempty"`
	Groups         []Group             `json:"groups,omitempty"`
	Skipped        Skipped             `json:"skipped"`
}

type relIndex struct {
	components map[string]*DataComponent
	analytics  map[string]*Analytic
	strategies map[string][]*DetectionStrategy // technique id → strategies that detect it
	groups     map[string]*Group               // lower-cased id, name, alias, former name → group
}

type logSourceRef struct {
	Component string `json:"x_mitre_data_component_ref"`
	Name      string `json:"name"`
	Channel   string `json:"channel"`
}

// Component returns the data component of an id (DC0032), or nil.
func (m *Model) Component(id string) *DataComponent { return m.rel.components[id] }

// Analytic returns the analytic of an id (AN1252), or nil.
func (m *Model) Analytic(id string) *Analytic { return m.rel.analytics[id] }

// StrategiesFor returns the detection strategies that detect a technique
// (its own detects relationships; no roll-up from sub-techniques).
func (m *Model) StrategiesFor(technique string) []*DetectionStrategy {
	return m.rel.strategies[technique]
}

// Recommended returns the data components that ATT&CK's detection strategies
// for a technique call for (through their analytics' log sources), sorted by
// id, each once.
func (m *Model) Recommended(technique string) []string {
	var ids []string
	for _, s := range m.rel.strategies[technique] {
		for _, a := range s.Analytics {
			if an := m.rel.analytics[a]; an != nil {
				for _, ls := range an.LogSources {
					ids = append(ids, ls.Component)
				}
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// RecommendedSources returns the ATT&CK log sources (name and channel) the
// detection strategies of a technique name for one data component, sorted
// and deduplicated.
func (m *Model) RecommendedSources(technique, component string) []LogSource {
	var out []LogSource
	for _, s := range m.rel.strategies[technique] {
		for _, a := range s.Analytics {
			if an := m.rel.analytics[a]; an != nil {
				for _, ls := range an.LogSources {
					if ls.Component == component {
						out = append(out, ls)
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b LogSource) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Channel, b.Channel)
	})
	return slices.Compact(out)
}

// Group finds a group by ATT&CK id (G0016), name (APT29), alias (Cozy Bear)
// or the id or name of a revoked group merged into it, case-insensitively.
func (m *Model) Group(key string) (*Group, bool) {
	g, ok := m.rel.groups[strings.ToLower(strings.TrimSpace(key))]
	return g, ok
}

func (m *Model) indexRelations() {
	r := &m.rel
	r.components = make(map[string]*DataComponent, len(m.DataComponents))
	for i := range m.DataComponents {
		r.components[m.DataComponents[i].ID] = &m.DataComponents[i]
	}
	r.analytics = make(map[string]*Analytic, len(m.Analytics))
	for i := range m.Analytics {
		r.analytics[m.Analytics[i].ID] = &m.Analytics[i]
	}
	r.strategies = map[string][]*DetectionStrategy{}
	for i := range m.Strategies {
		s := &m.Strategies[i]
		for _, t := range s.Techniques {
			r.strategies[t] = append(r.strategies[t], s)
		}
	}
	r.groups = map[string]*Group{}
	// Ids first, then names, then aliases and former names: a more specific
	// key never loses to an alias of another group.
	for pass := range 3 {
		for i := range m.Groups {
			g := &m.Groups[i]
			var keys []string
			switch pass {
			case 0:
				keys = []string{g.ID}
			case 1:
				keys = []string{g.Name}
			default:
				keys = append(slices.Clone(g.Aliases), g.Former...)
			}
			for _, k := range keys {
				k = strings.ToLower(k)
				if _, taken := r.groups[k]; !taken && k != "" {
					r.groups[k] = g
				}
			}
		}
	}
}

// parseRelations fills m.Relations from the bundle objects: byRef maps STIX
// ids to objects, byID attack ids to the techniques Parse built.
func (m *Model) parseRelations(objs []stix, byRef map[string]*stix, byID map[string]*Technique) {
	sk := &m.Skipped
	for _, t := range m.List {
		if t.Revoked {
			sk.RevokedTechniques++
		} else if t.Deprecated {
			sk.DeprecatedTechniques++
		}
	}
	// revoked-by between STIX objects, and sub-technique links.
	revokedBy := map[string]string{}
	for i := range objs {
		o := &objs[i]
		if o.Type != "relationship" {
			continue
		}
		switch o.RelationshipType {
		case "revoked-by":
			revokedBy[o.SourceRef] = o.TargetRef
		case "subtechnique-of":
			src, dst := byRef[o.SourceRef], byRef[o.TargetRef]
			if src == nil || dst == nil {
				continue
			}
			if t := byID[src.attackID()]; t != nil && t.ParentID == "" && dst.attackID() != "" {
				t.ParentID = dst.attackID()
			}
		}
	}
	// resolve follows revoked-by links to a current object; ok is false when
	// the chain ends at a revoked or deprecated object or a missing one.
	resolve := func(ref string) (o *stix, followed, ok bool) {
		for range 16 {
			o = byRef[ref]
			if o == nil {
				return nil, followed, false
			}
			if !o.Revoked {
				return o, followed, !o.Deprecated
			}
			next, has := revokedBy[ref]
			if !has {
				return o, followed, false
			}
			ref, followed = next, true
		}
		return nil, followed, false
	}
	current := func(o *stix) bool { return !o.Revoked && !o.Deprecated }

	for i := range objs {
		o := &objs[i]
		switch o.Type {
		case "x-mitre-data-component":
			if !current(o) || o.attackID() == "" {
				sk.DeprecatedComponents++
				continue
			}
			m.DataComponents = append(m.DataComponents, DataComponent{ID: o.attackID(), Name: o.Name})
		case "x-mitre-analytic":
			if !current(o) || o.attackID() == "" {
				sk.DeprecatedOther++
				continue
			}
			a := Analytic{ID: o.attackID(), Platforms: o.Platforms}
			for _, ls := range o.LogSourceRefs {
				dc, _, ok := resolve(ls.Component)
				if !ok || dc.Type != "x-mitre-data-component" {
					sk.Dropped++
					continue
				}
				channel := strings.TrimSpace(ls.Channel)
				if strings.EqualFold(channel, "none") {
					channel = "" // the bundle writes a missing channel as "None"
				}
				a.LogSources = append(a.LogSources, LogSource{Component: dc.attackID(), Name: strings.TrimSpace(ls.Name), Channel: channel})
			}
			m.Analytics = append(m.Analytics, a)
		case "intrusion-set":
			switch {
			case o.Revoked:
				sk.RevokedGroups++
			case o.Deprecated:
				sk.DeprecatedGroups++
			case o.attackID() != "":
				g := Group{ID: o.attackID(), Name: o.Name}
				for _, a := range o.Aliases {
					if a != o.Name && !slices.Contains(g.Aliases, a) {
						g.Aliases = append(g.Aliases, a)
					}
				}
				m.Groups = append(m.Groups, g)
			}
		}
	}
	slices.SortFunc(m.DataComponents, func(a, b DataComponent) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(m.Analytics, func(a, b Analytic) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(m.Groups, func(a, b Group) int { return strings.Compare(a.ID, b.ID) })
	groupAt := map[string]int{}
	for i, g := range m.Groups {
		groupAt[g.ID] = i
	}
	// Revoked groups lend their id and names to their replacement's lookup.
	for i := range objs {
		o := &objs[i]
		if o.Type != "intrusion-set" || !o.Revoked {
			continue
		}
		if dst, _, ok := resolve(o.ID); ok && dst.Type == "intrusion-set" {
			if at, has := groupAt[dst.attackID()]; has {
				g := &m.Groups[at]
				g.Former = append(g.Former, o.attackID(), o.Name)
				g.Former = append(g.Former, o.Aliases...)
				slices.Sort(g.Former)
				g.Former = slices.Compact(g.Former)
			}
		}
	}

	// technique resolves a relationship end to a current technique id.
	technique := func(ref string) (string, bool) {
		o, followed, ok := resolve(ref)
		if !ok || o.Type != "attack-pattern" {
			sk.Dropped++
			return "", false
		}
		if followed {
			sk.Followed++
		}
		return o.attackID(), true
	}
	detects := map[string][]string{}
	uses := map[string][]string{}
	for i := range objs {
		o := &objs[i]
		if o.Type != "relationship" || (o.RelationshipType != "detects" && o.RelationshipType != "uses") {
			continue
		}
		if !current(o) {
			sk.Dropped++
			continue
		}
		src, _, ok := resolve(o.SourceRef)
		if !ok {
			sk.Dropped++
			continue
		}
		switch {
		case o.RelationshipType == "detects" && src.Type == "x-mitre-detection-strategy":
			if t, ok := technique(o.TargetRef); ok {
				detects[src.ID] = append(detects[src.ID], t)
			}
		case o.RelationshipType == "uses" && src.Type == "intrusion-set":
			if tgt := byRef[o.TargetRef]; tgt == nil || tgt.Type != "attack-pattern" {
				continue // software and campaigns are not part of the model
			}
			if t, ok := technique(o.TargetRef); ok {
				uses[src.attackID()] = append(uses[src.attackID()], t)
			}
		}
	}
	for i := range m.Groups {
		g := &m.Groups[i]
		ts := uses[g.ID]
		slices.Sort(ts)
		g.Techniques = slices.Compact(ts)
	}
	for i := range objs {
		o := &objs[i]
		if o.Type != "x-mitre-detection-strategy" {
			continue
		}
		if !current(o) || o.attackID() == "" {
			sk.DeprecatedOther++
			continue
		}
		ts := detects[o.ID]
		slices.Sort(ts)
		s := DetectionStrategy{ID: o.attackID(), Name: o.Name, Techniques: slices.Compact(ts)}
		for _, ref := range o.AnalyticRefs {
			if a, _, ok := resolve(ref); ok && a.Type == "x-mitre-analytic" {
				s.Analytics = append(s.Analytics, a.attackID())
			} else {
				sk.Dropped++
			}
		}
		m.Strategies = append(m.Strategies, s)
	}
	slices.SortFunc(m.Strategies, func(a, b DetectionStrategy) int { return strings.Compare(a.ID, b.ID) })
}

// compact returns a copy of the model for the embedded default: log-source
// channels that are prose rather than identifiers are left out.
func (m *Model) compact() *Model {
	c := *m
	c.Analytics = make([]Analytic, len(m.Analytics))
	for i, a := range m.Analytics {
		a.LogSources = slices.Clone(a.LogSources)
		for j := range a.LogSources {
			if !identifierList(a.LogSources[j].Channel) {
				a.LogSources[j].Channel = ""
			}
		}
		c.Analytics[i] = a
	}
	return &c
}

// identifierList reports whether a channel is a comma-separated list of
// identifiers (EventCode=4103, 4104; execve; socket/connect) rather than prose.
func identifierList(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" || strings.ContainsAny(part, " \t\n") {
			return false
		}
	}
	return true
}
