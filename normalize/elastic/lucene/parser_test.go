package lucene

import (
	"errors"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/langtest"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePrint(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"field value":   {`process.name:chmod`, `process.name:chmod`},
		"implicit or":   {`a:1 b:2`, `a:1 OR b:2`},
		"precedence":    {`a:1 OR b:2 AND c:3`, `a:1 OR b:2 AND c:3`},
		"parens":        {`(a:1 OR b:2) AND c:3`, `(a:1 OR b:2) AND c:3`},
		"symbols":       {`a:1 && !b:2 || c:3`, `a:1 AND NOT b:2 OR c:3`},
		"field group":   {`event.type:(start OR process_started)`, `event.type:start OR event.type:process_started`},
		"group in and":  {`a:x AND b:(y z)`, `a:x AND (b:y OR b:z)`},
		"must not":      {`+a:1 -b:2 c:3`, `+a:1 OR NOT b:2 OR c:3`},
		"phrase":        {`msg:"hello \"world\""`, `msg:"hello \"world\""`},
		"regex":         {`process.args:/2[0-9]{3}/`, `process.args:/2[0-9]{3}/`},
		"regex slash":   {`url:/a\/b.*/`, `url:/a\/b.*/`},
		"range":         {`port:[1024 TO 65535]`, `port:[1024 TO 65535]`},
		"range mixed":   {`port:{1 TO 5]`, `port:{1 TO 5]`},
		"range open":    {`size:[10 TO *]`, `size:[10 TO *]`},
		"comparison":    {`size:>=10 AND n:<5`, `size:[10 TO *] AND n:[* TO 5}`},
		"exists":        {`_exists_:user.name AND host.name:*`, `_exists_:user.name AND _exists_:host.name`},
		"wildcards":     {`file.path:C\:\\Windows\\*.ex?`, `file.path:C\:\\Windows\\*.ex?`},
		"escaped":       {`a:g+s AND b:\(x\)`, `a:g\+s AND b:\(x\)`},
		"suffixes":      {`a:foo~1 AND "b c"~2 AND d:e^3`, `a:foo~1 AND "b c"~2 AND d:e^3`},
		"group boost":   {`(a:1 OR b:2)^2`, `(a:1 OR b:2)^2`},
		"free text":     {`mimikatz "sekurlsa logonpasswords"`, `mimikatz OR "sekurlsa logonpasswords"`},
		"keyword value": {`a:\AND`, `a:\AND`},
		"multi line":    {"a:1 AND\n  NOT b:2", `a:1 AND NOT b:2`},
		"empty":         {"   ", ``},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q, err := Parse(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, q.String())
			q2, err := Parse(q.String())
			require.NoError(t, err)
			assert.Equal(t, q.String(), q2.String())
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := map[string]struct {
		in        string
		line, col int
		msg       string
	}{
		"unclosed group":   {`(a:1 AND b:2`, 1, 13, `expected ")" to close "(" at column 1`},
		"unclosed phrase":  {"a:1 AND\nb:\"xyz", 2, 3, `unterminated quoted phrase`},
		"unclosed regex":   {`a:/x`, 1, 3, `unterminated regular expression`},
		"range without to": {`a:[1 5]`, 1, 6, `expected TO`},
		"range unclosed":   {`a:[1 TO 5`, 1, 10, `expected "]" or "}"`},
		"range no field":   {`[1 TO 5]`, 1, 1, `a range needs a field`},
		"dangling and":     {`a:1 AND`, 1, 8, `expected a term`},
		"missing value":    {`a: AND b:1`, 1, 4, `expected a term, found operator`},
		"stray close":      {`a:1)`, 1, 4, `unexpected ')'`},
		"empty group":      {`a:()`, 1, 4, `empty group`},
		"trailing escape":  {`a:b\`, 1, 4, `escapes nothing`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tc.in)
			require.Error(t, err)
			var se *rule.SyntaxError
			require.True(t, errors.As(err, &se))
			assert.Equal(t, tc.line, se.Line, err.Error())
			assert.Equal(t, tc.col, se.Col, err.Error())
			assert.Contains(t, se.Msg, tc.msg)
		})
	}
}

func TestParseDepthLimit(t *testing.T) {
	_, err := Parse(strings.Repeat("(", 300) + "a:b")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nested too deeply")
	_, err = Parse(strings.Repeat("-", 300) + "a:b")
	require.Error(t, err)
}

func TestLower(t *testing.T) {
	tests := map[string]langtest.PrintCase{
		"eq":          {`process.name:chmod`, "process.name eq \"chmod\"\n"},
		"phrase star": {`a:"x*"`, "a eq \"x*\"\n"},
		"wildcards": {`a:*x* AND b:y* AND c:*z AND d:a?c`,
			"a contains \"x\"\nb startswith \"y\"\nc endswith \"z\"\nd wildcard \"a?c\"\n"},
		"or group in":  {`event.type:(start OR process_started)`, "event.type in \"start\"\nevent.type in \"process_started\"\n"},
		"mixed fields": {`a:1 OR b:2`, "a eq \"1\"\nb eq \"2\"\n"},
		"regex":        {`process.args:/2[0-9]{3}/`, "process.args regex_match \"2[0-9]{3}\"\n"},
		"range": {`port:[1024 TO 65535} AND n:>5`,
			"port gte \"1024\"\nport lt \"65535\"\nn gt \"5\"\n"},
		"exists": {`_exists_:a AND b:* AND NOT c:*`, "a is_not_null\nb is_not_null\nc is_not_null negated exclusion\n"},
		"not":    {`a:1 AND NOT b:2`, "a eq \"1\"\nb eq \"2\" negated exclusion\n"},
		"must and must not": {`+a:1 -b:2 c:3`,
			"a eq \"1\"\nb eq \"2\" negated exclusion\n"},
		"must not only": {`-b:2 c:3`, "b eq \"2\" negated exclusion\nc eq \"3\"\n"},
		"free text":     {`mimikatz`, "keywords match \"mimikatz\"\n"},
		"cidr": {`destination.ip:10.0.0.0\/8 AND NOT source.ip:("192.168.0.0/16" OR "fe80::/10" OR 10.1.1.1)`,
			"destination.ip cidr_match \"10.0.0.0/8\"\nsource.ip cidr_match \"192.168.0.0/16\" negated exclusion\nsource.ip cidr_match \"fe80::/10\" negated exclusion\nsource.ip in \"10.1.1.1\" negated exclusion\n"},
		"phrase spaces kept": {`process.args:" -e " AND a:"x "`, "process.args eq \" -e \"\na eq \"x \"\n"},
	}
	langtest.CheckLower(t, lang, tests)
}

// lang is Lucene for the shared test helpers.
var lang = langtest.Lang[*Query]{Name: "lucene", Ext: ".lucene", Parse: Parse, Print: (*Query).String, Lower: Lower}

// TestGolden lowers the hand-written queries in testdata/*.lucene and
// compares the canonical form and predicates with testdata/*.golden.
func TestGolden(t *testing.T) { langtest.Golden(t, lang, nil) }

// FuzzParse checks that parsing never panics and that printing is a fixed
// point (see langtest.Fuzz).
func FuzzParse(f *testing.F) {
	langtest.Seed(f, lang, `a:b`, `+a:1 -b:2`, `a:[1 TO *}`, `_exists_:x`, `a:/r\/e/`, `"p q"~2^3`, `x:(a OR b)^2`, `a:\*\?\\`,
		`NOT destination.ip:(10.0.0.0\/8 OR "fe80::/10")`, `a:" -e "`)
	langtest.Fuzz(f, lang, nil)
}
