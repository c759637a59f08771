package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ruleatlas/ruleatlas/exporters"
	"github.com/ruleatlas/ruleatlas/exporters/pdf"
	"github.com/ruleatlas/ruleatlas/exporters/xlsx"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/normalize/splunk"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// Exit codes (SPEC §7).
const (
	exitOK       = 0
	exitFailed   = 1 // the run failed; nothing usable written
	exitUsage    = 2
	exitProblems = 3 // finished, but some files could not be read or parsed, and --strict
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// SampleCorpus is where the bundled sample corpus lives, relative to the
// repository root.
const SampleCorpus = "testdata/corpus"

// usageError marks errors in how the command was called (exit 2).
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// run is the whole CLI with its I/O injected; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, interspersed(args))
	if err == nil {
		return exitOK
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(stderr, "ruleatlas:", msg)
		}
		return ec.ExitCode()
	}
	fmt.Fprintln(stderr, "ruleatlas:", err)
	var ue usageError
	if errors.As(err, &ue) || isFlagError(err) {
		return exitUsage
	}
	return exitFailed
}

// boolFlags are the flags of the technique command that take no value.
var boolFlags = map[string]bool{"include-deprecated": true, "quiet": true, "q": true, "help": true, "h": true}

// interspersed moves the positional arguments of `ruleatlas technique T1595
// --sigma DIR` behind the flags: urfave/cli v2 stops parsing flags at the
// first positional argument.
func interspersed(args []string) []string {
	if len(args) < 3 || args[1] != "technique" && args[1] != "group" {
		return args
	}
	out := []string{args[0], args[1]}
	var positional []string
	for i := 2; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			out = append(out, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && !boolFlags[name] && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		default:
			positional = append(positional, a)
		}
	}
	return append(out, positional...)
}

func isFlagError(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "flag provided but not defined") || strings.Contains(msg, "invalid value") ||
		strings.Contains(msg, "Required flag") || strings.HasPrefix(msg, "No help topic")
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:    "ruleatlas",
		Usage:   "ATT&CK coverage reports and exports from detection-rule repositories",
		Version: toolVersion(),
		Writer:  stdout, ErrWriter: stderr,
		ExitErrHandler: func(*cli.Context, error) {}, // run maps errors to exit codes
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
		Commands: []*cli.Command{reportCommand(), techniqueCommand(), groupCommand(), fieldsCommand(), diffCommand(), historyCommand(), versionCommand()},
	}
}

// sourceFlags are the repeatable vendor folder flags and ATT&CK options
// shared by every command that reads rules.
func sourceFlags() []cli.Flag {
	var fs []cli.Flag
	for _, v := range pipeline.Vendors {
		fs = append(fs, &cli.StringSliceFlag{Name: v, Usage: "`DIR` of " + v + " rules (repeatable)", Category: "Sources"})
	}
	return append(fs,
		&cli.StringFlag{Name: "config", Usage: "config `FILE` (default: ruleatlas.yaml in the working directory, when present)", Category: "Sources"},
		&cli.StringFlag{Name: "splunk-macros", Usage: "`DIR` of Splunk macro definitions (default: macros/ of the repository)", Category: "Sources"},
		&cli.StringFlag{Name: "attack", Usage: "ATT&CK STIX bundle `FILE` (default: the embedded ATT&CK 18.1 ids and names)", Category: "Sources"},
		&cli.StringFlag{Name: "attack-version", Usage: "ATT&CK `VERSION` to report when the bundle does not say", Category: "Sources"},
		&cli.BoolFlag{Name: "include-deprecated", Usage: "keep rules their vendor marks deprecated", Category: "Sources"},
		&cli.IntFlag{Name: "workers", Usage: "parallel parsers (default: all cores)", Category: "Run"},
		&cli.Int64Flag{Name: "max-file-size", Value: pipeline.DefaultMaxFileSize, Usage: "per-file size limit in `BYTES`", Category: "Run"},
		&cli.DurationFlag{Name: "parse-timeout", Value: pipeline.DefaultParseTimeout, Usage: "time limit for parsing one file (`DURATION`, e.g. 30s; negative = none)", Category: "Run"},
		&cli.StringSliceFlag{Name: "platform", Usage: "keep rules for `PLATFORM` (repeatable)", Category: "Filters"},
		&cli.StringSliceFlag{Name: "domain", Usage: "keep rules for `DOMAIN` (repeatable)", Category: "Filters"},
		&cli.StringSliceFlag{Name: "vendor", Usage: "keep rules of `VENDOR` (repeatable)", Category: "Filters"},
		&cli.StringSliceFlag{Name: "technique", Usage: "keep rules tagged `ID` or its sub-techniques (repeatable)", Category: "Filters"},
		&cli.StringSliceFlag{Name: "kind", Usage: "count rules of `KIND` in coverage and every aggregate: " + kindNames() +
			" or all (repeatable; default: the kinds that raise alerts, every kind but hunting)", Category: "Filters"},
	)
}

// stringFlag is the flag's value when it is set on the command line or the
// config file says nothing, else the config file's value.
func stringFlag(c *cli.Context, flag, fromConfig string) string {
	if c.IsSet(flag) || fromConfig == "" {
		return c.String(flag)
	}
	return fromConfig
}

// options turns the config file and the common flags into pipeline
// options; flags override the config. With no source at all it uses the
// sample corpus and says so on stderr.
func options(c *cli.Context, stderr io.Writer) (pipeline.Options, *Config, error) {
	cfg, err := findConfig(c, stderr)
	if err != nil {
		return pipeline.Options{}, nil, err
	}
	str := func(flag, fromConfig string) string { return stringFlag(c, flag, fromConfig) }
	list := func(flag string, fromConfig []string) []string {
		if c.IsSet(flag) || len(fromConfig) == 0 {
			return splitList(c.StringSlice(flag))
		}
		return fromConfig
	}
	o := pipeline.Options{
		AttackFile:        str("attack", cfg.path(cfg.Attack)),
		AttackVersion:     str("attack-version", cfg.AttackVersion),
		IncludeDeprecated: c.Bool("include-deprecated") || cfg.IncludeDeprecated && !c.IsSet("include-deprecated"),
		Workers:           c.Int("workers"),
		MaxFileSize:       c.Int64("max-file-size"),
		ParseTimeout:      c.Duration("parse-timeout"),
		ToolVersion:       toolVersion(),
		Filters: tables.Filters{
			Platforms: list("platform", cfg.Filters.Platforms), Domains: list("domain", cfg.Filters.Domains),
			Vendors: list("vendor", cfg.Filters.Vendors), Techniques: list("technique", cfg.Filters.Techniques),
		},
	}
	kinds, err := parseKinds(list("kind", cfg.Kinds))
	if err != nil {
		return o, cfg, err
	}
	o.Kinds = kinds
	if !c.IsSet("workers") && cfg.Workers > 0 {
		o.Workers = cfg.Workers
	}
	if !c.IsSet("max-file-size") && cfg.MaxFileSize > 0 {
		o.MaxFileSize = cfg.MaxFileSize
	}
	if macros := str("splunk-macros", cfg.path(cfg.SplunkMacros)); macros != "" {
		o.Frontends = withSplunkMacros(pipeline.Frontends(), macros)
	}
	for _, v := range pipeline.Vendors {
		for _, dir := range c.StringSlice(v) {
			o.Sources = append(o.Sources, pipeline.Source{Vendor: v, Root: dir})
		}
	}
	if len(o.Sources) == 0 {
		o.Sources = cfg.sources()
	}
	if len(o.Sources) == 0 {
		srcs, err := sampleSources()
		if err != nil {
			return o, cfg, err
		}
		o.Sources = srcs
		if !c.Bool("quiet") {
			fmt.Fprintf(stderr, "ruleatlas: no source given; using the bundled sample corpus in %s\n", SampleCorpus)
		}
	}
	return o, cfg, nil
}

// configureExporters passes exporter options from the command line: the
// PDF reports are limited to the --technique ids, the workbook gets a sheet
// per technique with --xlsx-per-technique.
func configureExporters(all []pipeline.Exporter, techniques []string, perTechnique bool) []pipeline.Exporter {
	out := slices.Clone(all)
	for i, e := range out {
		switch e.(type) {
		case pdf.Exporter:
			out[i] = pdf.Exporter{Techniques: techniques}
		case xlsx.Exporter:
			out[i] = xlsx.Exporter{PerTechnique: perTechnique}
		}
	}
	return out
}

// withSplunkMacros replaces the Splunk frontend with one reading macros from dir.
func withSplunkMacros(fronts []rule.Frontend, dir string) []rule.Frontend {
	out := slices.Clone(fronts)
	for i, f := range out {
		if f.Vendor() == "splunk" {
			out[i] = splunk.Frontend{MacrosDir: dir}
		}
	}
	return out
}

// findConfig loads --config, or ruleatlas.yaml in the working directory;
// an empty config when there is none.
func findConfig(c *cli.Context, stderr io.Writer) (*Config, error) {
	path := c.String("config")
	if path == "" {
		if _, err := os.Stat(DefaultConfig); err != nil {
			return &Config{}, nil
		}
		path = DefaultConfig
		if !c.Bool("quiet") {
			fmt.Fprintf(stderr, "ruleatlas: using %s from the working directory\n", DefaultConfig)
		}
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		return nil, usageError{err}
	}
	return cfg, nil
}

// sampleSources lists the vendor folders of the sample corpus that have a
// registered frontend.
func sampleSources() ([]pipeline.Source, error) {
	if _, err := os.Stat(SampleCorpus); err != nil {
		return nil, usagef("no source given (--sigma DIR, --elastic DIR, …) and the sample corpus %s was not found; run from the repository root", SampleCorpus)
	}
	var known []string
	for _, f := range pipeline.Frontends() {
		known = append(known, f.Vendor())
	}
	var out []pipeline.Source
	for _, v := range pipeline.Vendors {
		dir := filepath.Join(SampleCorpus, v)
		if _, err := os.Stat(dir); err == nil && slices.Contains(known, v) {
			out = append(out, pipeline.Source{Vendor: v, Root: dir})
		}
	}
	return out, nil
}

// kindNames lists the rule kinds, comma-separated.
func kindNames() string {
	var names []string
	for _, k := range rule.Kinds {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// parseKinds reads --kind values: kind names or "all"; none gives nil (the
// pipeline's default, the alerting kinds).
func parseKinds(vals []string) ([]rule.Kind, error) {
	var out []rule.Kind
	for _, v := range vals {
		k := rule.Kind(strings.ToLower(v))
		switch {
		case k == "all":
			return slices.Clone(rule.Kinds), nil
		case !rule.ValidKind(k):
			return nil, usagef("unknown kind %q (known: %s, all)", v, kindNames())
		case !slices.Contains(out, k):
			out = append(out, k)
		}
	}
	return out, nil
}

// splitList splits comma-separated flag values.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func reportCommand() *cli.Command {
	flags := append(sourceFlags(),
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "out", Usage: "output `DIR` (replaced atomically)", Category: "Output"},
		&cli.StringSliceFlag{Name: "format", Usage: "output formats, comma-separated (default: all): " + formatNames(), Category: "Output"},
		&cli.StringFlag{Name: "report-date", Usage: "`YYYY-MM-DD` shown in reports (default: the newest rule date)", Category: "Output"},
		&cli.BoolFlag{Name: "xlsx-per-technique", Usage: "add one workbook sheet per technique, laid out like the technique page", Category: "Output"},
		&cli.StringSliceFlag{Name: "group", Usage: "also write a report of ATT&CK `GROUP` (id, name or alias; repeatable)", Category: "Output"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing but errors", Category: "Run"},
		&cli.BoolFlag{Name: "strict", Usage: "exit 3 when a rule failed: its file could not be read or decoded, or its query not parsed (partly parsed rules do not count)", Category: "Run"},
		&cli.BoolFlag{Name: "strict-partial", Usage: "exit 3 as --strict, and also when a rule was only partly parsed", Category: "Run"},
		&cli.StringFlag{Name: "cpuprofile", Usage: "write a CPU profile to `FILE` (go tool pprof)", Category: "Profiling"},
		&cli.StringFlag{Name: "memprofile", Usage: "write a heap profile to `FILE` at the end of the run", Category: "Profiling"},
	)
	return &cli.Command{
		Name:  "report",
		Usage: "parse the rule sources and write every report and export",
		Flags: flags,
		Action: func(c *cli.Context) error {
			stderr := c.App.ErrWriter
			o, cfg, err := options(c, stderr)
			if err != nil {
				return err
			}
			o.OutDir = c.String("out")
			if !c.IsSet("out") && cfg.Out != "" {
				o.OutDir = cfg.path(cfg.Out)
			}
			o.Formats = splitList(c.StringSlice("format"))
			if !c.IsSet("format") && len(cfg.Formats) > 0 {
				o.Formats = cfg.Formats
			}
			o.ReportDate = c.String("report-date")
			o.ReleaseRules = true // the summary reads st.Counts
			o.Groups = splitList(c.StringSlice("group"))
			o.Exporters = configureExporters(exporters.All(), o.Filters.Techniques, c.Bool("xlsx-per-technique"))
			keepTrend(&o)
			if !c.IsSet("report-date") {
				o.ReportDate = cfg.ReportDate
			}
			strictPartial := c.Bool("strict-partial") || cfg.StrictPartial && !c.IsSet("strict-partial")
			strict := strictPartial || c.Bool("strict") || cfg.Strict && !c.IsSet("strict")
			if !c.Bool("quiet") {
				o.Log = stderr
				if isTerminal(stderr) {
					b := &bar{w: stderr}
					o.Progress, o.Log = b, b.Log()
				}
			}
			stopProfiles, err := startProfiles(c.String("cpuprofile"), c.String("memprofile"))
			if err != nil {
				return cli.Exit(err.Error(), exitFailed)
			}
			defer stopProfiles()
			start := time.Now()
			st, err := pipeline.Run(c.Context, o)
			if st != nil && st.Tables != nil {
				defer st.Tables.Release()
			}
			if err != nil {
				return cli.Exit(err.Error(), exitFailed)
			}
			if !c.Bool("quiet") {
				fmt.Fprintln(stderr, summary(st, time.Since(start)))
			}
			if msg, fail := strictResult(st, strict, strictPartial); fail {
				return cli.Exit(msg, exitProblems)
			}
			return nil
		},
	}
}

func formatNames() string {
	var names []string
	for _, e := range exporters.All() {
		names = append(names, e.Name())
	}
	return strings.Join(names, ",")
}

// strictResult says whether --strict (failed rules) or --strict-partial
// (failed or partly parsed rules) turns the run into exit code 3, and the
// message, which counts failed and partial apart: "3 rules failed (2
// files could not be read or decoded), 420 parsed partly".
func strictResult(st *pipeline.State, strict, partial bool) (string, bool) {
	failed, part := st.Counts.Of(rule.StatusFailed), st.Counts.Of(rule.StatusPartial)
	if !strict || failed == 0 && (!partial || part == 0) {
		return "", false
	}
	msg := plural(failed, "rule") + " failed"
	if files := st.FileCounts.Of(tables.OutcomeFailed); files > 0 {
		msg += fmt.Sprintf(" (%s could not be read or decoded)", plural(files, "file"))
	}
	msg += fmt.Sprintf(", %d parsed partly", part)
	if partial {
		return msg + " (--strict-partial fails on both)", true
	}
	return msg + " (--strict fails on failed rules; --strict-partial on partial ones too)", true
}

// plural is "1 rule" or "3 rules".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// summary is the one-line run summary.
func techniqueCommand() *cli.Command {
	return &cli.Command{
		Name:      "technique",
		Usage:     "print one technique's page (SPEC §8) as text",
		ArgsUsage: "T1595",
		Flags: append(sourceFlags(),
			&cli.IntFlag{Name: "max-rows", Value: 25, Usage: "rows per section (0 = all)"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no notes on stderr"},
		),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("technique takes exactly one technique id, e.g. ruleatlas technique T1595")
			}
			id, ok := rule.Technique(c.Args().First())
			if !ok {
				return usagef("%q is not a technique id (T1234 or T1234.001)", c.Args().First())
			}
			st, release, err := runForTables(c)
			if err != nil {
				return err
			}
			defer release()
			page := view.NewIndex(st.Tables).Page(id)
			if err := view.WriteText(c.App.Writer, page, view.TextOptions{MaxRows: c.Int("max-rows")}); err != nil {
				return err
			}
			return view.WriteTelemetryText(c.App.Writer, view.TechniqueTelemetry(st.Tables, id)) // telemetry section
		},
	}
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version",
		Action: func(c *cli.Context) error {
			_, err := fmt.Fprintf(c.App.Writer, "ruleatlas %s\n", toolVersion())
			return err
		},
	}
}

// runForTables runs the pipeline with the command's source options, for a
// command that reads the finished tables; release frees them.
func runForTables(c *cli.Context) (*pipeline.State, func(), error) {
	o, _, err := options(c, c.App.ErrWriter)
	if err != nil {
		return nil, nil, err
	}
	st, err := pipeline.Run(c.Context, o)
	release := func() {
		if st != nil && st.Tables != nil {
			st.Tables.Release()
		}
	}
	if err != nil {
		release()
		return nil, nil, cli.Exit(err.Error(), exitFailed)
	}
	return st, release, nil
}
