package xlsx_test

import (
	"os"
	"testing"

	"github.com/ruleatlas/ruleatlas/exporters/xlsx"
)

func TestScratchWrite(t *testing.T) {
	if os.Getenv("SCRATCH") == "" {
		t.Skip()
	}
	set := sampleSet(t)
	os.WriteFile("/tmp/pt.xlsx", write(t, set, xlsx.Exporter{PerTechnique: true}), 0o644)
}
