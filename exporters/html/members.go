package html

import (
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// The filters of a technique page recount every table on the page among
// the rules left visible, so each row carries the rules it counts (its
// members, as positions in the page's list of rules). A rule counts in a
// row as it does in the aggregate tables (pipeline/aggregate.go): a field
// row (field, role) holds the rules with a non-negated predicate on it, an
// indicator row (field, role, op with in as eq, lower-cased value) those
// with such a non-negated value comparison (existence checks are no
// value), an exclusion row those excluding the value, an event row those
// reading the event; only the rules of the counted kinds count.

// Member kinds.
const (
	memberField = iota
	memberIndicator
	memberExclusion
	memberEvent
	nMemberKinds
)

// ruleKeys interns the rows every counted rule counts in.
type ruleKeys struct {
	codes [nMemberKinds]map[string]int32
	rules [][nMemberKinds][]int32 // per rule, per kind: the row codes, each once
}

func fieldRowKey(field, role string) string { return field + "\x00" + role }

func identRowKey(field, role, op, value string) string {
	if op == string(rule.OpIn) {
		op = string(rule.OpEq)
	}
	return field + "\x00" + role + "\x00" + op + "\x00" + strings.ToLower(value)
}

// newRuleKeys reads the rows of the counted rules (raw: not cleaned).
func newRuleKeys(raw []view.Rule, counted []bool) *ruleKeys {
	k := &ruleKeys{rules: make([][nMemberKinds][]int32, len(raw))}
	for i := range k.codes {
		k.codes[i] = map[string]int32{}
	}
	for i := range raw {
		if !counted[i] {
			continue
		}
		r := &raw[i]
		for _, p := range r.Predicates {
			if p.Exclusion {
				k.add(i, memberExclusion, identRowKey(p.Field, p.Role, p.Op, p.Value))
			}
			if p.Negated {
				continue
			}
			k.add(i, memberField, fieldRowKey(p.Field, p.Role))
			if !isExistence(p.Op) {
				k.add(i, memberIndicator, identRowKey(p.Field, p.Role, p.Op, p.Value))
			}
		}
		for _, e := range r.Events {
			k.add(i, memberEvent, e)
		}
	}
	return k
}

func (k *ruleKeys) add(r, kind int, key string) {
	c, ok := k.codes[kind][key]
	if !ok {
		c = int32(len(k.codes[kind]))
		k.codes[kind][key] = c
	}
	l := k.rules[r][kind]
	for _, x := range l {
		if x == c {
			return
		}
	}
	k.rules[r][kind] = append(l, c)
}

// members holds, for one page, each row code of each kind with the page
// positions of the rules counting in it. A worker keeps one and reuses it
// from page to page (touched lists the codes to clear).
type members struct {
	lists   [nMemberKinds][][]int
	touched [nMemberKinds][]int32
}

// pageMembers indexes the rows of the rules of a page (global rule
// indexes, in page order) into m.
func (k *ruleKeys) pageMembers(m *members, rules []int) *members {
	for kind := range m.lists {
		for _, c := range m.touched[kind] {
			m.lists[kind][c] = m.lists[kind][c][:0]
		}
		m.touched[kind] = m.touched[kind][:0]
		if len(m.lists[kind]) < len(k.codes[kind]) {
			m.lists[kind] = append(m.lists[kind], make([][]int, len(k.codes[kind])-len(m.lists[kind]))...)
		}
	}
	for pos, r := range rules {
		for kind, codes := range k.rules[r] {
			for _, c := range codes {
				l := m.lists[kind][c]
				if len(l) == 0 {
					m.touched[kind] = append(m.touched[kind], c)
				}
				m.lists[kind][c] = append(l, pos)
			}
		}
	}
	return m
}

// of returns the page positions of the rules counting in a row.
func (k *ruleKeys) of(m *members, kind int, key string) []int {
	c, ok := k.codes[kind][key]
	if !ok {
		return nil
	}
	return m.lists[kind][c]
}

// membersText writes sorted positions as a data-r attribute value:
// space-separated numbers, runs of three or more as "first-last".
func membersText(pos []int) string {
	var b []byte
	for i := 0; i < len(pos); {
		j := i
		for j+1 < len(pos) && pos[j+1] == pos[j]+1 {
			j++
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(pos[i]), 10)
		switch {
		case j >= i+2:
			b = append(b, '-')
			b = strconv.AppendInt(b, int64(pos[j]), 10)
		case j == i+1:
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(pos[j]), 10)
		}
		i = j + 1
	}
	return string(b)
}
