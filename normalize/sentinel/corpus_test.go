package sentinel

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

var posRE = regexp.MustCompile(`^query line \d+, column \d+`)

// TestSharedCorpus loads the shared Sentinel corpus with the frontend and
// asserts the thresholds: every analytic rule loads, at least 95%
// parse ok, failures carry a query line and column. It logs the top
// failure and skip reasons.
func TestSharedCorpus(t *testing.T) {
	root := pipetest.SharedCorpus(t, "sentinel")
	status := map[rule.Status]int{}
	reasons := map[string]int{}
	var files, decodeErrs, skipped, preds, notes, excl, computed int
	types := map[string]int{}     // rule types the frontend gives
	wantTypes := map[string]int{} // kinds the files' own kind keys give, counted apart
	var zeroOK []string
	loadTree(t, root, func(rel string, res rule.Result, err error) {
		files++
		if data, rerr := os.ReadFile(filepath.Join(root, rel)); rerr == nil && err == nil {
			var doc struct {
				Kind string `yaml:"kind"`
			}
			if yaml.Unmarshal(data, &doc) == nil {
				switch k := strings.ToLower(strings.TrimSpace(doc.Kind)); k {
				case "scheduled":
					wantTypes["Scheduled"]++
				case "nrt":
					wantTypes["NRT"]++
				default:
					wantTypes[k]++
				}
			}
		}
		if err != nil {
			decodeErrs++
			t.Logf("not decodable: %s: %v", rel, err)
			return
		}
		if res.Skipped != "" {
			skipped++
			return
		}
		notes += len(res.Notes)
		for _, r := range res.Rules {
			status[r.ParseStatus]++
			types[string(r.Kind)+" "+r.RuleType]++
			if r.ParseStatus == rule.StatusOK && len(r.Predicates) == 0 {
				zeroOK = append(zeroOK, rel)
			}
			preds += len(r.Predicates)
			for _, p := range r.Predicates {
				if p.Exclusion {
					excl++
				}
				if p.Role == rule.RoleComputed {
					computed++
				}
			}
			if r.ParseStatus == rule.StatusFailed || r.ParseStatus == rule.StatusPartial {
				reasons[fmt.Sprintf("%s: %s", r.ParseStatus, r.ParseError)]++
				t.Logf("%s %s: %s", r.ParseStatus, rel, r.ParseError)
			}
			if r.ParseStatus == rule.StatusFailed {
				assert.Regexp(t, posRE, r.ParseError, rel)
			}
		}
	})
	rules := 0
	for _, n := range status {
		rules += n
	}
	ok := float64(status[rule.StatusOK]) / float64(max(rules, 1))
	t.Logf("%d files: %d rules (%d ok, %d partial, %d failed, %d no_query), %d skipped, %d not decodable; ok %.1f%%; %d predicates (%d exclusions), %d notes",
		files, rules, status[rule.StatusOK], status[rule.StatusPartial], status[rule.StatusFailed], status[rule.StatusNoQuery],
		skipped, decodeErrs, 100*ok, preds, excl, notes)
	type kv struct {
		k string
		n int
	}
	var top []kv
	for k, n := range reasons {
		top = append(top, kv{k, n})
	}
	sort.Slice(top, func(i, j int) bool { return top[i].n > top[j].n || top[i].n == top[j].n && top[i].k < top[j].k })
	for i, x := range top {
		if i == 10 {
			break
		}
		t.Logf("top reason %d× %s", x.n, x.k)
	}
	t.Logf("kinds: %v; %d predicates on computed columns", types, computed)
	assert.Equal(t, map[string]int{"detection Scheduled": wantTypes["Scheduled"], "detection NRT": wantTypes["NRT"]}, types)
	assert.Empty(t, zeroOK, "rules ok with no predicate")
	assert.Equal(t, files, rules+decodeErrs, "every file of the shared corpus is an analytic rule")
	assert.LessOrEqual(t, decodeErrs, 1, "only AWS_ChangeToVPC.yaml is known not to be valid YAML")
	assert.GreaterOrEqual(t, ok, 0.95, "parse_status ok rate")
}

// BenchmarkLoad measures the time to load and parse one rule of the shared
// corpus; it reports the median and 99th percentile per rule.
func BenchmarkLoad(b *testing.B) {
	root := pipetest.SharedCorpus(b, "sentinel")
	var files []rule.File
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files = append(files, rule.File{Root: root, Path: filepath.ToSlash(rel), Data: data})
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	src := Source{}
	per := make([]time.Duration, 0, len(files)*max(b.N, 1))
	b.ResetTimer()
	for b.Loop() {
		for _, f := range files {
			start := time.Now()
			_, _ = src.Load(f)
			per = append(per, time.Since(start))
		}
	}
	b.StopTimer()
	slices.Sort(per)
	b.ReportMetric(float64(per[len(per)/2].Microseconds()), "µs/rule-median")
	b.ReportMetric(float64(per[len(per)*99/100].Microseconds()), "µs/rule-p99")
	b.ReportMetric(float64(len(files)), "rules")
}
