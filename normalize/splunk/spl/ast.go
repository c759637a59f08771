package spl

// Query is a parsed SPL search: a pipeline of commands.
type Query struct {
	Commands []Command
}

// Command is one stage of the pipeline.
type Command interface {
	// Name is the command name, lower-case ("search", "tstats", "where", …).
	Name() string
	// String prints the stage in canonical form, without the leading pipe.
	String() string
}

// SearchCmd is the leading search (Implicit) or a `search` stage.
type SearchCmd struct {
	Implicit bool       // the leading search terms, with no command word
	Expr     SearchExpr // nil for `search` with no terms
}

// WhereCmd is a `where` stage.
type WhereCmd struct {
	Expr Expr
}

// TstatsCmd is a `tstats` or `mstats` stage.
type TstatsCmd struct {
	Cmd       string     // tstats or mstats
	Head      string     // options and aggregations, as written
	From      string     // the FROM target as written (datamodel=X.Y), or ""
	Datamodel string     // the data model (and dataset) named by FROM, or ""
	Where     SearchExpr // the WHERE clause, or nil
	By        string     // the BY clause as written, or ""
}

// LookupCmd is a `lookup`, `inputlookup` or `outputlookup` stage.
type LookupCmd struct {
	Cmd   string
	Table string // the lookup table name
	Args  string // all arguments as written
}

// RegexCmd is a `regex` stage: `regex field="re"`, `regex field!="re"` or
// `regex "re"` (on _raw).
type RegexCmd struct {
	Field   string // empty: _raw
	Negated bool
	Pattern string
}

// RawCmd is any other stage; its arguments are kept as written. Such
// commands do not filter events by field values (eval, rename, stats, …),
// except through the searches they combine (join, append, appendpipe, …),
// which are parsed into Subsearches.
type RawCmd struct {
	Cmd         string
	Args        string
	Subsearches []Subsearch // the bracketed searches of a combining command
}

// Name returns "search".
func (*SearchCmd) Name() string { return "search" }

// Name returns "where".
func (*WhereCmd) Name() string { return "where" }

// Name returns "tstats" or "mstats".
func (c *TstatsCmd) Name() string { return c.Cmd }

// Name returns the lookup command name.
func (c *LookupCmd) Name() string { return c.Cmd }

// Name returns "regex".
func (*RegexCmd) Name() string { return "regex" }

// Name returns the command name.
func (c *RawCmd) Name() string { return c.Cmd }

// SearchExpr is a node of a search-language boolean expression (the leading
// search, `search` stages and the tstats WHERE clause).
type SearchExpr interface{ searchNode() }

// SAnd is a conjunction (implicit or AND).
type SAnd []SearchExpr

// SOr is a disjunction.
type SOr []SearchExpr

// SNot negates its operand.
type SNot struct{ X SearchExpr }

// Value is a term value as written: Text has the escapes `\\`, `\"` and `\|`
// removed; Quoted records double quotes.
type Value struct {
	Text   string
	Quoted bool
}

// STerm is a comparison `field op value`, or a bare keyword when Field is
// empty. Op is one of = != < <= > >= (`==` is read as `=`).
type STerm struct {
	Field string
	Op    string
	Value Value
	Func  string // TERM or CASE for `TERM(x)` / `CASE(x)` keywords
}

// SIn is `field IN (v1, v2, …)`.
type SIn struct {
	Field  string
	Values []Value
}

// SSub is a subsearch `[ … ]` used as a search term.
type SSub struct{ Query *Query }

// SMacro is a macro reference left in the text (normally expanded before
// parsing).
type SMacro struct{ Text string }

func (SAnd) searchNode()   {}
func (SOr) searchNode()    {}
func (SNot) searchNode()   {}
func (STerm) searchNode()  {}
func (SIn) searchNode()    {}
func (SSub) searchNode()   {}
func (SMacro) searchNode() {}

// Expr is a node of an eval expression (`where` stages).
type Expr interface{ exprNode() }

// EIdent is a field name; Quoted for 'single quoted' names.
type EIdent struct {
	Name   string
	Quoted bool
}

// EString is a double-quoted string literal, escapes removed.
type EString struct{ Value string }

// ENumber is a numeric literal as written.
type ENumber struct{ Text string }

// ECall is a function call.
type ECall struct {
	Func string // as written
	Args []Expr
}

// EBinary is a binary operation. Op is one of OR XOR AND = == != < <= > >=
// LIKE + - . * / %.
type EBinary struct {
	Op   string
	L, R Expr
}

// EUnary is NOT or unary minus.
type EUnary struct {
	Op string // NOT or -
	X  Expr
}

// EIn is `x IN (v1, v2, …)`.
type EIn struct {
	X    Expr
	List []Expr
}

func (EIdent) exprNode()  {}
func (EString) exprNode() {}
func (ENumber) exprNode() {}
func (ECall) exprNode()   {}
func (EBinary) exprNode() {}
func (EUnary) exprNode()  {}
func (EIn) exprNode()     {}
