package xlsx_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

func lookPath(name string) (string, error) { return exec.LookPath(name) }

// convertCSV converts every sheet of the workbook at path to CSV with
// LibreOffice headless (a private profile, so parallel runs do not clash)
// and returns the number of CSV records per sheet name.
func convertCSV(soffice, path, dir string) (map[string]int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out := filepath.Join(dir, "csv")
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--norestore", "--convert-to",
		"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", out, path)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("soffice: %v: %s", err, msg)
	}
	base := strings.TrimSuffix(filepath.Base(path), ".xlsx") + "-"
	files, err := filepath.Glob(filepath.Join(out, base+"*.csv"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("soffice wrote no CSV: %s", msg)
	}
	counts := map[string]int{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		r := csv.NewReader(fh)
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		counts[strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), base), ".csv")] = len(recs)
	}
	return counts, nil
}
