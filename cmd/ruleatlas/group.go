package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// groupCommand prints an ATT&CK group's techniques with the catalog's
// coverage per vendor: ruleatlas group APT29 --sigma DIR.
func groupCommand() *cli.Command {
	return &cli.Command{
		Name:      "group",
		Usage:     "print an ATT&CK group's techniques with coverage per vendor",
		ArgsUsage: "G0016|APT29|\"Cozy Bear\"",
		Flags: append(sourceFlags(),
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no notes on stderr"},
		),
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("group takes an ATT&CK group id, name or alias, e.g. ruleatlas group APT29")
			}
			key := strings.Join(c.Args().Slice(), " ")
			st, release, err := runForTables(c)
			if err != nil {
				return err
			}
			defer release()
			g, ok := view.Group(st.Tables, key)
			if !ok {
				return usagef("unknown ATT&CK group %q (ATT&CK %s); give an id (G0016), name (APT29) or alias (Cozy Bear)", key, st.Tables.Meta.AttackVersion)
			}
			return view.WriteGroupText(c.App.Writer, g)
		},
	}
}
