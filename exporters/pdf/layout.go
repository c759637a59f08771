package pdf

import (
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/pipeline/view"
	"github.com/ruleatlas/ruleatlas/templates"
)

// Layout is the data that shapes the reports: page geometry, fonts, text
// styles, colours, section order, table columns, limits and labels. The
// default comes from templates/pdf/layout.yaml; see that file for the meaning
// of every entry.
type Layout struct {
	Page  PageSpec          `yaml:"page"`
	Fonts map[string]string `yaml:"fonts"`
	// BoldStroke is the outline stroke of styles with Bold set, as a share
	// of the font size.
	BoldStroke float64 `yaml:"bold_stroke"`
	// CompressPages deflates the page content streams (fonts are always
	// compressed): files about half the size for about 40% more CPU.
	CompressPages bool              `yaml:"compress_pages"`
	Styles        map[string]Style  `yaml:"styles"`
	Colors        map[string]string `yaml:"colors"`
	Table         TableSpec         `yaml:"table"`
	Chart         ChartSpec         `yaml:"chart"`
	Heatmap       HeatmapSpec       `yaml:"heatmap"`
	Technique     DocSpec           `yaml:"technique"`
	Summary       DocSpec           `yaml:"summary"`
	Labels        map[string]string `yaml:"labels"`

	colors map[string]rgb // resolved Colors
}

// PageSpec is the page geometry.
type PageSpec struct {
	Size         string  `yaml:"size"`
	Margins      Margins `yaml:"margins"`
	HeaderOffset float64 `yaml:"header_offset"`
	FooterOffset float64 `yaml:"footer_offset"`
	SectionGap   float64 `yaml:"section_gap"`
}

// Margins are page margins in millimetres.
type Margins struct {
	Left, Top, Right, Bottom float64
}

// Style is a text style: a font of Fonts, a size in points and a colour.
// Bold draws the glyph outlines with a stroke of BoldStroke as well
// (synthetic bold), so a layout can print its bold text without embedding
// a second font.
type Style struct {
	Font  string  `yaml:"font"`
	Size  float64 `yaml:"size"`
	Color string  `yaml:"color"`
	Bold  bool    `yaml:"bold"`
}

// TableSpec shapes every table.
type TableSpec struct {
	Padding            float64 `yaml:"padding"`
	LineHeight         float64 `yaml:"line_height"`
	MaxCellLines       int     `yaml:"max_cell_lines"`
	Zebra              bool    `yaml:"zebra"`
	MinRowsAfterHeader int     `yaml:"min_rows_after_header"`
}

// ChartSpec shapes the horizontal bar charts.
type ChartSpec struct {
	BarHeight  float64 `yaml:"bar_height"`
	BarGap     float64 `yaml:"bar_gap"`
	LabelWidth float64 `yaml:"label_width"`
	ValueWidth float64 `yaml:"value_width"`
}

// HeatmapSpec shapes the ATT&CK matrix heat map of the summary.
type HeatmapSpec struct {
	Orientation   string  `yaml:"orientation"`
	HeaderHeight  float64 `yaml:"header_height"`
	CellHeight    float64 `yaml:"cell_height"`
	MinCellHeight float64 `yaml:"min_cell_height"`
	Gap           float64 `yaml:"gap"`
	// ColumnsPerPage is how many tactics stand side by side (0 = all);
	// NameLines how many lines a cell's id and name wrap on.
	ColumnsPerPage int        `yaml:"columns_per_page"`
	NameLines      int        `yaml:"name_lines"`
	Steps          []HeatStep `yaml:"steps"`
}

// HeatStep colours the cells with at least Min rules.
type HeatStep struct {
	Min       int64  `yaml:"min"`
	Color     string `yaml:"color"`
	LightText bool   `yaml:"light_text"`
}

// DocSpec is the section order, limits and table columns of one report.
type DocSpec struct {
	Sections []string            `yaml:"sections"`
	Limits   map[string]int      `yaml:"limits"`
	Columns  map[string][]Column `yaml:"columns"`
}

// Column is one table column.
type Column struct {
	Key   string  `yaml:"key"`
	Label string  `yaml:"label"`
	Width float64 `yaml:"width"` // relative weight
	Style string  `yaml:"style"` // default td
	Align string  `yaml:"align"` // L (default) or R
}

type rgb struct{ r, g, b int }

// What each report knows: sections, limits and table column keys.
var (
	techniqueSpec = docRules{
		sections: []string{"title", "vendors", "events", "telemetry", "fields", "computed", "indicators", "exclusions", "rules", "hunting"},
		limits:   []string{"events", "fields", "indicators", "exclusions"},
		columns: map[string][]string{
			"fields":     {"field", "rules", "how", "samples"},
			"indicators": {"field", "op", "value", "rules", "reach"},
			"exclusions": {"field", "op", "value", "rules"},
			"rules":      {"title", "id", "severity", "status", "path", "language", "parse", "platforms"},
		},
	}
	summarySpec = docRules{
		sections: []string{"overview", "trend", "vendors", "tactics", "callouts", "heatmap", "gaps", "telemetry_gaps", "covered", "kinds", "health"},
		limits:   []string{"gaps", "covered", "problems"},
		columns: map[string][]string{
			"overview": {"name", "value"},
			"vendors":  {"vendor", "rules", "ok", "partial", "failed", "no_query", "techniques", "problems"},
			"gaps":     {"rank", "id", "name", "tactics", "subtechniques", "platforms"},
			"covered":  {"rank", "id", "name", "tactics", "rules", "vendors"},
			"health":   {"vendor", "rules", "ok_pct", "partial", "failed", "no_query", "problems"},
			"problems": {"vendor", "kind", "message", "count"},
		},
	}
	requiredStyles = []string{"title", "subtitle", "heading", "subheading", "body", "key", "value", "note",
		"th", "td", "chart_label", "chart_value", "heat_header", "heat_cell", "heat_cell_light", "legend",
		"header", "footer"}
	requiredLabels = []string{"tool", "header", "footer_left", "footer_center", "footer_right", "none",
		"continued", "shown", "technique_doc", "technique_subtitle", "tactics", "platforms", "parent", "filters",
		"not_in_attack", "revoked", "vendors", "events", "fields", "indicators", "exclusions", "rules",
		"vendor_rules", "vendor_rule", "reach_note", "summary_doc", "summary_title", "summary_subtitle", "overview", "sources",
		"attack_version", "report_date", "tool_version", "techniques_covered", "subtechniques_covered",
		"other_ids", "problems_total", "covered_of", "vendors_heading", "total", "tactics_heading",
		"tactics_note", "tactic_value", "heatmap_heading", "heatmap_note", "heatmap_tactic", "heatmap_step",
		"heatmap_last_step", "gaps_heading", "gaps_note", "covered_heading", "health_heading", "problems_heading"}
	requiredColors = []string{"text", "line", "th_fill", "zebra", "total_fill", "bar", "bar_track"}
)

type docRules struct {
	sections, limits []string
	columns          map[string][]string
}

var (
	defaultOnce   sync.Once
	defaultLayout *Layout
	defaultErr    error
)

// DefaultLayout returns the embedded layout (templates/pdf/layout.yaml).
func DefaultLayout() (*Layout, error) {
	defaultOnce.Do(func() {
		defaultLayout, defaultErr = LoadLayout(templates.PDF, "pdf/layout.yaml")
	})
	return defaultLayout, defaultErr
}

// LoadLayout reads and checks a layout file.
func LoadLayout(fsys fs.FS, name string) (*Layout, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("reading PDF layout: %w", err)
	}
	return ParseLayout(data)
}

// ParseLayout decodes a layout (unknown keys are errors) and checks it.
func ParseLayout(data []byte) (*Layout, error) {
	var l Layout
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("PDF layout: %w", err)
	}
	if err := l.check(); err != nil {
		return nil, fmt.Errorf("PDF layout: %w", err)
	}
	return &l, nil
}

func (l *Layout) check() error {
	if _, ok := pageSizes[l.Page.Size]; !ok {
		return fmt.Errorf("page.size %q: not one of A3, A4, A5, Letter, Legal, Tabloid", l.Page.Size)
	}
	m := l.Page.Margins
	if m.Left < 0 || m.Right < 0 || m.Top < 0 || m.Bottom < 0 {
		return fmt.Errorf("page.margins: negative margin")
	}
	for name, f := range l.Fonts {
		if _, ok := goFonts[f]; !ok {
			return fmt.Errorf("fonts.%s: %q is not one of goregular, gobold, gomono", name, f)
		}
	}
	if l.BoldStroke < 0 || l.BoldStroke > 0.2 {
		return fmt.Errorf("bold_stroke %g: out of range 0–0.2", l.BoldStroke)
	}
	l.colors = map[string]rgb{}
	for name, c := range l.Colors {
		v, err := parseColor(c)
		if err != nil {
			return fmt.Errorf("colors.%s: %w", name, err)
		}
		l.colors[name] = v
	}
	for _, c := range requiredColors {
		if _, ok := l.colors[c]; !ok {
			return fmt.Errorf("colors.%s: missing", c)
		}
	}
	for name, s := range l.Styles {
		if _, ok := l.Fonts[s.Font]; !ok {
			return fmt.Errorf("styles.%s: font %q is not in fonts", name, s.Font)
		}
		if s.Size < 2 || s.Size > 72 {
			return fmt.Errorf("styles.%s: size %g out of range 2–72", name, s.Size)
		}
		if _, err := l.color(s.Color); err != nil {
			return fmt.Errorf("styles.%s: %w", name, err)
		}
	}
	for _, s := range requiredStyles {
		if _, ok := l.Styles[s]; !ok {
			return fmt.Errorf("styles.%s: missing", s)
		}
	}
	for _, k := range requiredLabels {
		if _, ok := l.Labels[k]; !ok {
			return fmt.Errorf("labels.%s: missing", k)
		}
	}
	t := l.Table
	if t.Padding < 0 || t.LineHeight < 1 || t.MaxCellLines < 1 {
		return fmt.Errorf("table: padding ≥ 0, line_height ≥ 1 and max_cell_lines ≥ 1 required")
	}
	c := l.Chart
	if c.BarHeight <= 0 || c.LabelWidth <= 0 || c.ValueWidth <= 0 || c.BarGap < 0 {
		return fmt.Errorf("chart: bar_height, label_width and value_width must be positive")
	}
	h := l.Heatmap
	if h.Orientation != "L" && h.Orientation != "P" {
		return fmt.Errorf("heatmap.orientation %q: L or P", h.Orientation)
	}
	if h.MinCellHeight <= 0 || h.CellHeight < h.MinCellHeight || h.HeaderHeight <= 0 || h.Gap < 0 {
		return fmt.Errorf("heatmap: cell_height ≥ min_cell_height > 0 and header_height > 0 required")
	}
	if len(h.Steps) == 0 || h.Steps[0].Min != 0 {
		return fmt.Errorf("heatmap.steps: the first step must have min 0")
	}
	for i, s := range h.Steps {
		if i > 0 && s.Min <= h.Steps[i-1].Min {
			return fmt.Errorf("heatmap.steps[%d]: min must rise", i)
		}
		if _, err := l.color(s.Color); err != nil {
			return fmt.Errorf("heatmap.steps[%d]: %w", i, err)
		}
	}
	if err := l.checkDoc("technique", l.Technique, techniqueSpec); err != nil {
		return err
	}
	return l.checkDoc("summary", l.Summary, summarySpec)
}

func (l *Layout) checkDoc(name string, d DocSpec, r docRules) error {
	for _, s := range d.Sections {
		if !slices.Contains(r.sections, s) {
			return fmt.Errorf("%s.sections: unknown section %q (known: %s)", name, s, strings.Join(r.sections, ", "))
		}
	}
	for _, k := range r.limits {
		if d.Limits[k] <= 0 {
			return fmt.Errorf("%s.limits.%s: must be a positive number", name, k)
		}
	}
	for table, keys := range r.columns {
		cols := d.Columns[table]
		if len(cols) == 0 {
			return fmt.Errorf("%s.columns.%s: missing", name, table)
		}
		for i, c := range cols {
			if !slices.Contains(keys, c.Key) {
				return fmt.Errorf("%s.columns.%s[%d]: unknown key %q (known: %s)", name, table, i, c.Key, strings.Join(keys, ", "))
			}
			if c.Width <= 0 {
				return fmt.Errorf("%s.columns.%s[%d]: width must be positive", name, table, i)
			}
			if c.Style == "" {
				cols[i].Style = "td"
			} else if _, ok := l.Styles[c.Style]; !ok {
				return fmt.Errorf("%s.columns.%s[%d]: unknown style %q", name, table, i, c.Style)
			}
			if c.Align != "" && c.Align != "L" && c.Align != "R" {
				return fmt.Errorf("%s.columns.%s[%d]: align must be L or R", name, table, i)
			}
		}
	}
	for table := range d.Columns {
		if _, ok := r.columns[table]; !ok {
			return fmt.Errorf("%s.columns.%s: unknown table", name, table)
		}
	}
	return nil
}

// color resolves a colour name of Colors or a #rrggbb literal.
func (l *Layout) color(s string) (rgb, error) {
	if c, ok := l.colors[s]; ok {
		return c, nil
	}
	if strings.HasPrefix(s, "#") {
		return parseColor(s)
	}
	return rgb{}, fmt.Errorf("colour %q: neither #rrggbb nor a name in colors", s)
}

func parseColor(s string) (rgb, error) {
	if len(s) != 7 || s[0] != '#' {
		return rgb{}, fmt.Errorf("colour %q: want #rrggbb", s)
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return rgb{}, fmt.Errorf("colour %q: want #rrggbb", s)
	}
	return rgb{int(v >> 16), int(v >> 8 & 0xff), int(v & 0xff)}, nil
}

// label fills the {placeholders} of a label; args are name, value pairs.
func (l *Layout) label(key string, args ...string) string {
	s := l.Labels[key]
	return fill(s, args)
}

// fill replaces the {placeholders} of s in one pass, as
// strings.NewReplacer(args...).Replace(s) does for placeholders that start
// with "{", without building a replacer for every label.
func fill(s string, args []string) string {
	i := strings.IndexByte(s, '{')
	if len(args) == 0 || i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for ; i >= 0; i = strings.IndexByte(s, '{') {
		b.WriteString(s[:i])
		s = s[i:]
		n := 0
		for j := 0; j+1 < len(args); j += 2 {
			if args[j] != "" && strings.HasPrefix(s, args[j]) {
				b.WriteString(args[j+1])
				n = len(args[j])
				break
			}
		}
		if n == 0 { // a '{' that starts no placeholder stays
			b.WriteByte('{')
			n = 1
		}
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

// pageSizes are the page sizes in millimetres (portrait).
var pageSizes = map[string][2]float64{
	"A3": {297, 420}, "A4": {210, 297}, "A5": {148, 210},
	"Letter": {215.9, 279.4}, "Legal": {215.9, 355.6}, "Tabloid": {279.4, 431.8},
}

// pct formats a share as a whole percentage (view.PercentText: the
// rounding rule of every output).
func pct(n, of int64) string { return view.PercentText(n, of) }
