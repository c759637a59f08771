package pipeline

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// correlatedEvents gives a correlation rule that reads no log source of its
// own (its events are only other:…) the events, platforms and domains of the
// rules it correlates, found by vendor and rule id or name (Sigma's
// `name:`; an id wins over another rule's equal name). It reads the alerts
// those rules raise, so what they read is what it covers. A correlation rule
// whose correlated rules are all missing keeps its own.
func correlatedEvents(rules []rule.Rule) {
	var idx map[string]int // vendor \x00 rule id or name → rule index
	for i := range rules {
		r := &rules[i]
		if len(r.Correlates) == 0 || !onlyOther(r.Events) {
			continue
		}
		if idx == nil {
			idx = make(map[string]int, len(rules))
			for j := range rules {
				if n := rules[j].Name; n != "" {
					idx[rules[j].Vendor+"\x00"+n] = j
				}
			}
			for j := range rules {
				idx[rules[j].Vendor+"\x00"+rules[j].RuleID] = j
			}
		}
		var events, platforms, domains []string
		for _, name := range r.Correlates {
			j, ok := idx[r.Vendor+"\x00"+name]
			if !ok || j == i || onlyOther(rules[j].Events) {
				continue
			}
			events = append(events, rules[j].Events...)
			platforms = append(platforms, rules[j].Platforms...)
			domains = append(domains, rules[j].Domains...)
		}
		if len(events) > 0 {
			r.Events = rule.SortedSet(events)
			r.Platforms = rule.SortedSet(append(r.Platforms, platforms...))
			r.Domains = rule.SortedSet(append(r.Domains, domains...))
		}
	}
}

// onlyOther reports whether events holds nothing but other:… events.
func onlyOther(events []string) bool {
	for _, e := range events {
		if !strings.HasPrefix(e, "other:") {
			return false
		}
	}
	return true
}
