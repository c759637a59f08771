// Package outfile writes the files of a run: whole files renamed into place
// so a crash never leaves half a file under its final name, and the size
// and SHA-256 of each, recorded for the run manifest.
package outfile

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Sum is the size and SHA-256 of one written file.
type Sum struct {
	Size   int64
	SHA256 [sha256.Size]byte
}

// Sums collects the sums of the files exporters write whole, by path
// relative to the output folder, so the run manifest need not read them
// back. A nil *Sums records nothing.
type Sums struct {
	m sync.Map // rel (slash-separated) → Sum
}

// Put records the sum of data written to rel.
func (s *Sums) Put(rel string, data []byte) {
	if s != nil {
		s.m.Store(rel, Sum{Size: int64(len(data)), SHA256: sha256.Sum256(data)})
	}
}

// Get returns the recorded sum of rel.
func (s *Sums) Get(rel string) (Sum, bool) {
	if s == nil {
		return Sum{}, false
	}
	v, ok := s.m.Load(rel)
	if !ok {
		return Sum{}, false
	}
	return v.(Sum), true
}

type sumsKey struct{}

// WithSums returns a context whose exporters record their files' sums in s.
func WithSums(ctx context.Context, s *Sums) context.Context {
	return context.WithValue(ctx, sumsKey{}, s)
}

// SumsFrom returns the Sums of ctx, or nil.
func SumsFrom(ctx context.Context) *Sums {
	s, _ := ctx.Value(sumsKey{}).(*Sums)
	return s
}

// WriteFile writes data to dir/rel through a temporary file renamed into
// place, creating parent folders, so a crash never leaves a half-written
// file under the final name. Its sum goes to the Sums of ctx, if any.
func WriteFile(ctx context.Context, dir, rel string, data []byte) error {
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating folder for %s: %w", rel, err)
	}
	tmp := path + ".tmp"
	if err := writeNew(tmp, data); err != nil {
		return fmt.Errorf("writing %s: %w", rel, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("renaming %s into place: %w", rel, err)
	}
	SumsFrom(ctx).Put(filepath.ToSlash(rel), data)
	return nil
}

// WriteNew writes data to dir/rel (mode 0644, created or truncated) in a
// folder that already exists, without WriteFile's temporary file, for
// exporters that write many files into a folder swapped into place as a
// whole. Its sum goes to the Sums of ctx, if any.
func WriteNew(ctx context.Context, dir, rel string, data []byte) error {
	if err := writeNew(filepath.Join(dir, filepath.FromSlash(rel)), data); err != nil {
		return fmt.Errorf("writing %s: %w", rel, err)
	}
	SumsFrom(ctx).Put(rel, data)
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
