// Package integration holds the end-to-end test of the Sentinel frontend:
// pipeline.Run on the shared Sentinel corpus, checking the coverage table
// against an independent count. It lives apart from package sentinel so the
// loader's own tests and fuzz target build without the pipeline and Arrow.
package integration
