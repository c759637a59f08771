package pdf

import (
	"github.com/ruleatlas/ruleatlas/templates"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

func TestDefaultLayout(t *testing.T) {
	l, err := DefaultLayout()
	require.NoError(t, err)
	require.Equal(t, techniqueSpec.sections, l.Technique.Sections)
	require.Equal(t, summarySpec.sections, l.Summary.Sections)
}

func TestLayoutErrors(t *testing.T) {
	base, err := fsRead("pdf/layout.yaml")
	require.NoError(t, err)
	tests := map[string]struct{ old, new, want string }{
		"unknown key":      {"page:\n", "page:\n  paper: A4\n", "field paper not found"},
		"page size":        {"size: A4", "size: B9", "page.size"},
		"font":             {"regular: goregular", "regular: comic", "fonts.regular"},
		"colour":           {`text: "#1f2328"`, `text: "#12"`, "colors.text"},
		"style colour":     {"bold: true, size: 17, color: accent}", "bold: true, size: 17, color: nope}", "styles.title"},
		"bold stroke":      {"bold_stroke: 0.025", "bold_stroke: 0.5", "bold_stroke"},
		"section":          {"[title, vendors,", "[title, vendorz,", "unknown section"},
		"column key":       {"{key: how, label: How", "{key: why, label: How", "unknown key \"why\""},
		"limit":            {"indicators: 40", "indicators: 0", "limits.indicators"},
		"heat steps order": {"{min: 3, color:", "{min: 0, color:", "min must rise"},
		"missing label":    {"  none: \"None.\"\n", "", "labels.none"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			require.Contains(t, base, tc.old)
			_, err := ParseLayout([]byte(strings.Replace(base, tc.old, tc.new, 1)))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func testDoc(t *testing.T) *doc {
	l, err := DefaultLayout()
	require.NoError(t, err)
	d := newDoc(l, l.styles(), tables.Meta{ReportDate: "2026-01-15"}, "test", "test")
	d.newPage("")
	return d
}

func TestWrap(t *testing.T) {
	d := testDoc(t)
	// A fixed monospaced style, whatever the default layout prints codes in.
	s := &style{font: "gomono", m: fontMetrics("gomono"), pt: 7, mm: 7 * 25.4 / 72, ellips: ellipsis}
	tests := map[string]struct {
		text     string
		width    float64
		maxLines int
		want     []string
	}{
		"fits":   {"lsass.exe", 40, 0, []string{"lsass.exe"}},
		"empty":  {"", 40, 0, []string{""}},
		"spaces": {"alpha beta gamma delta", 20, 0, []string{"alpha beta", "gamma delta"}},
		// 7 pt Go Mono: 16 characters in 25 mm.
		"path":        {`C:\Windows\System32\wbem\WmiPrvSE.exe`, 25, 0, []string{`C:\Windows\`, `System32\wbem\`, `WmiPrvSE.exe`}},
		"long token":  {strings.Repeat("x", 50), 25, 0, []string{strings.Repeat("x", 16), strings.Repeat("x", 16), strings.Repeat("x", 16), "xx"}},
		"max lines":   {strings.Repeat("y", 100), 25, 2, []string{strings.Repeat("y", 16), strings.Repeat("y", 15) + "…"}},
		"field":       {"process.Ext.api.parameters.desired_access", 40, 0, []string{"process.Ext.api.", "parameters.desired_access"}},
		"control":     {"a\tb\nc", 40, 0, []string{"a b c"}},
		"other font":  {"密码 Пароль", 40, 0, []string{"?? Пароль"}},
		"invalid utf": {"a\xffb", 40, 0, []string{"a?b"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := d.wrap(s, tc.text, tc.width, tc.maxLines)
			require.Equal(t, tc.want, got)
			for _, line := range got {
				require.LessOrEqual(t, s.width(line), tc.width+1e-9, line)
			}
		})
	}
}

func TestWrapNeverExceedsWidth(t *testing.T) {
	d := testDoc(t)
	texts := []string{
		"Suspicious PowerShell Invocation via -EncodedCommand with a very long title that goes on",
		"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\SomethingQuiteLongIndeed_With_Underscores",
		strings.Repeat("Ωμέγα", 40), "  leading and trailing  ", "a b",
	}
	for _, name := range []string{"td", "td_code", "title", "th"} {
		s := d.st[name]
		for _, w := range []float64{8, 20, 55.5, 180} {
			for _, text := range texts {
				lines := d.wrap(s, text, w, 0)
				joined := strings.Join(lines, "")
				require.Equal(t, strings.ReplaceAll(strings.TrimSpace(text), " ", ""), strings.ReplaceAll(joined, " ", ""),
					"wrapping loses no characters")
				for _, line := range lines {
					require.LessOrEqual(t, s.width(line), w+1e-9, "%s %g %q", name, w, line)
				}
			}
		}
	}
}

func TestPrintable(t *testing.T) {
	require.Equal(t, "plain ascii", Printable("gomono", "plain ascii"))
	require.Equal(t, "a b ? ?", Printable("goregular", "a\x00b \u202e 🙂"))
	require.Equal(t, "Ελληνικά кириллица", Printable("gobold", "Ελληνικά кириллица"))
}

func TestReportTime(t *testing.T) {
	require.Equal(t, "2026-01-15T00:00:00Z", reportTime("2026-01-15").Format("2006-01-02T15:04:05Z07:00"))
	require.Equal(t, int64(0), reportTime("").Unix())
}

func fsRead(name string) (string, error) {
	b, err := fs.ReadFile(templates.PDF, name)
	return string(b), err
}

func TestPlainDescription(t *testing.T) {
	in := "Adversaries may abuse [Unix Shell](https://attack.mitre.org/techniques/T1059/004) and <code>cmd</code>.(Citation: Some Report) Done."
	require.Equal(t, "Adversaries may abuse Unix Shell and cmd. Done.", plainDescription(in))
}

func TestFill(t *testing.T) {
	for _, tc := range []struct {
		s    string
		args []string
	}{
		{"plain", []string{"{a}", "x"}},
		{"{a} and {b}", []string{"{a}", "1", "{b}", "2"}},
		{"{a}{a}{", []string{"{a}", "{b}", "{b}", "no"}},
		{"{ab} {a}", []string{"{a}", "1", "{ab}", "2"}},
		{"x {unknown} {n}", []string{"{n}", "7"}},
		{"{n}", nil},
	} {
		want := tc.s
		if len(tc.args) > 0 {
			want = strings.NewReplacer(tc.args...).Replace(tc.s)
		}
		require.Equal(t, want, fill(tc.s, tc.args), tc.s)
	}
}
