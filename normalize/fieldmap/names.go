package fieldmap

import (
	"bufio"
	"strconv"
	"strings"
	"sync"
)

// The kinds of Origin.
const (
	OriginECS         = "ecs"         // an ECS 9.5 field
	OriginIntegration = "integration" // a field of an Elastic integration that Elastic's rules use
	OriginException   = "exception"   // listed under exceptions in the field map, with a reason
)

// Origin is where a canonical field name comes from.
type Origin struct {
	Kind        string // OriginECS, OriginIntegration, OriginException; "" = not canonical
	Type        string // ECS field type (keyword, long, …)
	MultiOf     string // for an ECS multi-field (process.name.text), the field it indexes
	Integration string // for an integration field, the integration most Elastic rules using it declare
	Uses        int    // for an integration field, the Elastic predicates on it
	Reason      string // for an exception, why it is kept
}

// names holds the two generated lists.
type names struct {
	ecs, integration map[string]Origin
}

var (
	namesOnce sync.Once
	namesList *names
)

// generatedNames parses the embedded lists once.
func generatedNames() *names {
	namesOnce.Do(func() {
		namesList = &names{ecs: map[string]Origin{}, integration: map[string]Origin{}}
		eachRow(ecsData, func(cols []string) {
			o := Origin{Kind: OriginECS, Type: cols[1]}
			if len(cols) > 2 {
				o.MultiOf = cols[2]
			}
			namesList.ecs[cols[0]] = o
		})
		eachRow(integrationData, func(cols []string) {
			o := Origin{Kind: OriginIntegration}
			if len(cols) > 1 && cols[1] != "-" {
				o.Integration = cols[1]
			}
			if len(cols) > 2 {
				o.Uses, _ = strconv.Atoi(cols[2])
			}
			namesList.integration[cols[0]] = o
		})
	})
	return namesList
}

func eachRow(data string, f func(cols []string)) {
	sc := bufio.NewScanner(strings.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f(strings.Split(line, "\t"))
	}
}

func (n *names) origin(name string) Origin {
	if o, ok := n.ecs[name]; ok {
		return o
	}
	return n.integration[name]
}

// ECSMultiFieldOf returns the ECS field that name is a multi-field of
// (process.name.text → process.name), or "".
func ECSMultiFieldOf(name string) string { return generatedNames().ecs[name].MultiOf }
