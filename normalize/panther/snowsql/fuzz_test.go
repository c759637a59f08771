package snowsql

import (
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// FuzzRead feeds arbitrary text as a query: Read must not panic (its
// recover would report "the SQL reader failed"), and every reason must
// name the file.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM panther_logs.public.aws_cloudtrail WHERE a:b.c = 'x' AND p_occurs_since(90m)",
		"WITH c AS (SELECT a, count(*) n FROM panther_logs.public.t GROUP BY a) SELECT * FROM c WHERE n > 2 QUALIFY x > 1",
		"SELECT * FROM t, LATERAL FLATTEN(input => a:b) f WHERE f.value:c RLIKE 'x' OR ARRAY_CONTAINS(a, ['x', 'y'])",
		"SELECT 'a\\'b', x[0]:y, split(z, '-')[1] FROM TABLE(FLATTEN(input => q)) WHERE x LIKE ANY ('a%', 'b')",
		"{% import 'anomalies' x %} SELECT 1",
		"SELECT a:", "SELECT [", "QUALIFY", "SELECT 1 WHERE p_occurs_since(1 hour, , c)", "((((((((", "'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		q, err := Read(sql, "f.yml", 1)
		if err != nil {
			if strings.Contains(err.Error(), "the SQL reader failed") {
				t.Fatalf("panic: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "f.yml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		_, skipped := rule.Flatten(q.Logic)
		for _, s := range skipped {
			if !strings.HasPrefix(s, "f.yml") {
				t.Fatalf("reason does not name the file: %s", s)
			}
		}
	})
}
