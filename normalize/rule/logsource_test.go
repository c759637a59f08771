package rule

import (
	"path"
	"testing"
)

func TestGatesHold(t *testing.T) {
	gates, err := NewGates(map[string][]string{"Product": {"Win*"}, "category": {"process_creation", "image_load"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sources []string
		want    bool
	}{
		{[]string{"product:windows", "category:process_creation"}, true},
		{[]string{"PRODUCT:WINDOWS", "Category:Image_Load"}, true},
		{[]string{"product:linux", "category:image_load", "product:windows"}, true},
		{[]string{"product:windows"}, false},
		{[]string{"product:windows", "category:file_event"}, false},
		{[]string{"productwindows", "category:image_load"}, false},
	} {
		if got := gates.Hold(SplitLogSources(tc.sources)); got != tc.want {
			t.Errorf("Hold(%v) = %v, want %v", tc.sources, got, tc.want)
		}
	}
	if !Gates(nil).Hold(nil) {
		t.Error("no gates must hold")
	}
	if _, err := NewGates(map[string][]string{"x": {"[y"}}); err == nil || err.Error() != `pattern "[y": syntax error in pattern` {
		t.Errorf("malformed glob: %v", err)
	}
}

// TestPatternsMatchLikePathMatch checks the literal and prefix shortcuts
// against path.Match itself.
func TestPatternsMatchLikePathMatch(t *testing.T) {
	globs := []string{"security", "winlogbeat-*", "logs-*-default", "sec?rity", "[ab]c", "a\\*", "*", "", "logs-endpoint.events.process*"}
	values := []string{"security", "winlogbeat-", "winlogbeat-8.1", "winlogbeat", "winlogbeat-a/b", "logs-x-default",
		"secXrity", "ac", "bc", "a*", "ab", "", "anything", "logs-endpoint.events.process-default", "a/b"}
	for _, g := range globs {
		p := newPattern(g)
		for _, v := range values {
			want, _ := path.Match(g, v)
			if got := p.matches(v); got != want {
				t.Errorf("pattern %q (kind %d) on %q = %v, path.Match says %v", g, p.kind, v, got, want)
			}
		}
	}
	if newPattern("security").kind != literal || newPattern("winlogbeat-*").kind != prefix || newPattern("a*b*").kind != general {
		t.Error("pattern kinds")
	}
}
