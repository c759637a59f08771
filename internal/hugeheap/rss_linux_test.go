package hugeheap

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestPrepareTouchesLittle checks that setting the space aside does not
// back it with memory. The heap is left with free pages it has used
// before, where the space may begin: a single allocation starting there
// would be zeroed whole by the runtime (about 1 run in 100 touched all
// 4 GiB and took 25 s).
func TestPrepareTouchesLittle(t *testing.T) {
	var keep [][]byte
	for i := 0; i < 64; i++ {
		b := make([]byte, 1<<20)
		for j := range b {
			b[j] = 1
		}
		keep = append(keep, b)
	}
	keep = keep[:0] // freed below: used, dirty pages at the top of the heap
	runtime.GC()
	before := peakRSS(t)
	out := Prepare(1 << 30)
	if out.Advised == 0 {
		t.Skipf("Prepare did nothing on this machine: %s", out.Skipped)
	}
	grew := peakRSS(t) - before
	t.Logf("peak RSS grew by %d KiB while %d MiB were set aside", grew>>10, out.Advised>>20)
	if grew > 64<<20 {
		t.Errorf("Prepare backed %d MiB of the %d MiB it set aside; want at most 64 MiB", grew>>20, out.Advised>>20)
	}
	runtime.KeepAlive(keep)
}

// peakRSS is the process's peak resident set size so far.
func peakRSS(t *testing.T) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("cannot read /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM line %q: %v", line, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}
