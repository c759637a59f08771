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
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
