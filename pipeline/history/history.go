// Package history measures ATT&CK coverage at points in the sources' git
// history (ruleatlas history). For every point (00:00 UTC of each day, week
// or month between two dates) and every source inside a git repository it
// takes the last first-parent commit before the point, writes that commit's
// files from the repository's objects into a private folder (no checkout:
// the work tree and index are untouched) and runs the pipeline's discover,
// load and normalize stages on it. A content-addressed parse cache lets a
// file unchanged between points be parsed once; the cache keeps only the
// files of the latest point, so memory stays bounded however many points
// there are.
package history

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
)

// Options configure one history run.
type Options struct {
	// Sources are the rule folders; each must lie inside a git repository.
	Sources []pipeline.Source
	// Since and Until bound the points (dates at 00:00 UTC, both included).
	Since, Until time.Time
	// Every is the step between points: year, month, week or day.
	Every string
	// Ref is the branch or commit whose first-parent history is read;
	// empty means HEAD.
	Ref string
	// Pipeline carries the settings every point's run shares (frontends,
	// ATT&CK data, deprecated rules, workers); its Sources are replaced.
	Pipeline pipeline.Options
	// Log receives one line per point and source; nil is silent.
	Log io.Writer
}

// Steps are the values Every accepts.
var Steps = []string{"year", "month", "week", "day"}

// Points lists the points from since to until (both at 00:00 UTC,
// included) a step apart.
func Points(since, until time.Time, every string) ([]time.Time, error) {
	since, until = day(since), day(until)
	if until.Before(since) {
		return nil, fmt.Errorf("--until %s is before --since %s", until.Format(time.DateOnly), since.Format(time.DateOnly))
	}
	var next func(time.Time, int) time.Time
	switch every {
	case "year":
		next = func(t time.Time, i int) time.Time { return t.AddDate(i, 0, 0) }
	case "month", "":
		next = func(t time.Time, i int) time.Time { return t.AddDate(0, i, 0) }
	case "week":
		next = func(t time.Time, i int) time.Time { return t.AddDate(0, 0, 7*i) }
	case "day":
		next = func(t time.Time, i int) time.Time { return t.AddDate(0, 0, i) }
	default:
		return nil, fmt.Errorf("--every %q: want year, month, week or day", every)
	}
	var ps []time.Time
	for i := 0; ; i++ {
		p := next(since, i)
		if p.After(until) {
			return ps, nil
		}
		if len(ps) == maxPoints {
			return nil, fmt.Errorf("more than %d points from %s to %s: choose a longer step or a shorter span",
				maxPoints, since.Format(time.DateOnly), until.Format(time.DateOnly))
		}
		ps = append(ps, p)
	}
}

// maxPoints bounds one run (about 27 years of weeks).
const maxPoints = 1500

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Result is the coverage at every point for every source.
type Result struct {
	Points []time.Time
	// Snapshots holds one entry per point and source, points in order and
	// sources in the order given.
	Snapshots []Snapshot
}

// Snapshot is one source at one point.
type Snapshot struct {
	Point  time.Time
	Vendor string
	Source string // the source folder as given
	// Commit is the commit read, empty when the point is before the first
	// commit (then Note says so).
	Commit     string
	CommitTime time.Time
	Note       string
	// Techniques maps technique id → kind → distinct rules tagged with it
	// or one of its sub-techniques (as coverage.parquet counts them).
	Techniques map[string]map[rule.Kind]int
	// Totals counts rules by kind and parse status.
	Totals map[rule.Kind]map[rule.Status]int
	// Files is how many candidate files the point had; Parsed of them were
	// parsed and Reused came from the parse cache (unchanged since the
	// previous point).
	Files, Parsed, Reused int
}

// Run measures every point. A source that is not in a git repository is an
// error before any point is read.
func Run(ctx context.Context, o Options) (*Result, error) {
	points, err := Points(o.Since, o.Until, o.Every)
	if err != nil {
		return nil, err
	}
	if len(o.Sources) == 0 {
		return nil, errors.New("no rule sources given")
	}
	ref := o.Ref
	if ref == "" {
		ref = "HEAD"
	}
	model := o.Pipeline.Attack
	if model == nil {
		if model, err = loadAttack(o.Pipeline.AttackFile); err != nil {
			return nil, err
		}
	}
	type source struct {
		src     pipeline.Source
		repo    *repo
		commits []commit
		mirror  *mirror
		cache   *Cache
		hits    int // the cache's hits after the previous point
	}
	srcs := make([]*source, len(o.Sources))
	tmp, err := os.MkdirTemp(scratch(), "ruleatlas-history-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for i, s := range o.Sources {
		r, err := openRepo(ctx, s.Root)
		if err != nil {
			return nil, fmt.Errorf("%s source: %w", s.Vendor, err)
		}
		cs, err := r.firstParents(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("%s source: %w", s.Vendor, err)
		}
		dir, err := os.MkdirTemp(tmp, s.Vendor+"-")
		if err != nil {
			return nil, err
		}
		srcs[i] = &source{src: s, repo: r, commits: cs, mirror: &mirror{dir: dir}, cache: NewCache(s.Vendor)}
	}

	res := &Result{Points: points}
	progress := o.Pipeline.Progress
	if progress != nil {
		progress.Start("reading history", len(points)*len(srcs))
		defer progress.Done()
	}
	for _, p := range points {
		for _, s := range srcs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			snap := Snapshot{Point: p, Vendor: s.src.Vendor, Source: s.src.Root}
			c, ok := before(s.commits, p)
			if !ok {
				snap.Note = emptyNote(s.repo, s.commits, p)
				res.Snapshots = append(res.Snapshots, snap)
				logf(o.Log, "%s %s: %s", p.Format(time.DateOnly), s.src.Vendor, snap.Note)
				if progress != nil {
					progress.Add(1)
				}
				continue
			}
			snap.Commit, snap.CommitTime = c.id, c.time
			files, err := s.repo.tree(ctx, c.id)
			if err != nil {
				return nil, err
			}
			s.cache.setTree(files)
			if err := s.mirror.moveTo(ctx, s.repo, files); err != nil {
				return nil, fmt.Errorf("%s source at %s: %w", s.src.Vendor, c.id, err)
			}
			opts := o.Pipeline
			opts.Sources = []pipeline.Source{{Vendor: s.src.Vendor, Root: s.mirror.dir}}
			opts.Attack, opts.ParseCache, opts.Log, opts.Progress, opts.OutDir = model, s.cache, nil, nil, ""
			st, err := measure(ctx, opts)
			if err != nil {
				return nil, fmt.Errorf("%s source at commit %s: %w", s.src.Vendor, c.id, err)
			}
			hits, _, _ := s.cache.Stats()
			s.cache.Sweep()
			snap.Files = len(st.Files)
			snap.Reused, snap.Parsed = hits-s.hits, len(st.Files)-(hits-s.hits)
			s.hits = hits
			snap.Techniques, snap.Totals = count(st.Rules)
			res.Snapshots = append(res.Snapshots, snap)
			logf(o.Log, "%s %s: commit %.12s, %d rules (%d files parsed, %d unchanged)",
				p.Format(time.DateOnly), s.src.Vendor, c.id, len(st.Rules), snap.Parsed, snap.Reused)
			if progress != nil {
				progress.Add(1)
			}
		}
	}
	return res, nil
}

// scratch is where the mirrors go: $TMPDIR when set, else memory-backed
// /dev/shm when the machine has it (the mirrors are rewritten at every
// point), else the system's temporary folder.
func scratch() string {
	if os.Getenv("TMPDIR") == "" {
		if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
			return "/dev/shm"
		}
	}
	return os.TempDir()
}

// emptyNote explains a point that has no commit before it.
func emptyNote(r *repo, cs []commit, p time.Time) string {
	if len(cs) == 0 {
		return "the repository has no commit"
	}
	first := cs[len(cs)-1].time.Format(time.DateOnly)
	if r.shallow {
		return fmt.Sprintf("before the oldest commit of this shallow clone (%s): history goes back only that far; `git fetch --unshallow` reads the rest", first)
	}
	return fmt.Sprintf("before the repository's first commit (%s): empty point", first)
}

// measure runs the stages a coverage count needs, filters included.
func measure(ctx context.Context, opts pipeline.Options) (*pipeline.State, error) {
	st := pipeline.NewState(opts)
	for _, s := range []pipeline.Stage{pipeline.Discover{}, pipeline.Load{}, pipeline.Normalize{}, pipeline.Filter{}} {
		if sk, ok := s.(pipeline.Skipper); ok && sk.Skip(st) {
			continue
		}
		if err := s.Run(ctx, st); err != nil {
			return st, fmt.Errorf("%s: %w", s, err)
		}
	}
	return st, nil
}

// count is coverage per technique and kind, and totals per kind and status.
func count(rules []rule.Rule) (map[string]map[rule.Kind]int, map[rule.Kind]map[rule.Status]int) {
	techs := map[string]map[rule.Kind]int{}
	totals := map[rule.Kind]map[rule.Status]int{}
	var ids []string
	for _, r := range rules {
		k := r.Kind
		if k == "" {
			k = rule.KindDetection
		}
		if totals[k] == nil {
			totals[k] = map[rule.Status]int{}
		}
		totals[k][r.ParseStatus]++
		ids = ids[:0]
		for _, t := range r.Techniques {
			ids = append(ids, t)
			if p := attack.Parent(t); p != "" {
				ids = append(ids, p)
			}
		}
		slices.Sort(ids)
		for _, id := range slices.Compact(ids) {
			if techs[id] == nil {
				techs[id] = map[rule.Kind]int{}
			}
			techs[id][k]++
		}
	}
	return techs, totals
}

func loadAttack(file string) (*attack.Model, error) {
	if file != "" {
		return attack.Load(file)
	}
	return attack.Default()
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
