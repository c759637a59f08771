package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/ruleatlas/ruleatlas/pipeline/diff"
)

// exitLoss is the exit code of `diff --fail-on-loss` when a technique lost
// coverage.
const exitLoss = 4

// diffFormats are the renderings of `ruleatlas diff`.
var diffFormats = []string{"text", "markdown", "xlsx"}

func diffCommand() *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "compare two runs' outputs: coverage, rules, indicators and exclusions gained and lost",
		ArgsUsage: "OLD_OUT NEW_OUT",
		Description: "Reads the Parquet tables that `ruleatlas report --format parquet --out DIR` writes in each folder.\n" +
			"Exit codes: 0 done; 4 with --fail-on-loss when a technique lost coverage; 1 when a folder is not\n" +
			"a ruleatlas output (the message names the missing file); 2 on usage errors.\n\n" +
			"A technique lost coverage when it had at least one rule in OLD_OUT and has none in NEW_OUT, over\n" +
			"all vendors (--loss total, the default). With --loss vendor it also counts as lost when one vendor\n" +
			"that had rules for it has none any more, although another vendor still covers it.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "`FORMAT`: " + strings.Join(diffFormats, ", ")},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write to `FILE` instead of standard output (required for xlsx)"},
			&cli.IntFlag{Name: "max-rows", Usage: "`N` rows per section in text and markdown, 0 = all",
				DefaultText: fmt.Sprintf("all for text, %d for markdown", diff.DefaultMarkdownRows)},
			&cli.BoolFlag{Name: "fail-on-loss", Usage: "exit 4 when a technique lost coverage"},
			&cli.StringFlag{Name: "loss", Value: "total", Usage: "what --fail-on-loss counts as lost: `SCOPE` total (no vendor covers the technique any more) or vendor (also: some vendor stopped covering it)"},
		},
		Action: runDiff,
	}
}

func runDiff(c *cli.Context) error {
	dirs, err := trailingFlags(c)
	if err != nil {
		return err
	}
	switch {
	case len(dirs) < 2:
		return usagef("diff takes two output folders: ruleatlas diff OLD_OUT NEW_OUT")
	case len(dirs) > 2:
		return usagef("diff takes two output folders: ruleatlas diff OLD_OUT NEW_OUT (unexpected %q)", dirs[2])
	}
	format := c.String("format")
	if !slices.Contains(diffFormats, format) {
		return usagef("unknown diff format %q (want %s)", format, strings.Join(diffFormats, ", "))
	}
	out := c.String("out")
	if format == "xlsx" && out == "" {
		return usagef("--format xlsx needs --out FILE")
	}
	perVendor := false
	switch c.String("loss") {
	case "total":
	case "vendor":
		perVendor = true
	default:
		return usagef("unknown --loss %q (want total or vendor)", c.String("loss"))
	}
	maxRows := c.Int("max-rows")
	if !c.IsSet("max-rows") && format == "markdown" {
		maxRows = diff.DefaultMarkdownRows
	}
	if maxRows < 0 {
		return usagef("--max-rows must be 0 or more")
	}

	// Load both folders at once.
	var (
		snaps [2]*diff.Snapshot
		errs  [2]error
		wg    sync.WaitGroup
	)
	for i, dir := range dirs {
		wg.Go(func() { snaps[i], errs[i] = diff.Load(c.Context, dir) })
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return cli.Exit(err.Error(), exitFailed)
	}
	res := diff.Compare(snaps[0], snaps[1])

	if err := writeDiff(c.App.Writer, out, format, res, diff.Options{MaxRows: maxRows}); err != nil {
		return cli.Exit(err.Error(), exitFailed)
	}
	if c.Bool("fail-on-loss") {
		if lost := res.Lost(perVendor); len(lost) > 0 {
			ids := make([]string, 0, min(len(lost), 10))
			for _, t := range lost[:min(len(lost), 10)] {
				ids = append(ids, t.ID)
			}
			more := ""
			if len(lost) > 10 {
				more = fmt.Sprintf(" and %d more", len(lost)-10)
			}
			scope := "in total"
			if perVendor {
				scope = "in total or for a vendor"
			}
			return cli.Exit(fmt.Sprintf("%d techniques lost coverage %s (--fail-on-loss): %s%s",
				len(lost), scope, strings.Join(ids, ", "), more), exitLoss)
		}
	}
	return nil
}

// writeDiff renders res to out, or to stdout when out is empty. A file is
// written beside its final name and renamed when complete.
func writeDiff(stdout io.Writer, out, format string, res *diff.Result, o diff.Options) error {
	render := func(w io.Writer) error {
		switch format {
		case "markdown":
			return diff.WriteMarkdown(w, res, o)
		case "xlsx":
			return diff.WriteXLSX(w, res)
		}
		return diff.WriteText(w, res, o)
	}
	if out == "" {
		return render(stdout)
	}
	tmp, err := os.CreateTemp(dirOf(out), ".ruleatlas-diff-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	bw := bufio.NewWriterSize(tmp, 1<<16)
	err = render(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", out, err)
	}
	return nil
}

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[:i+1]
	}
	return "."
}

// trailingFlags accepts flags after the two folders (`ruleatlas diff OLD
// NEW --format markdown`): urfave/cli stops parsing flags at the first
// positional argument, so what follows the folders is parsed here and set
// on c. It returns the positional arguments.
func trailingFlags(c *cli.Context) ([]string, error) {
	args := c.Args().Slice()
	if len(args) <= 2 && !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "-") }) {
		return args, nil
	}
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	names := map[string][]string{}
	for _, f := range c.Command.Flags {
		if err := f.Apply(fs); err != nil {
			return nil, err
		}
		for _, n := range f.Names() {
			names[n] = f.Names()
		}
	}
	pos := args[:1:1] // urfave/cli parsed the flags before the first one
	for rest := args[1:]; len(rest) > 0; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				if err := cli.ShowCommandHelp(c, c.Command.Name); err != nil {
					return nil, err
				}
				return nil, cli.Exit("", exitOK)
			}
			return nil, usageError{err}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	var err error
	fs.Visit(func(f *flag.Flag) {
		for _, n := range names[f.Name] {
			if e := c.Set(n, f.Value.String()); e != nil && err == nil {
				err = e
			}
		}
	})
	if err != nil {
		return nil, usageError{err}
	}
	return pos, nil
}
