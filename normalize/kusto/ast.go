package kusto

// Pos is a 1-based position in the query text.
type Pos struct{ Line, Col int }

// Query is a parsed Kusto query: statements (let and others) in order; Body
// is the last tabular expression statement, the query's result, or nil.
type Query struct {
	Stmts []Stmt
	Body  Expr
}

// Stmt is a query or function-body statement: *Let, *ExprStmt or *RawStmt.
type Stmt interface{ stmtPos() Pos }

// Let binds a name to a scalar, a tabular expression or a function.
type Let struct {
	Pos   Pos
	Name  string
	Fn    *Func // a function or view; Value is nil then
	Value Expr
}

// Func is a let-bound function: `(a:string, b:int = 3) { stmts; body }`.
type Func struct {
	View   bool
	Params []Param
	Stmts  []Stmt // the body's statements, the last expression being its result
	Body   Expr   // result expression of the body, or nil
}

// Param is one function parameter.
type Param struct {
	Name    string
	Type    string // as written: string, dynamic, (*), (x:string)
	Default Expr   // or nil
}

// ExprStmt is a tabular or scalar expression statement.
type ExprStmt struct {
	Pos Pos
	X   Expr
}

// RawStmt is a statement kept as tokens (set, declare, alias, pattern).
type RawStmt struct {
	Pos  Pos
	Toks []Token
}

func (s *Let) stmtPos() Pos      { return s.Pos }
func (s *ExprStmt) stmtPos() Pos { return s.Pos }
func (s *RawStmt) stmtPos() Pos  { return s.Pos }

// Expr is a scalar or tabular expression.
type Expr interface{ exprPos() Pos }

// Ident is a name: a column, table, let binding or keyword value
// (true, false, null).
type Ident struct {
	Pos  Pos
	Name string
}

// Lit is a literal. Kind is String, Number or Typed; Value is the decoded
// string for String and the text as written otherwise.
type Lit struct {
	Pos   Pos
	Kind  Kind
	Value string
}

// Star is `*` used as an operand (`where * has "x"`, `union *`).
type Star struct{ Pos Pos }

// Binary is a binary operation. Op is the operator in lower case as
// written: and, or, ==, !=, =~, !~, <>, <, <=, >, >=, +, -, *, /, %, has,
// !has, has_cs, contains, !contains, startswith, …, matches regex, in, in~,
// !in, !in~, has_any, has_all. For the list operators R is a *List.
type Binary struct {
	Pos  Pos
	Op   string
	L, R Expr
}

// Between is `X between (Lo .. Hi)` or `X !between (Lo .. Hi)`.
type Between struct {
	Pos       Pos
	Neg       bool
	X, Lo, Hi Expr
}

// Unary is a prefix + or -.
type Unary struct {
	Pos Pos
	Op  string
	X   Expr
}

// List is a parenthesized, comma-separated list: the right side of in and
// has_any, or a tuple.
type List struct {
	Pos   Pos
	Elems []Expr
}

// Call is a function call. Fun is an *Ident (or a *Member for dotted names).
type Call struct {
	Pos  Pos
	Fun  Expr
	Args []Expr
}

// Member is dynamic member access `X.Name`.
type Member struct {
	Pos  Pos
	X    Expr
	Name string
}

// Index is `X[I]`: `AdditionalFields["z"]`, `split(x, "/")[1]`.
type Index struct {
	Pos Pos
	X   Expr
	I   Expr
}

// Array is a JSON-style array inside dynamic(): `[a, b]`.
type Array struct {
	Pos   Pos
	Elems []Expr
}

// Bag is a property bag inside dynamic(): `{"k": v}`.
type Bag struct {
	Pos  Pos
	Keys []string
	Vals []Expr
}

// Named is `Name = Value` in argument and parameter lists (isfuzzy=true,
// kind=inner).
type Named struct {
	Pos   Pos
	Name  string
	Value Expr
}

// Paren is a parenthesized expression or sub-query.
type Paren struct {
	Pos Pos
	X   Expr
}

// Pipe is a tabular pipeline: a source and the operators applied to it.
type Pipe struct {
	Pos    Pos
	Source Expr
	Ops    []Operator
}

// Union is `union [params] T1, T2, …`, as a source or as an operator.
type Union struct {
	Pos    Pos
	Params []*Named
	Tables []Expr
	// MissingComma holds, for each "(" table written without the comma
	// that should precede it, the position of the token that ends the
	// table before it. The parser reads the union as if the comma were
	// there; Microsoft's parser rejects such a query.
	MissingComma []Pos
}

// DataTable is `datatable(schema)[values]`.
type DataTable struct {
	Pos    Pos
	Schema []Token
	Values []Expr
}

// RawExpr is a tabular source kept as tokens (externaldata, print, range,
// search, find, evaluate as a source).
type RawExpr struct {
	Pos  Pos
	Toks []Token
}

func (e *Ident) exprPos() Pos     { return e.Pos }
func (e *Lit) exprPos() Pos       { return e.Pos }
func (e *Star) exprPos() Pos      { return e.Pos }
func (e *Binary) exprPos() Pos    { return e.Pos }
func (e *Between) exprPos() Pos   { return e.Pos }
func (e *Unary) exprPos() Pos     { return e.Pos }
func (e *List) exprPos() Pos      { return e.Pos }
func (e *Call) exprPos() Pos      { return e.Pos }
func (e *Member) exprPos() Pos    { return e.Pos }
func (e *Index) exprPos() Pos     { return e.Pos }
func (e *Array) exprPos() Pos     { return e.Pos }
func (e *Bag) exprPos() Pos       { return e.Pos }
func (e *Named) exprPos() Pos     { return e.Pos }
func (e *Paren) exprPos() Pos     { return e.Pos }
func (e *Pipe) exprPos() Pos      { return e.Pos }
func (e *Union) exprPos() Pos     { return e.Pos }
func (e *DataTable) exprPos() Pos { return e.Pos }
func (e *RawExpr) exprPos() Pos   { return e.Pos }

// Operator is one tabular operator after `|`.
type Operator interface{ opPos() Pos }

// Where is `where Pred` (or `filter Pred`).
type Where struct {
	Pos  Pos
	Kw   string // where or filter, lower case
	Pred Expr
}

// Join is `join [params] Right on …` or `lookup [params] Right on …`.
type Join struct {
	Pos    Pos
	Kw     string // join or lookup
	Params []*Named
	Right  Expr
	On     []Token // the join condition, kept as tokens
}

// UnionOp is `| union …`.
type UnionOp struct {
	Pos Pos
	U   *Union
}

// Generic is any other operator (extend, project, summarize, mv-expand,
// parse, evaluate, …), kept as its name and balanced tokens.
type Generic struct {
	Pos  Pos
	Name string // lower case
	Toks []Token
	// Subs are the sub-queries found among the tokens: the body of
	// mv-apply … on ( … ) and partition … ( … ), which read the operator's
	// input rows, and parenthesized pipelines such as the argument of
	// toscalar(T | where …).
	Subs []SubQuery
}

// SubQuery is a tabular expression inside a Generic operator's tokens.
type SubQuery struct {
	Pos Pos
	// Implicit marks a body that reads the operator's input rows (mv-apply
	// … on ( … ), partition … ( … )): its filters are filters of the
	// enclosing query. Other sub-queries are independent tabular
	// expressions.
	Implicit bool
	// Q is the parsed sub-query (a *Pipe when Implicit), or nil when it
	// could not be parsed; Err says why then.
	Q   Expr
	Err error
}

func (o *Where) opPos() Pos   { return o.Pos }
func (o *Join) opPos() Pos    { return o.Pos }
func (o *UnionOp) opPos() Pos { return o.Pos }
func (o *Generic) opPos() Pos { return o.Pos }
