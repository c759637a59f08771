package pdf

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/go-pdf/fpdf"
)

// TestAppendFixed2 compares appendFixed2 with strconv (what fpdf's %.2f
// writes) on page coordinates, ties, signs and extremes.
func TestAppendFixed2(t *testing.T) {
	check := func(v float64) {
		t.Helper()
		want := strconv.AppendFloat(nil, v, 'f', 2, 64)
		if got := appendFixed2(nil, v); string(got) != string(want) {
			t.Errorf("appendFixed2(%v) = %s, want %s", v, got, want)
		}
	}
	for _, v := range []float64{0, math.Copysign(0, -1), -0.001, 0.004, 0.005, 0.015, 0.125, 1.125, 2.675, -2.675,
		1.005, 99.995, 841.89, 595.28, -0.5, 1e15, -1e15, 1e300, math.Inf(1), math.Inf(-1), math.NaN(), 0.1 * 3} {
		check(v)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		check((rng.Float64()*2 - 1) * 1200)
		check(float64(rng.IntN(1200000)) / 1000) // many near ties
	}
	// Coordinates as the reports make them: millimetres times the scale.
	for i := range 30000 {
		check(float64(i) * 0.01 * 72 / 25.4)
	}
}

func FuzzAppendFixed2(f *testing.F) {
	for _, v := range []float64{0, 0.125, 2.675, -0.001, 841.89} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if got, want := appendFixed2(nil, v), strconv.AppendFloat(nil, v, 'f', 2, 64); string(got) != string(want) {
			t.Errorf("appendFixed2(%v) = %s, want %s", v, got, want)
		}
	})
}

// TestColorOp compares colorOp with the operators fpdf itself writes for
// the same colours (grey and full, fill and stroke, out of range).
func TestColorOp(t *testing.T) {
	for _, c := range []rgb{{0, 0, 0}, {255, 255, 255}, {0x1f, 0x23, 0x28}, {200, 200, 200}, {300, -1, 0}, {12, 12, 13}} {
		f := fpdf.New("P", "mm", "A4", "")
		f.SetCompression(false)
		f.AddPage()
		f.SetFillColor(c.r, c.g, c.b)
		f.SetDrawColor(c.r, c.g, c.b)
		var buf bytes.Buffer
		if err := f.Output(&buf); err != nil {
			t.Fatal(err)
		}
		for _, stroke := range []bool{false, true} {
			if op := colorOp(c, stroke); !bytes.Contains(buf.Bytes(), []byte("\n"+op+"\n")) {
				t.Errorf("%v (stroke %v): %q is not what fpdf writes", c, stroke, op)
			}
		}
	}
}
