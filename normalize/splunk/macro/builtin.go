package macro

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// builtinYAML holds the macros Splunk apps define (Enterprise Security, the
// Common Information Model add-on, ES Content Update), kept as data.
//
//go:embed builtin.yaml
var builtinYAML []byte

// builtinEntry is one entry of builtin.yaml.
type builtinEntry struct {
	Name       string   `yaml:"name"`
	Args       []string `yaml:"args"`
	Definition string   `yaml:"definition"`
	Source     string   `yaml:"source"`
	Note       string   `yaml:"note"`
}

var builtins = sync.OnceValues(func() ([]Def, error) { return parseBuiltins(builtinYAML) })

// parseBuiltins decodes the built-in table; every entry needs a name, a
// definition and its source, and a key may appear once.
func parseBuiltins(data []byte) ([]Def, error) {
	var entries []builtinEntry
	if err := yaml.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("built-in macros: %w", err)
	}
	seen := map[string]bool{}
	defs := make([]Def, 0, len(entries))
	for i, e := range entries {
		d := Def{Name: strings.TrimSpace(e.Name), Args: e.Args, Definition: e.Definition, Source: strings.TrimSpace(e.Source)}
		switch {
		case d.Name == "" || d.Definition == "":
			return nil, fmt.Errorf("built-in macros: entry %d needs a name and a definition", i+1)
		case d.Source == "":
			return nil, fmt.Errorf("built-in macro %s: no source named", d.Key())
		case seen[d.Key()]:
			return nil, fmt.Errorf("built-in macro %s defined twice", d.Key())
		}
		seen[d.Key()] = true
		defs = append(defs, d)
	}
	return defs, nil
}

// Builtins returns the definitions of the macros Splunk apps ship
// (drop_dm_object_name, summariesonly, get_asset, …), each with its Source.
func Builtins() []Def {
	defs, err := builtins()
	if err != nil {
		panic(err) // the embedded table is checked by the package tests
	}
	return append([]Def(nil), defs...)
}

// WithBuiltins returns a Set holding the built-in definitions and those of
// s; a definition of s replaces the built-in one of the same key.
func WithBuiltins(s *Set) *Set {
	defs := Builtins()
	if s != nil {
		for _, k := range s.Keys() {
			defs = append(defs, s.defs[k])
		}
	}
	return NewSet(defs...)
}
