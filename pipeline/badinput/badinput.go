// Package badinput builds a hostile rule corpus for reliability tests: a copy
// of a sample corpus with broken files planted in every vendor folder
// (truncated rules, invalid UTF-8, NUL bytes, a huge sparse file, deeply
// nested and alias-bombed YAML, duplicate TOML keys, a rule with a very long
// value list, a symlink loop, an unreadable file, a file deleted between
// discovery and read, duplicate rule ids and an empty folder).
//
// Build is deterministic for a given seed. Nothing it writes is committed:
// tests build it under t.TempDir().
package badinput

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Expect is what a run must report for one planted case.
type Expect int

const (
	// Problem: exactly one failed or partial rule row for the case's path,
	// and exactly one parse problem naming it.
	Problem Expect = iota
	// Row: exactly one rule row for the path and at most one parse problem
	// (a truncated copy may still be a valid, shorter rule).
	Row
	// Rule: a readable rule; one row with status ok or partial.
	Rule
	// Duplicate: a copy of an intact rule under another path; both rows
	// are kept (the later one renamed rule_id#path) and a note says so.
	Duplicate
	// Nothing: no rule row and no problem under the path (empty folder).
	Nothing
	// Loop: a folder of symlinks to itself and its parent: no rule row, no
	// parse problem, and one note per link not followed.
	Loop
	// SameFile: a symlink to a file read already: the same file a second
	// way, so no rule row and no problem; the files table lists it as a
	// duplicate.
	SameFile
)

func (e Expect) String() string {
	return [...]string{"problem", "row", "rule", "duplicate", "nothing", "loop", "same file"}[e]
}

// Case is one planted file or folder.
type Case struct {
	Name   string // what is wrong, e.g. "invalid-utf8"
	Vendor string
	Root   string // the vendor root it was planted in
	Path   string // slash path relative to Root
	Of     string // the intact file a copy was made of, when it is one
	Want   Expect
	// Note explains a deviation, e.g. why a case was replaced.
	Note string
}

// Options tune the generator; zero values take the defaults.
type Options struct {
	Seed       uint64 // random truncation points; default 13
	Truncated  int    // truncated copies per vendor; default 3
	BigSize    int64  // the sparse file's size; default 100 MB
	Depth      int    // nesting levels of the deep YAML; default 10,000
	ListValues int    // values of the long-list rule; default 100,000
}

func (o *Options) defaults() {
	if o.Seed == 0 {
		o.Seed = 13
	}
	if o.Truncated == 0 {
		o.Truncated = 3
	}
	if o.BigSize == 0 {
		o.BigSize = 100 << 20
	}
	if o.Depth == 0 {
		o.Depth = 10000
	}
	if o.ListValues == 0 {
		o.ListValues = 100000
	}
}

// Corpus is a built bad-input corpus.
type Corpus struct {
	// Roots maps each vendor to its folder (a copy of the sample corpus
	// folder plus the planted cases).
	Roots map[string]string
	// Vendors lists the vendors in the order of the sample corpus folders.
	Vendors []string
	// Intact lists, per vendor, the slash paths of the copied sample files.
	Intact map[string][]string
	Cases  []Case

	mu       sync.Mutex
	sabotage map[string]func(abs string) error // abs path → action at Match time
}

// vendorLayout says where a vendor's rule files go and what they look like.
type vendorLayout struct {
	dir string // folder for planted files, relative to the root
	ext string
}

var layouts = map[string]vendorLayout{
	"sigma":    {"planted", ".yml"},
	"elastic":  {"rules/planted", ".toml"},
	"splunk":   {"detections/planted", ".yml"},
	"sentinel": {"Detections/Planted", ".yaml"},
	"panther":  {"rules/planted", ".yml"},
}

// Build copies every vendor folder of corpus (e.g. testdata/corpus) into dst
// and plants the bad-input cases in each.
func Build(dst, corpus string, opt Options) (*Corpus, error) {
	opt.defaults()
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15))
	ents, err := os.ReadDir(corpus)
	if err != nil {
		return nil, fmt.Errorf("reading the sample corpus: %w", err)
	}
	c := &Corpus{Roots: map[string]string{}, Intact: map[string][]string{}, sabotage: map[string]func(string) error{}}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		v := e.Name()
		root := filepath.Join(dst, v)
		files, err := copyTree(filepath.Join(corpus, v), root)
		if err != nil {
			return nil, err
		}
		c.Roots[v] = root
		c.Vendors = append(c.Vendors, v)
		c.Intact[v] = files
		if err := c.plant(v, root, files, rng, opt); err != nil {
			return nil, fmt.Errorf("planting %s cases: %w", v, err)
		}
	}
	return c, nil
}

// copyTree copies the regular files under src to dst and returns their
// slash paths relative to src, sorted.
func copyTree(src, dst string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, filepath.ToSlash(rel))
		return os.WriteFile(out, data, 0o644)
	})
	slices.Sort(files)
	return files, err
}

// ruleFiles are the intact files that look like rules of the vendor: the
// vendor's extension, outside helper folders.
func ruleFiles(v string, files []string) []string {
	ext := layouts[v].ext
	var out []string
	for _, f := range files {
		if path.Ext(f) != ext && !(ext == ".yml" && path.Ext(f) == ".yaml") {
			continue
		}
		if strings.Contains(f, "deprecated") || strings.HasPrefix(f, "macros/") ||
			strings.HasPrefix(f, "data_models/") || strings.HasPrefix(f, "etc/") {
			continue
		}
		if v == "splunk" && !strings.HasPrefix(f, "detections/") {
			continue
		}
		out = append(out, f)
	}
	return out
}

func (c *Corpus) plant(v, root string, files []string, rng *rand.Rand, opt Options) error {
	lay, ok := layouts[v]
	if !ok {
		lay = vendorLayout{"planted", ".yml"}
	}
	dir := filepath.Join(root, filepath.FromSlash(lay.dir))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rules := ruleFiles(v, files)
	if len(rules) == 0 {
		return fmt.Errorf("no %s rule files to copy", v)
	}
	rel := func(name string) string { return lay.dir + "/" + name }
	add := func(name, file string, want Expect, data []byte) error {
		c.Cases = append(c.Cases, Case{Name: name, Vendor: v, Root: root, Path: rel(file), Want: want})
		return os.WriteFile(filepath.Join(dir, file), data, 0o644)
	}
	read := func(f string) ([]byte, error) { return os.ReadFile(filepath.Join(root, filepath.FromSlash(f))) }
	yamlVendor := lay.ext != ".toml"

	// Truncated copies of real rules.
	for i := range opt.Truncated {
		src := rules[rng.IntN(len(rules))]
		data, err := read(src)
		if err != nil {
			return err
		}
		cut := 1 + rng.IntN(len(data)-1)
		if err := copyCompanion(root, src, dir); err != nil {
			return err
		}
		if err := add(fmt.Sprintf("truncated %s at byte %d", src, cut), fmt.Sprintf("truncated_%d%s", i, lay.ext), Row, data[:cut]); err != nil {
			return err
		}
	}
	// Invalid UTF-8 inside a real rule.
	{
		src := rules[rng.IntN(len(rules))]
		data, err := read(src)
		if err != nil {
			return err
		}
		at := rng.IntN(len(data))
		bad := slices.Concat(data[:at], []byte{0xff, 0xfe}, data[at:])
		if err := add("invalid-utf8", "invalid_utf8"+lay.ext, Problem, bad); err != nil {
			return err
		}
	}
	if err := add("nul-filled", "nul"+lay.ext, Problem, make([]byte, 4096)); err != nil {
		return err
	}
	// A sparse file far over the size limit: refusing it must not read it.
	{
		p := filepath.Join(dir, "huge"+lay.ext)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			return err
		}
		if err := os.Truncate(p, opt.BigSize); err != nil {
			return err
		}
		c.Cases = append(c.Cases, Case{Name: "huge sparse file", Vendor: v, Root: root, Path: rel("huge" + lay.ext), Want: Problem})
	}
	if yamlVendor {
		if err := add("yaml flow nesting", "deep_flow"+lay.ext, Problem, deepFlowYAML(opt.Depth)); err != nil {
			return err
		}
		if err := add("yaml block nesting", "deep_block"+lay.ext, Problem, deepBlockYAML(opt.Depth)); err != nil {
			return err
		}
		if err := add("yaml billion laughs", "laughs"+lay.ext, Problem, billionLaughs()); err != nil {
			return err
		}
	} else {
		if err := add("toml duplicate keys", "duplicate_keys"+lay.ext, Problem, duplicateKeysTOML()); err != nil {
			return err
		}
		if err := add("toml array nesting", "deep_array"+lay.ext, Problem, deepTOML(opt.Depth)); err != nil {
			return err
		}
	}
	switch v {
	case "sigma":
		if err := add("long value list", "long_list.yml", Rule, longListSigma(opt.ListValues)); err != nil {
			return err
		}
	case "elastic":
		if err := add("long value list", "long_list.toml", Rule, longListElastic(opt.ListValues)); err != nil {
			return err
		}
	}
	// A symlink loop: Discover must not follow it.
	{
		loop := filepath.Join(dir, "loop")
		if err := os.MkdirAll(loop, 0o755); err != nil {
			return err
		}
		if err := os.Symlink("..", filepath.Join(loop, "up")); err != nil {
			return err
		}
		if err := os.Symlink(".", filepath.Join(loop, "self")); err != nil {
			return err
		}
		c.Cases = append(c.Cases, Case{Name: "symlink loop", Vendor: v, Root: root, Path: rel("loop"), Want: Loop})
	}
	// Symlinks to an intact rule and to a folder outside the root holding a
	// copy of one: the first is the same file as the rule, read once; the
	// second is followed and reads as a second copy.
	if v == "sigma" {
		src := rules[0]
		abs, err := filepath.Abs(filepath.Join(root, filepath.FromSlash(src)))
		if err != nil {
			return err
		}
		if err := os.Symlink(abs, filepath.Join(dir, "linked_"+path.Base(src))); err != nil {
			return err
		}
		c.Cases = append(c.Cases, Case{Name: "symlinked file", Vendor: v, Root: root, Path: rel("linked_" + path.Base(src)), Of: src, Want: SameFile})
		outside := filepath.Join(filepath.Dir(root), "outside-"+v)
		if err := os.MkdirAll(outside, 0o755); err != nil {
			return err
		}
		data, err := read(src)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(outside, path.Base(src)), data, 0o644); err != nil {
			return err
		}
		if err := os.Symlink(outside, filepath.Join(dir, "linked_folder")); err != nil {
			return err
		}
		c.Cases = append(c.Cases, Case{Name: "symlinked folder", Vendor: v, Root: root, Path: rel("linked_folder/" + path.Base(src)), Of: src, Want: Duplicate})
	}
	// An unreadable file: chmod 000; as root (permissions do not apply) the
	// file is swapped for a folder after discovery, so its read fails.
	{
		src := rules[0]
		data, err := read(src)
		if err != nil {
			return err
		}
		name := "unreadable" + lay.ext
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
		cs := Case{Name: "unreadable file", Vendor: v, Root: root, Path: rel(name), Want: Problem}
		if os.Geteuid() == 0 {
			cs.Note = "running as root: chmod 000 does not stop reads, so the file is replaced by a folder after discovery (read fails with EISDIR)"
			c.sabotage[p] = func(abs string) error {
				if err := os.Remove(abs); err != nil {
					return err
				}
				return os.Mkdir(abs, 0o755)
			}
		} else if err := os.Chmod(p, 0); err != nil {
			return err
		}
		c.Cases = append(c.Cases, cs)
	}
	// A file deleted between discovery and read.
	{
		data, err := read(rules[len(rules)-1])
		if err != nil {
			return err
		}
		name := "deleted" + lay.ext
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
		c.sabotage[p] = os.Remove
		c.Cases = append(c.Cases, Case{Name: "deleted after discovery", Vendor: v, Root: root, Path: rel(name), Want: Problem})
	}
	// Duplicate rule ids: a second copy of an intact rule.
	{
		src := rules[rng.IntN(len(rules))]
		data, err := read(src)
		if err != nil {
			return err
		}
		if err := add("duplicate of "+src, "duplicate_"+path.Base(src), Duplicate, data); err != nil {
			return err
		}
		c.Cases[len(c.Cases)-1].Of = src
		if err := copyCompanion(root, src, dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "empty"), 0o755); err != nil {
		return err
	}
	c.Cases = append(c.Cases, Case{Name: "empty folder", Vendor: v, Root: root, Path: rel("empty"), Want: Nothing})
	return nil
}

// copyCompanion copies the Python file beside a Panther rule (same base
// name) into dir, so a copied rule still finds it.
func copyCompanion(root, src, dir string) error {
	py := strings.TrimSuffix(src, path.Ext(src)) + ".py"
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(py)))
	if err != nil {
		return nil // none: not a Panther rule with a Python file
	}
	return os.WriteFile(filepath.Join(dir, path.Base(py)), data, 0o644)
}

// Frontends wraps fronts so that the sabotaged files (deleted, made
// unreadable) change on disk right after discovery matched them.
func (c *Corpus) Frontends(fronts []rule.Frontend) []rule.Frontend {
	out := make([]rule.Frontend, len(fronts))
	for i, f := range fronts {
		out[i] = frontend{Frontend: f, c: c}
	}
	return out
}

// Restore undoes what sabotage and chmod did, so t.TempDir can clean up.
func (c *Corpus) Restore() {
	for _, cs := range c.Cases {
		if cs.Name == "unreadable file" {
			_ = os.Chmod(filepath.Join(cs.Root, filepath.FromSlash(cs.Path)), 0o644)
		}
	}
}

type frontend struct {
	rule.Frontend
	c *Corpus
}

func (f frontend) Open(root string) (rule.Source, error) {
	src, err := f.Frontend.Open(root)
	if err != nil {
		return nil, err
	}
	return source{Source: src, root: root, c: f.c}, nil
}

type source struct {
	rule.Source
	root string
	c    *Corpus
}

func (s source) Match(rel string, d fs.DirEntry) bool {
	ok := s.Source.Match(rel, d)
	abs := filepath.Join(s.root, filepath.FromSlash(rel))
	s.c.mu.Lock()
	act := s.c.sabotage[abs]
	delete(s.c.sabotage, abs)
	s.c.mu.Unlock()
	if ok && act != nil {
		if err := act(abs); err != nil {
			panic(fmt.Sprintf("badinput: sabotaging %s: %v", abs, err))
		}
	}
	return ok
}

// deepFlowYAML nests n flow sequences inside a rule-shaped mapping.
func deepFlowYAML(n int) []byte {
	var b strings.Builder
	b.WriteString("title: deep flow\nid: 00000000-0000-4000-8000-00000000d001\ndetection:\n  selection:\n    Image: ")
	b.WriteString(strings.Repeat("[", n))
	b.WriteString("x")
	b.WriteString(strings.Repeat("]", n))
	b.WriteString("\n  condition: selection\n")
	return []byte(b.String())
}

// deepBlockYAML nests n block sequences with compact "- " indicators.
func deepBlockYAML(n int) []byte {
	var b strings.Builder
	b.WriteString("title: deep block\nid: 00000000-0000-4000-8000-00000000d002\ndetection:\n  selection:\n    Image:\n      ")
	b.WriteString(strings.Repeat("- ", n))
	b.WriteString("x\n  condition: selection\n")
	return []byte(b.String())
}

// billionLaughs expands to 10^9 scalars through nine levels of aliases.
func billionLaughs() []byte {
	var b strings.Builder
	b.WriteString("title: laughs\nid: 00000000-0000-4000-8000-00000000d003\nlols:\n")
	b.WriteString("  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		fmt.Fprintf(&b, "  %s: &%s [%s]\n", name, name, strings.TrimSuffix(strings.Repeat("*"+prev+",", 10), ","))
		prev = name
	}
	b.WriteString("detection:\n  selection:\n    Image: *i\n  condition: selection\n")
	return []byte(b.String())
}

func duplicateKeysTOML() []byte {
	return []byte(`[metadata]
creation_date = "2024/01/01"
updated_date = "2024/01/01"

[rule]
rule_id = "00000000-0000-4000-8000-00000000d004"
name = "Duplicate keys"
name = "Duplicate keys again"
type = "query"
language = "kuery"
query = 'process.name : "a.exe"'
query = 'process.name : "b.exe"'
`)
}

func deepTOML(n int) []byte {
	return []byte(`[metadata]
creation_date = "2024/01/01"

[rule]
rule_id = "00000000-0000-4000-8000-00000000d005"
name = "Deep arrays"
type = "query"
language = "kuery"
query = 'process.name : "a.exe"'
tags = ` + strings.Repeat("[", n) + `"x"` + strings.Repeat("]", n) + "\n")
}

func longListSigma(n int) []byte {
	var b strings.Builder
	b.WriteString(`title: Long value list
id: 00000000-0000-4000-8000-00000000d006
status: test
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith:
`)
	for i := range n {
		fmt.Fprintf(&b, "            - '\\tool%06d.exe'\n", i)
	}
	b.WriteString("    condition: selection\nlevel: low\n")
	return []byte(b.String())
}

func longListElastic(n int) []byte {
	var b strings.Builder
	b.WriteString(`[metadata]
creation_date = "2024/01/01"
updated_date = "2024/01/01"

[rule]
author = ["ruleatlas"]
description = "A rule with a very long value list."
index = ["logs-endpoint.events.process-*"]
language = "kuery"
name = "Long value list"
risk_score = 21
rule_id = "00000000-0000-4000-8000-00000000d007"
severity = "low"
type = "query"
query = '''
process.name : (`)
	for i := range n {
		if i > 0 {
			b.WriteString(" or ")
		}
		fmt.Fprintf(&b, "tool%06d.exe", i)
	}
	b.WriteString(")\n'''\n")
	return []byte(b.String())
}
