// Package yamlfast is a fast parser for the subset of YAML that detection
// rule files use. It builds the same *yaml.Node trees as go.yaml.in/yaml/v3
// (Kind, Tag, Value, Style, Line, Column, Content), but without yaml.v3's
// token queue, event stream and comment bookkeeping.
//
// The contract: whenever Parse returns without error, the trees are equal
// to what yaml.v3 builds for the same input (comments excepted: HeadComment,
// LineComment and FootComment are never set). Anything outside the subset
// makes Parse return an error wrapping ErrUnsupported; Unmarshal and
// Documents then fall back to yaml.v3, so callers see yaml.v3's results and
// error messages for every input.
//
// Supported subset, top-down (informal EBNF; "sp" is a space, "nl" a line
// break, indentation is counted in spaces only):
//
//	stream      = [ BOM ] { comment-line } { document } .
//	document    = ( "---" [ comment ] nl | implicit ) block-node { comment-line } [ "..." nl ] .
//	block-node  = block-map | block-seq | block-scalar | flow-node | scalar .
//	block-map   = key ":" ( sp value | [ comment ] nl { comment-line } nested-or-empty ) { key ":" ... } .
//	key         = single-line plain | single-line "quoted" | single-line 'quoted' .
//	block-seq   = "-" ( sp entry | [ comment ] nl nested-or-empty ) { "-" ... } .
//	              (a sequence may sit at the same indentation as its parent key)
//	entry       = block-map | block-seq | block-scalar | flow-node | scalar .
//	value       = block-scalar | flow-node | scalar .
//	block-scalar= ( "|" | ">" ) [ chomp ] [ 1-9 ] [ chomp ] [ comment ] nl lines .
//	chomp       = "-" | "+" .
//	flow-node   = "[" [ flow-item { "," flow-item } ] "]"
//	            | "{" [ flow-key ": " flow-item { "," flow-key ": " flow-item } ] "}" .
//	flow-item   = flow-node | quoted | single-line plain .
//	scalar      = plain (multi-line, folded) | 'single' | "double with escapes" .
//
// Not supported (ErrUnsupported, fallback to yaml.v3): anchors and aliases,
// tags, complex keys ("? "), merge keys ("<<"), directives ("%"), content on
// the "---" line, empty documents, collections as mapping keys, multi-line
// keys, single-pair mappings inside flow sequences, trailing commas and
// empty values in flow collections, multi-line plain scalars inside flow
// collections, ":" or "?" inside flow plain scalars, tabs in indentation or
// right after "-" / ":", lone CR line breaks, NEL/LS/PS characters, a BOM
// anywhere but at the start, inputs larger than MaxInput and nesting deeper
// than MaxDepth.
package yamlfast
