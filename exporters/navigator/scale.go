package navigator

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// GapColor marks a technique no counted rule covers (score 0): in the
// coverage layers every current technique without a rule, in a group layer
// every technique the group uses without a rule.
const GapColor = "#ef5350"

// rampColors run from light to dark blue. The light end is clearly not
// white, so one rule never looks like an empty cell.
var rampColors = []string{"#c6dbef", "#6baed6", "#2171b5", "#08306b"}

// scale colours rule counts on a logarithmic scale from the smallest to
// the largest score of a layer: rule counts span three orders of magnitude
// (one rule to T1059's hundreds), and on a linear scale half of the
// techniques (ten rules or fewer) would share the lightest shade.
type scale struct {
	min, max int64 // the smallest and largest positive score; 0, 0 when none
}

// newScale makes the scale of a layer's positive scores.
func newScale(scores []int64) scale {
	var s scale
	for _, v := range scores {
		if v <= 0 {
			continue
		}
		if s.min == 0 || v < s.min {
			s.min = v
		}
		s.max = max(s.max, v)
	}
	return s
}

// position is the place of score v on the scale, 0 (lightest) to 1.
func (s scale) position(v int64) float64 {
	if v <= s.min || s.max <= s.min {
		return 0
	}
	if v >= s.max {
		return 1
	}
	return (math.Log(float64(v)) - math.Log(float64(s.min))) / (math.Log(float64(s.max)) - math.Log(float64(s.min)))
}

// color is the colour of a positive score.
func (s scale) color(v int64) string { return rampAt(s.position(v)) }

// gradient is the layer's gradient: the ramp's colours from the smallest
// to the largest score. The cells carry their own (logarithmic) colours;
// Navigator uses the gradient, which it interpolates linearly, only for
// scores edited in Navigator and for aggregate scores.
func (s scale) gradient() Gradient {
	lo, hi := max(s.min, 1), max(s.max, 1)
	if hi <= lo {
		hi = lo + 1 // the format wants maxValue > minValue
	}
	return Gradient{Colors: rampColors, MinValue: lo, MaxValue: hi}
}

// ticks are the scores the legend shows: the smallest, the 1-3-10 series
// between, the largest.
func (s scale) ticks() []int64 {
	if s.max == 0 {
		return nil
	}
	out := []int64{s.min}
	for step := int64(1); step < s.max; step *= 10 {
		for _, m := range []int64{1, 3} {
			if v := step * m; v > s.min && v < s.max && (len(out) == 0 || v > out[len(out)-1]) {
				out = append(out, v)
			}
		}
	}
	if s.max > s.min {
		out = append(out, s.max)
	}
	return out
}

// legend lists the gap colour and the scale's ticks.
func (s scale) legend(gap string) []Legend {
	items := []Legend{{Label: gap, Color: GapColor}}
	for _, v := range s.ticks() {
		items = append(items, Legend{Label: rulesText(v), Color: s.color(v)})
	}
	return items
}

// explain is the sentence of a layer's description that says what the
// colours mean.
func (s scale) explain(gap string) string {
	if s.max == 0 {
		return "Colours: red (score 0) = " + gap + "."
	}
	g := s.gradient()
	return fmt.Sprintf("Colours: red (score 0) = %s, a gap; blue = rule count on a logarithmic scale, lightest %s, darkest %s "+
		"(legend), set on each cell so that one rule stands apart from none and the largest counts do not flatten the rest; "+
		"the gradient (%d to %d) is Navigator's own linear scale, used only for scores edited there.",
		gap, rulesText(s.min), rulesText(s.max), g.MinValue, g.MaxValue)
}

// rulesText is "1 rule" or "n rules".
func rulesText(n int64) string {
	if n == 1 {
		return "1 rule"
	}
	return strconv.FormatInt(n, 10) + " rules"
}

// rampAt interpolates the ramp at f in [0, 1].
func rampAt(f float64) string {
	f = min(max(f, 0), 1)
	seg := f * float64(len(rampColors)-1)
	i := min(int(seg), len(rampColors)-2)
	t := seg - float64(i)
	a, b := rgb(rampColors[i]), rgb(rampColors[i+1])
	var out [3]int
	for k := range out {
		out[k] = int(math.Round(float64(a[k]) + t*float64(b[k]-a[k])))
	}
	return fmt.Sprintf("#%02x%02x%02x", out[0], out[1], out[2])
}

func rgb(hex string) [3]int {
	n, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	return [3]int{int(n >> 16 & 0xff), int(n >> 8 & 0xff), int(n & 0xff)}
}
