package pyrule

// Query is a parsed Panther Python detection file: the module-level
// statements that matter for extraction (imports, constant assignments,
// function definitions); everything else is kept as Opaque.
type Query struct {
	Body []Stmt
}

// Func returns the module-level function named name, or nil.
func (q *Query) Func(name string) *FuncDef {
	var found *FuncDef
	for _, s := range q.Body {
		if f, ok := s.(*FuncDef); ok && f.Name == name {
			found = f // a later definition wins, as in Python
		}
	}
	return found
}

// Stmt is a Python statement of the supported subset.
type Stmt interface{ stmtNode() }

// Expr is a Python expression of the supported subset.
type Expr interface{ exprNode() }

// Pos is a 1-based source position.
type Pos struct{ Line, Col int }

type (
	// Import is `import a.b` (Names) or `from m import a, b as c` (From set).
	Import struct {
		Pos
		From  string   // the module of a from-import, "" for a plain import
		Names []string // imported names as bound in the module (alias when given)
		Orig  []string // the names as written before any alias: the dotted module of a plain import, the imported name of a from-import
	}
	// FuncDef is `def name(params): body`.
	FuncDef struct {
		Pos
		Name   string
		Params []string // parameter names, in order (stars dropped)
		// Defaults are the default values of parameters, kept only when the
		// list has no star, bare * or / (so the names print back valid).
		Defaults map[string]Expr
		Body     []Stmt
	}
	// Assign is `target = value` (chained targets become several Assigns).
	Assign struct {
		Pos
		Target Expr
		Value  Expr
	}
	// If is `if cond: body` with optional else (elif becomes a nested If in Else).
	If struct {
		Pos
		Cond Expr
		Body []Stmt
		Else []Stmt
	}
	// For is `for target in iter: body`.
	For struct {
		Pos
		Target Expr
		Iter   Expr
		Body   []Stmt
	}
	// Block is a statement with a body that runs once (try, with): the
	// body is kept, handlers and context managers are dropped.
	Block struct {
		Pos
		Kind string // "try" or "with"
		Body []Stmt
	}
	// Return is `return [value]`.
	Return struct {
		Pos
		Value Expr // nil for a bare return
	}
	// ExprStmt is an expression used as a statement.
	ExprStmt struct {
		Pos
		X Expr
	}
	// OpaqueStmt is any other statement (pass, while, class, raise, …).
	OpaqueStmt struct {
		Pos
		Kind string
		Name string // the name a class_definition binds, or an augmented_assignment changes
	}
)

func (*Import) stmtNode()     {}
func (*FuncDef) stmtNode()    {}
func (*Assign) stmtNode()     {}
func (*If) stmtNode()         {}
func (*For) stmtNode()        {}
func (*Block) stmtNode()      {}
func (*Return) stmtNode()     {}
func (*ExprStmt) stmtNode()   {}
func (*OpaqueStmt) stmtNode() {}

type (
	// Name is an identifier.
	Name struct {
		Pos
		ID string
	}
	// Str is a string literal (concatenations joined, escapes decoded).
	Str struct {
		Pos
		Value string
	}
	// Num is a numeric literal as written.
	Num struct {
		Pos
		Text string
	}
	// Const is True, False or None.
	Const struct {
		Pos
		Value string // "True", "False", "None"
	}
	// Attr is `x.name`.
	Attr struct {
		Pos
		X    Expr
		Name string
	}
	// Call is `fn(args, name=value)`.
	Call struct {
		Pos
		Fn     Expr
		Args   []Expr
		Kwargs []Kwarg
	}
	// Subscript is `x[index]`.
	Subscript struct {
		Pos
		X     Expr
		Index Expr
	}
	// Coll is a list, tuple, set or dict display; dict values are in Values.
	Coll struct {
		Pos
		Kind   string // "list", "tuple", "set", "dict"
		Elts   []Expr // elements, or dict keys
		Values []Expr // dict values (same length as Elts), nil otherwise
	}
	// Comp is a comprehension or generator expression with one for clause:
	// `[elt for var in iter if cond]`.
	Comp struct {
		Pos
		Kind string // "list", "set", "gen"
		Elt  Expr
		Var  string
		Iter Expr
		Cond Expr // nil when there is no if clause
	}
	// BoolOp is `a and b and c` or `a or b`.
	BoolOp struct {
		Pos
		Op string // "and", "or"
		Xs []Expr
	}
	// BinOp is a binary operator expression `l op r` (+, |, -, &, …).
	BinOp struct {
		Pos
		Op   string
		L, R Expr
	}
	// Not is `not x`.
	Not struct {
		Pos
		X Expr
	}
	// Compare is a comparison chain `a op1 b op2 c`.
	Compare struct {
		Pos
		Left  Expr
		Ops   []string // "==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"
		Right []Expr
	}
	// IfExp is the conditional expression `body if cond else orelse`.
	IfExp struct {
		Pos
		Body, Cond, Else Expr
	}
	// NamedExpr is the assignment expression `(name := x)`.
	NamedExpr struct {
		Pos
		Name string
		X    Expr
	}
	// Opaque is any other expression, kept as its source text.
	Opaque struct {
		Pos
		Kind string
		Text string
	}
)

// Kwarg is a keyword argument of a call.
type Kwarg struct {
	Name  string
	Value Expr
}

func (*Name) exprNode()      {}
func (*Str) exprNode()       {}
func (*Num) exprNode()       {}
func (*Const) exprNode()     {}
func (*Attr) exprNode()      {}
func (*Call) exprNode()      {}
func (*Subscript) exprNode() {}
func (*Coll) exprNode()      {}
func (*Comp) exprNode()      {}
func (*BoolOp) exprNode()    {}
func (*Not) exprNode()       {}
func (*BinOp) exprNode()     {}
func (*Compare) exprNode()   {}
func (*Opaque) exprNode()    {}
func (*IfExp) exprNode()     {}
func (*NamedExpr) exprNode() {}

// pos returns the position of an expression.
func pos(e Expr) Pos {
	switch e := e.(type) {
	case *Name:
		return e.Pos
	case *Str:
		return e.Pos
	case *Num:
		return e.Pos
	case *Const:
		return e.Pos
	case *Attr:
		return e.Pos
	case *Call:
		return e.Pos
	case *Subscript:
		return e.Pos
	case *Coll:
		return e.Pos
	case *Comp:
		return e.Pos
	case *BoolOp:
		return e.Pos
	case *Not:
		return e.Pos
	case *BinOp:
		return e.Pos
	case *Compare:
		return e.Pos
	case *Opaque:
		return e.Pos
	case *IfExp:
		return e.Pos
	}
	return Pos{}
}
