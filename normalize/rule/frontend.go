package rule

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
)

// File is one input file handed to a frontend.
type File struct {
	Root string // the source root as given by the user
	Path string // relative to Root, slash-separated
	Data []byte // the whole file
}

// Result is what a frontend makes of one file that it could read.
type Result struct {
	// Rules found in the file (a Sigma file may hold several documents).
	Rules []Rule
	// Skipped, when non-empty, says why a file that decoded is not a rule
	// (a config, a hunting query, a macro file, a correlation rule, …).
	Skipped string
	// Notes are non-fatal remarks about the file (a missing macro, an
	// unknown log source), shown in the run summary.
	Notes []string
}

// Frontend reads one vendor's rule repositories.
type Frontend interface {
	// Vendor is the vendor key: sigma, elastic, splunk, sentinel, panther.
	Vendor() string
	// Open prepares loading from one source root, e.g. by reading the
	// repository's macro definitions. It fails only when the root itself is
	// unusable.
	Open(root string) (Source, error)
}

// Source loads the rule files of one source root. Load is called from
// several goroutines at once.
type Source interface {
	// Match reports whether the file at rel (relative to the root,
	// slash-separated) is a candidate rule file. Directories are not passed.
	Match(rel string, d fs.DirEntry) bool
	// Load parses one file. A returned error means the file could not be
	// decoded at all (broken YAML/TOML, bad encoding); the pipeline then
	// records one failed row for the file. Problems in a rule's query are
	// not errors: they go into that rule's ParseStatus and ParseError.
	Load(f File) (Result, error)
}

// Finisher is a Source that completes its rules once every file of its
// root is loaded, from what the whole repository declares (Panther: the log
// type of each table a scheduled query reads, named by the log types the
// repository's rules declare). Finish gets the results of every file Load
// read without error, in file order; it replaces the Rules slices it
// changes rather than writing into them (a parse cache may share them).
type Finisher interface {
	Finish(results []*Result)
}

var techniqueRE = regexp.MustCompile(`(?i)\bT(\d{4})(?:[./_](\d{3}))?\b`)

// Technique normalizes a technique reference such as "attack.t1595.002",
// "TA0043:T1595.002", "t1059" or "T1003_001" to "T1595.002" form. ok is false
// when s names no technique.
func Technique(s string) (id string, ok bool) {
	m := techniqueRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	if m[2] != "" {
		return "T" + m[1] + "." + m[2], true
	}
	return "T" + m[1], true
}

// Dedup sorts nothing: it returns ss without empty strings and later
// duplicates, keeping first-seen order.
func Dedup(ss []string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// SortedSet returns the distinct non-empty strings of ss, sorted.
func SortedSet(ss []string) []string {
	out := Dedup(ss)
	slices.Sort(out)
	return out
}

// Severity lower-cases a vendor severity and maps common synonyms onto
// informational, low, medium, high, critical.
func Severity(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "info", "informational", "information":
		return "informational"
	}
	return s
}
