package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// fileRef is one discovered candidate rule file.
type fileRef struct {
	src    int // index into sources
	rel    string
	source rule.Source
	vendor string
	root   string
	real   string     // the file's real path (symlinks resolved)
	linked bool       // reached through a symlink to the file
	cache  ParseCache // nil: parse every file
}

// Discover finds the candidate rule files under every source root.
type Discover struct{}

func (Discover) String() string { return "discovering rule files" }

// Run walks each root in lexical order; unreadable folders become problems.
func (Discover) Run(ctx context.Context, st *State) error {
	startAttackLoad(st)
	fronts := st.Opts.Frontends
	if fronts == nil {
		fronts = Frontends()
	}
	byVendor := map[string]rule.Frontend{}
	for _, f := range fronts {
		byVendor[f.Vendor()] = f
	}
	if len(st.Opts.Sources) == 0 {
		return errors.New("no rule sources given")
	}
	for i, s := range st.Opts.Sources {
		fe, ok := byVendor[s.Vendor]
		if !ok {
			return fmt.Errorf("no frontend for vendor %q", s.Vendor)
		}
		info, err := os.Stat(s.Root)
		if err != nil {
			return fmt.Errorf("%s source: %w", s.Vendor, err)
		}
		if !info.IsDir() {
			return fmt.Errorf("%s source %s: not a folder", s.Vendor, s.Root)
		}
		src, err := fe.Open(s.Root)
		if err != nil {
			return fmt.Errorf("%s source %s: %w", s.Vendor, s.Root, err)
		}
		w := &walker{ctx: ctx, st: st, src: src, index: i, source: s}
		if err := w.walk(s.Root, ""); err != nil {
			return fmt.Errorf("walking %s: %w", s.Root, err)
		}
	}
	st.Files = st.dropDuplicates(st.Files)
	st.fileStats = make([]fileStat, len(st.Files))
	st.logf("  %d candidate files in %d sources", len(st.Files), len(st.Opts.Sources))
	return nil
}

// walker finds the candidate files of one source. Symlinks are followed:
// a linked file is read through its link; a linked folder is walked under
// the link's path unless it lies inside a tree already walked, or contains
// one (a loop or a second copy), which gives a note instead.
type walker struct {
	ctx    context.Context
	st     *State
	src    rule.Source
	index  int
	source Source
	trees  []string // real paths of the root and of the linked folders walked
}

// walk walks the folder dir, whose files are named rel/… in the source.
// WalkDir does not enter a root that is itself a symlink, so the walk
// starts from dir's real path.
func (w *walker) walk(dir, rel string) error {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		w.trees = append(w.trees, real)
		dir = real
	}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		name := w.name(dir, rel, path)
		if err != nil {
			w.problem("failed", name, fmt.Sprintf("cannot read: %v", unwrapPath(err)))
			w.other(tables.OutcomeFailed, name, fmt.Sprintf("cannot read: %v", unwrapPath(err)))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path != dir && skippedFolder(d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return w.link(path, name, d)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		w.add(name, d, path, false)
		return w.ctx.Err()
	})
}

// link follows the symlink at path.
func (w *walker) link(path, name string, d fs.DirEntry) error {
	info, err := os.Stat(path)
	if err != nil {
		w.notFollowed(name, fmt.Sprintf("symlink not followed: %v", unwrapPath(err)))
		return nil
	}
	if info.Mode().IsRegular() {
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			real = path
		}
		w.add(name, fs.FileInfoToDirEntry(info), real, true)
		return w.ctx.Err()
	}
	if !info.IsDir() || skippedFolder(d.Name()) {
		return nil
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		w.notFollowed(name, fmt.Sprintf("symlink not followed: %v", unwrapPath(err)))
		return nil
	}
	for _, t := range w.trees {
		if within(real, t) || within(t, real) {
			w.notFollowed(name, fmt.Sprintf("symlink not followed: %s is walked already (a loop or a second copy)", real))
			return nil
		}
	}
	return w.walk(path, name)
}

// skippedFolder reports whether a folder of this name is left out of the
// walk: hidden folders (.git, .github, …) and node_modules.
func skippedFolder(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules"
}

// within reports whether path is dir or lies below it.
func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator)) || dir == string(filepath.Separator)
}

// name is the slash path of path in the source: rel joined with its place
// below dir.
func (w *walker) name(dir, rel, path string) string {
	sub, err := filepath.Rel(dir, path)
	if err != nil {
		sub = path
	}
	sub = filepath.ToSlash(sub)
	switch {
	case rel == "":
		return sub
	case sub == ".":
		return rel
	}
	return rel + "/" + sub
}

// add keeps the file name when the source claims it; real is its path with
// symlinks resolved, linked whether it was reached through a link to it.
func (w *walker) add(name string, d fs.DirEntry, real string, linked bool) {
	if w.src.Match(name, d) {
		w.st.Files = append(w.st.Files, fileRef{src: w.index, rel: name, source: w.src, vendor: w.source.Vendor,
			root: w.source.Root, real: real, linked: linked, cache: w.st.Opts.ParseCache})
	}
}

func (w *walker) problem(kind, name, msg string) {
	w.st.Problems.Add(tables.Problem{Root: w.source.Root, Path: name, Vendor: w.source.Vendor, Kind: kind, Msg: msg})
}

// notFollowed records a symlink left alone: a note and a link row of the
// files table.
func (w *walker) notFollowed(name, msg string) {
	w.problem("note", name, msg)
	w.other(tables.OutcomeLink, name, msg)
}

// other records a files-table row for something that is not loaded.
func (w *walker) other(outcome tables.Outcome, name, reason string) {
	w.st.otherFiles = append(w.st.otherFiles, fileRow{src: w.index, vendor: w.source.Vendor, root: w.source.Root,
		path: name, outcome: outcome, reason: reason})
}

// dropDuplicates leaves out the second and later ways to one real file (a
// symlink to a file read already, or two sources sharing files), so each
// file's rules count once; each becomes a duplicate row of the files table.
// A file reached directly wins over links to it; otherwise the first in
// discovery order wins.
func (st *State) dropDuplicates(files []fileRef) []fileRef {
	first := map[string]int{}
	for _, linked := range []bool{false, true} {
		for i, f := range files {
			if _, ok := first[f.real]; f.linked == linked && !ok {
				first[f.real] = i
			}
		}
	}
	kept := files[:0:0]
	for i, f := range files {
		j := first[f.real]
		if f.real == "" || j == i {
			kept = append(kept, f)
			continue
		}
		g := files[j]
		reason := fmt.Sprintf("the same file as %s, read already", g.rel)
		if g.root != f.root {
			reason = fmt.Sprintf("the same file as %s in %s, read already", g.rel, g.root)
		}
		st.otherFiles = append(st.otherFiles, fileRow{src: f.src, vendor: f.vendor, root: f.root, path: f.rel,
			outcome: tables.OutcomeDuplicate, reason: reason})
	}
	return kept
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Load reads and parses the discovered files in parallel, bounded by
// Options.Workers. Results are kept in discovery order, so runs are
// deterministic whatever the scheduling.
type Load struct{}

func (Load) String() string { return "loading and parsing rules" }

// Run loads every file; a file that cannot be read or decoded becomes one
// failed rule row and a problem.
func (Load) Run(ctx context.Context, st *State) error {
	if len(st.fileStats) != len(st.Files) {
		st.fileStats = make([]fileStat, len(st.Files))
	}
	st.ruleFile = st.ruleFile[:0]
	results := make([]rule.Result, len(st.Files))
	errs := make([]error, len(st.Files))
	jobs := make(chan int)
	progress := st.Opts.Progress
	if progress != nil {
		progress.Start("parsing", len(st.Files))
	}
	var wg sync.WaitGroup
	for range min(st.Opts.Workers, max(len(st.Files), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := newParser(st.Opts.MaxFileSize, st.Opts.ParseTimeout)
			defer p.close()
			for i := range jobs {
				results[i], errs[i] = p.load(st.Files[i])
				if progress != nil {
					progress.Add(1)
				}
			}
		}()
	}
	for i := range st.Files {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if progress != nil {
		progress.Done()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	finish(st.Files, results, errs)

	seen := map[string]bool{}
	for i, f := range st.Files {
		stat := &st.fileStats[i]
		if err := errs[i]; err != nil {
			line, col := position(err)
			st.Problems.Add(tables.Problem{Root: f.root, Path: f.rel, Vendor: f.vendor, Line: line, Col: col,
				Kind: "failed", Msg: err.Error()})
			stat.failed, stat.reason = true, err.Error()
			st.addRule(rule.Rule{Vendor: f.vendor, RuleID: f.rel, Path: f.rel, Language: rule.LangNone,
				ParseStatus: rule.StatusFailed, ParseError: err.Error()}, seen, f, i)
			continue
		}
		res := results[i]
		if res.Skipped != "" && len(res.Rules) == 0 {
			st.Skipped++
			stat.reason = res.Skipped
		}
		for _, n := range res.Notes {
			st.Notes++
			st.Problems.Add(tables.Problem{Root: f.root, Path: f.rel, Vendor: f.vendor, Kind: "note", Msg: n})
			st.fileNote(i, n)
		}
		for _, r := range res.Rules {
			r.Vendor = f.vendor
			if r.Path == "" {
				r.Path = f.rel
			}
			if r.Deprecated && !st.Opts.IncludeDeprecated {
				st.Deprecated++
				stat.deprecated++
				continue
			}
			if r.ParseStatus == "" {
				r.ParseStatus = rule.StatusOK
			}
			if r.ParseStatus == rule.StatusFailed || r.ParseStatus == rule.StatusPartial {
				line, col := leadingPosition(r.ParseError)
				st.Problems.Add(tables.Problem{Root: f.root, Path: r.Path, Vendor: f.vendor, Line: line, Col: col,
					Kind: string(r.ParseStatus), Msg: r.ParseError})
				st.fileNote(i, string(r.ParseStatus)+": "+r.ParseError)
			}
			st.addRule(r, seen, f, i)
		}
	}
	if n := abandonedParses.Load(); n > 0 {
		st.logf("  %d parses over the time limit still running in the background", n)
	}
	st.logf("  %d rules from %d files (%d skipped, %d deprecated left out, %d problems)",
		len(st.Rules), len(st.Files), st.Skipped, st.Deprecated, st.Problems.Len())
	return nil
}

// addRule appends r, the rule of file number file. A duplicate (vendor,
// rule_id) is renamed rule_id#path, and when that is taken too (one file
// holding several rules under one id) rule_id#path#2, #3, …; each rename
// is reported.
func (st *State) addRule(r rule.Rule, seen map[string]bool, f fileRef, file int) {
	if r.RuleID == "" {
		r.RuleID = r.Path
	}
	key := r.Vendor + "\x00" + r.RuleID
	if seen[key] {
		id := r.RuleID + "#" + r.Path
		for n := 2; seen[r.Vendor+"\x00"+id]; n++ {
			id = fmt.Sprintf("%s#%s#%d", r.RuleID, r.Path, n)
		}
		msg := fmt.Sprintf("duplicate rule id %s; kept as %s", r.RuleID, id)
		st.Problems.Add(tables.Problem{Root: f.root, Path: r.Path, Vendor: r.Vendor, Kind: "note", Msg: msg})
		st.fileNote(file, msg)
		r.RuleID = id
		key = r.Vendor + "\x00" + r.RuleID
	}
	seen[key] = true
	st.Rules = append(st.Rules, r)
	st.ruleFile = append(st.ruleFile, int32(file))
}

// loadFile reads one file within the size limit, checks its encoding and
// hands it to the frontend, turning a panic into an error.
func loadFile(f fileRef, limit int64) (res rule.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicError(p)
		}
	}()
	if res, ok := cached(f); ok {
		return res, nil
	}
	data, err := readLimited(filepath.Join(f.root, filepath.FromSlash(f.rel)), limit)
	if err != nil {
		return res, err
	}
	if !utf8.Valid(data) {
		return res, invalidUTF8(data)
	}
	if err := checkLimits(f.rel, data); err != nil {
		return res, err
	}
	res, err = f.source.Load(rule.File{Root: f.root, Path: f.rel, Data: data})
	if err == nil {
		keep(f, res)
	}
	return res, err
}

// tooLarge is the error for a file over the size limit; size < 0 when the
// file grew past it while read.
func tooLarge(limit, size int64) error {
	if size < 0 {
		return fmt.Errorf("file is larger than the %d-byte limit", limit)
	}
	return fmt.Errorf("file is larger than the %d-byte limit (%d bytes)", limit, size)
}

// invalidUTF8 names the line and column of the first invalid byte.
func invalidUTF8(data []byte) error {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return rule.Errorf(line, col, "invalid UTF-8 (byte 0x%02x)", data[i])
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += n
	}
	return rule.Errorf(line, col, "invalid UTF-8")
}

// position extracts a line and column from a *rule.SyntaxError in err's chain.
func position(err error) (int, int) {
	var se *rule.SyntaxError
	if errors.As(err, &se) {
		return se.Line, se.Col
	}
	return 0, 0
}

// leadingPosition reads the file position of a parse error that starts
// with "line N" or "line N, column M" (the *rule.SyntaxError form).
func leadingPosition(msg string) (line, col int) {
	if !strings.HasPrefix(msg, "line ") {
		return 0, 0
	}
	if n, _ := fmt.Sscanf(msg, "line %d, column %d:", &line, &col); n >= 1 {
		return line, col
	}
	return 0, 0
}

// sortedVendors returns the vendors of the sources, in Vendors order.
func sortedVendors(srcs []Source) []string {
	var out []string
	for _, v := range Vendors {
		for _, s := range srcs {
			if s.Vendor == v && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	for _, s := range srcs {
		if !slices.Contains(out, s.Vendor) {
			out = append(out, s.Vendor)
		}
	}
	return out
}

// finish gives every source that completes its rules from the whole
// repository (rule.Finisher) the results of its files, in file order.
func finish(files []fileRef, results []rule.Result, errs []error) {
	var order []rule.Finisher
	bySource := map[rule.Finisher][]*rule.Result{}
	for i, f := range files {
		fin, ok := f.source.(rule.Finisher)
		if !ok || errs[i] != nil {
			continue
		}
		if _, seen := bySource[fin]; !seen {
			order = append(order, fin)
		}
		bySource[fin] = append(bySource[fin], &results[i])
	}
	for _, fin := range order {
		fin.Finish(bySource[fin])
	}
}
