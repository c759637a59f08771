package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ruleatlas/ruleatlas/exporters"
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
	chosen, err := selectExporters(st.Opts.Formats)
	if err != nil {
		return err
	}
	out := filepath.Clean(st.Opts.OutDir)
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return fmt.Errorf("creating temporary output folder: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("creating temporary output folder: %w", err)
	}
	for _, e := range chosen {
		if err := ctx.Err(); err != nil {
			return err
		}
		files, err := e.Export(ctx, st.Tables, tmp)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Name(), err)
		}
		st.Written = append(st.Written, files...)
		st.logf("  %s: %d files", e.Name(), len(files))
	}
	return swapInto(tmp, out)
}

// selectExporters returns the registered exporters named in formats (all
// when empty), in registry order.
func selectExporters(formats []string) ([]exporters.Exporter, error) {
	all := Exporters()
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
	var out []exporters.Exporter
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
