// Package pyrule extracts the detection logic of Panther Python rules.
//
// Parse reads a Python file with tree-sitter-python (cgo; the C grammar is
// compiled by the Go toolchain with the machine's C compiler) and converts
// the syntax tree into the package's own small AST; Lower walks
// `def rule(event):` and returns the logic as a rule.Expr boolean tree.
// (*Query).String prints the AST as canonical Python and is the round-trip
// oracle of the tests and the fuzz target. Parse also rejects, as CPython
// does, some input tree-sitter's grammar accepts: reserved words read as
// names (`def f(e):with`), starred expressions outside displays, calls and
// subscripts (`return *a`, `(*a)`), and augmented assignments at the end of
// an assignment chain (`a = b += 1`).
//
// The subset the AST models, top-down (anything else is kept as an opaque
// statement or expression, which Lower reports as skipped):
//
//	module     = { stmt } .
//	stmt       = import | funcdef | assign | if | for | try | with | return | exprstmt | other .
//	import     = "import" dotted { "," dotted } | "from" module "import" names .
//	funcdef    = [ decorators ] "def" NAME "(" params ")" ":" block .
//	assign     = target { "=" target } "=" expr .
//	if         = "if" expr ":" block { "elif" expr ":" block } [ "else" ":" block ] .
//	for        = "for" target "in" expr ":" block .
//	try        = "try" ":" block handlers .        (the body only)
//	with       = "with" items ":" block .           (the body only)
//	return     = "return" [ expr ] .
//	expr       = or_expr .
//	or_expr    = and_expr { "or" and_expr } .
//	and_expr   = not_expr { "and" not_expr } .
//	not_expr   = "not" not_expr | comparison .
//	comparison = binop { compop binop } .
//	compop     = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in" | "is" | "is" "not" .
//	binop      = primary { binoperator primary } .
//	primary    = atom { "." NAME | "(" args ")" | "[" expr "]" } .
//	atom       = NAME | STRING { STRING } | NUMBER | "True" | "False" | "None"
//	           | "(" expr ")" | list | tuple | set | dict | comprehension .
//	comprehension = ( "[" | "{" | "(" ) expr "for" NAME "in" expr [ "if" expr ] ( "]" | "}" | ")" ) .
//
// What Lower understands:
//
//   - field reads: event.get("a"[, default]), event["a"], subscript and
//     .get chains (a.b), event.deep_get("a", "b"), deep_get(event, "a", "b"),
//     event.deep_walk(...), event.udm("x") (field x), local variables
//     assigned from them, loop variables over event lists; .lower(),
//     .upper(), .strip(), str(), int() and `x or ""` are looked through;
//   - values: literals, lists/tuples/sets/frozensets/dicts (keys), module-level
//     constants (also sets built with |, + and .union), set()/frozenset()
//     calls, re.compile patterns;
//   - tests: ==, !=, is [not] None, <, <=, >, >=, in / not in a collection
//     (one `in` predicate per value), "x" in field (contains),
//     .startswith / .endswith (a tuple gives one predicate per value),
//     re.match / re.search / re.fullmatch and compiled patterns
//     (regex_match), bare field truthiness (is_not_null), not / and / or,
//     any([...]) / all([...]) and their generator forms over literal
//     collections (unrolled) or event lists;
//   - control flow: `if c: return False` guards (the rest of the rule runs
//     under not c; a guard on a positive test gives exclusions, a guard on
//     a negated test is a requirement), `if c: return True`, if/elif/else,
//     `return <cond>`, for loops over literal collections (unrolled, with
//     break/continue) and over event lists (the body once), try/with
//     bodies, and calls of module-level functions of the same file
//     (inlined up to four levels deep).
//
// Modules (LowerWith with Options.Resolve): `import x`, `import x as y`,
// `from x import y [as z]` resolve to the repository's modules; module
// constants (strings, numbers, lists, tuples, sets, dicts, unions) of the
// rule's file and of imported modules resolve (`event_type.MFA_DISABLED`,
// re-exports followed up to maxImportChain); functions of either are
// inlined when called (maxCallDepth deep; a function already being
// inlined is reported as a recursive call). A helper that returns an
// event field (`return event.deep_get("a", "b")`) reads as that field when
// every path returns it; one that returns other values (another field, a
// literal, a tuple, None by falling off the end) is run instead: `x =
// f(event)` binds x to each returned value for the rest of the code, under
// the conditions that lead to that return (`_, role = f(event)` unpacks a
// returned tuple display), `g(f(event))` inlines g once per value f
// returns, and a comparison with f(event) is evaluated per return value.
// Splitting that would pass the work bound gives its work back and leaves
// the call unread (at most maxSplitRetries times a rule).
// Reasons produced inside another module name it: "(global_helpers/
// panther_base_helpers.py line 135)"; names from modules outside the
// repository say so ("fnmatch imported from fnmatch, a module outside the
// repository").
//
// Data models (Options.UDM): event.udm("name") is expanded per log type
// the rule's data models map it for, and the alternatives are ORed. A
// Path reads that field. A Method is run with its return values standing
// for the udm value: the test on the udm value is evaluated for each
// `return v`, under the conditions that lead to it, so
// `udm("event_type") == MFA_DISABLED` over Okta's get_event_type becomes
// `eventType in (user.mfa.factor.deactivate, user.mfa.factor.suspend)`
// and not the MFA_RESET branch. A return value beyond the analysis makes
// that alternative skipped with the method, module and line.
//
// Python idioms and the predicates they become:
//
//	event.get("a") == v / != v       a eq v / a eq v negated
//	event.get("a") in COLL           one `a in v` per value (not in: negated)
//	"s" in event.get("a")            a contains s
//	"k" in event                     k is_not_null
//	x is None / is not None          is_null / is_not_null
//	x is True / False                eq true / eq false
//	event.get("a")  (truthy)         a is_not_null and not eq false, "" and 0
//	not event.get("a")  (falsy)      a is_null or eq false or eq "" or eq 0
//	                                 (Python's empty list/dict is falsy too;
//	                                 the model has no test for it)
//	a.startswith(t) / endswith(t)    startswith / endswith, one per tuple value
//	re.search(p, a[, flags])         a regex_match p (regex_match finds the
//	                                 pattern anywhere; flags re.I/M/S lead as
//	                                 (?ims); other flags are skipped)
//	re.match(p, a) / P.match(a)      a regex_match \A(?:p)
//	re.fullmatch(p, a)               a regex_match \A(?:p)\Z
//	m is not None / m is None        the match test / its negation
//	len(a) > 0 / len(a) == 0         a truthy / a is_not_null and falsy (for a
//	                                 string, list or dict; len(None) raises)
//	len(a) op n  (other bounds)      len(a) op n, role computed (!= is eq negated);
//	                                 when the read's literal default (length 0)
//	                                 satisfies the test, `or a is_null` (the
//	                                 missing value); a read that gives None
//	                                 raises, so nothing is added; `not` and
//	                                 guards use the inverse bound (< ↔ >=)
//	len(json.loads(a)) op n          len(json.loads(a)) op n, computed (the parsed
//	                                 value's length; a missing value raises)
//	for x in (a if isinstance(a,     the loop over a (its elements, or a itself)
//	list) else [a])
//	len(a.split(c)) >= n             a regex_match ^(?:[^c]*c){n-1}
//	a.split(c)[k] == v               a regex_match ^(?:[^c]*c){k}v(?:c|\Z)
//	                                 (one-character c, literal k >= 0; != and
//	                                 `not a.split(c)[k]` also require part k to
//	                                 exist, as IndexError makes the rule fail;
//	                                 .startswith/.endswith on a part likewise)
//	f(event) op v                    f a repository function: op v for each
//	                                 value f returns, under the conditions
//	                                 that lead to it (as for data models)
//	(a or b or d) op v               (a truthy and a op v) or (a falsy and
//	                                 b truthy and b op v) or (… and d op v)
//	if (n := x):                     n bound to x; tests x
//	def f(e, n=D)                    n is D when a call leaves it out
//	isinstance(literal, T)           folded to True / False
//	fnmatch(a, p)                    a wildcard p
//	a.split(s)[-1] == v              a eq v or a endswith s+v
//	D.get(a) == v, D[a] == v         a in (the keys of constant dict D whose value is v)
//	x op D[k], x = D.get(k, d)       k read from the event (a field or a split
//	                                 part), D a constant dict with literal keys:
//	                                 one alternative per key, (k == key and x op
//	                                 D[key]), and (k is none of the keys and x op
//	                                 d); D[k] raises KeyError and `x in None`
//	                                 TypeError, so those alternatives are left out
//	for k, v in D.items():           unrolled over the constant dict's items
//	for x in D.get(k):               one loop per key of D (under k == key); a
//	                                 missing key's None raises
//	v in a.split(c)                  a regex_match (?:^|c)v(?:c|\Z) (some part is v;
//	                                 c one character, v not empty)
//	x in None, for x in None         raise TypeError: that path does not match
//	[x for x in C if p(x)]  (truthy) p(c1) or p(c2) …, C a literal collection; a
//	                                 generator object is always truthy
//	{}.get(k, d), deep_get(X, …,     d (None when absent), X None or an empty dict,
//	default=d)                       as Python and the repository's deep_get do;
//	                                 `x or {}` and `x and y` over literals take
//	                                 Python's value (a data model's `return None`
//	                                 standing for x); a display the module's code
//	                                 changes in place (x[k] = v, x.append(v),
//	                                 x += …) is not read as its literal, for a
//	                                 local or a module constant (skipped, saying so)
//	json.loads(a)["k"]               a.k (the JSON's keys read as subfields)
//	b if c else d                    (c and b) or (not c and d)
//	literal op literal               folded to True / False
//	"s" in "literal"                 folded (a substring test on two literals)
//	(a, b) = (x, y)                  a bound to x, b to y (displays of equal length)
//	x in [a, b]  (not all literals)  x == a or x == b (not in: the negation)
//	b is True / b == False …         b's condition or its negation, b a comparison,
//	                                 a not, bool()/any()/all()/isinstance() or
//	                                 and/or over them (always True or False)
//	(a, b) in PAIRS                  one alternative per tuple of PAIRS: a == x
//	                                 and b == y (not in: the negation)
//	a.split(c)[k].lower() …          the part, looked through as a field's .lower()
//	"K".lower(), [x.lower() for x    the constants as the code computes them
//	in C]                            (lower, upper, strip; casefold is not read)
//	None.lower() …                   a str method on None raises: that path
//	                                 does not match
//
// A helper whose result does not depend on the event (its conditions fold,
// as `isinstance(groups, str)` on a literal argument) is evaluated to that
// value where a collection is iterated. A conditional assignment to a name
// already bound is followed on both paths. A call that raises in Python
// (None.startswith) makes that path not match.
//
// Calls of helpers that cannot be resolved, unresolvable imported
// constants and other unsupported expressions become rule.Skipped with a
// reason and line.
// Work is bounded (maxSteps, maxEvalDepth, maxCallDepth, maxUnroll): a
// rule too complex to analyse is reported skipped, never a hang.
package pyrule
