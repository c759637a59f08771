package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ruleatlas/ruleatlas/exporters/parquet"
	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/history"
	"github.com/ruleatlas/ruleatlas/pipeline/outfile"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// ConfigHistory is the `history:` section of the config file.
type ConfigHistory struct {
	Since string `yaml:"since"`
	Until string `yaml:"until"`
	Every string `yaml:"every"`
	Ref   string `yaml:"ref"`
	Out   string `yaml:"out"`
}

func historyCommand() *cli.Command {
	flags := append(sourceFlags(),
		&cli.StringFlag{Name: "since", Usage: "first point, `YYYY-MM-DD` (00:00 UTC)", Category: "History"},
		&cli.StringFlag{Name: "until", Usage: "last point, `YYYY-MM-DD` (default: today)", Category: "History"},
		&cli.StringFlag{Name: "every", Value: "month", Usage: "step between points: year, month, week or day", Category: "History"},
		&cli.StringFlag{Name: "ref", Value: "HEAD", Usage: "branch or commit whose first-parent history is read", Category: "History"},
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "out", Usage: "output `DIR` for history.parquet and its companions", Category: "Output"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing but errors", Category: "Run"},
	)
	return &cli.Command{
		Name:  "history",
		Usage: "coverage at points in the sources' git history, read from the repository without a checkout",
		Description: "For each point (00:00 UTC) and each source inside a git repository, reads the last first-parent\n" +
			"commit before the point straight from the repository's objects and counts coverage per technique\n" +
			"and rule kind. Writes history.parquet, history_totals.parquet and history_changes.parquet.",
		Flags: flags,
		Action: func(c *cli.Context) error {
			stderr := c.App.ErrWriter
			o, cfg, err := options(c, stderr)
			if err != nil {
				return err
			}
			h := cfg.History
			str := func(flag, fromConfig string) string { return stringFlag(c, flag, fromConfig) }
			since, err := parseDate("since", str("since", h.Since), time.Time{})
			if err != nil {
				return cli.Exit(err.Error(), exitUsage)
			}
			if since.IsZero() {
				return cli.Exit("history needs --since YYYY-MM-DD (or history.since in the config file)", exitUsage)
			}
			until, err := parseDate("until", str("until", h.Until), time.Now().UTC())
			if err != nil {
				return cli.Exit(err.Error(), exitUsage)
			}
			out := str("out", "")
			if !c.IsSet("out") && h.Out != "" {
				out = cfg.path(h.Out)
			}
			ho := history.Options{Sources: o.Sources, Since: since, Until: until,
				Every: str("every", h.Every), Ref: str("ref", h.Ref), Pipeline: o}
			if !c.Bool("quiet") {
				ho.Log = stderr
				if isTerminal(stderr) {
					b := &bar{w: stderr}
					ho.Pipeline.Progress, ho.Log = b, b.Log()
				}
			}
			start := time.Now()
			res, err := history.Run(c.Context, ho)
			if err != nil {
				return cli.Exit(err.Error(), exitFailed)
			}
			files, err := writeHistory(out, res)
			if err != nil {
				return cli.Exit(err.Error(), exitFailed)
			}
			if !c.Bool("quiet") {
				fmt.Fprintf(stderr, "%d points × %d sources in %.1f s: %s in %s\n", len(res.Points), len(o.Sources),
					time.Since(start).Seconds(), strings.Join(files, ", "), out)
				printTrend(stderr, res)
			}
			return nil
		},
	}
}

// parseDate reads a YYYY-MM-DD flag value; empty gives def.
func parseDate(flag, v string, def time.Time) (time.Time, error) {
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return t, fmt.Errorf("--%s %q: want YYYY-MM-DD", flag, v)
	}
	return t, nil
}

// writeHistory writes the history tables into dir, each under a temporary
// name renamed into place when complete.
func writeHistory(dir string, res *history.Result) ([]string, error) {
	var files []string
	for _, t := range res.Tables() {
		name := t.Name + ".parquet"
		f, err := outfile.Create(dir, name)
		if err != nil {
			t.Record.Release()
			return files, err
		}
		err = parquet.Write(f, t.Record)
		t.Record.Release()
		if err != nil {
			return files, fmt.Errorf("%s: %w", name, err)
		}
		if err := outfile.Commit(dir, name); err != nil {
			return files, err
		}
		files = append(files, name)
	}
	return files, nil
}

// printTrend prints, per source, the techniques covered (kinds that raise
// alerts) at each point.
func printTrend(w io.Writer, res *history.Result) {
	for _, s := range res.Snapshots {
		if s.Commit == "" {
			fmt.Fprintf(w, "  %s  %-8s %s\n", s.Point.Format(time.DateOnly), s.Vendor, s.Note)
			continue
		}
		covered, rules := 0, 0
		for _, kinds := range s.Techniques {
			n := 0
			for _, k := range rule.AlertingKinds {
				n += kinds[k]
			}
			if n > 0 {
				covered++
			}
		}
		for _, st := range s.Totals {
			for _, n := range st {
				rules += n
			}
		}
		fmt.Fprintf(w, "  %s  %-8s %.10s  %5d rules  %4d techniques covered\n",
			s.Point.Format(time.DateOnly), s.Vendor, s.Commit, rules, covered)
	}
}

// keepTrend makes a report whose output folder holds a history run's
// tables keep them and show the trend.
func keepTrend(o *pipeline.Options) {
	dir := o.OutDir
	if !history.Found(dir) {
		return
	}
	o.Carry = history.Files
	o.Trend = func(ctx context.Context, m *attack.Model) (*tables.History, error) {
		return history.Trend(ctx, dir, m)
	}
}
