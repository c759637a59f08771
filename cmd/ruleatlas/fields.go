package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/ruleatlas/ruleatlas/normalize/fieldmap"
	"github.com/ruleatlas/ruleatlas/pipeline"
)

func fieldsCommand() *cli.Command {
	return &cli.Command{
		Name:  "fields",
		Usage: "print the field map; with sources, the most used fields per vendor that have no mapping",
		Description: "With --canonical, one row per canonical name: where the name comes from (ECS, the Elastic\n" +
			"integration whose field it is, or a listed exception) and the raw fields of each vendor that map\n" +
			"to it (from the map; with sources, as counted in the rules' predicates).",
		Flags: append(sourceFlags(),
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text or csv"},
			&cli.BoolFlag{Name: "canonical", Usage: "one row per canonical name: its origin and the vendors' raw fields that feed it"},
			&cli.IntFlag{Name: "top", Value: 30, Usage: "unmapped fields listed per vendor (0 = all)"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no notes on stderr"},
		),
		Action: func(c *cli.Context) error {
			format := c.String("format")
			if format != "text" && format != "csv" {
				return usagef("--format must be text or csv, not %q", format)
			}
			m, err := fieldmap.Default()
			if err != nil {
				return cli.Exit(err.Error(), exitFailed)
			}
			given := false
			for _, v := range pipeline.Vendors {
				given = given || len(c.StringSlice(v)) > 0
			}
			if !given && c.String("config") == "" {
				if c.Bool("canonical") {
					return writeCanonical(c.App.Writer, m.MapSources(), format)
				}
				return writeMap(c.App.Writer, m, format)
			}
			st, release, err := runForTables(c)
			if err != nil {
				return err
			}
			defer release()
			if c.Bool("canonical") {
				return writeCanonical(c.App.Writer, m.RuleSources(st.Rules), format)
			}
			return writeUsage(c.App.Writer, fieldmap.Usage(st.Rules, m), format, c.Int("top"))
		},
	}
}

// writeMap prints every mapping: layer, vendor, gate, raw field, canonical
// field and where the canonical name comes from.
func writeMap(w io.Writer, m *fieldmap.Map, format string) error {
	rows := [][]string{{"layer", "vendor", "when", "field", "canonical", "origin"}}
	for _, l := range m.Layers() {
		when := fieldmap.GateText(l.When)
		if len(l.StripPrefix) > 0 {
			rows = append(rows, []string{l.ID, l.Vendor, when, "strip prefix " + strings.Join(l.StripPrefix, " "), "", ""})
			continue
		}
		if len(l.StripSuffix) > 0 {
			rows = append(rows, []string{l.ID, l.Vendor, when, "strip suffix " + strings.Join(l.StripSuffix, " "), "", ""})
			continue
		}
		keys := make([]string, 0, len(l.Map))
		for k := range l.Map {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			rows = append(rows, []string{l.ID, l.Vendor, when, k, l.Map[k], m.Origin(l.Map[k]).Describe()})
		}
	}
	return writeRows(w, rows, format)
}

// writeCanonical prints one row per canonical name: origin, and the raw
// fields per vendor that feed it ("sigma: ScriptBlockText 1612; splunk: …").
// CSV has one row per canonical name and raw field.
func writeCanonical(w io.Writer, list []fieldmap.CanonicalFields, format string) error {
	if format == "csv" {
		rows := [][]string{{"canonical", "origin", "integration", "vendor", "field", "layer", "when", "predicates"}}
		for _, c := range list {
			for _, r := range c.Raw {
				n := ""
				if r.Layer == "" {
					n = fmt.Sprint(r.Predicates)
				}
				rows = append(rows, []string{c.Field, c.Origin.Kind, c.Origin.Integration, r.Vendor, r.Field, r.Layer, r.Gate, n})
			}
		}
		return writeRows(w, rows, format)
	}
	rows := [][]string{{"CANONICAL", "ORIGIN", "FED BY"}}
	for _, c := range list {
		var parts []string
		for _, r := range c.Raw {
			s := r.Vendor + ": " + r.Field
			switch {
			case r.Layer == "":
				s += fmt.Sprintf(" (%d)", r.Predicates)
			case r.Gate != "":
				s += " [" + r.Gate + "]"
			}
			parts = append(parts, s)
		}
		rows = append(rows, []string{c.Field, c.Origin.Describe(), strings.Join(parts, "; ")})
	}
	return writeRows(w, rows, format)
}

// writeUsage prints per vendor the share of predicates on canonical fields
// and the most used unmapped fields.
func writeUsage(w io.Writer, usage []fieldmap.VendorUsage, format string, top int) error {
	if format == "csv" {
		rows := [][]string{{"vendor", "field", "predicates", "canonical", "kept"}}
		for _, u := range usage {
			for _, f := range u.Top {
				rows = append(rows, []string{u.Vendor, f.Field, fmt.Sprint(f.Predicates), f.Canonical, fmt.Sprint(f.Kept)})
			}
		}
		return writeRows(w, rows, format)
	}
	for _, u := range usage {
		fmt.Fprintf(w, "%s: %d of %d non-negated predicates (%.1f%%) on canonical fields; %d raw fields, %d unmapped\n",
			u.Vendor, u.Canonical, u.Predicates, 100*u.Share(), len(u.Top), len(u.Unmapped))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  UNMAPPED FIELD\tPREDICATES\n")
		list := u.Unmapped
		if top > 0 && len(list) > top {
			list = list[:top]
		}
		for _, f := range list {
			fmt.Fprintf(tw, "  %s\t%d\n", f.Field, f.Predicates)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	return nil
}

func writeRows(w io.Writer, rows [][]string, format string) error {
	if format == "csv" {
		cw := csv.NewWriter(w)
		if err := cw.WriteAll(rows); err != nil {
			return err
		}
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}
