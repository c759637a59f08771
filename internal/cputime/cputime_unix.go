//go:build unix

// Package cputime reads the CPU time the process has used, for stage
// timings and for benchmarks that report CPU time beside wall time (a busy
// machine distorts it less).
package cputime

import (
	"syscall"
	"time"
)

// Process returns the user and system CPU time the process has used so
// far, all threads, or 0 when the system does not say.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
