package pdf_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/ruleatlas/ruleatlas/internal/cputime"
)

// BenchmarkFpdfFloor is the cost fpdf puts on every document whatever is
// drawn, which the exporter cannot lower through fpdf's API: empty pages,
// with a word in each of n embedded UTF-8 fonts on the first. Per document
// fpdf parses each font, derives its id from a JSON encoding of 65,536
// glyph widths, subsets it and zlib-compresses the subset and a 128 KiB
// CID map; every page is a zlib stream of its own, each with a new
// compressor (about 1.2 MB allocated and cleared).
func BenchmarkFpdfFloor(b *testing.B) {
	ttfs := [][]byte{goregular.TTF, gobold.TTF, gomono.TTF}
	for _, c := range []struct{ fonts, pages int }{{0, 1}, {0, 5}, {1, 1}, {1, 5}, {2, 1}, {3, 1}} {
		b.Run(fmt.Sprintf("fonts=%d/pages=%d", c.fonts, c.pages), func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cputime.Process()
			for b.Loop() {
				f := fpdf.New("P", "mm", "A4", "")
				f.SetCompression(true)
				f.SetCatalogSort(true)
				f.AliasNbPages("{nb}")
				f.AddPage()
				for i := range c.fonts {
					name := string(rune('a' + i))
					f.AddUTF8FontFromBytes(name, "", bytes.Clone(ttfs[i]))
					f.SetFont(name, "", 10)
					f.Text(10, 10+float64(i)*10, "Hello")
				}
				for range c.pages - 1 {
					f.AddPage()
				}
				var buf bytes.Buffer
				if err := f.Output(&buf); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
