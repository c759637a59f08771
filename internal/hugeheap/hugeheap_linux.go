package hugeheap

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
)

// Prepare marks up to max bytes of fresh heap for transparent huge pages
// when the kernel offers them only on request, and returns what it did. It
// costs one small garbage collection and belongs at the start of a large
// run. It does nothing when the kernel's mode is "always" or "never", under
// strict overcommit, or with GODEBUG=disablethp=1. At most a quarter of the
// machine's memory, and of the address space left under ulimit -v and -d,
// is set aside; the space is only mapped, not used, until the heap grows
// into it.
func Prepare(max int64) Outcome {
	s := system{godebug: os.Getenv("GODEBUG")}
	s.thpEnabled = readSmall("/sys/kernel/mm/transparent_hugepage/enabled")
	s.overcommit = readSmall("/proc/sys/vm/overcommit_memory")
	var info syscall.Sysinfo_t
	if err := syscall.Sysinfo(&info); err == nil {
		s.memTotal = int64(info.Totalram) * int64(info.Unit)
	}
	if err := addressRoom(&s); err != nil {
		return Outcome{Skipped: err.Error()}
	}
	size, why := plan(s, max)
	if size == 0 {
		return Outcome{Skipped: why}
	}
	err := adviseFresh(size)
	// Free the chunks and return their (untouched) pages to the runtime's
	// free lists; the madvise flag stays on the mapping.
	debug.FreeOSMemory()
	if err != nil {
		return Outcome{Skipped: "madvise: " + err.Error()}
	}
	return Outcome{Advised: size}
}

// chunkSize is the size of the allocations that make up the space set
// aside. The runtime zeroes a new allocation whole when any part of it
// lies in memory the heap used before, touching every page: one allocation
// of the whole space did that in about 1 run in 100 (4 GiB backed, 25 s).
// In chunks, only a chunk that overlaps used memory is zeroed.
const chunkSize = 8 << 20

// adviseFresh allocates size bytes in chunks, marks them for huge pages and
// lets them go. Large fresh allocations get newly mapped spans that the
// runtime knows are zero and does not touch; all chunks stay alive, with
// the collector off, until every one is allocated, so none is reused (and
// zeroed) for the next.
func adviseFresh(size int64) error {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	chunks := make([][]byte, 0, size/chunkSize+1)
	for left := size; left > 0; left -= chunkSize {
		chunks = append(chunks, make([]byte, min(left, chunkSize)))
	}
	var errs []error
	for _, c := range chunks {
		if err := syscall.Madvise(c, syscall.MADV_HUGEPAGE); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// addressRoom fills in whether the process's address space or data
// segment is limited and how much is left under the tighter limit.
func addressRoom(s *system) error {
	status := readSmall("/proc/self/status")
	for _, l := range []struct {
		resource int
		field    string // what the limit counts, in /proc/self/status
	}{{syscall.RLIMIT_AS, "VmSize:"}, {syscall.RLIMIT_DATA, "VmData:"}} {
		var r syscall.Rlimit
		if err := syscall.Getrlimit(l.resource, &r); err != nil {
			return fmt.Errorf("reading the memory limits: %w", err)
		}
		if r.Cur >= 1<<62 { // RLIM_INFINITY: all ones (0x7fff… on some architectures)
			continue
		}
		used, ok := statusKB(status, l.field)
		if !ok {
			return fmt.Errorf("memory limits set but %s not in /proc/self/status", l.field)
		}
		room := int64(r.Cur) - used
		if !s.limited || room < s.room {
			s.limited, s.room = true, room
		}
	}
	return nil
}

// statusKB returns a "Name:   123 kB" field of /proc/self/status in bytes.
func statusKB(status, field string) (int64, bool) {
	for _, line := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
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
