// Package attack reads MITRE ATT&CK metadata: techniques, sub-technique
// links, tactics and platforms, detection strategies with their analytics and
// data components, and groups with the techniques they use, from a STIX 2.x
// bundle (enterprise-attack.json format), or from the compact default
// embedded in the binary (ids, names and links only, no ATT&CK prose).
package attack

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Tactic is one ATT&CK tactic.
type Tactic struct {
	ID        string `json:"id"`    // TA0043
	ShortName string `json:"short"` // reconnaissance
	Name      string `json:"name"`  // Reconnaissance
}

// Technique is one ATT&CK technique or sub-technique.
type Technique struct {
	ID          string   `json:"id"` // T1595 or T1595.002
	Name        string   `json:"name"`
	ParentID    string   `json:"parent,omitempty"`  // for sub-techniques
	Tactics     []string `json:"tactics,omitempty"` // tactic names, in matrix order
	Platforms   []string `json:"platforms,omitempty"`
	Description string   `json:"-"` // first paragraph; only from a full bundle
	Revoked     bool     `json:"revoked,omitempty"`
	RevokedBy   string   `json:"revoked_by,omitempty"` // technique id of the replacement
	Deprecated  bool     `json:"deprecated,omitempty"`
}

// Model is the ATT&CK data a report needs.
type Model struct {
	Version    string                `json:"version"`
	Tactics    []Tactic              `json:"tactics"` // matrix order
	Techniques map[string]*Technique `json:"-"`
	// List holds every technique sorted by id; it is what the compact form stores.
	List []*Technique `json:"techniques"`

	Relations // detection strategies, analytics, data components, groups (relations.go)

	tacticByKey map[string]string // any spelling → tactic name
	rel         relIndex
}

//go:generate go run gen.go -in ../../../shared/attack/enterprise-attack.json -version 18.1 -out default.json.gz

//go:embed default.json.gz
var defaultData []byte

// Default returns the ATT&CK model embedded in the binary.
func Default() (*Model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(defaultData))
	if err != nil {
		return nil, fmt.Errorf("embedded ATT&CK data: %w", err)
	}
	var m Model
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		return nil, fmt.Errorf("embedded ATT&CK data: %w", err)
	}
	m.index()
	return &m, nil
}

// Load reads a STIX bundle from path.
func Load(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading ATT&CK bundle: %w", err)
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Compact writes the model in the compact gzip JSON form of the embedded
// default: no descriptions.
func (m *Model) Compact(w io.Writer) error {
	zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	enc := json.NewEncoder(zw)
	if err := enc.Encode(m.compact()); err != nil {
		return err
	}
	return zw.Close()
}

func (m *Model) index() {
	m.Techniques = make(map[string]*Technique, len(m.List))
	for _, t := range m.List {
		m.Techniques[t.ID] = t
	}
	m.tacticByKey = map[string]string{}
	for _, t := range m.Tactics {
		for _, k := range []string{t.ID, t.ShortName, t.Name, strings.ReplaceAll(t.Name, " ", "")} {
			m.tacticByKey[tacticKey(k)] = t.Name
		}
	}
	m.indexRelations()
}

var tacticKeyReplacer = strings.NewReplacer(" ", "", "-", "", "_", "", "&", "and")

func tacticKey(s string) string {
	s = strings.ToLower(s)
	s = tacticKeyReplacer.Replace(s)
	return strings.TrimPrefix(s, "attack.")
}

// TacticName maps any tactic spelling (TA0043, reconnaissance,
// attack.defense_evasion, DefenseEvasion, Command and Control) to its
// ATT&CK name.
func (m *Model) TacticName(raw string) (string, bool) {
	n, ok := m.tacticByKey[tacticKey(strings.TrimSpace(raw))]
	return n, ok
}

// TacticOrder returns the matrix position of a tactic name (len(Tactics) when unknown).
func (m *Model) TacticOrder(name string) int {
	for i, t := range m.Tactics {
		if t.Name == name {
			return i
		}
	}
	return len(m.Tactics)
}

// Parent returns the parent technique id of a sub-technique id ("T1595.002"
// → "T1595"), or "" for a technique.
func Parent(id string) string {
	if i := strings.IndexByte(id, '.'); i > 0 {
		return id[:i]
	}
	return ""
}

// Current reports whether a technique is neither revoked nor deprecated.
func (t *Technique) Current() bool { return !t.Revoked && !t.Deprecated }

// stix is the subset of a STIX object the model reads.
type stix struct {
	Type               string `json:"type"`
	ID                 string `json:"id"`
	Name               string `json:"name"`
	Description        string `json:"description"`
	ExternalReferences []struct {
		SourceName string `json:"source_name"`
		ExternalID string `json:"external_id"`
	} `json:"external_references"`
	KillChainPhases []struct {
		KillChainName string `json:"kill_chain_name"`
		PhaseName     string `json:"phase_name"`
	} `json:"kill_chain_phases"`
	Platforms        []string `json:"x_mitre_platforms"`
	IsSubtechnique   bool     `json:"x_mitre_is_subtechnique"`
	Revoked          bool     `json:"revoked"`
	Deprecated       bool     `json:"x_mitre_deprecated"`
	ShortName        string   `json:"x_mitre_shortname"`
	TacticRefs       []string `json:"tactic_refs"`
	Version          string   `json:"x_mitre_version"`
	RelationshipType string   `json:"relationship_type"`
	SourceRef        string   `json:"source_ref"`
	TargetRef        string   `json:"target_ref"`

	Aliases       []string       `json:"aliases"`
	AnalyticRefs  []string       `json:"x_mitre_analytic_refs"`
	LogSourceRefs []logSourceRef `json:"x_mitre_log_source_references"`
}

func (o *stix) attackID() string {
	for _, r := range o.ExternalReferences {
		if r.SourceName == "mitre-attack" {
			return r.ExternalID
		}
	}
	return ""
}

// stixBundle is the top level of a STIX 2.x bundle.
type stixBundle struct {
	Type    string `json:"type"`
	Objects []stix `json:"objects"`
}

// Parse reads a STIX 2.x bundle held in memory (reading the whole file
// first is cheaper than decoding from a reader, whose buffer grows and is
// copied as it goes).
func Parse(data []byte) (*Model, error) {
	var bundle stixBundle
	if err := json.Unmarshal(data, &bundle); err != nil {
		return nil, fmt.Errorf("decoding STIX bundle: %w", err)
	}
	return fromBundle(&bundle)
}

// fromBundle builds the model of a decoded bundle.
func fromBundle(bundle *stixBundle) (*Model, error) {
	if bundle.Type != "bundle" {
		return nil, fmt.Errorf("not a STIX bundle (type %q)", bundle.Type)
	}
	m := &Model{}
	byRef := map[string]*stix{}
	var tacticRefs []string
	shortToTactic := map[string]Tactic{}
	for i := range bundle.Objects {
		o := &bundle.Objects[i]
		byRef[o.ID] = o
		switch o.Type {
		case "x-mitre-tactic":
			shortToTactic[o.ShortName] = Tactic{ID: o.attackID(), ShortName: o.ShortName, Name: o.Name}
		case "x-mitre-matrix":
			if o.attackID() == "enterprise-attack" || tacticRefs == nil {
				tacticRefs = o.TacticRefs
			}
		case "x-mitre-collection":
			m.Version = o.Version
		}
	}
	for _, ref := range tacticRefs {
		if o := byRef[ref]; o != nil {
			m.Tactics = append(m.Tactics, shortToTactic[o.ShortName])
			delete(shortToTactic, o.ShortName)
		}
	}
	rest := make([]Tactic, 0, len(shortToTactic))
	for _, t := range shortToTactic {
		rest = append(rest, t)
	}
	slices.SortFunc(rest, func(a, b Tactic) int { return strings.Compare(a.ID, b.ID) })
	m.Tactics = append(m.Tactics, rest...)
	order := map[string]int{}
	for i, t := range m.Tactics {
		order[t.ShortName] = i
	}

	byID := map[string]*Technique{}
	for i := range bundle.Objects {
		o := &bundle.Objects[i]
		if o.Type != "attack-pattern" {
			continue
		}
		id := o.attackID()
		if id == "" {
			continue
		}
		t := &Technique{ID: id, Name: o.Name, Platforms: o.Platforms, Revoked: o.Revoked,
			Deprecated: o.Deprecated, Description: firstParagraph(o.Description)}
		if o.IsSubtechnique || strings.Contains(id, ".") {
			t.ParentID = Parent(id)
		}
		var shorts []string
		for _, k := range o.KillChainPhases {
			if k.KillChainName == "mitre-attack" {
				shorts = append(shorts, k.PhaseName)
			}
		}
		slices.SortFunc(shorts, func(a, b string) int { return order[a] - order[b] })
		for _, s := range shorts {
			if tc, ok := findTactic(m.Tactics, s); ok {
				t.Tactics = append(t.Tactics, tc.Name)
			}
		}
		if prev, dup := byID[id]; dup {
			// Keep the current object when an id appears twice (a revoked
			// copy beside its replacement).
			if prev.Current() || !t.Current() {
				continue
			}
			*prev = *t
			continue
		}
		byID[id] = t
		m.List = append(m.List, t)
	}
	for i := range bundle.Objects {
		o := &bundle.Objects[i]
		if o.Type == "relationship" && o.RelationshipType == "revoked-by" {
			src, dst := byRef[o.SourceRef], byRef[o.TargetRef]
			if src == nil || dst == nil || src.Type != "attack-pattern" {
				continue
			}
			if t, ok := byID[src.attackID()]; ok {
				t.RevokedBy = dst.attackID()
			}
		}
	}
	slices.SortFunc(m.List, func(a, b *Technique) int { return strings.Compare(a.ID, b.ID) })
	m.parseRelations(bundle.Objects, byRef, byID)
	if m.Version == "" {
		m.Version = "unknown"
	}
	m.index()
	return m, nil
}

func findTactic(ts []Tactic, short string) (Tactic, bool) {
	for _, t := range ts {
		if t.ShortName == short {
			return t, true
		}
	}
	return Tactic{}, false
}

// firstParagraph returns the first paragraph of an ATT&CK description with
// citation markers removed.
func firstParagraph(s string) string {
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	for {
		i := strings.Index(s, "(Citation:")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], ')')
		if j < 0 {
			break
		}
		s = strings.TrimRight(s[:i], " ") + s[i+j+1:]
	}
	return strings.TrimSpace(s)
}
