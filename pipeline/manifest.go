package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/outfile"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// ManifestName is the file name of the run manifest.
const ManifestName = "manifest.json"

// Manifest describes one run: what went in, what came out. Everything but
// the timings is deterministic for identical inputs.
type Manifest struct {
	Tool          string                    `json:"tool"`
	Version       string                    `json:"version"`
	Config        ManifestConfig            `json:"config"`
	Sources       []ManifestSource          `json:"sources"`
	AttackVersion string                    `json:"attack_version"`
	ReportDate    string                    `json:"report_date"`
	Counts        map[string]map[string]int `json:"counts"` // vendor → parse status → rules
	// Kinds counts the rules per vendor and kind (every kind, zeros
	// included); the rules of every kind are in rules.parquet.
	Kinds map[string]map[string]int `json:"kinds"` // vendor → kind → rules
	// Files counts the candidate files per vendor and outcome, as in
	// files.parquet (every outcome, zeros included).
	Files   map[string]map[string]int `json:"files"` // vendor → outcome → files
	Summary ManifestSummary           `json:"summary"`
	Timings []ManifestTiming          `json:"timings"`
	Outputs []ManifestFile            `json:"outputs"`
}

// ManifestConfig is the resolved configuration of a run.
type ManifestConfig struct {
	Formats           []string `json:"formats"`
	Platforms         []string `json:"platforms,omitempty"`
	Domains           []string `json:"domains,omitempty"`
	Vendors           []string `json:"vendors,omitempty"`
	Techniques        []string `json:"techniques,omitempty"`
	IncludeDeprecated bool     `json:"include_deprecated"`
	Kinds             []string `json:"kinds"` // the kinds coverage and the aggregates count
	AttackFile        string   `json:"attack_file,omitempty"`
	MaxFileSize       int64    `json:"max_file_size"`
}

// ManifestSource is one rule repository with its git state.
type ManifestSource struct {
	Vendor string `json:"vendor"`
	Path   string `json:"path"`
	Commit string `json:"git_commit,omitempty"`
	Dirty  *bool  `json:"git_dirty,omitempty"` // nil when unknown (no git binary)
}

// ManifestSummary holds the run's counters. Files and Skipped count rows of
// files.parquet (Files every candidate file, Skipped those skipped as not
// rules); Deprecated and Filtered count rules left out.
type ManifestSummary struct {
	Rules      int `json:"rules"`
	Files      int `json:"files"`
	Skipped    int `json:"skipped_files"`
	Deprecated int `json:"deprecated_left_out"`
	Filtered   int `json:"filtered_out"`
	Problems   int `json:"problems"`
}

// ManifestTiming is one stage's duration and the process's CPU time during
// it (user and system, all cores) in seconds, not deterministic. Exporters
// run side by side, so theirs have no CPU time of their own.
type ManifestTiming struct {
	Stage      string  `json:"stage"`
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpu_seconds,omitempty"`
}

// ManifestFile is one output file.
type ManifestFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// writeManifest lists every written file under dir with its size and
// SHA-256, taken from sums when the exporter recorded it while writing and
// read back from disk otherwise, and writes manifest.json.
func writeManifest(st *State, dir string, sums *outfile.Sums) error {
	m := Manifest{Tool: "ruleatlas", Version: st.Opts.ToolVersion, Counts: map[string]map[string]int{},
		Kinds: map[string]map[string]int{}, Files: map[string]map[string]int{},
		AttackVersion: st.Attack.Version, ReportDate: st.Tables.Meta.ReportDate}
	f := st.Opts.Filters
	m.Config = ManifestConfig{Formats: st.Opts.Formats, Platforms: f.Platforms, Domains: f.Domains, Vendors: f.Vendors,
		Techniques: f.Techniques, IncludeDeprecated: st.Opts.IncludeDeprecated, AttackFile: st.Opts.AttackFile,
		MaxFileSize: st.Opts.MaxFileSize, Kinds: st.Tables.Meta.Kinds}
	if len(m.Config.Formats) == 0 {
		for _, e := range st.Opts.Exporters {
			m.Config.Formats = append(m.Config.Formats, e.Name())
		}
	}
	for _, s := range st.Opts.Sources {
		ms := ManifestSource{Vendor: s.Vendor, Path: s.Root}
		ms.Commit, ms.Dirty = gitState(s.Root)
		m.Sources = append(m.Sources, ms)
	}
	for vendor, byStatus := range st.Counts {
		m.Counts[vendor] = map[string]int{}
		for _, s := range rule.Statuses {
			m.Counts[vendor][string(s)] = byStatus[s]
		}
	}
	for vendor, byKind := range st.KindCounts {
		m.Kinds[vendor] = map[string]int{}
		for _, k := range rule.Kinds {
			m.Kinds[vendor][string(k)] = byKind[k]
		}
	}
	for vendor, byOutcome := range st.FileCounts {
		m.Files[vendor] = map[string]int{}
		for _, o := range tables.Outcomes {
			m.Files[vendor][string(o)] = byOutcome[o]
		}
	}
	m.Summary = ManifestSummary{Rules: st.Counts.Total(), Files: st.FileCounts.Total(), Skipped: st.FileCounts.Of(tables.OutcomeSkipped),
		Deprecated: st.Deprecated, Filtered: st.Filtered, Problems: len(st.Tables.Problems)}
	for _, t := range st.Timings {
		m.Timings = append(m.Timings, ManifestTiming{Stage: t.Stage, Seconds: t.Duration.Seconds(), CPUSeconds: t.CPU.Seconds()})
	}
	files := slices.Clone(st.Written)
	slices.Sort(files)
	// Files streamed to disk (Parquet, the workbook) are read back, on
	// every core.
	m.Outputs = make([]ManifestFile, len(files))
	errs := make([]error, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(files), 1)) {
		wg.Go(func() {
			for i := range next {
				m.Outputs[i], errs[i] = hashFile(filepath.Join(dir, filepath.FromSlash(files[i])))
				m.Outputs[i].Path = files[i]
			}
		})
	}
	for i, f := range files {
		if s, ok := sums.Get(f); ok {
			m.Outputs[i] = ManifestFile{Path: f, Size: s.Size, SHA256: hex.EncodeToString(s.SHA256[:])}
			continue
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return outfile.WriteFile(context.Background(), dir, ManifestName, append(data, '\n'))
}

func hashFile(path string) (ManifestFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return ManifestFile{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return ManifestFile{}, err
	}
	return ManifestFile{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// gitState returns the commit of the git checkout holding dir, read from
// .git directly, and whether the work tree is dirty (asked of git when it
// is installed; nil otherwise). Missing git never fails a run.
func gitState(dir string) (string, *bool) {
	gitDir := findGitDir(dir)
	if gitDir == "" {
		return "", nil
	}
	commit := readHead(gitDir)
	if commit == "" {
		return "", nil
	}
	if _, err := exec.LookPath("git"); err != nil {
		return commit, nil
	}
	out, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--untracked-files=no", "--", ".").Output()
	if err != nil {
		return commit, nil
	}
	dirty := len(bytes.TrimSpace(out)) > 0
	return commit, &dirty
}

func findGitDir(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for d := abs; ; d = filepath.Dir(d) {
		p := filepath.Join(d, ".git")
		if info, err := os.Stat(p); err == nil {
			if info.IsDir() {
				return p
			}
			// A worktree or submodule: "gitdir: <path>".
			if data, err := os.ReadFile(p); err == nil {
				if g, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir: "); ok {
					if !filepath.IsAbs(g) {
						g = filepath.Join(d, g)
					}
					return g
				}
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// readHead resolves HEAD to a commit id through loose and packed refs.
func readHead(gitDir string) string {
	data, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return ""
	}
	head := strings.TrimSpace(string(data))
	ref, ok := strings.CutPrefix(head, "ref: ")
	if !ok {
		return head
	}
	common := gitDir
	if c, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		common = filepath.Join(gitDir, strings.TrimSpace(string(c)))
	}
	for _, base := range []string{gitDir, common} {
		if data, err := os.ReadFile(filepath.Join(base, filepath.FromSlash(ref))); err == nil {
			return strings.TrimSpace(string(data))
		}
	}
	packed, err := os.ReadFile(filepath.Join(common, "packed-refs"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(packed), "\n") {
		if id, name, ok := strings.Cut(line, " "); ok && name == ref {
			return id
		}
	}
	return ""
}
