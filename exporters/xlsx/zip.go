package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"
)

// sortedZip is the excelize.ZipWriter of the workbook. excelize writes the
// streamed sheets in map order and archive/zip stamps nothing, so the
// package would differ between runs; sortedZip compresses each part as it
// arrives and writes the archive at Close with the parts sorted by name
// ("[Content_Types].xml" sorts first, as Office writes it) and one fixed
// modification time, so identical inputs give identical bytes.
//
// Parts are cut into chunks deflated in parallel (as pigz does): every chunk
// but a part's last ends with a sync flush, the last with the final block,
// and the chunks' outputs joined in order are one deflate stream. A chunk's
// output depends only on its bytes, so the result does not depend on
// scheduling.
type sortedZip struct {
	w       io.Writer
	mod     time.Time
	level   int
	entries []*zipEntry
	cur     *zipEntry
	crc     hash.Hash32
	pending []byte // bytes of cur not yet in a chunk

	jobs    chan *chunk
	workers sync.WaitGroup
	errMu   sync.Mutex
	err     error

	// rows are the data rows to put into sheet parts, by part name; each
	// is used once.
	rows map[string]*sheetRows
	// sst is the shared-strings table the rows index, written as its own
	// part at Close (and declared in the content types and the workbook's
	// relationships) when not empty.
	sst []string

	scratch bytes.Buffer // the buffered part being written (Create)
}

type zipEntry struct {
	name   string
	chunks []*chunk
	crc    uint32
	size   uint64
	raw    *bytes.Buffer // uncompressed, for parts rewritten at finish
	rows   *sheetRows    // data rows put before </sheetData> at finish
	sheet  bool          // a worksheet part written whole: dimension and columns fixed at finish
}

// chunk is one piece of a part, deflated by a worker.
type chunk struct {
	in    []byte
	out   bytes.Buffer
	final bool
	done  chan struct{}

	// gen, when set, makes in on the worker; in is then kept for the
	// writer to checksum in order, which releases it.
	gen func(dst []byte) ([]byte, error)
}

// chunkSize is the size of the pieces compressed in parallel.
const chunkSize = 1 << 20

var chunkPool = sync.Pool{New: func() any { b := make([]byte, 0, chunkSize); return &b }}

// contentTypes is the part whose <Default> elements excelize writes in map
// order; sortedZip sorts them.
const contentTypes = "[Content_Types].xml"

func newSortedZip(w io.Writer, mod time.Time, level int) *sortedZip {
	n := min(max(runtime.GOMAXPROCS(0), 1), 4)
	z := &sortedZip{w: w, mod: mod, level: level, crc: crc32.NewIEEE(), jobs: make(chan *chunk, n)}
	for range n {
		z.workers.Add(1)
		go z.work()
	}
	return z
}

// work deflates chunks until the job queue is closed.
func (z *sortedZip) work() {
	defer z.workers.Done()
	var fw *flate.Writer
	for c := range z.jobs {
		if err := z.deflate(&fw, c); err != nil {
			z.fail(err)
		}
		if c.gen == nil {
			in := c.in[:0]
			chunkPool.Put(&in)
			c.in = nil
		}
		close(c.done)
	}
}

// deflate makes c's input when it has a generator and compresses it with
// *fw, created on first use and reset after.
func (z *sortedZip) deflate(fw **flate.Writer, c *chunk) error {
	if c.gen != nil {
		var err error
		if c.in, err = c.gen((*chunkPool.Get().(*[]byte))[:0]); err != nil {
			return err
		}
	}
	if *fw == nil {
		w, err := flate.NewWriter(&c.out, z.level)
		if err != nil {
			return err
		}
		*fw = w
	} else {
		(*fw).Reset(&c.out)
	}
	if _, err := (*fw).Write(c.in); err != nil {
		return err
	}
	if c.final {
		return (*fw).Close()
	}
	return (*fw).Flush()
}

var _ excelize.ZipWriter = (*sortedZip)(nil)

// Create starts a new part; the previous one is finished.
func (z *sortedZip) Create(name string) (io.Writer, error) {
	z.finish()
	e := &zipEntry{name: name}
	z.crc.Reset()
	z.cur = e
	z.entries = append(z.entries, e)
	// Buffered parts are rewritten at finish, before the next part starts:
	// they share one buffer.
	z.scratch.Reset()
	if name == contentTypes || name == workbookRels && len(z.sst) > 0 {
		e.raw = &z.scratch
		return e.raw, nil
	}
	if rows := z.rows[name]; rows != nil {
		delete(z.rows, name)
		e.raw, e.rows = &z.scratch, rows
		return e.raw, nil
	}
	if name == corePart || isWorksheet(name) {
		// Small parts (the big table sheets are spliced above): buffered
		// so their XML can be put right at finish.
		e.raw, e.sheet = &z.scratch, name != corePart
		return e.raw, nil
	}
	return entryWriter{z}, nil
}

type entryWriter struct{ z *sortedZip }

func (w entryWriter) Write(p []byte) (int, error) {
	z := w.z
	z.crc.Write(p)
	z.cur.size += uint64(len(p))
	n := len(p)
	for len(p) > 0 {
		if z.pending == nil {
			z.pending = (*chunkPool.Get().(*[]byte))[:0]
		}
		k := min(len(p), chunkSize-len(z.pending))
		z.pending = append(z.pending, p[:k]...)
		p = p[k:]
		if len(z.pending) == chunkSize {
			z.dispatch(false)
		}
	}
	return n, nil
}

// dispatch queues the pending bytes as the next chunk of the current part.
func (z *sortedZip) dispatch(final bool) {
	in := z.pending
	if in == nil {
		in = (*chunkPool.Get().(*[]byte))[:0]
	}
	z.pending = nil
	c := &chunk{in: in, final: final, done: make(chan struct{})}
	z.cur.chunks = append(z.cur.chunks, c)
	z.jobs <- c
}

// finish ends the current part: its last chunk carries the final block.
func (z *sortedZip) finish() {
	if z.cur == nil {
		return
	}
	if raw := z.cur.raw; raw != nil {
		z.cur.raw = nil
		switch rows := z.cur.rows; {
		case rows != nil:
			z.cur.rows = nil
			z.splice(raw.Bytes(), rows)
		case z.cur.sheet:
			_, _ = (entryWriter{z}).Write(fixSheet(raw.Bytes()))
		case z.cur.name == corePart:
			_, _ = (entryWriter{z}).Write(prefixCore(raw.Bytes()))
		case z.cur.name == workbookRels:
			_, _ = (entryWriter{z}).Write(addSSTRel(raw.Bytes()))
		default:
			doc := sortDefaults(raw.Bytes())
			if len(z.sst) > 0 {
				doc = addSSTType(doc)
			}
			_, _ = (entryWriter{z}).Write(doc)
		}
	}
	z.dispatch(true)
	z.cur.crc = z.crc.Sum32()
	z.cur = nil
}

// splice writes a sheet part streamed with its header only, with rows
// made on the workers put before its </sheetData> and its dimension set to
// the whole table.
func (z *sortedZip) splice(doc []byte, rows *sheetRows) {
	at := bytes.LastIndex(doc, []byte("</sheetData>"))
	if at < 0 {
		z.fail(fmt.Errorf("%s: no sheetData to put %d rows in", z.cur.name, rows.n))
		return
	}
	head := doc[:at]
	const dimension = `<dimension ref="`
	if i := bytes.Index(head, []byte(dimension)); i >= 0 {
		ref := i + len(dimension)
		if j := bytes.IndexByte(head[ref:], '"'); j >= 0 {
			head = slices.Concat(head[:ref], []byte("A1:"+rows.last), head[ref+j:])
		}
	}
	head = sortCols(head)
	w := entryWriter{z}
	_, _ = w.Write(head)
	if z.pending != nil {
		z.dispatch(false)
	}
	// Blocks are queued to the workers in order; the oldest is checksummed
	// and released once more than a worker's share is in flight.
	var queue []*chunk
	sum := func(c *chunk) {
		<-c.done
		z.crc.Write(c.in)
		z.cur.size += uint64(len(c.in))
		in := c.in[:0]
		chunkPool.Put(&in)
		c.in = nil
	}
	for k := range rows.blocks() {
		c := &chunk{done: make(chan struct{}), gen: func(dst []byte) ([]byte, error) { return rows.block(dst, k) }}
		z.cur.chunks = append(z.cur.chunks, c)
		queue = append(queue, c)
		z.jobs <- c
		if len(queue) > 2*cap(z.jobs) {
			sum(queue[0])
			queue = queue[1:]
		}
	}
	for _, c := range queue {
		sum(c)
	}
	tail := doc[at:]
	if links := rows.appendLinks(nil); len(links) > 0 {
		tail = insertBefore(tail, afterHyperlinks(tail), string(links))
	}
	_, _ = w.Write(tail)
}

// afterHyperlinks is the first element of a worksheet's tail that the
// schema puts after <hyperlinks>, or its end tag.
func afterHyperlinks(tail []byte) string {
	for _, e := range []string{"<printOptions", "<pageMargins", "<pageSetup", "<headerFooter", "<rowBreaks", "<colBreaks",
		"<customProperties", "<cellWatches", "<ignoredErrors", "<smartTags", "<drawing", "<legacyDrawing", "<picture",
		"<oleObjects", "<controls", "<webPublishItems", "<tableParts", "<extLst"} {
		if bytes.Contains(tail, []byte(e)) {
			return e
		}
	}
	return "</worksheet>"
}

// fail records an error returned by Close.
func (z *sortedZip) fail(err error) {
	z.errMu.Lock()
	z.err = errors.Join(z.err, err)
	z.errMu.Unlock()
}

// AddFS is not used by the workbook writer.
func (z *sortedZip) AddFS(fs.FS) error { return errors.New("xlsx: AddFS is not supported") }

// Close waits for the compression and writes the archive.
func (z *sortedZip) Close() error {
	z.finish()
	if len(z.sst) > 0 {
		w, _ := z.Create(sstPart)
		_, _ = w.Write(appendSST(nil, z.sst))
		z.finish()
	}
	close(z.jobs)
	z.workers.Wait()
	for name := range z.rows {
		z.fail(fmt.Errorf("xlsx: no part %s for its rows", name))
	}
	if z.err != nil {
		return fmt.Errorf("compressing: %w", z.err)
	}
	slices.SortStableFunc(z.entries, func(a, b *zipEntry) int { return strings.Compare(a.name, b.name) })
	zw := zip.NewWriter(z.w)
	for i, e := range z.entries {
		if i > 0 && e.name == z.entries[i-1].name {
			return fmt.Errorf("xlsx: duplicate part %s", e.name)
		}
		var compressed uint64
		for _, c := range e.chunks {
			compressed += uint64(c.out.Len())
		}
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: e.crc,
			CompressedSize64: compressed, UncompressedSize64: e.size}
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
		for _, c := range e.chunks {
			if _, err := w.Write(c.out.Bytes()); err != nil {
				return fmt.Errorf("writing %s: %w", e.name, err)
			}
		}
		e.chunks = nil
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
