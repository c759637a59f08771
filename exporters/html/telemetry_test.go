package html_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/exporters/internal/sitetest"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// TestTelemetrySections checks the telemetry table of a technique page and
// the index's ranking of data components by the gaps they would close.
func TestTelemetrySections(t *testing.T) {
	dir, _ := export(t, sitetest.Sample(t))
	page := string(pipetest.Read(t, filepath.Join(dir, "html", "techniques", "T1059.001.html")))
	for _, want := range []string{`<h2 id="telemetry">`, "<td>DC0032 Process Creation</td><td>recommended, read</td>",
		"<td>DC0064 Command Execution</td><td class=\"err\">gap: never read</td>",
		"<code>WinEventLog:PowerShell EventCode=400, 403</code>"} {
		if !strings.Contains(page, want) {
			t.Errorf("T1059.001 page lacks %q", want)
		}
	}
	index := string(pipetest.Read(t, filepath.Join(dir, "html", "index.html")))
	if !strings.Contains(index, `<h2 id="telemetry-gaps">`) || !strings.Contains(index, "DC0032 Process Creation") {
		t.Error("index lacks the telemetry gaps ranking")
	}
}
