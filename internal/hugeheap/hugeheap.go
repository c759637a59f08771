// Package hugeheap asks Linux to back the Go heap with transparent huge
// pages before a run grows it.
//
// A full report grows the heap to a few hundred megabytes, and every fresh
// 4 KiB page costs a page fault on first touch: about 100,000 faults on the
// shared corpora, a quarter of the run's CPU time on a virtual machine where
// faults are expensive. Linux can back memory with 2 MiB pages instead, but
// most distributions enable that only for memory a program marks with
// madvise(MADV_HUGEPAGE) ("madvise" mode), and the Go runtime does not mark
// its heap. Prepare makes the runtime map a large stretch of heap (in
// chunks it allocates and never touches), marks it, and hands it back to
// the runtime, which places later allocations in it (lowest addresses
// first).
package hugeheap

import (
	"strconv"
	"strings"
)

// Outcome says what Prepare did.
type Outcome struct {
	// Advised is the heap address space, in bytes, marked for huge pages;
	// 0 when Prepare did nothing.
	Advised int64
	// Skipped says why Prepare did nothing; empty when Advised > 0.
	Skipped string
}

// system is what decides whether and how much to advise.
type system struct {
	thpEnabled string // contents of /sys/kernel/mm/transparent_hugepage/enabled
	overcommit string // contents of /proc/sys/vm/overcommit_memory
	memTotal   int64  // physical memory in bytes
	// limited says an address-space or data-segment limit is set (ulimit
	// -v, ulimit -d); room is what is left under the tighter one, in bytes.
	limited bool
	room    int64
	godebug string // the GODEBUG environment variable
}

// hugePage is the huge page size on x86-64 and arm64 with 4 KiB base pages.
const hugePage = 2 << 20

// plan returns how many bytes of heap to advise, at most max, or why none.
func plan(s system, max int64) (int64, string) {
	switch mode := selected(s.thpEnabled); mode {
	case "madvise":
	case "always":
		return 0, "transparent huge pages are already on for all memory"
	case "":
		return 0, "transparent huge pages are not available"
	default:
		return 0, "transparent huge pages are " + mode
	}
	if strings.TrimSpace(s.overcommit) == "2" {
		// Strict overcommit charges the whole mapping against the commit
		// limit even while it is unused.
		return 0, "strict memory overcommit (vm.overcommit_memory=2)"
	}
	if godebugDisablesTHP(s.godebug) {
		return 0, "GODEBUG=disablethp=1"
	}
	size := min(max, s.memTotal/4) // mappings far below RAM are never refused
	if s.limited {
		// The space counts against these limits although it is unused,
		// and the runtime exits when a mapping is refused.
		size = min(size, s.room/4)
	}
	size -= size % hugePage
	if size < 8*hugePage {
		if s.limited {
			return 0, "too little address space under the process's memory limits (ulimit -v, -d)"
		}
		return 0, "too little memory to set aside"
	}
	return size, ""
}

// selected returns the bracketed choice of a sysfs multiple-choice file
// such as "always [madvise] never", or "" when there is none.
func selected(choices string) string {
	for _, word := range strings.Fields(choices) {
		if len(word) > 2 && word[0] == '[' && word[len(word)-1] == ']' {
			return word[1 : len(word)-1]
		}
	}
	return ""
}

// godebugDisablesTHP reports whether GODEBUG holds disablethp=1, the Go
// runtime's own switch against huge pages for the heap; Prepare honours it.
func godebugDisablesTHP(godebug string) bool {
	on := false
	for _, setting := range strings.Split(godebug, ",") {
		if name, value, ok := strings.Cut(strings.TrimSpace(setting), "="); ok && name == "disablethp" {
			n, err := strconv.Atoi(value)
			on = err == nil && n != 0 // the last setting wins, as in the runtime
		}
	}
	return on
}
