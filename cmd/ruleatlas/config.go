package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/pipeline"
)

// DefaultConfig is the config file looked for in the working directory
// when --config is not given.
const DefaultConfig = "ruleatlas.yaml"

// Config is the ruleatlas.yaml file: everything a scheduled run needs.
// Command-line flags override it; relative paths are relative to the file.
type Config struct {
	Sources           map[string][]ConfigSource `yaml:"sources"`
	Attack            string                    `yaml:"attack"`
	AttackVersion     string                    `yaml:"attack_version"`
	Out               string                    `yaml:"out"`
	Formats           []string                  `yaml:"formats"`
	Filters           ConfigFilters             `yaml:"filters"`
	Workers           int                       `yaml:"workers"`
	ReportDate        string                    `yaml:"report_date"`
	IncludeDeprecated bool                      `yaml:"include_deprecated"`
	MaxFileSize       int64                     `yaml:"max_file_size"`
	SplunkMacros      string                    `yaml:"splunk_macros"`
	Strict            bool                      `yaml:"strict"`
	StrictPartial     bool                      `yaml:"strict_partial"`
	// Kinds are the rule kinds coverage and the aggregates count (kind
	// names or all); empty = the alerting kinds.
	Kinds   []string      `yaml:"kinds"`
	History ConfigHistory `yaml:"history"`

	dir string // the folder of the config file
}

// ConfigSource is one rule repository: a path, or {path, name}.
type ConfigSource struct {
	Path string `yaml:"path"`
	Name string `yaml:"name"`
}

// UnmarshalYAML accepts a plain path or a mapping.
func (s *ConfigSource) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		s.Path = n.Value
		return nil
	}
	type plain ConfigSource
	var p plain
	if err := decodeStrict(n, &p); err != nil {
		return err
	}
	*s = ConfigSource(p)
	if s.Path == "" {
		return fmt.Errorf("line %d: source needs a path", n.Line)
	}
	return nil
}

// decodeStrict decodes a node rejecting unknown keys.
func decodeStrict(n *yaml.Node, v any) error {
	data, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		// Positions in the re-encoded node are relative; report the node's line.
		return fmt.Errorf("line %d: %s", n.Line, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}

// ConfigFilters narrow every table alike.
type ConfigFilters struct {
	Platforms  []string `yaml:"platforms"`
	Domains    []string `yaml:"domains"`
	Vendors    []string `yaml:"vendors"`
	Techniques []string `yaml:"techniques"`
}

// LoadConfig reads and validates a config file. Unknown keys and vendors
// are errors naming the key and line.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %s", path, configError(err))
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	for vendor := range c.Sources {
		if !slices.Contains(pipeline.Vendors, vendor) {
			return nil, fmt.Errorf("%s: line %d: unknown vendor %q under sources (known: %s)", path,
				keyLine(&root, "sources", vendor), vendor, strings.Join(pipeline.Vendors, ", "))
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	c.dir = filepath.Dir(abs)
	return &c, nil
}

var notFound = regexp.MustCompile(`field (\S+) not found in type \S+`)

// configError words a YAML decoding error for a person: one line per
// problem, unknown fields named as keys.
func configError(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, len(te.Errors))
		for i, e := range te.Errors {
			msgs[i] = notFound.ReplaceAllString(e, "unknown key \"$1\"")
		}
		return strings.Join(msgs, "; ")
	}
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// keyLine finds the line of key under section in a YAML document.
func keyLine(doc *yaml.Node, section, key string) int {
	if len(doc.Content) == 0 {
		return 0
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != section {
			continue
		}
		s := m.Content[i+1]
		for j := 0; j+1 < len(s.Content); j += 2 {
			if s.Content[j].Value == key {
				return s.Content[j].Line
			}
		}
	}
	return 0
}

// path resolves a path of the config relative to its folder.
func (c *Config) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

// sources lists the config's sources in vendor order.
func (c *Config) sources() []pipeline.Source {
	var out []pipeline.Source
	for _, v := range pipeline.Vendors {
		for _, s := range c.Sources[v] {
			out = append(out, pipeline.Source{Vendor: v, Root: c.path(s.Path)})
		}
	}
	return out
}
