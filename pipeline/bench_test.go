package pipeline_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// Stage benchmarks over the shared corpora (skipped when absent). Each
// benchmark prepares the state of the stages before it once, outside the
// timer. Whole-run timings are in scripts/bench-run.sh and BENCHMARKS.md.

func benchOptions(b *testing.B, vendors ...string) pipeline.Options {
	o := pipeline.Options{AttackFile: pipetest.SharedAttack(b)}
	for _, f := range pipeline.Frontends() {
		if len(vendors) == 0 || slices.Contains(vendors, f.Vendor()) {
			o.Sources = append(o.Sources, pipeline.Source{Vendor: f.Vendor(), Root: pipetest.SharedCorpus(b, f.Vendor())})
		}
	}
	return o
}

// runStages runs stages on a fresh state, as pipeline.Run does.
func runStages(b *testing.B, st *pipeline.State, stages ...pipeline.Stage) {
	for _, s := range stages {
		if err := s.Run(context.Background(), st); err != nil {
			b.Fatal(err)
		}
	}
}

func newState(o pipeline.Options) *pipeline.State { return pipeline.NewState(o) }

func cloneRules(rs []rule.Rule) []rule.Rule {
	out := slices.Clone(rs)
	for i := range out {
		out[i].Predicates = slices.Clone(out[i].Predicates)
		out[i].Techniques = slices.Clone(out[i].Techniques)
		out[i].Tactics = slices.Clone(out[i].Tactics)
		out[i].Events = slices.Clone(out[i].Events)
		out[i].Platforms = slices.Clone(out[i].Platforms)
		out[i].Domains = slices.Clone(out[i].Domains)
	}
	return out
}

func BenchmarkDiscover(b *testing.B) {
	o := benchOptions(b)
	for b.Loop() {
		runStages(b, newState(o), pipeline.Discover{})
	}
}

func BenchmarkLoad(b *testing.B) {
	for _, f := range pipeline.Frontends() {
		b.Run(f.Vendor(), func(b *testing.B) {
			o := benchOptions(b, f.Vendor())
			for b.Loop() {
				b.StopTimer()
				st := newState(o)
				runStages(b, st, pipeline.Discover{})
				b.StartTimer()
				runStages(b, st, pipeline.Load{})
			}
		})
	}
}

func BenchmarkNormalize(b *testing.B) {
	st := newState(benchOptions(b))
	runStages(b, st, pipeline.Discover{}, pipeline.Load{})
	raw := cloneRules(st.Rules)
	for b.Loop() {
		b.StopTimer()
		st.Rules = cloneRules(raw)
		b.StartTimer()
		runStages(b, st, pipeline.Normalize{})
	}
}

func BenchmarkBuildTables(b *testing.B) {
	st := newState(benchOptions(b))
	runStages(b, st, pipeline.Discover{}, pipeline.Load{}, pipeline.Normalize{})
	for b.Loop() {
		runStages(b, st, pipeline.BuildTables{})
		b.StopTimer()
		st.Tables.Release()
		b.StartTimer()
	}
}

func BenchmarkAggregate(b *testing.B) {
	st := newState(benchOptions(b))
	runStages(b, st, pipeline.Discover{}, pipeline.Load{}, pipeline.Normalize{}, pipeline.BuildTables{})
	for b.Loop() {
		runStages(b, st, pipeline.Aggregate{})
		b.StopTimer()
		for _, r := range []interface{ Release() }{st.Tables.Coverage, st.Tables.Fields, st.Tables.Indicators, st.Tables.Exclusions, st.Tables.Events} {
			r.Release()
		}
		b.StartTimer()
	}
}

// BenchmarkRunTablesOnly is load → aggregate for the whole catalog, no export.
func BenchmarkRunTablesOnly(b *testing.B) {
	o := benchOptions(b)
	for b.Loop() {
		st, err := pipeline.Run(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
		st.Tables.Release()
	}
}
