// Command ruleatlas reads detection-rule repositories (Sigma, Elastic,
// Splunk, Sentinel, Panther), parses every rule's logic into predicates and
// reports ATT&CK coverage per technique as Parquet, Excel, PDF, HTML and
// more. Run `ruleatlas help` for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// gcPercent is the garbage collector's target when GOGC is not set: a
// run is a short batch whose heap is mostly live tables, so collecting half
// as often saves about a tenth of its CPU for about half again the peak
// memory (BENCHMARKS.md).
const gcPercent = 200

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
