package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ruleatlas/ruleatlas/pipeline/outfile"
)

// Export runs the exporters chosen by --format into a temporary folder
// beside --out and moves it into place only when every exporter finished, so
// a failed or interrupted run leaves the previous output untouched.
type Export struct{}

func (Export) String() string { return "exporting" }

// Skip reports whether no output folder was given.
func (Export) Skip(st *State) bool { return st.Opts.OutDir == "" }

// Run writes every chosen format.
func (Export) Run(ctx context.Context, st *State) error {
	if st.Opts.ReleaseRules {
		st.Rules = nil
	}
	chosen, err := selectExporters(st.Opts.Exporters, st.Opts.Formats)
	if err != nil {
		return err
	}
	out := filepath.Clean(st.Opts.OutDir)
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	unlock, err := lock(out)
	if err != nil {
		return err
	}
	defer unlock()
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return fmt.Errorf("creating temporary output folder: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("creating temporary output folder: %w", err)
	}
	if st.Opts.Trend != nil {
		if h, err := st.Opts.Trend(ctx, st.Attack); err != nil {
			st.logf("  the coverage trend in %s cannot be read, reports go without it: %v", out, err)
		} else {
			st.Tables.History = h
		}
	}
	carried, err := carry(out, tmp, st.Opts.Carry)
	if err != nil {
		return err
	}
	st.Written = append(st.Written, carried...)
	// Exporters that write files whole record their sums for the manifest.
	sums := &outfile.Sums{}
	ctx = outfile.WithSums(ctx, sums)
	// Exporters are independent: run them side by side (each bounds its own
	// parallelism), keep the file lists in registry order.
	files := make([][]string, len(chosen))
	errs := make([]error, len(chosen))
	took := make([]time.Duration, len(chosen))
	progress := st.Opts.Progress
	if progress != nil {
		progress.Start("exporting", len(chosen))
	}
	var wg sync.WaitGroup
	for i, e := range chosen {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ctx.Err(); err != nil {
				errs[i] = err
				return
			}
			start := time.Now()
			pprof.Do(ctx, pprof.Labels("exporter", e.Name()), func(ctx context.Context) {
				files[i], errs[i] = e.Export(ctx, st.Tables, tmp)
			})
			took[i] = time.Since(start)
			st.logf("  %s: %d files in %.2fs", e.Name(), len(files[i]), took[i].Seconds())
			if progress != nil {
				progress.Add(1)
			}
		}()
	}
	wg.Wait()
	if progress != nil {
		progress.Done()
	}
	for i, e := range chosen {
		if errs[i] != nil {
			return fmt.Errorf("%s: %w", e.Name(), errs[i])
		}
		st.Written = append(st.Written, files[i]...)
		st.Timings = append(st.Timings, Timing{Stage: "export " + e.Name(), Duration: took[i]})
	}
	if err := writeManifest(st, tmp, sums); err != nil {
		return fmt.Errorf("writing %s: %w", ManifestName, err)
	}
	st.Written = append(st.Written, ManifestName)
	if err := ctx.Err(); err != nil {
		return err
	}
	return swapInto(tmp, out)
}

// carry copies the named files of the previous output folder, where
// present, into the new one.
func carry(out, tmp string, names []string) ([]string, error) {
	var kept []string
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(out, n))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return kept, fmt.Errorf("keeping %s of the previous output: %w", n, err)
		}
		if err := os.WriteFile(filepath.Join(tmp, n), data, 0o644); err != nil {
			return kept, fmt.Errorf("keeping %s of the previous output: %w", n, err)
		}
		kept = append(kept, n)
	}
	return kept, nil
}

// lock takes OUT.lock so two runs never write one output folder at once. A
// lock left by a process that no longer runs is taken over.
func lock(out string) (func(), error) {
	path := out + ".lock"
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("taking the output lock %s: %w", path, err)
		}
		data, _ := os.ReadFile(path)
		pid, convErr := strconv.Atoi(strings.TrimSpace(string(data)))
		if convErr == nil && processAlive(pid) {
			return nil, fmt.Errorf("another ruleatlas run (pid %d) is writing to %s; wait for it, or remove %s if it is stale", pid, out, path)
		}
		os.Remove(path) // stale
	}
	return nil, fmt.Errorf("could not take the output lock %s", path)
}

// processAlive reports whether a process with this pid exists.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}

// selectExporters returns the registered exporters named in formats (all
// when empty), in registry order.
func selectExporters(all []Exporter, formats []string) ([]Exporter, error) {
	if len(all) == 0 {
		return nil, errors.New("no output formats are registered (Options.Exporters is empty)")
	}
	if len(formats) == 0 {
		return all, nil
	}
	var names []string
	for _, e := range all {
		names = append(names, e.Name())
	}
	for _, f := range formats {
		if !slices.Contains(names, f) {
			return nil, fmt.Errorf("unknown format %q (known: %s)", f, strings.Join(names, ", "))
		}
	}
	var out []Exporter
	for _, e := range all {
		if slices.Contains(formats, e.Name()) {
			out = append(out, e)
		}
	}
	return out, nil
}

// swapInto replaces the folder out with tmp: the old output is moved aside,
// the new one renamed into place, then the old one removed.
func swapInto(tmp, out string) error {
	old := ""
	if _, err := os.Stat(out); err == nil {
		old = tmp + ".old"
		if err := os.Rename(out, old); err != nil {
			return fmt.Errorf("moving previous output aside: %w", err)
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		if old != "" {
			_ = os.Rename(old, out)
		}
		return fmt.Errorf("moving output into place: %w", err)
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("removing previous output: %w", err)
		}
	}
	return nil
}
