// Package sitetest holds the fixtures the html, navigator and markdown
// exporter tests share: runs of the pipeline over the sample corpus, over the
// shared corpora, and over a hand-written XSS probe rule.
package sitetest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// ReportDate is the fixed report date of every fixture run.
const ReportDate = "2026-01-15"

// registered returns the vendor keys with a registered frontend, in report order.
func registered() []string {
	var have []string
	for _, f := range pipeline.Frontends() {
		have = append(have, f.Vendor())
	}
	var out []string
	for _, v := range pipeline.Vendors {
		if slices.Contains(have, v) {
			out = append(out, v)
		}
	}
	return out
}

// SampleSources lists testdata/corpus/<vendor> for every registered vendor
// whose sample corpus exists, in report order.
func SampleSources(t testing.TB) []pipeline.Source {
	t.Helper()
	root := pipetest.RepoRoot(t)
	var out []pipeline.Source
	for _, v := range registered() {
		dir := filepath.Join(root, "testdata", "corpus", v)
		if _, err := os.Stat(dir); err == nil {
			out = append(out, pipeline.Source{Vendor: v, Root: dir})
		}
	}
	if len(out) == 0 {
		t.Skip("no sample corpus for any registered vendor")
	}
	return out
}

// SharedSources lists the shared corpora of every registered vendor,
// skipping the test when none is present.
func SharedSources(t testing.TB) []pipeline.Source {
	t.Helper()
	dir := filepath.Join(pipetest.SharedDir(t), "corpora")
	var out []pipeline.Source
	for _, v := range registered() {
		if _, err := os.Stat(filepath.Join(dir, v)); err == nil {
			out = append(out, pipeline.Source{Vendor: v, Root: filepath.Join(dir, v)})
		}
	}
	if len(out) == 0 {
		t.Skip("no shared corpus for any registered vendor")
	}
	return out
}

// Run runs the pipeline (no export) and returns its tables, released when
// the test ends.
func Run(t testing.TB, opts pipeline.Options) *tables.Set {
	t.Helper()
	if opts.ReportDate == "" {
		opts.ReportDate = ReportDate
	}
	opts.ToolVersion = "test"
	st, err := pipeline.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Tables.Release)
	return st.Tables
}

// Sample runs the pipeline over the sample corpus.
func Sample(t testing.TB) *tables.Set {
	t.Helper()
	return Run(t, pipeline.Options{Sources: SampleSources(t)})
}

// Shared runs the pipeline over every shared corpus with the shared ATT&CK
// bundle, skipping when absent.
func Shared(t testing.TB) *tables.Set {
	t.Helper()
	return Run(t, pipeline.Options{Sources: SharedSources(t), AttackFile: pipetest.SharedAttack(t)})
}

// Payloads are the hostile strings of the XSS probe rule.
var Payloads = []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`}

// Forbidden are raw markup fragments no output file may contain after the
// probe has been rendered.
var Forbidden = []string{"<script>alert", "<img src=x"}

// xssRule is a hand-written Sigma rule whose title, id, tags, field names and
// values carry the payloads.
const xssRule = `title: Probe <script>alert(1)</script> "><img src=x onerror=alert(1)>
id: "probe/<script>alert(1)</script>"
status: test
description: "<script>alert(1)</script>"
author: ruleatlas tests
date: 2026-01-10
tags:
  - attack.execution
  - attack.t1059.001
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    CommandLine|contains:
      - '<script>alert(1)</script>'
      - '"><img src=x onerror=alert(1)>'
    Image|endswith: '\powershell.exe'
  filter:
    ParentImage: '"><img src=x onerror=alert(1)>'
  keywords:
    - '<script>alert(1)</script>'
  condition: (selection or keywords) and not filter
level: high
`

// XSSSource writes the probe rule into a temporary folder and returns it as
// a Sigma source.
func XSSSource(t testing.TB) pipeline.Source {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "probe_<script>.yml"), []byte(xssRule), 0o644); err != nil {
		// Some file systems refuse < and > in names.
		if err := os.WriteFile(filepath.Join(dir, "probe.yml"), []byte(xssRule), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return pipeline.Source{Vendor: "sigma", Root: dir}
}

// CheckNoRawPayload fails the test for every file below dir holding a
// Forbidden fragment.
func CheckNoRawPayload(t testing.TB, dir string, files []string) {
	t.Helper()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		low := strings.ToLower(string(b))
		for _, bad := range Forbidden {
			if strings.Contains(low, bad) {
				t.Errorf("%s contains raw %q", f, bad)
			}
		}
	}
}
