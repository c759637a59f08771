package hugeheap

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// TestPrepareMarksLaterHeap checks the point of Prepare: memory the heap
// grows into afterwards lies in a mapping the kernel has marked for huge
// pages ("hg" in /proc/self/smaps).
func TestPrepareMarksLaterHeap(t *testing.T) {
	out := Prepare(256 << 20)
	if out.Advised == 0 {
		t.Skipf("Prepare did nothing on this machine: %s", out.Skipped)
	}
	if out.Advised > 256<<20 {
		t.Fatalf("Advised = %d, more than the %d asked for", out.Advised, 256<<20)
	}
	later := make([]byte, 16<<20)
	later[0], later[len(later)-1] = 1, 1
	start := uintptr(unsafe.Pointer(&later[0]))
	flags, ok := vmFlags(t, start)
	if !ok {
		t.Fatalf("no mapping in /proc/self/smaps holds %#x", start)
	}
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Errorf("heap allocated after Prepare, at %#x, is in a mapping with VmFlags %q; want hg", start, flags)
	}
}

// vmFlags returns the VmFlags line of the mapping that holds addr.
func vmFlags(t *testing.T, addr uintptr) (string, bool) {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("cannot read mappings: %v", err)
	}
	defer f.Close()
	inside := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if flags, ok := strings.CutPrefix(line, "VmFlags:"); ok {
			if inside {
				return strings.TrimSpace(flags), true
			}
			continue
		}
		if lo, hi, ok := addressRange(line); ok {
			inside = lo <= addr && addr < hi
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading /proc/self/smaps: %v", err)
	}
	return "", false
}

// addressRange parses the "lo-hi perms …" header line of a mapping.
func addressRange(line string) (lo, hi uintptr, ok bool) {
	field, _, _ := strings.Cut(line, " ")
	l, h, found := strings.Cut(field, "-")
	if !found {
		return 0, 0, false
	}
	a, err1 := strconv.ParseUint(l, 16, 64)
	b, err2 := strconv.ParseUint(h, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uintptr(a), uintptr(b), true
}

func TestStatusKB(t *testing.T) {
	status := "Name:\truleatlas\nVmSize:\t 1227184 kB\nVmData:\t   44768 kB\n"
	if got, ok := statusKB(status, "VmSize:"); !ok || got != 1227184<<10 {
		t.Errorf("VmSize = %d, %v", got, ok)
	}
	if got, ok := statusKB(status, "VmData:"); !ok || got != 44768<<10 {
		t.Errorf("VmData = %d, %v", got, ok)
	}
	if _, ok := statusKB(status, "VmRSS:"); ok {
		t.Error("VmRSS found in a status without it")
	}
}

// TestAddressRoomUnlimited checks the test process itself, which runs
// without address-space limits unless the caller set them.
func TestAddressRoomUnlimited(t *testing.T) {
	var s system
	if err := addressRoom(&s); err != nil {
		t.Fatal(err)
	}
	var as, data syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_AS, &as)
	syscall.Getrlimit(syscall.RLIMIT_DATA, &data)
	if as.Cur >= 1<<62 && data.Cur >= 1<<62 && s.limited {
		t.Errorf("no limits set, but limited with room %d", s.room)
	}
	if (as.Cur < 1<<62 || data.Cur < 1<<62) && !s.limited {
		t.Error("limits set, but not limited")
	}
}
