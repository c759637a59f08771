package pipeline

import "github.com/ruleatlas/ruleatlas/normalize/rule"

// ParseCache keeps what a frontend made of a file between runs over nearly
// the same files (ruleatlas history reads one repository at many commits,
// most files unchanged from one point to the next). The cache decides which
// files it may answer for: a file whose meaning depends on others (Splunk
// macros, Panther helpers) must not be answered from its own bytes alone.
// Get is asked before the file is read, so a cache that knows the file's
// content by other means (a git blob id) saves the read too. Get and Put
// are called from several goroutines; both must hand out and keep copies,
// since later stages change the rules in place.
type ParseCache interface {
	Get(vendor, rel string) (rule.Result, bool)
	Put(vendor, rel string, res rule.Result)
}

// cached returns what the run's parse cache, if any, holds for the file.
func cached(f fileRef) (rule.Result, bool) {
	if f.cache == nil {
		return rule.Result{}, false
	}
	return f.cache.Get(f.vendor, f.rel)
}

// keep hands a parsed file to the run's parse cache, if any.
func keep(f fileRef, res rule.Result) {
	if f.cache != nil {
		f.cache.Put(f.vendor, f.rel, res)
	}
}
