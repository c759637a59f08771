package pipeline_test

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// loadNormalized runs discovery, loading and normalization (no tables, no
// exports) over every shared corpus.
func loadNormalized(t *testing.T) []rule.Rule {
	t.Helper()
	st := pipeline.NewState(pipeline.Options{Sources: allShared(t), AttackFile: pipetest.SharedAttack(t)})
	for _, s := range []pipeline.Stage{pipeline.Discover{}, pipeline.Load{}, pipeline.Normalize{}} {
		require.NoError(t, s.Run(context.Background(), st), "%s", s)
	}
	return st.Rules
}

// ecsFields reads ECS's own field list (fields.csv) and returns every field
// and, for the multi-fields (a text field listed beside a field of the same
// name), the field each indexes.
func ecsFields(t *testing.T) (fields map[string]bool, multiOf map[string]string) {
	f, err := os.Open(filepath.Join(pipetest.SharedDir(t), "ecs", "fields.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	fields, multiOf = map[string]bool{}, map[string]string{}
	for _, r := range rows[1:] {
		fields[r[3]] = true
	}
	for _, r := range rows[1:] {
		if parent, ok := strings.CutSuffix(r[3], ".text"); ok && fields[parent] {
			multiOf[r[3]] = parent
		}
	}
	return fields, multiOf
}

// productPlatform is the platform a product namespace belongs to.
var productPlatform = map[string]string{
	"aws.": "aws", "okta.": "okta", "gcp.": "gcp", "azure.": "azure", "o365.": "m365", "github.": "github", "kubernetes.": "kubernetes",
}

func namespacePlatform(field string) string {
	for ns, p := range productPlatform {
		if strings.HasPrefix(field, ns) {
			return p
		}
	}
	return ""
}

type fieldCount struct {
	name string
	n    int
}

func topCounts(m map[string]int, n int) []fieldCount {
	var out []fieldCount
	for k, v := range m {
		out = append(out, fieldCount{k, v})
	}
	slices.SortFunc(out, func(a, b fieldCount) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.name, b.name)) })
	return out[:min(n, len(out))]
}

// TestSharedFieldTruth checks issue 21 on every shared corpus: canonical
// names exist (in ECS's fields.csv, or compared by Elastic's own rules),
// Elastic's names are kept, product namespaces match the rule's platforms,
// Splunk rules are not all application logs, and PowerShell script-block
// text is one field across vendors. The reference lists are built here
// from the corpora, not taken from the field map.
func TestSharedFieldTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-catalog run")
	}
	rules := loadNormalized(t)
	ecs, multiOf := ecsFields(t)

	// The fields Elastic's own rules compare, as written.
	elasticUses := map[string]bool{}
	for _, r := range rules {
		if r.Vendor == "elastic" {
			for _, p := range r.Predicates {
				elasticUses[p.FieldRaw] = true
			}
		}
	}

	remapped, invented := 0, map[string]int{}
	elasticAway := map[string]int{}
	contradictions := map[string]int{}
	for _, r := range rules {
		for _, p := range r.Predicates {
			if p.Role == rule.RoleComputed {
				continue
			}
			if ns := namespacePlatform(p.Field); ns != "" && !slices.Contains(r.Platforms, ns) {
				contradictions[fmt.Sprintf("%s %s: %s→%s (platforms %v)", r.Vendor, r.RuleID, p.FieldRaw, p.Field, r.Platforms)]++
			}
			if p.Field == p.FieldRaw {
				continue
			}
			remapped++
			if !ecs[p.Field] && !elasticUses[p.Field] {
				invented[p.Field]++
			}
			// A path-suffix value rewrite (endswith \\x.exe → name eq x.exe)
			// changes the field with the operator; the field map does not.
			if r.Vendor == "elastic" && multiOf[p.FieldRaw] != p.Field && p.Op == p.OpRaw {
				elasticAway[p.FieldRaw+" → "+p.Field]++
			}
		}
	}
	n := 0
	for _, c := range invented {
		n += c
	}
	share := float64(n) / float64(max(1, remapped))
	t.Logf("remapped predicates: %d; on names neither ECS nor used by Elastic rules: %d (%.2f%%)", remapped, n, 100*share)
	for _, c := range topCounts(invented, 30) {
		t.Logf("  not ECS, not Elastic: %s %d", c.name, c.n)
	}
	assert.LessOrEqual(t, share, 0.01)
	assert.Empty(t, topCounts(elasticAway, 20), "Elastic predicates mapped away from Elastic's own names (other than ECS multi-fields)")
	for _, c := range topCounts(contradictions, 1000) {
		t.Logf("  contradiction: %s ×%d", c.name, c.n)
	}
	assert.Empty(t, contradictions, "predicates whose product namespace contradicts the rule's platforms")

	// Splunk: application_log only for the rules that read Splunk's own logs.
	splunk, appLog := 0, 0
	unclassified := map[string]int{}
	for _, r := range rules {
		if r.Vendor != "splunk" || r.Kind != rule.KindDetection && r.Kind != "" {
			continue
		}
		splunk++
		if slices.Contains(r.Events, "application_log") {
			appLog++
		}
		if slices.ContainsFunc(r.Events, func(e string) bool { return strings.HasPrefix(e, "other:") }) {
			for _, s := range r.LogSources {
				unclassified[s]++
			}
		}
	}
	for _, c := range topCounts(unclassified, 60) {
		t.Logf("  log source of a Splunk rule with no event: %s ×%d", c.name, c.n)
	}
	t.Logf("splunk detections tagged application_log: %d of %d (%.1f%%)", appLog, splunk, 100*float64(appLog)/float64(max(1, splunk)))
	assert.LessOrEqual(t, float64(appLog), 0.05*float64(splunk))

	// T1059.001: PowerShell script-block text is one field, fed by several vendors.
	const scriptBlock = "powershell.file.script_block_text"
	vendors := map[string]int{}
	for _, r := range rules {
		tagged := slices.ContainsFunc(r.Techniques, func(id string) bool { return id == "T1059.001" })
		if !tagged {
			continue
		}
		for _, p := range r.Predicates {
			if p.Field == scriptBlock && !p.Negated {
				vendors[r.Vendor]++
				break
			}
			assert.NotEqual(t, "powershell.script_block_text", p.Field)
		}
	}
	t.Logf("T1059.001 rules on %s by vendor: %v", scriptBlock, vendors)
	assert.GreaterOrEqual(t, len(vendors), 3)
}
