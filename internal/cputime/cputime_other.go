//go:build !unix

// Package cputime reads the CPU time the process has used, for stage
// timings and for benchmarks that report CPU time beside wall time (a busy
// machine distorts it less).
package cputime

import "time"

// Process returns 0: CPU time is only measured on Unix systems.
func Process() time.Duration { return 0 }
