package markdown

import (
	"testing"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

func TestMessagesGroupByCause(t *testing.T) {
	ps := []tables.Problem{
		{Kind: "failed", Msg: "python file not found: rules/a/x.py"},
		{Kind: "failed", Msg: "python file not found: rules/b/y.py"},
		{Kind: "failed", Msg: `query line 3, column 5: unexpected "foo"`},
		{Kind: "failed", Msg: `query line 9, column 1: unexpected "bar"`},
		{Kind: "note", Msg: "macro `x` not found"},
	}
	got := messages(ps)
	want := []struct {
		name string
		n    int64
	}{
		{"failed: python file not found: …", 2},
		{"failed: query line N, column N: unexpected …", 2},
		{"note: macro … not found", 1},
	}
	if len(got) != len(want) {
		t.Fatalf("messages = %+v", got)
	}
	for i, w := range want {
		if got[i].Name != w.name || got[i].Rules != w.n {
			t.Errorf("messages[%d] = %q %d, want %q %d", i, got[i].Name, got[i].Rules, w.name, w.n)
		}
	}
}
