package pyrule

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// TestKeyedLookups covers constant dicts read with an event field as the
// key, and loops over a constant dict's items.
func TestKeyedLookups(t *testing.T) {
	const apis = "APIS = {\"s3\": [\"Get\", \"Put\"], \"kms\": [\"Decrypt\"]}\n"
	tests := map[string]struct {
		src  string
		want string
		skip int
	}{
		"subscript: one alternative per key, a missing key raises": {apis +
			"def rule(e):\n    return e.get(\"src\") in APIS and e.get(\"name\") in APIS[e.get(\"src\")]\n",
			"src in \"s3\"\nsrc in \"kms\"\nsrc eq \"s3\"\nname in \"Get\"\nname in \"Put\"\nsrc eq \"kms\"\nname in \"Decrypt\"\n", 0},
		"negated membership per key": {apis +
			"def rule(e):\n    if e.get(\"src\") not in APIS:\n        return False\n    return e.get(\"name\") not in APIS[e.get(\"src\")]\n",
			"src in \"s3\"\nsrc in \"kms\"\nsrc eq \"s3\"\nname in \"Get\" negated\nname in \"Put\" negated\nsrc eq \"kms\"\nname in \"Decrypt\" negated\n", 0},
		"get with a default: the missing-key alternative uses it": {apis +
			"def rule(e):\n    return e.get(\"name\") in APIS.get(e.get(\"src\"), [\"Any\"])\n",
			"src eq \"s3\"\nname in \"Get\"\nname in \"Put\"\nsrc eq \"kms\"\nname in \"Decrypt\"\n" +
				"src eq \"s3\" negated\nsrc eq \"kms\" negated\nname in \"Any\"\n", 0},
		"get without a default: membership in None raises": {apis +
			"def rule(e):\n    return e.get(\"name\") in APIS.get(e.get(\"src\"))\n",
			"src eq \"s3\"\nname in \"Get\"\nname in \"Put\"\nsrc eq \"kms\"\nname in \"Decrypt\"\n", 0},
		"assigned lookup iterated": {apis +
			"def rule(e):\n    sigs = APIS.get(e.get(\"src\", \"\").split(\"/\")[-1], [])\n    for s in sigs:\n        if s in e.get(\"cmd\", \"\"):\n            return True\n    return False\n",
			"src eq \"s3\"\nsrc endswith \"/s3\"\ncmd contains \"Get\"\ncmd contains \"Put\"\n" +
				"src eq \"kms\"\nsrc endswith \"/kms\"\ncmd contains \"Decrypt\"\n", 0},
		"items loop unrolled": {apis +
			"def rule(e):\n    for src, names in APIS.items():\n        if e.get(\"src\") == src and e.get(\"name\") in names:\n            return True\n    return False\n",
			"src eq \"s3\"\nname in \"Get\"\nname in \"Put\"\nsrc eq \"kms\"\nname in \"Decrypt\"\n", 0},
		"a loop over D.get(k) without a default": {apis +
			"def rule(e):\n    words = e.get(\"cmd\", \"\").split(\" \")\n    for w in APIS.get(e.get(\"src\")):\n        if w in words:\n            return True\n    return False\n",
			"src eq \"s3\"\ncmd regex_match \"(?:^| )Get(?: |\\\\Z)\"\ncmd regex_match \"(?:^| )Put(?: |\\\\Z)\"\n" +
				"src eq \"kms\"\ncmd regex_match \"(?:^| )Decrypt(?: |\\\\Z)\"\n", 0},
		"iterating None raises":     {"def rule(e):\n    for x in None:\n        return True\n    return e.get(\"a\") == 1\n", "", 1},
		"membership in None raises": {"def rule(e):\n    v = None\n    return e.get(\"a\") in v or e.get(\"b\") == 1\n", "b eq \"1\"\n", 0},
		"a word of a split field": {`def rule(e): return "-enc" not in e.get("cmd", "").split(" ")`,
			"cmd regex_match \"(?:^| )-enc(?: |\\\\Z)\" negated exclusion\n", 0},
		"a word holding the separator is never a part": {`def rule(e): return "a b" in e.get("cmd", "").split(" ") or e.get("x") == 1`,
			"x eq \"1\"\n", 0},
		"a key that is no literal is beyond the analysis": {"K = {f(): 1}\ndef rule(e): return K[e.get(\"a\")] == 2\n", "", 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ps, skipped := extract(t, tc.src)
			assert.Equal(t, tc.want, rule.Format(ps))
			assert.Len(t, skipped, tc.skip, "skipped: %v", skipped)
		})
	}
}

// TestReadsOfEmptyLiterals covers reads from a value that holds nothing:
// Python gives the default, and a display the code changes in place is
// not read as its literal.
func TestReadsOfEmptyLiterals(t *testing.T) {
	tests := map[string]struct {
		src  string
		want string
		skip int
	}{
		"deep_get of None or {} gives the default": {"def rule(e):\n    o = None or {}\n    return deep_get(o, \"a\", \"b\", default=\"\") in [\"x\"] or e.get(\"b\") == 1\n",
			"b eq \"1\"\n", 0},
		"deep_get without a default gives None": {"def rule(e):\n    return deep_get({}, \"a\") is None and e.get(\"b\") == 1\n",
			"b eq \"1\"\n", 0},
		"get of an empty dict": {"def rule(e):\n    spec = ({} or {}).get(\"spec\", {})\n    usages = spec.get(\"usages\", [])\n    return \"client auth\" in usages or e.get(\"b\") == 1\n",
			"b eq \"1\"\n", 0},
		"a falsy read is true": {"def rule(e):\n    o = None or {}\n    if not o.get(\"command\"):\n        return e.get(\"b\") == 1\n    return False\n",
			"b eq \"1\"\n", 0},
		"a display changed in place is not its literal": {"def rule(e):\n    seen = {}\n    seen[\"a\"] = e.get(\"a\")\n    return not seen.get(\"a\")\n",
			"", 1},
		"a list built in place is not its display": {"def rule(e):\n    found = []\n    for x in e.get(\"l\", []):\n        found.append(x)\n    if found:\n        return True\n    return False\n",
			"", 1},
		"a module constant changed in place is not its display": {"SEEN = {}\ndef rule(e):\n    SEEN[e.get(\"a\")] = 1\n    return \"x\" in SEEN\n",
			"", 1},
		"a display updated is not its literal": {"def rule(e):\n    d = {}\n    d.update(e.get(\"a\"))\n    return deep_get(d, \"k\") != \"v\"\n",
			"", 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ps, skipped := extract(t, tc.src)
			assert.Equal(t, tc.want, rule.Format(ps))
			assert.Len(t, skipped, tc.skip, "skipped: %v", skipped)
		})
	}
}

// TestLenBounds covers len(field) compared with a bound the truthiness
// forms do not cover: a computed predicate, with the missing value's
// length (the read's default, else None, which raises) where it matters.
func TestLenBounds(t *testing.T) {
	tests := map[string]struct {
		src  string
		want string
	}{
		"above a bound":                        {`def rule(e): return len(e.get("u", [])) > 2`, "len(u) gt \"2\" computed\n"},
		"at least, a constant bound":           {"N = 3\ndef rule(e): return len(e[\"users\"]) >= N\n", "len(users) gte \"3\" computed\n"},
		"below: the default's length 0":        {`def rule(e): return len(e.get("ua", "")) < 3`, "ua is_null\nlen(ua) lt \"3\" computed\n"},
		"below without a default: None raises": {`def rule(e): return len(e.get("ua")) < 3`, "len(ua) lt \"3\" computed\n"},
		"guard: the inverse bound is required": {"def rule(e):\n    if len(e.get(\"ua\", \"\")) < 3:\n        return False\n    return True\n",
			"len(ua) gte \"3\" computed\n"},
		"not equal":                     {`def rule(e): return len(e.get("xs", [])) != 2`, "xs is_null\nlen(xs) eq \"2\" computed negated\n"},
		"negated above, with a default": {`def rule(e): return not len(e.get("xs", [])) > 1`, "xs is_null\nlen(xs) lte \"1\" computed\n"},
		"of parsed JSON: named so, a missing value raises": {"def rule(e):\n    xs = json.loads(e.get(\"raw\", \"\"))\n    return len(xs) > 1\n",
			"len(json.loads(raw)) gt \"1\" computed\n"},
		"through lower() the missing value is unknown": {`def rule(e): return len(e.get("a", "").lower()) > 2`, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ps, _ := extract(t, tc.src)
			assert.Equal(t, tc.want, rule.Format(ps))
		})
	}
}

// TestHelperResultsAssigned covers `x = f(event)` with f returning one of
// several fields or a tuple: the rest runs once per return value.
func TestHelperResultsAssigned(t *testing.T) {
	const pick = "def pick(e):\n    if e.get(\"kind\") == \"user\":\n        return e.get(\"user\")\n    return e.get(\"group\")\n"
	tests := map[string]struct {
		src  string
		want string
		skip int
	}{
		"one of two fields": {pick + "def rule(e):\n    name = pick(e)\n    return \"admin\" in name.lower()\n",
			"kind eq \"user\"\nuser contains \"admin\"\nkind eq \"user\" negated\ngroup contains \"admin\"\n", 0},
		"a tuple unpacked": {"def parts(e):\n    return e.get(\"a\"), e.get(\"b\")\n" +
			"def rule(e):\n    _, b = parts(e)\n    return b in (\"x\", \"y\")\n", "b in \"x\"\nb in \"y\"\n", 0},
		"falling off the end is None": {"def f(e):\n    if e.get(\"k\") == 1:\n        return e.get(\"a\")\n" +
			"def rule(e):\n    v = f(e)\n    return v is None\n", "k eq \"1\" negated\na is_null\n", 0},
		"an argument split per returned value": {"def loc(e):\n    if not e.get(\"r\"):\n        return False\n    return e.get(\"zone\")\n" +
			"def active(x):\n    if x is False:\n        return False\n    return x.startswith(\"us\")\n" +
			"def rule(e):\n    return active(loc(e))\n",
			"r is_not_null\nr eq \"false\" negated exclusion\nr eq \"\" negated exclusion\nr eq \"0\" negated exclusion\nzone eq \"false\" negated exclusion\nzone startswith \"us\"\n", 0},
		"a tuple display of another length stays unknown": {"def parts(e):\n    return e.get(\"a\"), e.get(\"b\"), e.get(\"c\")\n" +
			"def rule(e):\n    a, b = parts(e)\n    return b == \"x\"\n", "", 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ps, skipped := extract(t, tc.src)
			assert.Equal(t, tc.want, rule.Format(ps))
			assert.Len(t, skipped, tc.skip, "skipped: %v", skipped)
		})
	}
}

// TestValueIdioms covers tuple membership, look-through on split parts,
// str methods on constants and None receivers.
func TestValueIdioms(t *testing.T) {
	const pairs = "PAIRS = {(\"winword.exe\", \"cmd.exe\"), (\"excel.exe\", \"cmd.exe\")}\n"
	tests := map[string]struct {
		src  string
		want string
		skip int
	}{
		"tuple in a set of pairs": {pairs + "def rule(e):\n    return (e.get(\"p\"), e.get(\"c\")) in PAIRS\n",
			"p eq \"winword.exe\"\nc eq \"cmd.exe\"\np eq \"excel.exe\"\nc eq \"cmd.exe\"\n", 0},
		"tuple not in": {pairs + "def rule(e):\n    return (e.get(\"p\"), e.get(\"c\")) not in PAIRS\n",
			"p eq \"winword.exe\" negated exclusion\nc eq \"cmd.exe\" negated exclusion\np eq \"excel.exe\" negated exclusion\nc eq \"cmd.exe\" negated exclusion\n", 0},
		"tuple against pairs of another length": {"P = {(\"a\", \"b\", \"c\")}\ndef rule(e):\n    return (e.get(\"p\"), e.get(\"c\")) in P\n", "", 1},
		"last part lowered": {`def rule(e): return e.get("s", "").split("/")[-1].lower() in ["a"]`,
			"s eq \"a\"\ns endswith \"/a\"\n", 0},
		"split part lowered": {`def rule(e): return e.get("t", "").split("@")[1].lower() not in ["x.com"]`,
			"t regex_match \"^(?:[^@]*@){1}\"\nt regex_match \"^(?:[^@]*@){1}x\\\\.com(?:@|\\\\Z)\" negated exclusion\n", 0},
		"constants lowered as the code lowers them": {"L = {\"AppInstaller.exe\", \"At.exe\"}\ndef rule(e):\n    return e.get(\"x\", \"\").lower() in [x.lower() for x in L]\n",
			"x in \"appinstaller.exe\"\nx in \"at.exe\"\n", 0},
		"strip of a constant": {"def rule(e): return e.get(\"x\") == \"  A \".strip()\n", "x eq \"A\"\n", 0},
		"a loop over a value or the list of it": {"def rule(e):\n    a = e.get(\"auth\", [])\n    for x in a if isinstance(a, list) else [a]:\n        if x.get(\"ok\") is True:\n            return True\n    return False\n",
			"auth.ok eq \"true\"\n", 0},
		"a loop over a list of another value is not read so": {"def rule(e):\n    a = e.get(\"auth\", [])\n    for x in a if isinstance(a, list) else [e.get(\"b\")]:\n        if x.get(\"ok\") is True:\n            return True\n    return False\n",
			"", 1},
		"membership in a display of fields": {`def rule(e): return "*" in [e.get("a"), e.get("b")]`,
			"a eq \"*\"\nb eq \"*\"\n", 0},
		"not in a display of fields": {`def rule(e): return e.get("x") not in (e.get("a"), "k")`,
			"x eq \"fieldref:a\" negated exclusion\nx eq \"k\" negated exclusion\n", 0},
		"a boolean helper result is True": {"def f(e):\n    a = e.get(\"a\")\n    if a:\n        return a != e.get(\"b\")\n    return False\n" +
			"def rule(e):\n    return f(e) is True\n",
			"a is_not_null\na eq \"false\" negated exclusion\na eq \"\" negated exclusion\na eq \"0\" negated exclusion\na eq \"fieldref:b\" negated exclusion\n", 0},
		"a comparison is False":              {`def rule(e): return (e.get("a") == "x") is False`, "a eq \"x\" negated exclusion\n", 0},
		"a field is True stays a value test": {`def rule(e): return e.get("a") is True`, "a eq \"true\"\n", 0},
		"a filtered comprehension over constants is truthy when one passes": {"A = [\".a.com\", \".b.com\"]\ndef rule(e):\n    hits = [x for x in A if e.get(\"d\", \"\").endswith(x)]\n    return not hits\n",
			"d endswith \".a.com\" negated exclusion\nd endswith \".b.com\" negated exclusion\n", 0},
		"a generator object is always truthy": {`def rule(e): return (x for x in [1] if e.get("a") == x) and e.get("b") == 1`, "b eq \"1\"\n", 0},
		"a str method on None raises":         {"def rule(e):\n    v = None\n    return v.lower() == \"a\" or e.get(\"b\") == 1\n", "b eq \"1\"\n", 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ps, skipped := extract(t, tc.src)
			assert.Equal(t, tc.want, rule.Format(ps))
			assert.Len(t, skipped, tc.skip, "skipped: %v", skipped)
		})
	}
}
