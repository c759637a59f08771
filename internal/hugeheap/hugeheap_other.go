//go:build !linux

package hugeheap

// Prepare does nothing off Linux: huge pages on request are a Linux
// feature.
func Prepare(max int64) Outcome {
	return Outcome{Skipped: "huge pages on request are only used on Linux"}
}
