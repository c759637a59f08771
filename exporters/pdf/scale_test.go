package pdf

import (
	"slices"
	"testing"
)

func TestCountScale(t *testing.T) {
	lum := func(c rgb) float64 { return 0.2126*float64(c.r) + 0.7152*float64(c.g) + 0.0722*float64(c.b) }
	s := newCountScale([]int64{479, 1, 0, 12, 3, 55})
	if want := []int64{1, 3, 10, 30, 100, 300}; !slices.Equal(s.steps, want) {
		t.Fatalf("steps %v, want %v", s.steps, want)
	}
	if want := []string{"1–2", "3–9", "10–29", "30–99", "100–299", "300–479"}; !slices.Equal(s.labels(), want) {
		t.Errorf("labels %v, want %v", s.labels(), want)
	}
	one, most, none := s.shadeOf(1), s.shadeOf(479), s.shadeOf(0)
	white := rgb{255, 255, 255}
	if one.c == most.c || one.c == none.c || one.c == white || none.c != gapShade {
		t.Errorf("1 rule %v, 479 rules %v, none %v", one, most, none)
	}
	if !most.light || one.light {
		t.Errorf("text on 1 rule light %v, on 479 light %v", one.light, most.light)
	}
	prev := lum(white)
	if s.shadeOf(479) != s.shadeOf(300) {
		t.Errorf("479 and 300 rules are one step, shaded %v and %v", s.shadeOf(479), s.shadeOf(300))
	}
	for _, n := range []int64{1, 3, 10, 30, 100, 300} {
		if l := lum(s.shadeOf(n).c); l >= prev {
			t.Errorf("%d rules (%v) not darker than the step below", n, s.shadeOf(n).c)
		} else {
			prev = l
		}
	}
	if s.step(2) != 0 || s.step(299) != 4 || s.step(1000) != 5 {
		t.Errorf("steps of 2, 299, 1000: %d %d %d", s.step(2), s.step(299), s.step(1000))
	}
	// One count only: one step, still not white.
	if s := newCountScale([]int64{7, 7}); len(s.steps) != 1 || s.labels()[0] != "7" || s.shadeOf(7).c == white {
		t.Errorf("single count: %+v %v", s, s.labels())
	}
	if s := newCountScale(nil); len(s.steps) != 0 || s.shadeOf(0).c != gapShade {
		t.Errorf("no count: %+v", s)
	}
}
