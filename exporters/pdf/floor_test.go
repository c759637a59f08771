package pdf_test

import (
	"bytes"
	"testing"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
)

// BenchmarkFpdfFloor is the cost fpdf puts on every document whatever is
// drawn: one page with a word in each of n embedded UTF-8 fonts.
func BenchmarkFpdfFloor(b *testing.B) {
	ttfs := [][]byte{goregular.TTF, gobold.TTF, gomono.TTF}
	for n := 0; n <= 3; n++ {
		b.Run("fonts="+string(rune('0'+n)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f := fpdf.New("P", "mm", "A4", "")
				f.SetCompression(true)
				f.SetCatalogSort(true)
				f.AliasNbPages("{nb}")
				f.AddPage()
				for i := range n {
					name := string(rune('a' + i))
					f.AddUTF8FontFromBytes(name, "", bytes.Clone(ttfs[i]))
					f.SetFont(name, "", 10)
					f.Text(10, 10+float64(i)*10, "Hello")
				}
				var buf bytes.Buffer
				if err := f.Output(&buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
