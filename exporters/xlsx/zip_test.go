package xlsx

import (
	"archive/zip"
	"bytes"
	"github.com/klauspost/compress/flate"
	"io"
	"math/rand/v2"
	"testing"
	"time"
)

// TestSortedZip writes parts of many sizes (empty, around and across the
// chunk size) in unsorted order, written in uneven pieces, and reads them
// back: names sorted, contents and timestamps intact, bytes reproducible.
func TestSortedZip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := map[string]int{"b.xml": 0, "a.xml": 1, "c/d.xml": chunkSize - 1, "c/a.xml": chunkSize,
		"z.xml": chunkSize + 1, "m.xml": 3*chunkSize + 12345, "[Content_Types].xml": 0}
	names := []string{"z.xml", "b.xml", "m.xml", "a.xml", "[Content_Types].xml", "c/d.xml", "c/a.xml"}
	data := map[string][]byte{}
	for name, n := range sizes {
		d := make([]byte, n)
		for i := range d {
			d[i] = "abcdefgh <>/\n"[rng.IntN(13)]
		}
		data[name] = d
	}
	data["[Content_Types].xml"] = []byte(`<Types><Default Extension="z"/><Override PartName="/x"/><Default Extension="a"></Default></Types>`)
	when := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	build := func() []byte {
		var buf bytes.Buffer
		z := newSortedZip(&buf, when, flate.BestSpeed)
		for _, name := range names {
			w, err := z.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			d := data[name]
			for len(d) > 0 {
				k := min(len(d), 1+rng.IntN(200000))
				if _, err := w.Write(d[:k]); err != nil {
					t.Fatal(err)
				}
				d = d[k:]
			}
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	out := build()
	if !bytes.Equal(out, build()) {
		t.Fatal("two builds differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range zr.File {
		got = append(got, f.Name)
		if !f.Modified.Equal(when) {
			t.Errorf("%s: modified %v", f.Name, f.Modified)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc) // checks the CRC too
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		want := data[f.Name]
		if f.Name == "[Content_Types].xml" {
			want = []byte(`<Types><Default Extension="a"></Default><Default Extension="z"/><Override PartName="/x"/></Types>`)
		}
		if !bytes.Equal(body, want) {
			t.Errorf("%s: %d bytes back, want %d", f.Name, len(body), len(want))
		}
	}
	want := []string{"[Content_Types].xml", "a.xml", "b.xml", "c/a.xml", "c/d.xml", "m.xml", "z.xml"}
	if len(got) != len(want) {
		t.Fatalf("parts %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("parts %v, want %v", got, want)
		}
	}
}
