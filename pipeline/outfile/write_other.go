//go:build !unix

package outfile

import "os"

// writeNew writes data to a new (or truncated) file at path.
func writeNew(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }
