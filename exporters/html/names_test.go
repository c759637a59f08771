package html

import (
	"strings"
	"testing"
)

func TestSafeStem(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"},
		{"T1059.001", "T1059.001"},
		{"AWS.CloudTrail.Root_Login", "AWS.CloudTrail.Root_Login"},
		{"a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j-" + hash8("a/b\\c:d*e?f\"g<h>i|j")},
		{"../etc/passwd", "_etc_passwd-" + hash8("../etc/passwd")},
		{"con", "con-" + hash8("con")},
		{"NUL.txt", "NUL.txt-" + hash8("NUL.txt")},
		{"", "x-" + hash8("")},
		{"trailing.", "trailing-" + hash8("trailing.")},
		{"ünïcode", "_n_code-" + hash8("ünïcode")},
	} {
		if got := safeStem(c.in); got != c.want {
			t.Errorf("safeStem(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := strings.Repeat("a", 300)
	if got := safeStem(long); len(got) > maxStem+10 {
		t.Errorf("safeStem(300×a) has %d bytes", len(got))
	}
}

func TestNamerCaseInsensitive(t *testing.T) {
	n := newNamer()
	a := n.name("k1", "Rule-A")
	b := n.name("k2", "rule-a")
	c := n.name("k3", "rule-a")
	if a != "Rule-A" || strings.EqualFold(a, b) || strings.EqualFold(b, c) || strings.EqualFold(a, c) {
		t.Errorf("names %q %q %q collide on a case-insensitive file system", a, b, c)
	}
	if n.name("k2", "whatever") != b {
		t.Error("the same key got a different name")
	}
}

func TestClean(t *testing.T) {
	if got := clean("a\x00b\nc\x7fd\xffe"); got != "a\u2400b\u240ac\u2421d\uFFFDe" {
		t.Errorf("clean = %q", got)
	}
	if s := "plain"; clean(s) != s {
		t.Error("clean changed a plain string")
	}
}
