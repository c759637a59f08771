package kql

import (
	"errors"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePrint(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"field value":        {`process.name : "cmd.exe"`, `process.name:"cmd.exe"`},
		"unquoted":           {`event.category:process`, `event.category:process`},
		"keywords any case":  {`a:b AND c:d Or NOT e:f`, `a:b and c:d or not e:f`},
		"precedence":         {`a:1 or b:2 and c:3`, `a:1 or b:2 and c:3`},
		"parens kept":        {`(a:1 or b:2) and c:3`, `(a:1 or b:2) and c:3`},
		"parens dropped":     {`(a:1 and b:2) or (c:3)`, `a:1 and b:2 or c:3`},
		"value list":         {`a : ( x or "y z" or w* )`, `a:(x or "y z" or w*)`},
		"value list and not": {`a:(x and not y)`, `a:(x and not y)`},
		"exists":             {`user.id : *`, `user.id:*`},
		"quoted star":        {`a:"*"`, `a:"*"`},
		"range":              {`destination.port>=5800 and destination.port <= 5810`, `destination.port >= 5800 and destination.port <= 5810`},
		"nested":             {`user:{ first: "Alice" and last : Smith }`, `user:{first:"Alice" and last:Smith}`},
		"free text":          {`"powershell -enc"`, `"powershell -enc"`},
		"free text words":    {`mimikatz sekurlsa`, `mimikatz sekurlsa`},
		"escapes":            {`file.path : C\:\\Windows\\*.exe`, `file.path:C\:\\Windows\\*.exe`},
		"escaped star":       {`a:foo\*`, `a:foo\*`},
		"escaped keyword":    {`a:\or`, `a:\or`},
		"inner keyword word": {`a:(cannot or sand)`, `a:(cannot or sand)`},
		"multi line":         {"a:b and\n  not c:(\n d or\n e\n)", `a:b and not c:(d or e)`},
		"not not":            {`not not a:b`, `not not a:b`},
		"quoted escapes":     {`a:"say \"hi\" \\ \t"`, `a:"say \"hi\" \\ \t"`},
		"unicode escape":     {`a:caf\u00e9`, `a:café`},
		"wildcard field":     {`*.name:x`, `*.name:x`},
		"empty":              {"  \n ", ``},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q, err := Parse(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, q.String())
			q2, err := Parse(q.String())
			require.NoError(t, err, "reparse %q", q.String())
			assert.Equal(t, q, q2)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := map[string]struct {
		in        string
		line, col int
		msg       string
	}{
		"unclosed paren":     {`(a:b and c:d`, 1, 13, `expected ")" to close "(" at column 1, found end of query`},
		"unclosed list":      {"a:b and\nc:(x or y", 2, 10, `expected ")" to close the value list opened at column 3`},
		"unclosed nested":    {`a:{b:c`, 1, 7, `expected "}"`},
		"unterminated":       {`a:"abc`, 1, 3, `unterminated quoted string`},
		"dangling and":       {`a:b and )`, 1, 9, `expected a field, a value or "("`},
		"missing value":      {`a: and b:c`, 1, 4, `expected a value after ":"`},
		"bad escape":         {`a:C:\Windows`, 1, 4, `unexpected ':'`},
		"invalid escape":     {`a:C\Windows`, 1, 4, `invalid escape \W`},
		"range no value":     {`a >= `, 1, 6, `expected a value after ">="`},
		"stray close":        {`a:b)`, 1, 4, `unexpected ')'`},
		"trailing backslash": {`a:b\`, 1, 4, `escapes nothing`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tc.in)
			require.Error(t, err)
			var se *rule.SyntaxError
			require.True(t, errors.As(err, &se), "%T", err)
			assert.Equal(t, tc.line, se.Line, err.Error())
			assert.Equal(t, tc.col, se.Col, err.Error())
			assert.Contains(t, se.Msg, tc.msg)
		})
	}
}

func TestParseDepthLimit(t *testing.T) {
	deep := ""
	for range 500 {
		deep += "("
	}
	_, err := Parse(deep + "a:b")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nested too deeply")
}
