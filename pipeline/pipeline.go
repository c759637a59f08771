// Package pipeline runs a ruleatlas report: discover rule files → load and
// parse them → normalize → filter → build Arrow tables → aggregate → export.
// Each stage is a small type with one job; Stages lists them in order. Per-file
// problems are collected in the State and never stop the batch; a stage
// returns an error only when the run cannot go on.
package pipeline

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ruleatlas/ruleatlas/internal/cputime"
	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// Source is one rule repository to read.
type Source struct {
	Vendor string // sigma, elastic, splunk, sentinel, panther
	Root   string // folder
}

// DefaultMaxFileSize is the default per-file size limit (16 MiB).
const DefaultMaxFileSize = 16 << 20

// Options configure one run.
type Options struct {
	Sources []Source
	// Frontends replaces the registered frontends (Frontends()) when set,
	// e.g. to pass vendor options such as a Splunk macro folder.
	Frontends []rule.Frontend

	AttackFile string // STIX bundle; empty = the embedded default
	// Attack, when set, is the ATT&CK model to use instead of loading
	// AttackFile (a caller running many pipelines loads it once).
	Attack        *attack.Model
	AttackVersion string // ATT&CK version when the bundle does not say
	// Groups are ATT&CK groups (id, name or alias) to write group reports for.
	Groups []string

	IncludeDeprecated bool
	// Kinds are the rule kinds coverage and every aggregate count; empty =
	// rule.AlertingKinds. The rules and predicates tables keep every kind.
	Kinds []rule.Kind
	// ReleaseRules lets the parsed rules (State.Rules) go once the tables
	// are aggregated, before the exporters run: exporters read only the
	// tables, and without the rules the garbage collector keeps and rescans
	// about a fifth less while they allocate. State.Counts keeps the rules'
	// counts.
	ReleaseRules bool
	Workers      int   // parallel loaders; 0 = all cores
	MaxFileSize  int64 // bytes; 0 = DefaultMaxFileSize
	// ParseTimeout limits reading and parsing one file; 0 =
	// DefaultParseTimeout, negative = no limit.
	ParseTimeout time.Duration
	Filters      tables.Filters

	// Exporters are the output formats a run can write (exporters.All()
	// for the command); Formats chooses among them by name.
	Exporters []Exporter

	OutDir     string   // empty: build tables only, export nothing
	Formats    []string // exporter names; empty = all
	ReportDate string   // YYYY-MM-DD; empty = newest rule date

	ToolVersion string
	// Log receives one line per stage and per notable event; nil is silent.
	Log io.Writer
	// Progress is told how far the long stages are; nil is silent.
	Progress Progress
	// ParseCache, when set, answers for files parsed in an earlier run.
	ParseCache ParseCache
	// Trend, when set, reads the coverage trend of an earlier history run
	// for the exporters (tables.Set.History); a failure is logged and the
	// reports go on without it.
	Trend func(context.Context, *attack.Model) (*tables.History, error)
	// Carry names files of the previous output folder that the new one
	// keeps (the history tables), copied before the swap.
	Carry []string
}

// Progress receives the progress of long stages: parsing (files) and
// exporting (formats). Add is called from several goroutines.
type Progress interface {
	Start(stage string, total int)
	Add(n int)
	Done()
}

// Timing is how long one stage took.
type Timing struct {
	Stage    string
	Duration time.Duration
	CPU      time.Duration // CPU time of the whole process during the stage; 0 when unknown
}

// State is what the stages of one run share.
type State struct {
	Opts Options
	Mem  memory.Allocator

	Files    []fileRef
	Rules    []rule.Rule
	Problems *Problems
	Attack   *attack.Model
	Tables   *tables.Set

	// Counters shown in the run summary.
	Skipped    int // files that decoded but are not rules
	Deprecated int // deprecated rules left out
	Filtered   int // rules left out by filters
	Notes      int
	// Counts counts the rules of the tables by vendor and parse status
	// (BuildTables fills it); it outlives Rules under ReleaseRules.
	Counts RuleCounts
	// KindCounts counts the rules of the tables by vendor and kind.
	KindCounts KindCounts
	// FileCounts counts the candidate files by vendor and outcome (the
	// files table; BuildTables fills it).
	FileCounts FileCounts

	Timings []Timing
	Written []string // output files, relative to OutDir

	fileStats  []fileStat // per State.Files entry
	otherFiles []fileRow  // files-table rows of entries not loaded (links, duplicates, unreadable)
	ruleFile   []int32    // per State.Rules entry until BuildTables: its State.Files index

	attack chan attackResult // the ATT&CK model loading beside parsing
	logMu  sync.Mutex
}

// Stage is one step of a report run. String names it in progress output.
type Stage interface {
	fmt.Stringer
	Run(ctx context.Context, st *State) error
}

// Skipper is implemented by stages that may not apply to a run.
type Skipper interface{ Skip(st *State) bool }

// Stages lists every stage in execution order.
var Stages = []Stage{
	Discover{},    // find rule files under each source root
	Load{},        // parse files into rules; bad files become Problems
	Normalize{},   // map fields, values, techniques, tactics, events
	Filter{},      // apply --platform/--domain/--vendor/--technique
	BuildTables{}, // rules and predicates into Arrow records
	Aggregate{},   // coverage, fields, indicators, exclusions, events
	Export{},      // run the exporters chosen by --format
}

// Run executes every stage in order and returns the final state. The
// returned state is non-nil even on error, with what was done so far; the
// caller releases st.Tables when it is set.
func Run(ctx context.Context, opts Options) (*State, error) {
	st := NewState(opts)
	for _, s := range Stages {
		if sk, ok := s.(Skipper); ok && sk.Skip(st) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return st, err
		}
		st.logf("%s", s)
		start, cpu := time.Now(), cputime.Process()
		// The label attributes CPU profile samples (--cpuprofile) to the
		// stage, including those of goroutines the stage starts.
		var err error
		pprof.Do(ctx, pprof.Labels("stage", s.String()), func(ctx context.Context) {
			err = s.Run(ctx, st)
		})
		t := Timing{Stage: s.String(), Duration: time.Since(start)}
		if cpu > 0 {
			t.CPU = cputime.Process() - cpu
		}
		st.Timings = append(st.Timings, t)
		if err != nil {
			return st, fmt.Errorf("%s: %w", s, err)
		}
	}
	return st, nil
}

// NewState returns the state a run starts from, with defaults filled in
// (workers, file size limit). Run uses it; tests and benchmarks that run
// single stages do too.
func NewState(opts Options) *State {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.ParseTimeout == 0 {
		opts.ParseTimeout = DefaultParseTimeout
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	return &State{Opts: opts, Mem: memory.DefaultAllocator, Problems: &Problems{}}
}

func (st *State) logf(format string, args ...any) {
	if st.Opts.Log != nil {
		st.logMu.Lock()
		fmt.Fprintf(st.Opts.Log, format+"\n", args...)
		st.logMu.Unlock()
	}
}

// RuleCounts counts rules by vendor and parse status.
type RuleCounts = Tally[rule.Status]

// KindCounts counts rules by vendor and kind.
type KindCounts = Tally[rule.Kind]

// tallyRules counts rules by vendor and the key of each rule.
func tallyRules[K comparable](rules []rule.Rule, key func(*rule.Rule) K) Tally[K] {
	c := Tally[K]{}
	for i := range rules {
		c.add(rules[i].Vendor, key(&rules[i]))
	}
	return c
}
