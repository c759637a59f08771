// Command ruleatlas reads detection-rule repositories (Sigma, Elastic,
// Splunk, Sentinel, Panther), parses every rule's logic into predicates and
// reports ATT&CK coverage per technique as Parquet, Excel, PDF, HTML and
// more. Run `ruleatlas help` for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ruleatlas/ruleatlas/internal/hugeheap"
)

// hugeHeapMax bounds the heap set aside for huge pages: a run on ten times
// the shared corpora peaks below it.
const hugeHeapMax = 4 << 30

func main() {
	hugeheap.Prepare(hugeHeapMax)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
