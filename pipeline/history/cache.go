package history

import (
	"slices"
	"sync"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// selfContained are the vendors whose frontends read nothing but the file
// itself, so the file's bytes decide the result. Splunk rules expand the
// repository's macros and Panther rules read their Python, helpers and
// data models: those are parsed again at every point.
var selfContained = map[string]bool{"sigma": true, "elastic": true, "sentinel": true}

// Cache is a content-addressed parse cache for one source: git blob id →
// what the frontend made of the file. At each point the history run tells
// it the commit's tree (path → blob), so an unchanged file is neither read
// nor parsed again. It keeps only the entries used at the latest point, so
// it holds at most two points' files.
type Cache struct {
	enabled bool
	mu      sync.Mutex
	tree    map[string]entry // the current point's files
	entries map[string]*cached
	gen     int
	hits    int
	misses  int
}

type cached struct {
	res rule.Result
	gen int
}

// NewCache returns the cache for one source of vendor; it answers nothing
// for a vendor whose files depend on others.
func NewCache(vendor string) *Cache {
	return &Cache{enabled: selfContained[vendor], entries: map[string]*cached{}}
}

// setTree starts a point whose files are tree.
func (c *Cache) setTree(tree map[string]entry) {
	c.mu.Lock()
	c.tree = tree
	c.mu.Unlock()
}

// Get returns a copy of the result stored for the file's blob.
func (c *Cache) Get(_, rel string) (rule.Result, bool) {
	if !c.enabled {
		return rule.Result{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.tree[rel]
	if !ok || e.mode == "120000" { // a link's blob is its target, not the file
		return rule.Result{}, false
	}
	x := c.entries[e.blob]
	if x == nil {
		c.misses++
		return rule.Result{}, false
	}
	c.hits++
	x.gen = c.gen
	return copyResult(x.res), true
}

// Put stores a copy of res for the file's blob.
func (c *Cache) Put(_, rel string, res rule.Result) {
	if !c.enabled {
		return
	}
	res = copyResult(res)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.tree[rel]; ok && e.mode != "120000" {
		c.entries[e.blob] = &cached{res: res, gen: c.gen}
	}
}

// Sweep ends a point: entries not used during it are dropped.
func (c *Cache) Sweep() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.gen < c.gen {
			delete(c.entries, k)
		}
	}
	c.gen++
}

// Stats returns the hits and misses so far and the entries held.
func (c *Cache) Stats() (hits, misses, held int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses, len(c.entries)
}

// copyResult copies every slice the later stages change in place.
func copyResult(r rule.Result) rule.Result {
	out := rule.Result{Skipped: r.Skipped, Notes: slices.Clone(r.Notes)}
	if r.Rules != nil {
		out.Rules = make([]rule.Rule, len(r.Rules))
		for i, x := range r.Rules {
			x.Techniques = slices.Clone(x.Techniques)
			x.Tactics = slices.Clone(x.Tactics)
			x.Platforms = slices.Clone(x.Platforms)
			x.Domains = slices.Clone(x.Domains)
			x.Events = slices.Clone(x.Events)
			x.LogSources = slices.Clone(x.LogSources)
			x.Predicates = slices.Clone(x.Predicates)
			out.Rules[i] = x
		}
	}
	return out
}
