//go:build unix

package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadLimitedGrowing reads a named pipe, whose size says 0: the limit
// must hold while reading, not only against the size.
func TestReadLimitedGrowing(t *testing.T) {
	for _, tt := range []struct {
		name    string
		data    string
		limit   int64
		wantErr string
	}{
		{"within the limit", strings.Repeat("x", 10000), 10000, ""},
		{"past the limit", strings.Repeat("x", 10001), 10000, "file is larger than the 10000-byte limit"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pipe.yml")
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Skipf("no named pipes here: %v", err)
			}
			go func() {
				f, err := os.OpenFile(path, os.O_WRONLY, 0)
				if err != nil {
					return
				}
				defer f.Close()
				for data := tt.data; len(data) > 0; data = data[min(len(data), 3000):] {
					if _, err := f.WriteString(data[:min(len(data), 3000)]); err != nil {
						return // the reader gave up at the limit
					}
				}
			}()
			got, err := readLimited(path, tt.limit)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("readLimited error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || string(got) != tt.data {
				t.Fatalf("readLimited = %d bytes, %v; want %d bytes", len(got), err, len(tt.data))
			}
		})
	}
}
