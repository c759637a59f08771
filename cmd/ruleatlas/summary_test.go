package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWrapItems(t *testing.T) {
	items := []string{"detection 7775", "building_block 128", "correlation 43", "policy 119", "hunting 329 (not in coverage)"}
	got := wrapItems("  kinds    ", items, ", ", 62)
	require.Equal(t, "  kinds    detection 7775, building_block 128, correlation 43,\n"+
		"           policy 119, hunting 329 (not in coverage)", got)
	for _, l := range strings.Split(got, "\n") {
		require.LessOrEqual(t, len(l), 62)
	}
	// One column less and the line would end past the width with its comma.
	require.Equal(t, "  kinds    detection 7775, building_block 128,\n"+
		"           correlation 43, policy 119,\n           hunting 329 (not in coverage)", wrapItems("  kinds    ", items, ", ", 61))
	// An item longer than the width stays whole on its own line.
	long := "/very/long/" + strings.Repeat("x", 80)
	got = wrapItems("  written  ", []string{"11 files to", long}, " ", 80)
	require.Equal(t, "  written  11 files to\n           "+long, got)
	require.Equal(t, "  parse    ok 3", wrapItems("  parse    ", []string{"ok 3"}, ", ", 80))
}

func TestBarClearsBeforeLogLines(t *testing.T) {
	var out strings.Builder
	b := &bar{w: &out}
	log := b.Log()
	_, _ = log.Write([]byte("before any bar\n"))
	b.Start("exporting", 2)
	b.Add(1)
	_, _ = log.Write([]byte("  html: 3 files in 0.10s\n"))
	b.Add(1)
	b.Done()
	b.Add(1) // after Done: ignored, no panic
	got := out.String()
	require.True(t, strings.HasPrefix(got, "before any bar\n"), got)
	i := strings.Index(got, "  html: 3 files")
	require.Positive(t, i)
	// The bar's line is wiped (carriage return, spaces, carriage return)
	// right before the log line, so the two never share a line.
	require.True(t, strings.HasSuffix(strings.TrimRight(got[:i], " "), "\r") || strings.HasSuffix(got[:i], "\r"), "%q", got[:i])
}
