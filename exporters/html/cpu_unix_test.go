//go:build unix

package html_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system) this process has used, so the
// benchmark can report a figure that a busy machine distorts less than
// wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
