package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// sortedZip is the excelize.ZipWriter of the workbook. excelize writes the
// streamed sheets in map order and archive/zip stamps nothing, so the
// package would differ between runs; sortedZip compresses each part as it
// arrives and writes the archive at Close with the parts sorted by name
// ("[Content_Types].xml" sorts first, as Office writes it) and one fixed
// modification time, so identical inputs give identical bytes.
type sortedZip struct {
	w       io.Writer
	mod     time.Time
	level   int
	entries []*zipEntry
	cur     *zipEntry
	fw      *flate.Writer // reused for every entry
	crc     hash.Hash32
}

type zipEntry struct {
	name string
	data bytes.Buffer // deflated
	crc  uint32
	size uint64
	raw  *bytes.Buffer // uncompressed, for parts rewritten at finish
}

// contentTypes is the part whose <Default> elements excelize writes in map
// order; sortedZip sorts them.
const contentTypes = "[Content_Types].xml"

func newSortedZip(w io.Writer, mod time.Time, level int) *sortedZip {
	return &sortedZip{w: w, mod: mod, level: level, crc: crc32.NewIEEE()}
}

var _ excelize.ZipWriter = (*sortedZip)(nil)

// Create starts a new part; the previous one is finished.
func (z *sortedZip) Create(name string) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	e := &zipEntry{name: name}
	if z.fw == nil {
		fw, err := flate.NewWriter(&e.data, z.level)
		if err != nil {
			return nil, err
		}
		z.fw = fw
	} else {
		z.fw.Reset(&e.data)
	}
	z.crc.Reset()
	z.cur = e
	z.entries = append(z.entries, e)
	if name == contentTypes {
		e.raw = &bytes.Buffer{}
		return e.raw, nil
	}
	return entryWriter{z}, nil
}

type entryWriter struct{ z *sortedZip }

func (w entryWriter) Write(p []byte) (int, error) {
	z := w.z
	z.crc.Write(p)
	z.cur.size += uint64(len(p))
	return z.fw.Write(p)
}

func (z *sortedZip) finish() error {
	if z.cur == nil {
		return nil
	}
	if raw := z.cur.raw; raw != nil {
		z.cur.raw = nil
		if _, err := (entryWriter{z}).Write(sortDefaults(raw.Bytes())); err != nil {
			return err
		}
	}
	if err := z.fw.Close(); err != nil {
		return fmt.Errorf("compressing %s: %w", z.cur.name, err)
	}
	z.cur.crc = z.crc.Sum32()
	z.cur = nil
	return nil
}

// AddFS is not used by the workbook writer.
func (z *sortedZip) AddFS(fs.FS) error { return errors.New("xlsx: AddFS is not supported") }

// Close writes the archive.
func (z *sortedZip) Close() error {
	if err := z.finish(); err != nil {
		return err
	}
	slices.SortStableFunc(z.entries, func(a, b *zipEntry) int { return strings.Compare(a.name, b.name) })
	zw := zip.NewWriter(z.w)
	for i, e := range z.entries {
		if i > 0 && e.name == z.entries[i-1].name {
			return fmt.Errorf("xlsx: duplicate part %s", e.name)
		}
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: e.crc,
			CompressedSize64: uint64(e.data.Len()), UncompressedSize64: e.size}
		// CreateRaw does not convert Modified (only CreateHeader does), so
		// the MS-DOS fields are the only way to stamp a raw entry.
		//lint:ignore SA1019 see above
		h.ModifiedDate = uint16((z.mod.Year()-1980)<<9 | int(z.mod.Month())<<5 | z.mod.Day())
		//lint:ignore SA1019 see above
		h.ModifiedTime = uint16(z.mod.Hour()<<11 | z.mod.Minute()<<5 | z.mod.Second()/2)
		w, err := zw.CreateRaw(h)
		if err != nil {
			return fmt.Errorf("writing %s: %w", e.name, err)
		}
		if _, err := w.Write(e.data.Bytes()); err != nil {
			return fmt.Errorf("writing %s: %w", e.name, err)
		}
		e.data = bytes.Buffer{}
	}
	return zw.Close()
}

// sortDefaults sorts the <Default .../> elements of a content-types part
// by their text and puts them where the first one was; everything else is
// kept byte for byte.
func sortDefaults(doc []byte) []byte {
	var defs [][]byte
	var rest []byte
	at := -1
	for {
		i := bytes.Index(doc, []byte("<Default "))
		if i < 0 {
			rest = append(rest, doc...)
			break
		}
		end := bytes.IndexByte(doc[i:], '>')
		if end < 0 {
			rest = append(rest, doc...)
			break
		}
		end += i + 1
		if !bytes.HasSuffix(doc[i:end], []byte("/>")) {
			if close := bytes.Index(doc[end:], []byte("</Default>")); close == 0 {
				end += len("</Default>")
			}
		}
		rest = append(rest, doc[:i]...)
		if at < 0 {
			at = len(rest)
		}
		defs = append(defs, doc[i:end])
		doc = doc[end:]
	}
	if at < 0 {
		return rest
	}
	slices.SortStableFunc(defs, bytes.Compare)
	out := make([]byte, 0, len(rest)+len(defs)*64)
	out = append(out, rest[:at]...)
	for _, d := range defs {
		out = append(out, d...)
	}
	return append(out, rest[at:]...)
}
