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
// Calls of helpers that cannot be resolved (imported from panther global
// helper modules or elsewhere), unresolvable imported constants and other
// unsupported expressions become rule.Skipped with a reason and line.
// Work is bounded (maxSteps, maxEvalDepth, maxCallDepth, maxUnroll): a
// rule too complex to analyse is reported skipped, never a hang.
package pyrule
