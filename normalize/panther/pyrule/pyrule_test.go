package pyrule

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// extract parses src and returns the flattened predicates and skip reasons.
func extract(t testing.TB, src string) ([]rule.Predicate, []string) {
	t.Helper()
	q, err := Parse(src)
	require.NoError(t, err)
	return rule.Flatten(Lower(q))
}

// TestIdiomsGolden renders every testdata/*.py idiom file: the canonical
// print, the predicates and the skip reasons.
func TestIdiomsGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.py")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			ps, skipped := extract(t, string(pipetest.Read(t, f)))
			var b strings.Builder
			b.WriteString(rule.Format(ps))
			for _, s := range skipped {
				b.WriteString("skipped: " + s + "\n")
			}
			pipetest.Golden(t, strings.TrimSuffix(f, ".py")+".golden", b.String())
		})
	}
}

func TestLowerTable(t *testing.T) {
	tests := map[string]struct {
		src  string
		want string
		skip int
	}{
		"eq":                  {`def rule(e): return e.get("a") == "x"`, "a eq \"x\"\n", 0},
		"neq is exclusion":    {`def rule(e): return e.get("a") != "x"`, "a eq \"x\" negated exclusion\n", 0},
		"literal on the left": {`def rule(e): return "x" == e["a"]`, "a eq \"x\"\n", 0},
		"in list":             {`def rule(e): return e.get("a") in ["x", "y"]`, "a in \"x\"\na in \"y\"\n", 0},
		"not in guard is a requirement": {"def rule(e):\n    if e.get(\"a\") not in {\"x\"}:\n        return False\n    return True\n",
			"a in \"x\"\n", 0},
		"in guard is an exclusion": {"def rule(e):\n    if e.get(\"a\") in (\"x\", \"y\"):\n        return False\n    return e.get(\"b\") == \"1\"\n",
			"a in \"x\" negated exclusion\na in \"y\" negated exclusion\nb eq \"1\"\n", 0},
		"contains":                 {`def rule(e): return "evil" in e.get("cmd", "")`, "cmd contains \"evil\"\n", 0},
		"not contains":             {`def rule(e): return "evil" not in e.get("cmd", "")`, "cmd contains \"evil\" negated exclusion\n", 0},
		"startswith tuple":         {`def rule(e): return e.get("a", "").startswith(("x", "y"))`, "a startswith \"x\"\na startswith \"y\"\n", 0},
		"endswith":                 {`def rule(e): return e.get("a", "").lower().endswith(".exe")`, "a endswith \".exe\"\n", 0},
		"is none":                  {`def rule(e): return e.get("a") is None`, "a is_null\n", 0},
		"is not none":              {`def rule(e): return e.get("a") is not None`, "a is_not_null\n", 0},
		"truthiness":               {`def rule(e): return e.get("a") and not e.get("b")`, "a is_not_null\na eq \"false\" negated exclusion\na eq \"\" negated exclusion\na eq \"0\" negated exclusion\nb is_null\nb eq \"false\"\nb eq \"\"\nb eq \"0\"\n", 0},
		"gt flipped":               {`def rule(e): return 10 < e.get("n", 0)`, "n gt \"10\"\n", 0},
		"lte":                      {`def rule(e): return e.get("n") <= 3`, "n lte \"3\"\n", 0},
		"regex":                    {`def rule(e): return re.search(r"a\d", e.get("x"))`, "x regex_match \"a\\\\d\"\n", 0},
		"fieldref":                 {`def rule(e): return e.get("a") == e.get("b")`, "a eq \"fieldref:b\"\n", 0},
		"deep_get with default kw": {`def rule(e): return deep_get(e, "a", "b", default="") == "c"`, "a.b eq \"c\"\n", 0},
		"get chain":                {`def rule(e): return e.get("a", {}).get("b") == "c"`, "a.b eq \"c\"\n", 0},
		"or default":               {`def rule(e): return (e.get("a") or "").lower() == "c"`, "a eq \"c\"\n", 0},
		"index dropped":            {`def rule(e): return e["a"][0]["b"] == "c"`, "a.b eq \"c\"\n", 0},
		"local rebinding":          {"def rule(e):\n    x = e.get(\"a\")\n    x = x.lower()\n    return x == \"y\"\n", "a eq \"y\"\n", 0},
		"string concat constant":   {"P = \"ab\" + \"cd\"\ndef rule(e): return e.get(\"a\") == P\n", "a eq \"abcd\"\n", 0},
		"union method":             {"A = {\"x\"}.union({\"y\"})\ndef rule(e): return e.get(\"a\") in A\n", "a in \"x\"\na in \"y\"\n", 0},
		"dict keys":                {"M = {\"x\": 1, \"y\": 2}\ndef rule(e): return e.get(\"a\") in M\n", "a in \"x\"\na in \"y\"\n", 0},
		"set comprehension":        {"A = {v.lower() for v in [\"X\"]}\ndef rule(e): return e.get(\"a\") in A\n", "a in \"x\"\n", 0},
		"in with None value":       {`def rule(e): return e.get("a") in (None, "x")`, "a is_null\na in \"x\"\n", 0},
		"unresolved helper only":   {"from h import f\ndef rule(e): return f(e)\n", "", 1},
		"unresolved name":          {`def rule(e): return e.get("a") in NAMES`, "", 1},
		"unsupported expression":   {`def rule(e): return e.get("a") + 1 > 2`, "", 1},
		"while loop":               {"def rule(e):\n    while True:\n        pass\n    return e.get(\"a\") == \"b\"\n", "a eq \"b\"\n", 1},
		"never true":               {"def rule(e):\n    return False\n", "", 1},
		"no rule function":         {"def title(e):\n    return 'x'\n", "", 1},
		"recursion bounded":        {"def f(e):\n    return f(e)\ndef rule(e):\n    return f(e)\n", "", 1},
		"break in unrolled loop": {"def rule(e):\n    for v in [\"a\", \"b\"]:\n        if e.get(\"x\") == v:\n            return True\n        break\n    return False\n",
			"x eq \"a\"\n", 0},
		"isinstance":              {`def rule(e): return isinstance(e.get("a"), list) and e.get("b") == 1`, "a is_not_null\nb eq \"1\"\n", 0},
		"bool true value":         {`def rule(e): return e.get("a") is True`, "a eq \"true\"\n", 0},
		"typed param":             {"def rule(event: dict) -> bool:\n    return event.get(\"a\") == \"b\"\n", "a eq \"b\"\n", 0},
		"decorated":               {"@x\ndef rule(event):\n    return event.get(\"a\") == \"b\"\n", "a eq \"b\"\n", 0},
		"try body":                {"def rule(event):\n    try:\n        x = event.get(\"a\")\n    except KeyError:\n        return False\n    return x == \"b\"\n", "a eq \"b\"\n", 0},
		"with body":               {"def rule(event):\n    with open('x'):\n        return event.get(\"a\") == \"b\"\n", "a eq \"b\"\n", 0},
		"unicode escapes":         {`def rule(e): return e.get("a") == "caf\u00e9\x21"`, "a eq \"café!\"\n", 0},
		"implicit concatenation":  {`def rule(e): return e.get("a") == "ab" 'cd'`, "a eq \"abcd\"\n", 0},
		"f-string without fields": {`def rule(e): return e.get("a") == f"x{{y}}"`, "a eq \"x{y}\"\n", 0},
		"f-string with fields":    {`def rule(e): return e.get("a") == f"x{e}"`, "", 1},
		"split part eq": {"def rule(e):\n    parts = e.get(\"p\", \"\").split(\"/\")\n    return parts[2] == \"pods\"\n",
			"p regex_match \"^(?:[^/]*/){2}pods(?:/|\\\\Z)\"\n", 0},
		"split part neq needs the part": {`def rule(e): return e.get("p").split(".")[0] != "a"`,
			"p regex_match \"^\"\np regex_match \"^a(?:\\\\.|\\\\Z)\" negated exclusion\n", 0},
		"split part never holds the separator": {`def rule(e): return e.get("p").split(".")[0] in ("a.b", "c")`,
			"p regex_match \"^c(?:\\\\.|\\\\Z)\"\n", 0},
		"last part never holds the separator": {`def rule(e): return e.get("p").split("/")[-1] in ("a/b", "c")`,
			"p eq \"c\"\np endswith \"/c\"\n", 0},
		"split part in":   {`def rule(e): return e.get("p").split(":")[1] in ("x", "y")`, "p regex_match \"^(?:[^:]*:){1}x(?::|\\\\Z)\"\np regex_match \"^(?:[^:]*:){1}y(?::|\\\\Z)\"\n", 0},
		"split length":    {"def rule(e):\n    parts = e.get(\"p\").split(\"/\")\n    return len(parts) >= 5\n", "p regex_match \"^(?:[^/]*/){4}\"\n", 0},
		"split length gt": {`def rule(e): return len(e.get("p").split("/")) > 2`, "p regex_match \"^(?:[^/]*/){2}\"\n", 0},
		"split part truthy": {`def rule(e): return not e.get("p").split("/")[3]`,
			"p regex_match \"^(?:[^/]*/){3}\"\np regex_match \"^(?:[^/]*/){3}[^/]\" negated exclusion\n", 0},
		"split multichar sep unsupported": {`def rule(e): return e.get("p").split("::")[1] == "x"`, "", 1},
		"split maxsplit unsupported":      {`def rule(e): return e.get("p").split("/", 1)[1] == "x"`, "", 1},
		"walrus in if": {"def rule(e):\n    if x := e.get(\"a\"):\n        return x == \"b\"\n    return False\n",
			"a is_not_null\na eq \"false\" negated exclusion\na eq \"\" negated exclusion\na eq \"0\" negated exclusion\na eq \"b\"\n", 0},
		"helper return values": {"def sev(e):\n    if e.get(\"level\") == \"high\":\n        return \"HIGH\"\n    return \"DEFAULT\"\ndef rule(e): return sev(e) != \"DEFAULT\"\n",
			"level eq \"high\"\n", 0},
		"helper falls off the end": {"def kind(e):\n    if e.get(\"a\") == 1:\n        return \"x\"\ndef rule(e): return kind(e) is None\n",
			"a eq \"1\" negated exclusion\n", 0},
		"helper returns a collection": {"def groups():\n    return [\"admins\", \"ops\"]\ndef rule(e): return e.get(\"g\") in groups()\n",
			"g in \"admins\"\ng in \"ops\"\n", 0},
		"helper return beyond analysis": {"def f(e):\n    return e.get(\"a\") + 1\ndef rule(e): return f(e) == 2\n", "", 1},
		"helper return recursion":       {"def f(e):\n    return f(e)\ndef rule(e): return f(e) == 2\n", "", 1},
		"re.match anchors":              {`def rule(e): return re.match(r"a\d", e.get("x"), re.I | re.M)`, "x regex_match \"(?im)\\\\A(?:a\\\\d)\"\n", 0},
		"compiled flags kw": {"P = re.compile(r\"ab\", flags=re.IGNORECASE)\ndef rule(e):\n    m = P.search(e.get(\"x\", \"\"))\n    return m is not None\n",
			"x regex_match \"(?i)ab\"\n", 0},
		"match is None": {"def rule(e):\n    m = re.fullmatch(\"ab\", e.get(\"x\"))\n    if m is None:\n        return False\n    return True\n",
			"x regex_match \"\\\\A(?:ab)\\\\Z\"\n", 0},
		"compiled pattern argument": {"P = re.compile(\"ab\", re.I)\ndef rule(e): return re.match(P, e.get(\"x\"))\n", "x regex_match \"(?i)\\\\A(?:ab)\"\n", 0},
		"verbose flag unread":       {`def rule(e): return re.search("a b", e.get("x"), re.X)`, "", 1},
		"parameter default": {"N = 2\ndef f(e, n=N, *, m=3):\n    return e.get(\"a\") == n\ndef g(e, n=N):\n    return e.get(\"b\") == n\ndef rule(e): return g(e) and g(e, n=4)\n",
			"b eq \"2\"\nb eq \"4\"\n", 0},
		"or value": {"def f(e):\n    return e.get(\"a\") or e.get(\"b\") or \"none\"\ndef rule(e): return f(e) == \"x\"\n",
			"a eq \"x\"\na is_not_null\na eq \"false\" negated\na eq \"\" negated\na eq \"0\" negated\n" +
				"a is_null\na eq \"false\"\na eq \"\"\na eq \"0\"\nb eq \"x\"\nb is_not_null\nb eq \"false\" negated\nb eq \"\" negated\nb eq \"0\" negated\n", 0},
		"isinstance of a literal": {"def rule(e):\n    x = []\n    x = x if isinstance(x, (list, tuple)) else [x]\n    return isinstance(\"s\", dict) or e.get(\"a\") == 1\n",
			"a eq \"1\"\n", 0},
		"conditional rebinding follows both paths": {"def rule(e):\n    x = None\n    if e.get(\"a\") == 1:\n        x = e.get(\"b\")\n    return x == \"y\"\n",
			"a eq \"1\"\nb eq \"y\"\n", 0},
		"deep_get of a splatted path": {"PATHS = [(\"a\", \"b\"), (\"c\", \"d\")]\ndef rule(e):\n    for p in PATHS:\n        if e.deep_get(*p) == \"x\":\n            return True\n    return False\n",
			"a.b eq \"x\"\nc.d eq \"x\"\n", 0},
		"len non-empty": {`def rule(e): return len(e.get("a", [])) > 0`,
			"a is_not_null\na eq \"false\" negated exclusion\na eq \"\" negated exclusion\na eq \"0\" negated exclusion\n", 0},
		"len empty": {`def rule(e): return 0 == len(e.get("a"))`,
			"a is_not_null\na is_null\na eq \"false\"\na eq \"\"\na eq \"0\"\n", 0},
		"len other bound":          {`def rule(e): return len(e.get("a")) > 2`, "len(a) gt \"2\" computed\n", 0},
		"literal startswith folds": {"P = \"abc\"\ndef rule(e): return P.startswith((\"x\", \"ab\")) and e.get(\"a\") == 1\n", "a eq \"1\"\n", 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ps, skipped := extract(t, tc.src)
			assert.Equal(t, tc.want, rule.Format(ps))
			assert.Len(t, skipped, tc.skip, "skipped: %v", skipped)
		})
	}
}

func TestParseErrors(t *testing.T) {
	for src, want := range map[string]string{
		"def rule(event):\n    return (event.get('a') ==\n":  "line 2",
		"def rule(event)\n    return True\n":                 "line 1",
		"x = 1\ndef rule(event):\n  if x\n    return True\n": "line 3",
	} {
		_, err := Parse(src)
		require.Error(t, err, src)
		var se *rule.SyntaxError
		require.ErrorAs(t, err, &se)
		assert.Contains(t, err.Error(), want, src)
	}
}

// syntaxCase is a source and the syntax error it gives ("" = it parses
// and prints back stably).
type syntaxCase struct{ src, err string }

// checkSyntaxCases parses each case: a valid source round-trips through the
// printer, an invalid one is a *rule.SyntaxError containing err.
func checkSyntaxCases(t *testing.T, tests map[string]syntaxCase) {
	t.Helper()
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tc.src)
			if tc.err == "" {
				require.NoError(t, err)
				checkRoundTrip(t, tc.src)
				return
			}
			require.Error(t, err)
			var se *rule.SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Contains(t, err.Error(), tc.err)
		})
	}
}

// TestKeywordAsName checks that a reserved word tree-sitter reads as a name
// is a syntax error (fuzz crasher a7ff1c3af7fa9ba3), while keywords in
// strings and comments and soft keywords used as names are fine.
func TestKeywordAsName(t *testing.T) {
	tests := map[string]syntaxCase{
		"with after colon":     {"def A000(A0000):with", "line 1, column 17: invalid Python syntax: keyword `with` used as a name"},
		"while after colon":    {"def rule(e): while", "keyword `while` used as a name"},
		"class on second line": {"x = 1\ndef rule(e): class", "line 2, column 14: invalid Python syntax: keyword `class` used as a name"},
		"async as name":        {"async = 1\n", "keyword `async` used as a name"},
		"in string":            {"def rule(e):\n    return e.get(\"with\") == \"if not in\"\n", ""},
		"in comment":           {"# with while class\ndef rule(e):\n    return True  # if\n", ""},
		"in docstring":         {"def rule(e):\n    \"\"\"Return True if the event is not in the list.\"\"\"\n    return True\n", ""},
		"keyword prefix":       {"def rule(e):\n    withx = e.get(\"a\")\n    return withx or is_ok\n", ""},
		"soft keywords":        {"def rule(e):\n    match = e.get(\"a\")\n    type = 1\n    return match\n", ""},
		"real with":            {"def rule(e):\n    with open(\"x\") as f:\n        return True\n", ""},
	}
	checkSyntaxCases(t, tests)
}

// TestStarredExpressions checks that a starred expression is accepted only
// where CPython accepts one (fuzz crashers 031570b182fad2cf: `return *A00`
// printed as `return None`, which lowers differently; 199cf1950dd1d2c4:
// `+(*A)`, which tree-sitter reads as a one-element tuple).
func TestStarredExpressions(t *testing.T) {
	tests := map[string]syntaxCase{
		"return starred":        {"def rule(e):\n    if e.get(\"0\"):return *A00", "line 2, column 26: invalid Python syntax: starred expression `*A00` not allowed here"},
		"assign starred":        {"x = *a\n", "line 1, column 5: invalid Python syntax: starred expression `*a` not allowed here"},
		"condition starred":     {"def rule(e):\n    if *a:\n        return True\n", "starred expression `*a` not allowed here"},
		"comprehension starred": {"x = [*a for a in b]\n", "starred expression `*a` not allowed here"},
		"double star in list":   {"x = [**a]\n", "invalid Python syntax"},
		"parenthesized":         {"+(*A)", "line 1, column 3: invalid Python syntax: starred expression `*A` not allowed here"},
		"parenthesized value":   {"x = (*A)\n", "starred expression `*A` not allowed here"},
		"parenthesized in list": {"x = [(*A)]\n", "starred expression `*A` not allowed here"},
		"one-element tuple":     {"x = (*A,)\ny = *A,\n", ""},
		"return tuple":          {"def rule(e):\n    return *a, b\n", ""},
		"displays":              {"A = [*B, 1]\nC = {*D}\nE = (*F, 2)\nG = {**H, \"k\": 1}\n", ""},
		"call arguments":        {"def rule(e):\n    return f(*a, **k)\n", ""},
		"subscript":             {"def rule(e):\n    return e[*a] == 1\n", ""},
		"star targets and args": {"def f(*args, **kw):\n    a, *b = args\n    return a * 2 ** b\nfrom x import *\n", ""},
		"in strings":            {"X = \"*a\" # return *b\n", ""},
	}
	checkSyntaxCases(t, tests)
}

// TestAugmentedAssignmentChain checks that an augmented assignment at the
// end of an assignment chain is a syntax error, as in CPython (fuzz crasher
// e3717754ba4de912: its text printed in parentheses did not parse).
func TestAugmentedAssignmentChain(t *testing.T) {
	tests := map[string]syntaxCase{
		"chain":            {"A = B %= C\n", "line 1, column 5: invalid Python syntax: augmented assignment `%=` is not an expression"},
		"comment after op": {"A=READ_ONLY=REGION%=#c\nA0\n", "line 1, column 13: invalid Python syntax: augmented assignment `%=` is not an expression"},
		"in a function":    {"def rule(e):\n    x = y += 1\n    return x\n", "line 2, column 9: invalid Python syntax"},
		"augmented alone":  {"def rule(e):\n    n = 0\n    n += 1\n    return n > 0\n", ""},
		"plain chain":      {"A = B = {\"x\"}\n", ""},
	}
	checkSyntaxCases(t, tests)
}

func TestPrintRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.py")
	corpus, _ := filepath.Glob(filepath.Join(pipetest.RepoRoot(t), "testdata/corpus/panther/*/*.py"))
	for _, f := range append(files, corpus...) {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		checkRoundTrip(t, string(src))
	}
}

// checkRoundTrip asserts parse → print → parse → print is stable and
// that the printed form extracts the same predicates.
func checkRoundTrip(t testing.TB, src string) {
	t.Helper()
	q, err := Parse(src)
	if err != nil {
		return
	}
	p1 := q.String()
	q2, err := Parse(p1)
	if err != nil {
		t.Fatalf("printed form does not parse: %v\n--- source\n%s\n--- printed\n%s", err, src, p1)
	}
	p2 := q2.String()
	if p1 != p2 {
		t.Fatalf("print is not stable:\n--- first\n%s\n--- second\n%s", p1, p2)
	}
	if !utf8.ValidString(src) {
		return // invalid bytes print as U+FFFD: the values legitimately differ
	}
	a, _ := rule.Flatten(Lower(q))
	b, _ := rule.Flatten(Lower(q2))
	if rule.Format(a) != rule.Format(b) {
		t.Fatalf("printed form extracts differently:\n%s\nvs\n%s", rule.Format(a), rule.Format(b))
	}
}

func TestStringLiterals(t *testing.T) {
	for lit, want := range map[string]string{
		`"a\nb"`:     "a\nb",
		`r"a\d"`:     `a\d`,
		`'it\'s'`:    "it's",
		`"""x"y"""`:  `x"y`,
		`b"\x41"`:    "A",
		`"\101"`:     "A",
		`"\N{DASH}"`: `\N{DASH}`,
		`u"\u00e9"`:  "é",
		`rb'\x41'`:   `\x41`,
		`F"{{a}}"`:   "{a}",
	} {
		got, ok := decodeString(lit)
		assert.True(t, ok, lit)
		assert.Equal(t, want, got, lit)
		back, ok := decodeString(quote(got))
		assert.True(t, ok)
		assert.Equal(t, got, back, "quote round trip of %q", got)
	}
	_, ok := decodeString(`f"{x}"`)
	assert.False(t, ok)
}
