//go:build !unix

package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// readLimited returns the contents of the file at path, or an error when it
// holds more than limit bytes (checked against its size first, then while
// reading, so a file growing meanwhile still respects the limit).
func readLimited(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", unwrapPath(err))
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", unwrapPath(err))
	}
	if info.Size() > limit {
		return nil, tooLarge(limit, info.Size())
	}
	data := make([]byte, info.Size(), info.Size()+1)
	n, err := io.ReadFull(fh, data)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("cannot read: %w", unwrapPath(err))
	}
	data = data[:n]
	rest, err := io.ReadAll(io.LimitReader(fh, limit-int64(n)+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", unwrapPath(err))
	}
	data = append(data, rest...)
	if int64(len(data)) > limit {
		return nil, tooLarge(limit, -1)
	}
	return data, nil
}
