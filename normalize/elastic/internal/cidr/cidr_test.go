package cidr

import (
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/stretchr/testify/assert"
)

func TestOp(t *testing.T) {
	tests := []struct {
		op   rule.Op
		v    string
		want rule.Op
	}{
		{rule.OpEq, "10.0.0.0/8", rule.OpCIDR},
		{rule.OpIn, "192.168.0.0/16", rule.OpCIDR},
		{rule.OpMatch, "fe80::/10", rule.OpCIDR},
		{rule.OpIn, "::1/128", rule.OpCIDR},
		{rule.OpEq, "10.0.0.1", rule.OpEq},                   // an address, not a block
		{rule.OpEq, " 10.0.0.0/8", rule.OpEq},                // not written exactly
		{rule.OpEq, "10.0.0.0/33", rule.OpEq},                // no such prefix length
		{rule.OpEq, "fe80::1%eth0/64", rule.OpEq},            // zones are not blocks
		{rule.OpEq, "a/b", rule.OpEq},                        // a path
		{rule.OpStartsWith, "10.0.0.0/8", rule.OpStartsWith}, // only equality and match
		{rule.OpContains, "10.0.0.0/8", rule.OpContains},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, Op(tc.op, tc.v), "%s %q", tc.op, tc.v)
	}
}
