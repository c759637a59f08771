package pipeline

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/normalize/fieldmap"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/normalize/taxonomy"
	"github.com/ruleatlas/ruleatlas/normalize/values"
)

// Normalize maps every rule onto the common vocabulary: canonical fields and
// values (field map), techniques and tactics (ATT&CK), events, platforms and
// domains (taxonomy).
type Normalize struct{}

func (Normalize) String() string { return "normalizing fields, techniques and events" }

// Run waits for the ATT&CK model (loaded beside parsing) and normalizes
// every rule in place, in parallel.
func (Normalize) Run(ctx context.Context, st *State) error {
	var m *attack.Model
	var err error
	switch {
	case st.attack != nil:
		res := <-st.attack
		st.attack = nil
		m, err = res.model, res.err
	case st.Attack != nil: // normalizing again (benchmarks)
		m = st.Attack
	default:
		m, err = loadAttack(st.Opts)
	}
	if err != nil {
		return err
	}
	st.Attack = m
	fm, err := fieldmap.Default()
	if err != nil {
		return err
	}
	tx, err := taxonomy.Default()
	if err != nil {
		return err
	}
	// Workers take batches of rules in turn: the vendors' rules cost
	// different amounts, so fixed halves would leave one worker idle.
	const batch = 64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(max(1, st.Opts.Workers), (len(st.Rules)+batch-1)/batch) {
		wg.Go(func() {
			scopes := map[string]*fieldmap.Scoped{}
			for {
				start := int(next.Add(batch)) - batch
				if start >= len(st.Rules) {
					return
				}
				for i := start; i < min(start+batch, len(st.Rules)); i++ {
					normalizeRule(&st.Rules[i], m, fm, tx, scopes)
				}
			}
		})
	}
	wg.Wait()
	correlatedEvents(st.Rules)
	return ctx.Err()
}

// attackResult is the outcome of loading the ATT&CK model in the background.
type attackResult struct {
	model *attack.Model
	err   error
}

// startAttackLoad loads the ATT&CK model in the background; Normalize
// waits for it.
func startAttackLoad(st *State) {
	if st.Opts.Attack != nil {
		st.Attack = st.Opts.Attack
		return
	}
	ch := make(chan attackResult, 1)
	st.attack = ch
	go func() {
		m, err := loadAttack(st.Opts)
		ch <- attackResult{m, err}
	}()
}

func loadAttack(o Options) (*attack.Model, error) {
	var m *attack.Model
	var err error
	if o.AttackFile != "" {
		m, err = attack.Load(o.AttackFile)
	} else {
		m, err = attack.Default()
	}
	if err != nil {
		return nil, err
	}
	switch {
	case o.AttackVersion != "":
		m.Version = o.AttackVersion
	case m.Version == "" || m.Version == "unknown":
		m.Version = inferAttackVersion(m)
	}
	return m, nil
}

// inferAttackVersion names the version of a bundle that does not say
// (no x-mitre-collection): the embedded default's version when the bundle
// holds exactly its techniques, names and revocations, else "unknown".
func inferAttackVersion(m *attack.Model) string {
	def, err := attack.Default()
	if err != nil || len(def.List) != len(m.List) {
		return "unknown"
	}
	for i, t := range def.List {
		u := m.List[i]
		if t.ID != u.ID || t.Name != u.Name || t.Revoked != u.Revoked || t.Deprecated != u.Deprecated {
			return "unknown"
		}
	}
	return def.Version
}

func normalizeRule(r *rule.Rule, m *attack.Model, fm *fieldmap.Map, tx *taxonomy.Taxonomy, scopes map[string]*fieldmap.Scoped) {
	if r.Kind == "" {
		r.Kind = rule.KindDetection
	}
	for i, t := range r.Techniques {
		r.Techniques[i] = strings.ToUpper(strings.TrimSpace(t))
	}
	r.Techniques = rule.SortedSet(r.Techniques)
	tactics := r.Tactics[:0:0]
	for _, t := range r.Tactics {
		if name, ok := m.TacticName(t); ok {
			tactics = append(tactics, name)
		} else {
			tactics = append(tactics, t)
		}
	}
	// Tactics of the tagged techniques fill in when the rule names none.
	if len(tactics) == 0 {
		for _, id := range r.Techniques {
			if t := m.Techniques[id]; t != nil {
				tactics = append(tactics, t.Tactics...)
			}
		}
	}
	tactics = rule.Dedup(tactics)
	slices.SortStableFunc(tactics, func(a, b string) int { return m.TacticOrder(a) - m.TacticOrder(b) })
	r.Tactics = tactics

	// Events first: field mappings may be gated on the kinds of event read.
	c := tx.Classify(r.Vendor, r.LogSources)
	r.Events = rule.SortedSet(append(r.Events, c.Events...))
	if len(r.Events) == 0 {
		r.Events = []string{taxonomy.Other(r.LogSources)}
	}
	r.Platforms = lowerSet(append(r.Platforms, c.Platforms...))
	r.Domains = lowerSet(append(r.Domains, c.Domains...))

	key := r.Vendor + "\x00" + strings.Join(r.LogSources, "\x00") + "\x01" + strings.Join(r.Events, "\x00")
	scoped := scopes[key]
	if scoped == nil {
		scoped = fm.Scope(fieldmap.Scope{Vendor: r.Vendor, LogSources: r.LogSources, Events: r.Events})
		scopes[key] = scoped
	}
	for i := range r.Predicates {
		p := &r.Predicates[i]
		p.KeepRaw()
		// A frontend whose written field is not a name (Panther SQL's
		// `userIdentity:arn`) sets Field to the name to map.
		name := p.FieldRaw
		if p.Field != "" {
			name = p.Field
		}
		p.Field = scoped.Lookup(name).Field
		values.Rewrite(p, fm.NameOf)
	}
}

func lowerSet(ss []string) []string {
	for i, s := range ss {
		ss[i] = strings.ToLower(strings.TrimSpace(s))
	}
	return rule.SortedSet(ss)
}

// Filter narrows the rules to the --platform, --domain, --vendor and
// --technique filters, so every table and export shows the same subset.
type Filter struct{}

func (Filter) String() string { return "applying filters" }

// Skip reports whether no filter is set.
func (Filter) Skip(st *State) bool {
	f := st.Opts.Filters
	return len(f.Platforms)+len(f.Domains)+len(f.Vendors)+len(f.Techniques) == 0
}

// Run keeps the rules that pass every filter.
func (Filter) Run(_ context.Context, st *State) error {
	f := st.Opts.Filters
	kept := st.Rules[:0]
	keptFile := st.ruleFile[:0]
	for i, r := range st.Rules {
		if matchAny(f.Platforms, r.Platforms) && matchAny(f.Domains, r.Domains) &&
			matchAny(f.Vendors, []string{r.Vendor}) && matchTechnique(f.Techniques, r.Techniques) {
			kept = append(kept, r)
			if i < len(st.ruleFile) {
				keptFile = append(keptFile, st.ruleFile[i])
			}
		} else if i < len(st.ruleFile) {
			st.fileStats[st.ruleFile[i]].filtered++
		}
	}
	st.ruleFile = keptFile
	st.Filtered = len(st.Rules) - len(kept)
	st.Rules = kept
	st.logf("  %d rules pass the filters, %d left out", len(kept), st.Filtered)
	return nil
}

func matchAny(want, have []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		for _, h := range have {
			if strings.EqualFold(w, h) {
				return true
			}
		}
	}
	return false
}

// matchTechnique keeps rules tagged with a wanted technique or one of its
// sub-techniques.
func matchTechnique(want, have []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		w = strings.ToUpper(w)
		for _, h := range have {
			if h == w || attack.Parent(h) == w {
				return true
			}
		}
	}
	return false
}
