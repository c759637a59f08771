package pdf_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ruleatlas/ruleatlas/exporters/pdf"
	"github.com/ruleatlas/ruleatlas/pipeline"
)

func TestZZDumpHostile(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "rules"), 0o755)
	os.WriteFile(filepath.Join(root, "rules", "probe.yml"), []byte(hostile), 0o644)
	set := run(t, pipeline.Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: root}}})
	if _, err := (pdf.Exporter{}).Export(context.Background(), set, "/tmp/pdfh/hostile"); err != nil {
		t.Fatal(err)
	}
}
