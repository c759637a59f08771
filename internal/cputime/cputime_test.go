package cputime

import (
	"runtime"
	"testing"
	"time"
)

func TestProcessGrowsWithWork(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("CPU time is only measured on Unix systems")
	}
	before := Process()
	if before <= 0 {
		t.Fatalf("Process() = %v before any work; want > 0", before)
	}
	x := 0
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x++
	}
	if after := Process(); after-before < 20*time.Millisecond {
		t.Fatalf("50 ms of busy work added %v of CPU time (x=%d)", after-before, x)
	}
}
