package macro

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testSet = NewSet(
	Def{Name: "sysmon", Definition: "sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational"},
	Def{Name: "ctime", Args: []string{"field"}, Definition: `convert timeformat="%H" ctime($field$)`},
	Def{Name: "two", Args: []string{"a", "b"}, Definition: `$a$=$b$ $a$!=x`},
	Def{Name: "outer", Definition: "`sysmon` EventCode=1"},
	Def{Name: "summariesonly", Definition: "summariesonly=`cfg`"},
	Def{Name: "cfg", Definition: "false"},
	Def{Name: "loop_a", Definition: "a `loop_b`"},
	Def{Name: "loop_b", Definition: "b `loop_a`"},
	Def{Name: "self", Definition: "x `self`"},
	Def{Name: "tuned_filter", Definition: "search user!=svc_*"},
	Def{Name: "shipped_filter", Definition: "search *"},
)

func TestExpand(t *testing.T) {
	tests := map[string]struct {
		in, want string
		notes    []string
		statuses []Status
	}{
		"plain":           {"`sysmon` EventCode=1", "sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational EventCode=1", nil, []Status{Expanded}},
		"argument":        {"| `ctime(firstTime)`", `| convert timeformat="%H" ctime(firstTime)`, nil, []Status{Expanded}},
		"two arguments":   {"`two(user, \"a,b\")`", `user="a,b" user!=x`, nil, []Status{Expanded}},
		"nested":          {"| tstats `summariesonly` count", "| tstats summariesonly=false count", nil, []Status{Expanded, Expanded}},
		"recursive":       {"`outer`", "sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational EventCode=1", nil, []Status{Expanded, Expanded}},
		"missing":         {"a `nope` b", "a  b", []string{"macro `nope` not found"}, []Status{Missing}},
		"wrong arity":     {"`ctime`", "", []string{"macro `ctime` not found"}, []Status{Missing}},
		"filter absent":   {"a | `x_filter`", "a | ", nil, []Status{FilterEmpty}},
		"filter search *": {"a | `shipped_filter`", "a | ", nil, []Status{FilterEmpty}},
		"filter defined":  {"a | `tuned_filter`", "a | search user!=svc_*", nil, []Status{Expanded}},
		"cycle":           {"`loop_a`", "a b ", []string{"macro `loop_a` refers to itself"}, []Status{Expanded, Expanded, Cycle}},
		"self":            {"`self`", "x ", []string{"macro `self` refers to itself"}, []Status{Expanded, Cycle}},
		"quoted kept":     {"a=\"`sysmon`\" `cfg`", "a=\"`sysmon`\" false", nil, []Status{Expanded}},
		"escaped quote":   {"a=*\\\"x\\\":1* | `cfg`", "a=*\\\"x\\\":1* | false", nil, []Status{Expanded}},
		"comment":         {"a ```note `sysmon` ``` b", "a  b", nil, nil},
		"malformed":       {"a `f(x` b", "a  b", []string{"malformed macro reference `f(x` dropped"}, []Status{Malformed}},
		"unterminated":    {"a `sysmon", "a `sysmon", nil, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			e := testSet.Expand(tc.in)
			assert.Equal(t, tc.want, e.Text)
			assert.Equal(t, tc.notes, e.Notes)
			var st []Status
			for _, r := range e.Refs {
				st = append(st, r.Status)
			}
			assert.Equal(t, tc.statuses, st)
		})
	}
}

func TestExpandLimits(t *testing.T) {
	// Each level doubles: 2^30 references without the limits.
	var defs []Def
	for i := 0; i < 30; i++ {
		defs = append(defs, Def{Name: "m" + string(rune('a'+i%26)) + strings.Repeat("x", i/26),
			Definition: strings.Repeat("`m"+string(rune('a'+(i+1)%26))+strings.Repeat("x", (i+1)/26)+"` ", 2)})
	}
	e := NewSet(defs...).Expand("`ma`")
	assert.LessOrEqual(t, len(e.Text), MaxOutput)
	assert.NotEmpty(t, e.Notes)

	big := NewSet(Def{Name: "big", Definition: strings.Repeat("x", 4096) + " `big2` `big2`"},
		Def{Name: "big2", Definition: strings.Repeat("y", 1<<16) + " `big3` `big3`"},
		Def{Name: "big3", Definition: strings.Repeat("z", 1<<18)})
	e = big.Expand("`big` `big` `big`")
	assert.True(t, e.Truncated)
	assert.LessOrEqual(t, len(e.Text), MaxOutput)
}

func TestOrigin(t *testing.T) {
	src := "a=1 `sysmon` b=2 | `ctime(x)`"
	e := testSet.Expand(src)
	off := strings.Index(e.Text, "b=2")
	got, name := e.Origin(off)
	assert.Equal(t, strings.Index(src, "b=2"), got)
	assert.Empty(t, name)
	got, name = e.Origin(strings.Index(e.Text, "Sysmon"))
	assert.Equal(t, strings.Index(src, "`sysmon`"), got)
	assert.Equal(t, "sysmon", name)
	got, name = e.Origin(strings.Index(e.Text, "ctime("))
	assert.Equal(t, strings.Index(src, "`ctime(x)`"), got)
	assert.Equal(t, "ctime", name)
}

func TestParseDef(t *testing.T) {
	d, err := ParseDef([]byte("name: security_content_ctime\narguments:\n  - field\ndefinition: 'convert ctime($field$)'\n"))
	require.NoError(t, err)
	assert.Equal(t, "security_content_ctime(1)", d.Key())
	d, err = ParseDef([]byte("name: drop_dm_object_name(1)\nargs: object\ndefinition: rename $object$.* AS *\n"))
	require.NoError(t, err)
	assert.Equal(t, Def{Name: "drop_dm_object_name", Args: []string{"object"}, Definition: "rename $object$.* AS *"}, d)
	_, err = ParseDef([]byte("name: x(2)\nargs: a\ndefinition: y\n"))
	assert.ErrorContains(t, err, "declares 2 arguments but lists 1")
	_, err = ParseDef([]byte("definition: y\n"))
	assert.ErrorContains(t, err, "no name")
}

func FuzzExpand(f *testing.F) {
	f.Add("a=`x`", "x=`y` `y`\ny=1")
	f.Add("`f(1,2)` | `g`", "f(a,b)=$a$ `f($b$,$a$)`\ng=`g`")
	f.Add("```c``` \"`q`\" `m(\"a,b\")`", "m(v)=$v$ `m($v$$v$)`")
	f.Fuzz(func(t *testing.T, src, defs string) {
		var ds []Def
		for _, line := range strings.Split(defs, "\n") {
			name, def, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			d := Def{Name: name, Definition: def}
			if i := strings.IndexByte(name, '('); i > 0 && strings.HasSuffix(name, ")") {
				d.Name = name[:i]
				d.Args = append(d.Args, strings.Split(name[i+1:len(name)-1], ",")...)
			}
			ds = append(ds, d)
		}
		e := NewSet(ds...).Expand(src)
		if len(e.Text) > MaxOutput+len(src) {
			t.Fatalf("output of %d bytes", len(e.Text))
		}
		for off := 0; off <= len(e.Text); off += 1 + len(e.Text)/64 {
			if s, _ := e.Origin(off); s < 0 || s > len(src) {
				t.Fatalf("origin %d of offset %d outside the source (%d bytes)", s, off, len(src))
			}
		}
	})
}

func TestBuiltins(t *testing.T) {
	defs := Builtins()
	require.NotEmpty(t, defs)
	for _, d := range defs {
		assert.NotEmpty(t, d.Source, "%s names the app that defines it", d.Key())
	}
	// Built-ins expand; the source is reported on the reference.
	e := WithBuiltins(nil).Expand("| tstats `summariesonly` count from datamodel=X by X.a | `drop_dm_object_name(X)`")
	assert.Equal(t, "| tstats summariesonly=true allow_old_summaries=true count from datamodel=X by X.a | rename X.* AS *", e.Text)
	assert.Empty(t, e.Notes)
	require.Len(t, e.Refs, 2)
	assert.Contains(t, e.Refs[1].Source, "Splunk_SA_CIM")

	// The repository's own definition wins over the built-in one.
	repo := NewSet(Def{Name: "drop_dm_object_name", Args: []string{"o"}, Definition: "rename $o$.* as *_own"})
	e = WithBuiltins(repo).Expand("`drop_dm_object_name(P)` `security_content_ctime(t)`")
	assert.Equal(t, `rename P.* as *_own convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(t)`, e.Text)
	assert.Equal(t, "", e.Refs[0].Source)

	// The table is checked: a source and a unique key per entry.
	_, err := parseBuiltins([]byte("- {name: a, definition: b}\n"))
	assert.ErrorContains(t, err, "no source named")
	_, err = parseBuiltins([]byte("- {name: a, definition: b, source: s}\n- {name: a, definition: c, source: s}\n"))
	assert.ErrorContains(t, err, "defined twice")
	_, err = parseBuiltins([]byte("- {name: a, source: s}\n"))
	assert.ErrorContains(t, err, "needs a name and a definition")
}
