// Command ruleatlas-synth writes a synthetic rule corpus N times the size of
// the given ones, for scale benchmarks: every rule file is copied N times
// with a new rule id per copy (so nothing collapses as a duplicate), into a
// folder per vendor that `ruleatlas report --<vendor> DIR` reads.
//
//	go run ./cmd/ruleatlas-synth -n 10 -out /tmp/synth10 ../shared/corpora
//
// The output is for benchmarks only and is never committed.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// idLine matches the line holding a rule's id in each vendor's format.
var idLine = map[string]*regexp.Regexp{
	"sigma":    regexp.MustCompile(`(?m)^(id:\s*['"]?)([^'"\s]+)`),
	"elastic":  regexp.MustCompile(`(?m)^(rule_id\s*=\s*")([^"]+)`),
	"splunk":   regexp.MustCompile(`(?m)^(id:\s*['"]?)([^'"\s]+)`),
	"sentinel": regexp.MustCompile(`(?m)^(\x{feff}?id:\s*['"]?)([^'"\s]+)`),
	"panther":  regexp.MustCompile(`(?m)^(RuleID:\s*['"]?)([^'"\s]+)`),
}

func main() {
	n := flag.Int("n", 2, "copies of every rule")
	out := flag.String("out", "", "output folder (created; must not exist)")
	flag.Parse()
	if *out == "" || flag.NArg() != 1 || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: ruleatlas-synth -n N -out DIR CORPORA_DIR (holding sigma/, elastic/, …)")
		os.Exit(2)
	}
	if err := synth(flag.Arg(0), *out, *n); err != nil {
		fmt.Fprintln(os.Stderr, "ruleatlas-synth:", err)
		os.Exit(1)
	}
}

func synth(corpora, out string, n int) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists; choose a new folder", out)
	}
	files := 0
	for vendor, re := range idLine {
		src := filepath.Join(corpora, vendor)
		if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			// Splunk macros are shared by every copy: write them once.
			if vendor == "splunk" && strings.HasPrefix(filepath.ToSlash(rel), "macros/") {
				files++
				return write(filepath.Join(out, vendor, rel), data)
			}
			for k := range n {
				body := data
				if k > 0 {
					body = re.ReplaceAll(data, []byte(fmt.Sprintf("${1}${2}-synth%d", k)))
				}
				dst := filepath.Join(out, vendor, fmt.Sprintf("copy%d", k), rel)
				if vendor == "splunk" {
					dst = filepath.Join(out, vendor, "detections", fmt.Sprintf("copy%d", k), strings.TrimPrefix(filepath.ToSlash(rel), "detections/"))
				}
				if err := write(dst, body); err != nil {
					return err
				}
				files++
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	fmt.Printf("wrote %d files (%d copies) to %s\n", files, n, out)
	return nil
}

func write(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
