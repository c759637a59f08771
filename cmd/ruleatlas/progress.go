package main

import (
	"io"
	"os"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// bar shows pipeline progress as a progress bar on a terminal. Its Log
// writer clears the bar before a log line, so lines and bar never mix.
type bar struct {
	w   io.Writer
	mu  sync.Mutex
	bar *progressbar.ProgressBar // the running stage's, or nil
}

// Start begins a new bar for stage with total steps.
func (b *bar) Start(stage string, total int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(b.w), progressbar.OptionSetDescription(stage),
		progressbar.OptionShowCount(), progressbar.OptionSetWidth(30), progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100_000_000))
}

// Add advances the running bar.
func (b *bar) Add(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bar != nil {
		_ = b.bar.Add(n)
	}
}

// Done finishes and clears the running bar.
func (b *bar) Done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bar != nil {
		_ = b.bar.Finish()
		b.bar = nil
	}
}

// Log returns a writer for log lines that clears the running bar's line
// first; the bar comes back at its next step.
func (b *bar) Log() io.Writer { return barLog{b} }

type barLog struct{ b *bar }

func (l barLog) Write(p []byte) (int, error) {
	l.b.mu.Lock()
	defer l.b.mu.Unlock()
	if l.b.bar != nil {
		_ = l.b.bar.Clear()
	}
	return l.b.w.Write(p)
}
