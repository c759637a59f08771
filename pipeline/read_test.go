package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadLimited(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	big := strings.Repeat("title: x\n", 2000) // larger than one read buffer step
	tests := []struct {
		name    string
		path    string
		limit   int64
		want    string
		wantErr string
	}{
		{"small file", write("a.yml", "title: a\n"), 100, "title: a\n", ""},
		{"empty file", write("empty.yml", ""), 100, "", ""},
		{"exactly at the limit", write("five.yml", "12345"), 5, "12345", ""},
		{"one byte over the limit", write("six.yml", "123456"), 5, "", "file is larger than the 5-byte limit (6 bytes)"},
		{"large file", write("big.yml", big), 1 << 20, big, ""},
		{"missing file", filepath.Join(dir, "nope.yml"), 100, "", "cannot read: no such file or directory"},
		{"folder", dir, 1 << 20, "", "cannot read: is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readLimited(tt.path, tt.limit)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("readLimited error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("readLimited: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("readLimited = %d bytes, want %d", len(got), len(tt.want))
			}
		})
	}
}
