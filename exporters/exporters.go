// Package exporters defines the interface every output format implements.
// Each format lives in its own sub-package (parquet, xlsx, pdf, html, …) and
// reads only the finished tables of a run.
package exporters

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// Exporter writes one output format from the finished tables.
type Exporter interface {
	// Name is the --format key: parquet, xlsx, pdf, html, navigator, markdown.
	Name() string
	// Export writes its files below dir and returns their paths relative to
	// dir, in a stable order.
	Export(ctx context.Context, t *tables.Set, dir string) ([]string, error)
}

// WriteFile writes data to dir/rel through a temporary file renamed into
// place, creating parent folders, so a crash never leaves a half-written
// file under the final name.
func WriteFile(dir, rel string, data []byte) error {
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating folder for %s: %w", rel, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", rel, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("renaming %s into place: %w", rel, err)
	}
	return nil
}

// Create opens dir/rel+".tmp" for writing; Commit renames it into place.
func Create(dir, rel string) (*os.File, error) {
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("creating folder for %s: %w", rel, err)
	}
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", rel, err)
	}
	return f, nil
}

// Commit renames dir/rel+".tmp" (written by Create and closed) into place.
func Commit(dir, rel string) error {
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.Rename(path+".tmp", path); err != nil {
		return fmt.Errorf("renaming %s into place: %w", rel, err)
	}
	return nil
}
