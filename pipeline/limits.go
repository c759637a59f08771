package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// DefaultParseTimeout is the default time limit for reading and parsing
// one file.
const DefaultParseTimeout = 10 * time.Second

// Limits on YAML structure, checked before a frontend sees the file.
const (
	// MaxYAMLDepth bounds the nesting of YAML collections. Real rules stay
	// below 10.
	MaxYAMLDepth = 100
	// MaxYAMLAliasNodes bounds the nodes YAML aliases may add when expanded
	// (billion-laughs documents add billions).
	MaxYAMLAliasNodes = 100000
)

// abandonedParses counts parses given up after the time limit whose
// goroutines are still running (they cannot be stopped).
var abandonedParses atomic.Int64

// parser loads files one at a time with a time limit each, on a goroutine
// that outlives single files: its stack, grown by the recursive parsers,
// serves the next file instead of being grown again on a fresh goroutine.
// A parse past the limit abandons that goroutine (it finishes in the
// background, counted in abandonedParses) and the next file gets a new one.
// A parser is used by one worker; close ends its goroutine.
type parser struct {
	limit   int64
	timeout time.Duration
	jobs    chan parseJob
	done    chan parseResult
	timer   *time.Timer
}

type parseJob struct {
	f     fileRef
	state *atomic.Int32 // 0 running, 1 finished, 2 abandoned
}

type parseResult struct {
	res rule.Result
	err error
}

// newParser returns a parser reading files of at most limit bytes, each
// within timeout (timeout <= 0: no time limit, parsed on the caller's
// goroutine).
func newParser(limit int64, timeout time.Duration) *parser {
	return &parser{limit: limit, timeout: timeout}
}

// load reads and parses one file within the time limit.
func (p *parser) load(f fileRef) (rule.Result, error) {
	if p.timeout <= 0 {
		return loadFile(f, p.limit)
	}
	if p.jobs == nil {
		jobs, done := make(chan parseJob), make(chan parseResult, 1)
		go func() {
			for j := range jobs {
				res, err := loadFile(j.f, p.limit)
				if !j.state.CompareAndSwap(0, 1) {
					abandonedParses.Add(-1)
				}
				done <- parseResult{res, err}
			}
		}()
		p.jobs, p.done = jobs, done
	}
	state := new(atomic.Int32)
	p.jobs <- parseJob{f, state}
	if p.timer == nil {
		p.timer = time.NewTimer(p.timeout)
	} else {
		p.timer.Reset(p.timeout)
	}
	select {
	case r := <-p.done:
		p.timer.Stop()
		return r.res, r.err
	case <-p.timer.C:
		if !state.CompareAndSwap(0, 2) { // finished just now: take the result
			r := <-p.done
			return r.res, r.err
		}
		abandonedParses.Add(1)
		close(p.jobs) // the goroutine ends once its parse returns
		p.jobs, p.done = nil, nil
		return rule.Result{}, fmt.Errorf("parsing took longer than %s (--parse-timeout); given up", p.timeout)
	}
}

// close ends the parser's goroutine, which is idle between loads (a parse
// given up on has already been left to its own goroutine).
func (p *parser) close() {
	if p.jobs != nil {
		close(p.jobs)
		p.jobs, p.done = nil, nil
	}
	if p.timer != nil {
		p.timer.Stop()
	}
}

// panicError turns a panic recovered in one file's parse into its error:
// with the stack when RULEATLAS_DEBUG is set, else a hint how to get it.
func panicError(p any) error {
	if os.Getenv("RULEATLAS_DEBUG") != "" {
		return fmt.Errorf("internal error while parsing (please report): panic: %v\n%s", p, debug.Stack())
	}
	return fmt.Errorf("internal error while parsing (please report): panic: %v; rerun with RULEATLAS_DEBUG=1 for the stack", p)
}

// checkLimits applies the structural limits to a file's bytes before its
// frontend parses it. Only YAML files are checked.
func checkLimits(rel string, data []byte) error {
	switch strings.ToLower(path.Ext(rel)) {
	case ".yml", ".yaml":
		return checkYAML(data)
	}
	return nil
}

// checkYAML scans YAML bytes for collections nested deeper than
// MaxYAMLDepth, and, when the file has both anchors and aliases, parses it
// to bound what the aliases expand to. The scan follows quoting, comments
// and block scalars closely enough for rule files; it errs towards
// counting less, never more.
func checkYAML(data []byte) error {
	var (
		indents     []int // indentation of the open block collections
		flow        int   // open flow collections
		quote       byte  // ' or " while inside a quoted scalar
		blockIndent = -1  // indentation of a block scalar's parent line
		anchors     bool
		aliases     bool
	)
	all := data
	line := 0
	for len(data) > 0 {
		line++
		ln := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			ln, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		ln = bytes.TrimSuffix(ln, []byte{'\r'})
		indent := 0
		for indent < len(ln) && ln[indent] == ' ' {
			indent++
		}
		blank := indent == len(ln) || ln[indent] == '#'
		if blockIndent >= 0 {
			if indent == len(ln) || indent > blockIndent {
				continue
			}
			blockIndent = -1
		}
		j := indent
		if quote == 0 && flow == 0 {
			if blank {
				continue
			}
			for len(indents) > 0 && indents[len(indents)-1] >= indent {
				indents = indents[:len(indents)-1]
			}
			indents = append(indents, indent)
			depth := len(indents)
			// Compact nested sequences: "- - - x" on one line.
			for j < len(ln) && ln[j] == '-' && (j+1 == len(ln) || ln[j+1] == ' ') {
				depth++
				j++
				for j < len(ln) && ln[j] == ' ' {
					j++
				}
			}
			if depth > MaxYAMLDepth {
				return rule.Errorf(line, j+1, "YAML nesting deeper than %d levels", MaxYAMLDepth)
			}
		}
		tokenStart := true
		for ; j < len(ln); j++ {
			c := ln[j]
			if quote != 0 {
				switch {
				case quote == '"' && c == '\\':
					j++
				case c == quote && quote == '\'' && j+1 < len(ln) && ln[j+1] == '\'':
					j++
				case c == quote:
					quote = 0
				}
				continue
			}
			start := tokenStart
			tokenStart = false
			switch c {
			case ' ', '\t':
				tokenStart = start || j > 0 && strings.IndexByte(":-,[{", ln[j-1]) >= 0
				continue
			case '#':
				if start || j > 0 && ln[j-1] == ' ' {
					j = len(ln)
				}
				continue
			}
			if flow > 0 {
				switch c {
				case '[', '{':
					flow++
					if flow > MaxYAMLDepth {
						return rule.Errorf(line, j+1, "YAML nesting deeper than %d levels", MaxYAMLDepth)
					}
					tokenStart = true
					continue
				case ']', '}':
					flow--
					continue
				case ',':
					tokenStart = true
					continue
				}
			}
			if !start {
				continue
			}
			switch c {
			case '\'', '"':
				quote = c
			case '[', '{':
				flow++
				tokenStart = true
			case '&':
				anchors = true
			case '*':
				aliases = true
			case '|', '>':
				if flow == 0 {
					blockIndent = indent
					j = len(ln)
				}
			}
		}
	}
	if anchors && aliases {
		return checkYAMLAliases(all)
	}
	return nil
}

// errAliasCycle marks an alias that refers to a node containing itself.
var errAliasCycle = errors.New("YAML alias refers to itself")

// checkYAMLAliases parses the documents and bounds the nodes their aliases
// expand to.
func checkYAMLAliases(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return nil // syntax errors are the frontend's to report
		}
		size := map[*yaml.Node]int64{}
		var worst *yaml.Node
		var worstSize int64
		var measure func(n *yaml.Node) (int64, error)
		measure = func(n *yaml.Node) (int64, error) {
			if s, ok := size[n]; ok {
				if s < 0 {
					return 0, errAliasCycle
				}
				return s, nil
			}
			size[n] = -1
			var s int64 = 1
			if n.Kind == yaml.AliasNode && n.Alias != nil {
				a, err := measure(n.Alias)
				if err == errAliasCycle {
					return 0, rule.Errorf(n.Line, n.Column, "YAML alias *%s refers to a node that contains it", n.Value)
				}
				if err != nil {
					return 0, err
				}
				s = a
				if a > worstSize {
					worst, worstSize = n, a
				}
			}
			for _, c := range n.Content {
				cs, err := measure(c)
				if err != nil {
					return 0, err
				}
				s += cs
				if s > 1<<40 {
					s = 1 << 40
				}
			}
			size[n] = s
			return s, nil
		}
		total, err := measure(&doc)
		if err != nil {
			return err
		}
		if total-int64(len(size)) > MaxYAMLAliasNodes && worst != nil {
			return rule.Errorf(worst.Line, worst.Column, "YAML aliases expand to more than %d nodes", MaxYAMLAliasNodes)
		}
	}
}
