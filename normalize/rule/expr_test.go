package rule

import (
	"reflect"
	"testing"
)

func TestMapCmp(t *testing.T) {
	e := And{Cmp{FieldRaw: "a"}, Or{Cmp{FieldRaw: "b"}, Not{X: Cmp{FieldRaw: "c"}}}, Skipped{Reason: "r"}}
	got := MapCmp(e, func(c Cmp) Cmp { c.Field = "x." + c.FieldRaw; return c })
	want := And{Cmp{FieldRaw: "a", Field: "x.a"}, Or{Cmp{FieldRaw: "b", Field: "x.b"}, Not{X: Cmp{FieldRaw: "c", Field: "x.c"}}}, Skipped{Reason: "r"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("MapCmp = %#v, want %#v", got, want)
	}
	if e[0].(Cmp).Field != "" {
		t.Fatal("MapCmp changed its input")
	}
}
