//go:build unix

package outfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestCreateLockPerFolder(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	first, again := createLock(a), createLock(a)
	if first != again {
		t.Error("two locks for one folder")
	}
	if createLock(a) == createLock(b) {
		t.Error("one lock for two folders")
	}
}

// TestWriteNewConcurrent writes many files into one folder from several
// goroutines (creation is serialised per folder, writing is not) and
// checks every file.
func TestWriteNewConcurrent(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 50 {
				name := filepath.Join(dir, fmt.Sprintf("%d-%d.html", w, i))
				if err := writeNew(name, bytes.Repeat([]byte{byte('a' + w)}, 1000+i)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	for w := range 4 {
		for i := range 50 {
			data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%d-%d.html", w, i)))
			if err != nil || !bytes.Equal(data, bytes.Repeat([]byte{byte('a' + w)}, 1000+i)) {
				t.Fatalf("file %d-%d: %d bytes, %v", w, i, len(data), err)
			}
		}
	}
}
