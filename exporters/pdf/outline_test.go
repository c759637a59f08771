package pdf_test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/exporters/pdf"
)

// TestOutlinesAndLinks reads every PDF of the sample run with qpdf (an
// independent reader): each has an outline entry per section heading and
// internal links (the running header leads to page 1; the summary's
// callouts lead to their sections).
func TestOutlinesAndLinks(t *testing.T) {
	qpdf := tool(t, "qpdf")
	set := sampleSet(t)
	dir, files := export(t, set, pdf.Exporter{})
	for _, f := range files {
		out, err := exec.Command(qpdf, "--json", filepath.Join(dir, f)).Output()
		require.NoError(t, err, f)
		var doc struct {
			Outlines []struct {
				Title string `json:"title"`
			} `json:"outlines"`
			Pages []struct{} `json:"pages"`
		}
		require.NoError(t, json.Unmarshal(out, &doc), f)
		require.NotEmpty(t, doc.Outlines, "%s has no outline", f)
		if len(doc.Pages) > 1 || f == pdf.SummaryFile {
			require.Contains(t, string(out), `"/Link"`, "%s has no internal link", f)
		}
		if f == pdf.SummaryFile {
			var titles []string
			for _, o := range doc.Outlines {
				titles = append(titles, o.Title)
			}
			require.Contains(t, titles, "What needs attention", "summary outline: %v", titles)
			require.Contains(t, titles, "ATT&CK matrix heat map")
		}
	}
}

// TestCalloutsFailuresFirst: the sample corpus has rules that fail to parse
// (counted here from the tables) and tags no unknown id, so the summary's
// callouts name the failures.
func TestCalloutsFailuresFirst(t *testing.T) {
	pdftotext := tool(t, "pdftotext")
	set := sampleSet(t)
	failed := 0
	for _, p := range set.Problems {
		if p.Kind == "failed" {
			failed++
		}
	}
	require.Positive(t, failed)
	dir, _ := export(t, set, pdf.Exporter{Techniques: []string{"T1059"}})
	out, err := exec.Command(pdftotext, "-layout", "-enc", "UTF-8", filepath.Join(dir, pdf.SummaryFile), "-").Output()
	require.NoError(t, err)
	text := string(out)
	at := strings.Index(text, "What needs attention")
	require.GreaterOrEqual(t, at, 0)
	require.Contains(t, text[at:], "rules failed to parse")
	require.Less(t, at, strings.Index(text, "ATT&CK matrix heat map"), "callouts come before the heat map")
}
