package tables

import "github.com/apache/arrow-go/v18/arrow"

// Names of the telemetry and threat-actor tables.
const (
	DataComponentsName = "datacomponents"
	ActorsName         = "actors"
)

// DataComponentsSchema is the schema of datacomponents.parquet: technique ×
// ATT&CK data component. recommended: ATT&CK's detection strategies for the
// technique call for the component (through their analytics); rules: distinct
// rules of the technique (sub-techniques rolled up) whose events map to it;
// vendors: the vendors of those rules, sorted.
var DataComponentsSchema = arrow.NewSchema([]arrow.Field{
	field("technique_id", str), field("data_component_id", str), field("data_component_name", str),
	field("recommended", boolean), field("rules", i64), field("vendors", strList),
}, nil)

// ActorsSchema is the schema of actors.parquet: ATT&CK group × technique it
// uses, with the catalog's distinct rules for the technique (as coverage,
// sub-techniques rolled up) and their vendors.
var ActorsSchema = arrow.NewSchema([]arrow.Field{
	field("group_id", str), field("group_name", str), field("technique_id", str), field("technique_name", str),
	field("rules", i64), field("vendors", strList),
}, nil)
