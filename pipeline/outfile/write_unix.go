//go:build unix

package outfile

import (
	"errors"
	"io/fs"
	"path/filepath"
	"sync"
	"syscall"
)

// writeNew writes data to a new (or truncated) file at path with raw
// system calls: open, write, close. os.WriteFile also registers each file
// with the runtime poller (four fcntl calls and an epoll_ctl for a regular
// file), which shows up when a run writes thousands of pages.
func writeNew(path string, data []byte) error {
	var fd int
	var err error
	lock := createLock(filepath.Dir(path))
	lock.Lock()
	for {
		fd, err = syscall.Open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_TRUNC|syscall.O_CLOEXEC, 0o644)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	lock.Unlock()
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	for len(data) > 0 {
		n, err := syscall.Write(fd, data)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			syscall.Close(fd)
			return &fs.PathError{Op: "write", Path: path, Err: err}
		}
		data = data[n:]
	}
	if err := syscall.Close(fd); err != nil {
		return &fs.PathError{Op: "close", Path: path, Err: err}
	}
	return nil
}

// createLocks holds one mutex per folder (*sync.Mutex by path).
var createLocks sync.Map

// createLock returns the mutex that serialises file creation in dir. The
// kernel creates one name at a time per folder anyway (the folder's inode
// lock); when the site's and the PDFs' writers create in the same folder
// from several threads, the waiting ones spin on that lock in the kernel.
// On ext4 that spinning was about a tenth of a full run's CPU time (perf:
// rwsem_spin_on_owner 9%); waiting here instead parks the goroutine and
// leaves the CPU to the work that renders pages. Writing the data stays
// parallel.
func createLock(dir string) *sync.Mutex {
	if l, ok := createLocks.Load(dir); ok {
		return l.(*sync.Mutex)
	}
	l, _ := createLocks.LoadOrStore(dir, new(sync.Mutex))
	return l.(*sync.Mutex)
}
