// Package pipetest holds test helpers shared by ruleatlas packages: golden
// files with an -update flag, and access to the shared real-world corpora
// that integration tests run on (skipped cleanly when they are absent).
package pipetest

import (
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// Update rewrites golden files instead of comparing against them
// (`go test ./pkg -update`).
var Update = flag.Bool("update", false, "rewrite golden files")

// Golden compares got with the golden file at path, or rewrites the file when
// -update is given. Line endings are normalized to LF before comparing.
func Golden(t testing.TB, path string, got string) {
	t.Helper()
	got = strings.ReplaceAll(got, "\r\n", "\n")
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if w := strings.ReplaceAll(string(want), "\r\n", "\n"); w != got {
		t.Errorf("%s differs from the output (run with -update to accept):\n%s", path, diff(w, got))
	}
}

// diff shows the first differing lines of want and got.
func diff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			b.WriteString("line " + itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g + "\n")
			if shown++; shown == 10 {
				b.WriteString("…\n")
				break
			}
		}
	}
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }

// Read returns the contents of path or fails the test.
func Read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RepoRoot returns the module root (the folder holding go.mod).
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// SharedDir returns ../shared beside the checkout (or $RULEATLAS_SHARED),
// skipping the test with a message when it is absent.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("RULEATLAS_SHARED")
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "..", "shared")
	}
	if _, err := os.Stat(filepath.Join(dir, "corpora")); err != nil {
		t.Skipf("shared corpora not found at %s (set RULEATLAS_SHARED); skipping integration test", dir)
	}
	return dir
}

// SharedCorpus returns the shared corpus folder of one vendor
// (sigma, elastic, splunk, sentinel, panther), skipping when absent.
func SharedCorpus(t testing.TB, vendor string) string {
	t.Helper()
	dir := filepath.Join(SharedDir(t), "corpora", vendor)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared %s corpus not found at %s; skipping integration test", vendor, dir)
	}
	return dir
}

// SharedAttack returns the shared ATT&CK STIX bundle, skipping when absent.
func SharedAttack(t testing.TB) string {
	t.Helper()
	p := filepath.Join(SharedDir(t), "attack", "enterprise-attack.json")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared ATT&CK bundle not found at %s; skipping", p)
	}
	return p
}
