// Package pdf writes the PDF reports of a run: pdf/<technique>.pdf, the
// SPEC §8 page of every technique with at least one rule (or of the
// techniques asked for), and pdf/summary.pdf, the executive summary
// (totals, coverage by tactic, an ATT&CK matrix heat map, the biggest gaps,
// the most covered techniques and parse health), and pdf/group-<id>.pdf for
// each ATT&CK group asked for with --group.
//
// Documents are drawn with github.com/go-pdf/fpdf in the Go fonts
// (golang.org/x/image/font/gofont); characters the fonts lack (anything
// beyond Latin, Greek and Cyrillic) print as '?' and control characters as
// spaces. Text that Windows-1252 encodes is set in a single-byte form of
// the font, subset to those glyphs once per run and embedded as is; other
// text in the font's UTF-8 form, which fpdf prepares per document (about
// 3 ms of CPU), so only the few reports that need it pay for it. A document
// embeds only the fonts its styles use, and the default layout uses Go
// Regular alone (bold styles are synthetic bold, text rendering mode 2).
// Colours, fonts, sizes, section order,
// table columns, limits and every label come from the layout in
// templates/pdf/layout.yaml.
//
// Output is deterministic: the creation and modification dates are the
// report date of the run, fpdf writes no document id for unencrypted files,
// its catalog is written in sorted order, and every list is in a fixed order.
// Technique reports render in parallel on a bounded pool of workers.
package pdf

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/ruleatlas/ruleatlas/pipeline/outfile"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// Dir is the folder of the PDF files below the output folder.
const Dir = "pdf"

// SummaryFile is the executive summary, relative to the output folder.
const SummaryFile = Dir + "/summary.pdf"

// Exporter writes the PDF reports.
type Exporter struct {
	// Techniques limits the technique reports to these ids (techniques or
	// sub-techniques, any case); empty means every technique with at least
	// one rule. The summary is always written.
	Techniques []string
	// Workers bounds the technique reports rendered at once; 0 means
	// GOMAXPROCS.
	Workers int
	// Layout replaces the embedded layout when set.
	Layout *Layout
}

// Name returns "pdf".
func (Exporter) Name() string { return "pdf" }

var techniqueID = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)

// TechniqueFile is the report of one technique, relative to the output folder.
func TechniqueFile(id string) string { return Dir + "/" + id + ".pdf" }

// Export writes the technique reports and the summary; the files are
// returned in id order, the summary last.
func (e Exporter) Export(ctx context.Context, set *tables.Set, dir string) ([]string, error) {
	l := e.Layout
	if l == nil {
		var err error
		if l, err = DefaultLayout(); err != nil {
			return nil, err
		}
	}
	ix := view.NewIndex(set)
	ids, err := e.ids(ix)
	if err != nil {
		return nil, err
	}
	r := &renderer{l: l, st: l.styles(), set: set, meta: set.Meta}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := e.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Job -1 is the summary; it goes first as it is the largest single job.
	jobs := make(chan int)
	errs := make([]error, len(ids)+1)
	var wg sync.WaitGroup
	for range min(workers, len(ids)+1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				var data []byte
				var err error
				name := SummaryFile
				if j < 0 {
					data, err = r.summary()
				} else {
					name = TechniqueFile(ids[j])
					data, err = r.technique(ix.Page(ids[j]))
				}
				if err == nil {
					err = outfile.WriteFile(ctx, dir, name, data)
				}
				if err != nil {
					errs[j+1] = fmt.Errorf("%s: %w", name, err)
					cancel()
				}
			}
		}()
	}
feed:
	for j := -1; j < len(ids); j++ {
		select {
		case jobs <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	files := make([]string, 0, len(ids)+1)
	for _, id := range ids {
		files = append(files, TechniqueFile(id))
	}
	groups, err := r.groups(ctx, dir) // telemetry.go: pdf/group-<id>.pdf per --group
	if err != nil {
		return nil, err
	}
	return append(append(files, SummaryFile), groups...), nil
}

// ids returns the technique ids to report, sorted and unique.
func (e Exporter) ids(ix *view.Index) ([]string, error) {
	if len(e.Techniques) == 0 {
		return ix.Techniques(), nil
	}
	var ids []string
	for _, t := range e.Techniques {
		id := strings.ToUpper(strings.TrimSpace(t))
		if !techniqueID.MatchString(id) {
			return nil, fmt.Errorf("pdf: %q is not an ATT&CK technique id (T1234 or T1234.001)", t)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}
