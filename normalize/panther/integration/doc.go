// Package integration holds the end-to-end test of the Panther frontend:
// pipeline.Run over a Panther corpus, with the coverage table checked
// against an independent count of the rules' ATT&CK Reports. It is a
// separate package so the frontend's own tests do not depend on the
// whole pipeline building.
package integration
