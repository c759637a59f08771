//go:build !unix

package pipeline

import "time"

// processCPU returns 0: CPU time is only measured on Unix systems.
func processCPU() time.Duration { return 0 }
