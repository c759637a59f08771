package sigma

// A second, independent reading of Sigma detections (issue 20): a small
// reader written apart from the frontend, on go.yaml.in/yaml/v3 directly,
// derives each rule's multiset of raw (field, op, value) predicates straight
// from the Sigma specification, and the test compares it with what the
// frontend hands on (FieldRaw, Op, Value before normalization).

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// tok is one unit of a Sigma string value: a literal byte or a wildcard.
type tok struct {
	b    byte
	wild bool // b is '*' or '?' as a wildcard
}

// sigmaTokens splits a value as Sigma reads it: `*` and `?` are wildcards,
// `\*`, `\?` and `\\` are the literal characters, any other backslash is
// itself.
func sigmaTokens(s string) []tok {
	var out []tok
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte(`*?\`, s[i+1]) >= 0:
			out = append(out, tok{b: s[i+1]})
			i++
		case c == '*' || c == '?':
			out = append(out, tok{b: c, wild: true})
		default:
			out = append(out, tok{b: c})
		}
	}
	return out
}

func literal(s string) []tok {
	out := make([]tok, len(s))
	for i := range s {
		out[i] = tok{b: s[i]}
	}
	return out
}

// render writes tokens back in the escaped Sigma form (the canonical form
// wildcard values are compared in).
func render(ts []tok) string {
	var b strings.Builder
	for _, t := range ts {
		if !t.wild && strings.IndexByte(`*?\`, t.b) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(t.b)
	}
	return b.String()
}

func plain(ts []tok) string {
	b := make([]byte, len(ts))
	for i, t := range ts {
		b[i] = t.b
	}
	return string(b)
}

// classify applies SPEC §4 to a token string: only stars → is_not_null;
// no wildcard → eq; *x* contains, x* startswith, *x endswith; else wildcard.
func classify(ts []tok) (string, string) {
	stars, wilds := 0, 0
	for _, t := range ts {
		if t.wild {
			wilds++
			if t.b == '*' {
				stars++
			}
		}
	}
	switch {
	case len(ts) > 0 && stars == len(ts):
		return "is_not_null", ""
	case wilds == 0:
		return "eq", plain(ts)
	case wilds != stars:
		return "wildcard", render(ts)
	}
	lead := ts[0].wild
	trail := len(ts) > 1 && ts[len(ts)-1].wild
	core := ts
	if lead {
		core = core[1:]
	}
	if trail {
		core = core[:len(core)-1]
	}
	for _, t := range core {
		if t.wild {
			return "wildcard", render(ts)
		}
	}
	switch {
	case lead && trail:
		return "contains", plain(core)
	case lead:
		return "endswith", plain(core)
	}
	return "startswith", plain(core)
}

type triple struct{ field, op, value string }

func (p triple) String() string { return fmt.Sprintf("%s %s %q", p.field, p.op, p.value) }

// readItem derives the predicates of one `field|mods: values` item.
func readItem(key string, v *yaml.Node) ([]triple, error) {
	parts := strings.Split(key, "|")
	field, mods := parts[0], map[string]bool{}
	var order []string
	for _, m := range parts[1:] {
		mods[m] = true
		order = append(order, m)
	}
	if field == "" {
		field = "keywords"
	}
	vals := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		vals = v.Content
	}
	var out []triple
	for _, vn := range vals {
		if vn.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("%s: value is not a scalar", key)
		}
		ts, err := readValue(field, order, mods, vn)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	if len(vals) > 1 && !mods["all"] {
		for i := range out {
			if out[i].op == "eq" {
				out[i].op = "in"
			}
		}
	}
	return out, nil
}

func readValue(field string, order []string, mods map[string]bool, vn *yaml.Node) ([]triple, error) {
	s := vn.Value
	one := func(op, v string) []triple { return []triple{{field, op, v}} }
	switch {
	case vn.Tag == "!!null":
		return one("is_null", ""), nil
	case mods["exists"]:
		if s == "false" || s == "False" || s == "no" {
			return one("is_null", ""), nil
		}
		return one("is_not_null", ""), nil
	case mods["re"]:
		fl := ""
		for _, f := range order {
			if f == "i" || f == "m" || f == "s" {
				fl += f
			}
		}
		if fl != "" {
			s = "(?" + fl + ")" + s
		}
		return one("regex_match", s), nil
	case mods["cidr"]:
		return one("cidr_match", s), nil
	case mods["fieldref"]:
		return one("eq", "fieldref:"+s), nil
	}
	for _, m := range []string{"gt", "gte", "lt", "lte"} {
		if mods[m] {
			return one(m, s), nil
		}
	}
	forms := [][]tok{sigmaTokens(s)}
	for _, m := range order {
		switch m {
		case "contains", "startswith", "endswith", "all", "windash", "expand", "cased", "i", "m", "s":
		case "wide", "utf16le", "utf16be", "utf16":
			forms = [][]tok{literal(utf16Of(s, m))}
			s = utf16Of(s, m)
		case "base64":
			s = base64.StdEncoding.EncodeToString([]byte(s))
			forms = [][]tok{literal(s)}
		case "base64offset":
			forms = nil
			for _, o := range offsetsOf(s) {
				forms = append(forms, literal(o))
			}
		default:
			return nil, fmt.Errorf("modifier %q not known to the second reader", m)
		}
	}
	var out []triple
	star := tok{b: '*', wild: true}
	for _, f := range forms {
		switch {
		case mods["contains"]:
			f = append(append([]tok{star}, f...), star)
		case mods["startswith"]:
			f = append(f, star)
		case mods["endswith"]:
			f = append([]tok{star}, f...)
		}
		op, v := classify(f)
		if field == "keywords" && op != "wildcard" {
			op = "match"
		}
		out = append(out, triple{field, op, v})
	}
	return out, nil
}

func utf16Of(s, m string) string {
	var b []byte
	if m == "utf16" {
		b = []byte{0xff, 0xfe}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if m == "utf16be" {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return string(b)
}

// offsetsOf is Sigma's base64offset: the value base64-encoded after 0, 1
// and 2 padding bytes, without the characters that depend on its
// neighbours (pySigma's start offsets 0, 2, 3 and end cuts by length).
func offsetsOf(s string) []string {
	var out []string
	for shift, start := range []int{0, 2, 3} {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(" ", shift) + s))
		end := len(enc) - []int{0, 3, 2}[(len(s)+shift)%3]
		if end >= start {
			out = append(out, enc[start:end])
		}
	}
	return out
}

// readSearch derives the predicates of one search identifier.
func readSearch(n *yaml.Node) ([]triple, error) {
	switch n.Kind {
	case yaml.MappingNode:
		var out []triple
		for i := 0; i+1 < len(n.Content); i += 2 {
			ts, err := readItem(n.Content[i].Value, n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out = append(out, ts...)
		}
		return out, nil
	case yaml.SequenceNode:
		var out, kws []triple
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode {
				op, v := classify(sigmaTokens(c.Value))
				if op != "wildcard" && op != "is_not_null" {
					op = "match"
				}
				kws = append(kws, triple{"keywords", op, v})
				continue
			}
			ts, err := readSearch(c)
			if err != nil {
				return nil, err
			}
			out = append(out, ts...)
		}
		return append(out, kws...), nil
	case yaml.ScalarNode:
		return readSearch(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{n}})
	}
	return nil, errors.New("search is neither mapping, list nor scalar")
}

var condToken = regexp.MustCompile(`\(|\)|[^\s()]+`)

// readDetection derives a rule's predicates: every search the condition
// names, once per mention (`1 of x*` / `all of them` name the matching
// searches; `them` leaves out names starting with `_`).
func readDetection(det *yaml.Node) ([]triple, error) {
	if det == nil || det.Kind != yaml.MappingNode {
		return nil, errors.New("no detection mapping")
	}
	searches := map[string][]triple{}
	var names, conds []string
	for i := 0; i+1 < len(det.Content); i += 2 {
		k, v := det.Content[i].Value, det.Content[i+1]
		switch k {
		case "condition":
			if v.Kind == yaml.ScalarNode {
				conds = []string{v.Value}
			}
			for _, c := range v.Content {
				conds = append(conds, c.Value)
			}
			continue
		case "timeframe":
			continue
		}
		ts, err := readSearch(v)
		if err != nil {
			return nil, err
		}
		names = append(names, k)
		searches[k] = ts
	}
	var out []triple
	for _, c := range conds {
		toks := condToken.FindAllString(c, -1)
		for i := 0; i < len(toks); i++ {
			t := toks[i]
			switch strings.ToLower(t) {
			case "and", "or", "not", "(", ")":
				continue
			case "1", "any", "all":
				if i+2 < len(toks) && strings.EqualFold(toks[i+1], "of") {
					pat := toks[i+2]
					for _, n := range names {
						ok, _ := path.Match(pat, n)
						if pat == "them" && !strings.HasPrefix(n, "_") || ok {
							out = append(out, searches[n]...)
						}
					}
					i += 2
					continue
				}
			}
			ts, ok := searches[t]
			if !ok {
				return nil, fmt.Errorf("condition %q: unknown token %q", c, t)
			}
			out = append(out, ts...)
		}
	}
	return out, nil
}

// readFile derives the predicates of each rule document of a file.
func readFile(data []byte) ([][]triple, []error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out [][]triple
	var errs []error
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if !errors.Is(err, io.EOF) {
				errs = append(errs, err)
			}
			return out, errs
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		var det *yaml.Node
		m := doc.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == "detection" {
				det = m.Content[i+1]
			}
		}
		if det == nil {
			continue
		}
		ts, err := readDetection(det)
		out = append(out, ts)
		errs = append(errs, err)
	}
}

// canonical renders a predicate for comparison; a wildcard value is
// compared in the second reader's escaped form.
func canonical(p triple) string {
	if p.op == "wildcard" {
		p.value = render(sigmaTokens(p.value))
	}
	return p.String()
}

func multiset(ps []triple) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = canonical(p)
	}
	sort.Strings(out)
	return out
}

// firstDifference names one predicate only one side has.
func firstDifference(mine, theirs []string) string {
	count := map[string]int{}
	for _, s := range mine {
		count[s]++
	}
	for _, s := range theirs {
		count[s]--
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case count[k] > 0:
			return "only the second reading has " + k
		case count[k] < 0:
			return "only the frontend has " + k
		}
	}
	return "same multiset"
}

func TestSecondReadingSharedCorpus(t *testing.T) {
	root := pipetest.SharedCorpus(t, "sigma")
	var rules, agree, preds, spaced int
	reasons := map[string][]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yml") && !strings.HasSuffix(p, ".yaml") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		mine, errs := readFile(data)
		res, loadErr := source{}.Load(rule.File{Path: filepath.ToSlash(rel), Data: data})
		var theirs [][]triple
		var failed []string
		for _, r := range res.Rules {
			if r.Kind == rule.KindCorrelation {
				continue
			}
			var ts []triple
			for _, pr := range r.Predicates {
				ts = append(ts, triple{pr.FieldRaw, string(pr.Op), pr.Value})
			}
			theirs = append(theirs, ts)
			if r.ParseStatus == rule.StatusFailed {
				failed = append(failed, r.ParseError)
			} else {
				failed = append(failed, "")
			}
		}
		for _, ts := range mine {
			preds += len(ts)
			for _, p := range ts {
				if p.value != strings.TrimSpace(p.value) {
					spaced++
				}
			}
		}
		n := max(len(mine), len(theirs))
		for i := range n {
			rules++
			why := ""
			switch {
			case loadErr != nil:
				why = "frontend could not load the file: " + loadErr.Error()
			case i >= len(mine) || i >= len(theirs):
				why = fmt.Sprintf("rule count differs: second reading %d, frontend %d", len(mine), len(theirs))
			case errs[i] != nil:
				why = "second reading could not read it: " + errs[i].Error()
			case failed[i] != "":
				why = "frontend failed: " + failed[i]
			default:
				a, b := multiset(mine[i]), multiset(theirs[i])
				if strings.Join(a, "\n") != strings.Join(b, "\n") {
					why = firstDifference(a, b)
				}
			}
			if why == "" {
				agree++
				continue
			}
			reason := why
			if j := strings.Index(why, ":"); j > 0 {
				reason = why[:j]
			}
			if strings.HasPrefix(why, "only") {
				reason = "predicates differ"
			}
			reasons[reason] = append(reasons[reason], rel+": "+why)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rules == 0 {
		t.Fatal("no Sigma rule read from the shared corpus")
	}
	rate := 100 * float64(agree) / float64(rules)
	t.Logf("second reading agrees on %d of %d rules (%.2f%%); %d predicates, %d values with leading or trailing whitespace",
		agree, rules, rate, preds, spaced)
	for reason, list := range reasons {
		t.Logf("%d rules: %s", len(list), reason)
		for _, l := range list {
			t.Logf("  %s", l)
		}
	}
	if rate < 99 {
		t.Errorf("agreement %.2f%% is below 99%%", rate)
	}
}
