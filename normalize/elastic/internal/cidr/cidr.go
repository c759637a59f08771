// Package cidr recognizes CIDR literals in the values of Elastic queries.
// Elasticsearch evaluates a term, terms or match query whose value is a
// CIDR block (`10.0.0.0/8`, `fe80::/10`) against an IP field as a range
// test, so KQL `destination.ip : 10.0.0.0/8`, Lucene
// `destination.ip:"10.0.0.0/8"` and the Kibana filters that hold such a
// value are cidr_match, like EQL cidrMatch and ES|QL cidr_match (SPEC §4).
package cidr

import (
	"net/netip"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Is reports whether v is an IPv4 or IPv6 CIDR block, written exactly
// (no surrounding space, no zone).
func Is(v string) bool {
	_, err := netip.ParsePrefix(v)
	return err == nil
}

// Op returns cidr_match when op is an equality (eq, in) or a match and v
// is a CIDR block, else op.
func Op(op rule.Op, v string) rule.Op {
	if (op == rule.OpEq || op == rule.OpIn || op == rule.OpMatch) && Is(v) {
		return rule.OpCIDR
	}
	return op
}
