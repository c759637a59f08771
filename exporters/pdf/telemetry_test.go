package pdf_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/exporters/pdf"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// TestTelemetryAndGroupReports checks the group report written for --group,
// the telemetry table of a technique report and the summary's ranking of
// data components by the gaps they would close, through pdftotext.
func TestTelemetryAndGroupReports(t *testing.T) {
	pdftotext := tool(t, "pdftotext")
	set := run(t, pipeline.Options{Sources: sources(t, filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus")),
		Groups: []string{"Cozy Bear"}})
	dir, files := export(t, set, pdf.Exporter{Techniques: []string{"T1059.001"}})
	require.Equal(t, []string{pdf.TechniqueFile("T1059.001"), pdf.SummaryFile, pdf.GroupFile("G0016")}, files)
	text := func(f string) string {
		out, err := exec.Command(pdftotext, "-raw", "-enc", "UTF-8", filepath.Join(dir, f), "-").Output()
		require.NoError(t, err, f)
		return strings.Join(strings.Fields(string(out)), " ")
	}
	g := text(pdf.GroupFile("G0016"))
	assert.Contains(t, g, "G0016 APT29")
	assert.Contains(t, g, "ATT&CK 18.1")
	assert.Contains(t, g, "66 techniques linked by ATT&CK")
	assert.Contains(t, g, "Cozy Bear")
	assert.Contains(t, g, "T1059.001 PowerShell")
	assert.Contains(t, g, "no rule")

	tq := text(pdf.TechniqueFile("T1059.001"))
	assert.Contains(t, tq, "Telemetry: ATT&CK data components")
	for _, dc := range []string{"DC0032 Process Creation recommended, read", "DC0016 Module Load gap", "DC0034 Process Metadata gap", "DC0064 Command Execution gap"} {
		assert.Contains(t, tq, dc)
	}
	assert.Contains(t, text(pdf.SummaryFile), "Telemetry gaps: data components by techniques they would close")
}
