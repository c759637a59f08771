package view

import (
	"slices"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// ParseCounts counts rules by parse status.
type ParseCounts struct {
	OK, Partial, Failed, NoQuery int64
}

// Total is the number of rules counted.
func (p ParseCounts) Total() int64 { return p.OK + p.Partial + p.Failed + p.NoQuery }

func (p *ParseCounts) add(status string) {
	switch status {
	case "ok":
		p.OK++
	case "partial":
		p.Partial++
	case "no_query":
		p.NoQuery++
	default:
		p.Failed++
	}
}

// VendorSummary is one vendor's line of the catalog totals.
type VendorSummary struct {
	Name       string
	Rules      int64
	Parse      ParseCounts
	Techniques int // techniques and sub-techniques with at least one rule of this vendor
	Problems   int // problems reported for this vendor's files
	// Kinds counts the vendor's rules (rules.parquet, every kind) per kind:
	// every kind of rule.Kinds in that order, zeros included.
	Kinds []Count
	// Files counts the vendor's candidate files (files.parquet) per
	// outcome, every outcome of tables.Outcomes in that order, zeros
	// included.
	Files []Count
}

// MostlyFailedPercent is the share of a vendor's rules that did not parse
// fully (failed, partial or without a query) above which the outputs warn
// that the vendor mostly failed (the summary PDF's callout, report.md).
const MostlyFailedPercent = 50

// NotParsed counts the rules that did not parse fully: failed, partial or
// without a query.
func (p ParseCounts) NotParsed() int64 { return p.Failed + p.Partial + p.NoQuery }

// MostlyFailed reports whether more than MostlyFailedPercent of the
// vendor's rules did not parse fully (view.Percent rounding).
func (v VendorSummary) MostlyFailed() bool {
	return v.Rules > 0 && Percent(v.Parse.NotParsed(), v.Rules) > MostlyFailedPercent
}

// TechniqueCoverage is one technique of coverage.parquet summed over vendors.
type TechniqueCoverage struct {
	ID, Name, ParentID string
	Tactics            []string // ATT&CK tactic names, matrix order
	Known              bool     // the id is in the ATT&CK data of the run
	Current            bool     // known and neither revoked nor deprecated
	Vendors            []Count  // every vendor of the run, run order, zeros included
	Rules              int64    // sum over vendors (each rule has one vendor)
}

// TacticCoverage is the coverage of one ATT&CK tactic.
type TacticCoverage struct {
	ID, ShortName, Name       string
	Techniques, Covered       int     // current techniques of the tactic; those with rules
	SubTechniques, SubCovered int     // the same for sub-techniques
	Rules                     int64   // distinct rules tagged with a technique of the tactic
	Vendors                   []Count // distinct rules per vendor, run order
	Gaps                      []TechniqueCoverage
}

// Catalog is the catalog-level summary of a run: totals, coverage by tactic,
// gaps and parse health — what index pages and summaries show. Every
// technique count comes from coverage.parquet, so exports agree with it.
type Catalog struct {
	Meta    tables.Meta
	Rules   int64
	Parse   ParseCounts
	Vendors []VendorSummary // run order
	// Kinds counts every rule of rules.parquet per kind, every kind of
	// rule.Kinds in that order, zeros included (the vendors' Kinds summed).
	Kinds []Count
	// Files counts every candidate file per outcome (the vendors' Files
	// summed), tables.Outcomes order; empty when the run has no files table.
	Files []Count

	Techniques []TechniqueCoverage // every row group of coverage.parquet, sorted by id
	Tactics    []TacticCoverage    // matrix order

	Covered, Total       int // current techniques with rules; all current techniques
	SubCovered, SubTotal int // the same for sub-techniques
	// Other lists tagged ids with rules that are not current ATT&CK
	// techniques (unknown, revoked or deprecated), sorted by id.
	Other []TechniqueCoverage

	Problems     int
	ProblemKinds []Count // by kind, sorted by name
	shortNames   map[string]string
	byID         map[string]int
}

// NewCatalog summarises a run's tables.
func NewCatalog(set *tables.Set) *Catalog {
	c := &Catalog{Meta: set.Meta, shortNames: map[string]string{}, byID: map[string]int{}}
	m := set.Attack
	vendorIdx := map[string]int{}
	for i, v := range set.Meta.Vendors {
		vendorIdx[v] = i
		c.Vendors = append(c.Vendors, VendorSummary{Name: v})
	}
	vendor := func(name string) *VendorSummary {
		i, ok := vendorIdx[name]
		if !ok {
			i = len(c.Vendors)
			vendorIdx[name] = i
			c.Vendors = append(c.Vendors, VendorSummary{Name: name})
		}
		return &c.Vendors[i]
	}

	// Rules: totals, parse health, tactic reach.
	tacticIdx := map[string]int{}
	if m != nil {
		for i, t := range m.Tactics {
			tacticIdx[t.Name] = i
			c.shortNames[t.Name] = t.ShortName
			c.Tactics = append(c.Tactics, TacticCoverage{ID: t.ID, ShortName: t.ShortName, Name: t.Name})
		}
	}
	tacticVendor := make([][]int64, len(c.Tactics))
	for i := range tacticVendor {
		tacticVendor[i] = make([]int64, len(set.Meta.Vendors))
	}
	if set.Rules != nil {
		vendors, status, techs := tables.Strings(set.Rules, 0), tables.Strings(set.Rules, 12), tables.Lists(set.Rules, 7)
		kindCol := tables.Strings(set.Rules, tables.RuleKind)
		seen := make([]bool, len(c.Tactics))
		for i := range int(set.Rules.NumRows()) {
			v := vendor(vendors.Value(i))
			v.Rules++
			k := kindCol.Value(i)
			if k == "" {
				k = string(rule.KindDetection)
			}
			v.Kinds = addKind(v.Kinds, k)
			c.Kinds = addKind(c.Kinds, k)
			v.Parse.add(status.Value(i))
			c.Rules++
			c.Parse.add(status.Value(i))
			if m == nil {
				continue
			}
			clear(seen)
			for _, id := range tables.ListAt(techs, i) {
				for _, tid := range []string{id, attack.Parent(id)} {
					if t := m.Techniques[tid]; t != nil {
						for _, name := range t.Tactics {
							if k, ok := tacticIdx[name]; ok {
								seen[k] = true
							}
						}
					}
				}
			}
			vi, known := vendorIdx[vendors.Value(i)]
			for k, s := range seen {
				if s {
					c.Tactics[k].Rules++
					if known && vi < len(tacticVendor[k]) {
						tacticVendor[k][vi]++
					}
				}
			}
		}
	}
	c.Kinds = addKind(c.Kinds, "")
	for i := range c.Vendors {
		c.Vendors[i].Kinds = addKind(c.Vendors[i].Kinds, "")
	}
	for k := range c.Tactics {
		for vi, v := range set.Meta.Vendors {
			c.Tactics[k].Vendors = append(c.Tactics[k].Vendors, Count{v, tacticVendor[k][vi]})
		}
	}

	// Coverage: one group of rows per technique (rows are technique-major).
	if set.Coverage != nil {
		ids, names, parents, tactics := tables.Strings(set.Coverage, 0), tables.Strings(set.Coverage, 1),
			tables.Strings(set.Coverage, 2), tables.Lists(set.Coverage, 3)
		vcol, rules := tables.Strings(set.Coverage, 4), tables.Int64s(set.Coverage, 5)
		for i := 0; i < ids.Len(); {
			id := ids.Value(i)
			tc := TechniqueCoverage{ID: id, Name: names.Value(i), ParentID: parents.Value(i), Tactics: tables.ListAt(tactics, i)}
			if m != nil {
				if t := m.Techniques[id]; t != nil {
					tc.Known, tc.Current = true, t.Current()
				}
			}
			for ; i < ids.Len() && ids.Value(i) == id; i++ {
				tc.Vendors = append(tc.Vendors, Count{vcol.Value(i), rules.Value(i)})
				tc.Rules += rules.Value(i)
				if rules.Value(i) > 0 {
					vendor(vcol.Value(i)).Techniques++
				}
			}
			c.Techniques = append(c.Techniques, tc)
		}
	}
	slices.SortStableFunc(c.Techniques, func(a, b TechniqueCoverage) int { return strings.Compare(a.ID, b.ID) })
	for i, t := range c.Techniques {
		c.byID[t.ID] = i
		if !t.Current {
			if t.Rules > 0 {
				c.Other = append(c.Other, t)
			}
			continue
		}
		sub := t.ParentID != ""
		if sub {
			c.SubTotal++
		} else {
			c.Total++
		}
		if t.Rules > 0 {
			if sub {
				c.SubCovered++
			} else {
				c.Covered++
			}
		}
		for _, name := range t.Tactics {
			k, ok := tacticIdx[name]
			if !ok {
				continue
			}
			tc := &c.Tactics[k]
			switch {
			case sub:
				tc.SubTechniques++
				if t.Rules > 0 {
					tc.SubCovered++
				}
			case t.Rules > 0:
				tc.Techniques++
				tc.Covered++
			default:
				tc.Techniques++
				tc.Gaps = append(tc.Gaps, t)
			}
		}
	}

	if set.Files != nil {
		fv, fo := tables.Strings(set.Files, tables.FileVendor), tables.Strings(set.Files, tables.FileOutcome)
		for i := range int(set.Files.NumRows()) {
			v := vendor(fv.Value(i))
			v.Files = addOutcome(v.Files, fo.Value(i))
			c.Files = addOutcome(c.Files, fo.Value(i))
		}
		c.Files = addOutcome(c.Files, "")
		for i := range c.Vendors {
			c.Vendors[i].Files = addOutcome(c.Vendors[i].Files, "")
		}
	}

	c.Problems = len(set.Problems)
	kinds := map[string]int64{}
	for _, p := range set.Problems {
		kinds[p.Kind]++
		vendor(p.Vendor).Problems++
	}
	for k, n := range kinds {
		c.ProblemKinds = append(c.ProblemKinds, Count{k, n})
	}
	slices.SortFunc(c.ProblemKinds, func(a, b Count) int { return strings.Compare(a.Name, b.Name) })
	return c
}

// addKind counts one rule of kind k in counts, which it first fills with
// every kind of rule.Kinds (zeros) when empty; a kind outside rule.Kinds is
// appended. k "" only fills.
func addKind(counts []Count, k string) []Count {
	if len(counts) == 0 {
		for _, kind := range rule.Kinds {
			counts = append(counts, Count{Name: string(kind)})
		}
	}
	return addCount(counts, k)
}

// addOutcome is addKind for file outcomes (tables.Outcomes).
func addOutcome(counts []Count, o string) []Count {
	if len(counts) == 0 {
		for _, out := range tables.Outcomes {
			counts = append(counts, Count{Name: string(out)})
		}
	}
	return addCount(counts, o)
}

// addCount counts one in the entry named k, appended when missing; k ""
// counts nothing.
func addCount(counts []Count, k string) []Count {
	if k == "" {
		return counts
	}
	for i := range counts {
		if counts[i].Name == k {
			counts[i].Rules++
			return counts
		}
	}
	return append(counts, Count{Name: k, Rules: 1})
}

// Technique returns the coverage of one technique id.
func (c *Catalog) Technique(id string) (TechniqueCoverage, bool) {
	i, ok := c.byID[id]
	if !ok {
		return TechniqueCoverage{}, false
	}
	return c.Techniques[i], true
}

// TacticShortName maps an ATT&CK tactic name ("Credential Access") to its
// short name ("credential-access"), or "" when unknown.
func (c *Catalog) TacticShortName(name string) string { return c.shortNames[name] }

// CoveredTechniques returns the techniques with at least one rule, sorted by id.
func (c *Catalog) CoveredTechniques() []TechniqueCoverage {
	var out []TechniqueCoverage
	for _, t := range c.Techniques {
		if t.Rules > 0 {
			out = append(out, t)
		}
	}
	return out
}
