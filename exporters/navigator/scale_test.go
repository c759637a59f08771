package navigator

import (
	"slices"
	"testing"
)

func TestScale(t *testing.T) {
	for _, tc := range []struct {
		scores    []int64
		ticks     []int64
		gradMin   int64
		gradMax   int64
		sameColor bool // lowest and highest look alike (one score only)
	}{
		{scores: []int64{1, 5, 766, 0, 12}, ticks: []int64{1, 3, 10, 30, 100, 300, 766}, gradMin: 1, gradMax: 766},
		{scores: []int64{2, 45, 4}, ticks: []int64{2, 3, 10, 30, 45}, gradMin: 2, gradMax: 45},
		{scores: []int64{3, 3}, ticks: []int64{3}, gradMin: 3, gradMax: 4, sameColor: true},
		{scores: []int64{0}, ticks: nil, gradMin: 1, gradMax: 2, sameColor: true},
	} {
		s := newScale(tc.scores)
		if got := s.ticks(); !slices.Equal(got, tc.ticks) {
			t.Errorf("%v: ticks %v, want %v", tc.scores, got, tc.ticks)
		}
		g := s.gradient()
		if g.MinValue != tc.gradMin || g.MaxValue != tc.gradMax || len(g.Colors) < 2 {
			t.Errorf("%v: gradient %+v", tc.scores, g)
		}
		if s.color(s.min) == "#ffffff" || s.color(s.min) == GapColor {
			t.Errorf("%v: lowest colour %s", tc.scores, s.color(s.min))
		}
		if same := s.color(s.min) == s.color(s.max); same != tc.sameColor {
			t.Errorf("%v: lowest %s, highest %s", tc.scores, s.color(s.min), s.color(s.max))
		}
		if l := s.legend("no rule"); l[0].Color != GapColor || len(l) != len(tc.ticks)+1 {
			t.Errorf("%v: legend %v", tc.scores, l)
		}
	}
	// Logarithmic: 1, 10 and 100 of 1..1000 sit at a third of the ramp apart.
	s := newScale([]int64{1, 1000})
	for v, want := range map[int64]float64{1: 0, 10: 1.0 / 3, 100: 2.0 / 3, 1000: 1} {
		if got := s.position(v); got < want-1e-9 || got > want+1e-9 {
			t.Errorf("position(%d) = %v, want %v", v, got, want)
		}
	}
	if rampAt(0) != rampColors[0] || rampAt(1) != rampColors[len(rampColors)-1] {
		t.Errorf("ramp ends %s %s", rampAt(0), rampAt(1))
	}
}
