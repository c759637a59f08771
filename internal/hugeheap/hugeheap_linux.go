package hugeheap

import (
	"os"
	"runtime/debug"

	"golang.org/x/sys/unix"
)

// Prepare marks up to max bytes of fresh heap for transparent huge pages
// when the kernel offers them only on request, and returns what it did. It
// costs one small garbage collection and belongs at the start of a large
// run. It does nothing when the kernel's mode is "always" or "never", under
// strict overcommit, or with GODEBUG=disablethp=1. At most a quarter of the
// machine's memory is set aside; the space is only mapped, not used, until
// the heap grows into it.
func Prepare(max int64) Outcome {
	s := system{godebug: os.Getenv("GODEBUG")}
	s.thpEnabled = readSmall("/sys/kernel/mm/transparent_hugepage/enabled")
	s.overcommit = readSmall("/proc/sys/vm/overcommit_memory")
	var info unix.Sysinfo_t
	if err := unix.Sysinfo(&info); err == nil {
		s.memTotal = int64(info.Totalram) * int64(info.Unit)
	}
	size, why := plan(s, max)
	if size == 0 {
		return Outcome{Skipped: why}
	}
	err := adviseFresh(size)
	// Free the span and return its (untouched) pages to the runtime's free
	// lists; the madvise flag stays on the mapping.
	debug.FreeOSMemory()
	if err != nil {
		return Outcome{Skipped: "madvise: " + err.Error()}
	}
	return Outcome{Advised: size}
}

// adviseFresh allocates size bytes and marks them for huge pages. An
// allocation this large gets its own newly mapped span, which the runtime
// knows is zero and does not touch; it is garbage once this returns.
func adviseFresh(size int64) error {
	space := make([]byte, size)
	return unix.Madvise(space, unix.MADV_HUGEPAGE)
}

// readSmall returns a small system file's contents, or "" when it cannot be
// read.
func readSmall(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}
