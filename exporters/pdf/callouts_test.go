package pdf_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/exporters/pdf"
	"github.com/ruleatlas/ruleatlas/pipeline"
)

// sigmaRule is a Sigma rule tagged with technique tag whose condition is
// cond.
func sigmaRule(n int, tag, cond string) string {
	return fmt.Sprintf(`title: Probe %d
id: 00000000-0000-4000-8000-%012d
status: test
tags:
  - attack.execution
  - attack.%s
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\probe%d.exe'
  condition: %s
level: high
`, n, n, tag, n, cond)
}

// TestCalloutsOrder: a Sigma corpus whose rules mostly fail to parse, one
// of the others tagged with an id ATT&CK does not know. The summary's
// callouts say so in this order: failures, the vendor that mostly failed,
// the unknown id with the advice to pass a newer bundle with --attack.
func TestCalloutsOrder(t *testing.T) {
	pdftotext := tool(t, "pdftotext")
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "rules"), 0o755))
	rules := []string{
		sigmaRule(1, "t1059.001", "selection and ("),
		sigmaRule(2, "t1059.001", "selection or or"),
		sigmaRule(3, "t1059.001", "1 of ("),
		sigmaRule(4, "t1059.001", "selection"),
		sigmaRule(5, "t1999", "selection"),
	}
	for i, r := range rules {
		require.NoError(t, os.WriteFile(filepath.Join(root, "rules", fmt.Sprintf("r%d.yml", i)), []byte(r), 0o644))
	}
	set := run(t, pipeline.Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: root}}})
	failed := 0
	for _, p := range set.Problems {
		if p.Kind == "failed" {
			failed++
		}
	}
	require.Equal(t, 3, failed, "problems: %v", set.Problems)
	dir, _ := export(t, set, pdf.Exporter{})
	out, err := exec.Command(pdftotext, "-raw", "-enc", "UTF-8", filepath.Join(dir, pdf.SummaryFile), "-").Output()
	require.NoError(t, err)
	text := strings.Join(strings.Fields(string(out)), " ")
	at := strings.Index(text, "What needs attention")
	require.Positive(t, at)
	text = text[at:]
	order := []string{"3 rules failed to parse", "sigma: most rules did not parse fully", "3 of 5 rules (60%)",
		"1 technique id is not in the ATT&CK data", "does not know T1999 (sigma 1)", "Pass a newer ATT&CK bundle with --attack"}
	last := -1
	for _, s := range order {
		i := strings.Index(text, s)
		require.Greater(t, i, last, "%q missing or out of order in %q", s, prefix(text, 1500))
		last = i
	}
}
