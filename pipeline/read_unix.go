//go:build unix

package pipeline

import (
	"errors"
	"fmt"
	"slices"
	"syscall"
)

// readLimited returns the contents of the file at path, or an error when it
// holds more than limit bytes (checked against its size first, then while
// reading, so a file growing meanwhile still respects the limit).
//
// It uses raw system calls (open, fstat, read until end of file, close):
// os.Open also registers every file with the runtime poller, four fcntl
// calls and a failing epoll_ctl for a regular file, which is more than the
// reading itself on a run over thousands of small rule files.
func readLimited(path string, limit int64) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", err)
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("cannot read: %w", err)
	}
	size := max(int64(st.Size), 0)
	if size > limit {
		return nil, tooLarge(limit, size)
	}
	// One byte more than the size the file claims, so a read that fills it
	// shows the file grew; the next read of 0 bytes is the end.
	data := make([]byte, 0, size+1)
	for {
		if len(data) == cap(data) {
			data = slices.Grow(data, 4096)
		}
		n, err := syscall.Read(fd, data[len(data):cap(data)])
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cannot read: %w", err)
		}
		if n == 0 {
			return data, nil
		}
		data = data[:len(data)+n]
		if int64(len(data)) > limit {
			return nil, tooLarge(limit, -1)
		}
	}
}
