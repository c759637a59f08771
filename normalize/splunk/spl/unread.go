package spl

import "strings"

// Unread describes the stages of q (subsearches included) whose logic
// Lower does not turn into predicates although it compares values: a join
// matches fields of two searches, a transaction's startswith/endswith and
// a map's search hold their own tests. A frontend whose rule gave no
// predicate reports these rather than calling it fully understood.
func Unread(q *Query) []string {
	return unread(q, nil)
}

func unread(q *Query, out []string) []string {
	for _, c := range q.Commands {
		if raw, ok := c.(*RawCmd); ok {
			switch raw.Cmd {
			case "join", "selfjoin":
				out = append(out, "`"+raw.Cmd+" "+argsBeforeSubsearch(raw.Args)+"` (a match between the fields of two searches)")
			case "transaction":
				for _, t := range argTokens(raw.Args) {
					k, _, _ := strings.Cut(strings.ToLower(t), "=")
					if k == "startswith" || k == "endswith" {
						out = append(out, "`"+clip(raw.String())+"` (its start and end conditions)")
						break
					}
				}
			case "map":
				out = append(out, "`"+clip(raw.String())+"` (a search run per result)")
			}
		}
		for _, sub := range subsearchQueries(c) {
			out = unread(sub, out)
		}
	}
	return out
}

// argsBeforeSubsearch returns the arguments up to the first subsearch,
// trimmed and clipped.
func argsBeforeSubsearch(args string) string {
	if i := strings.IndexByte(args, '['); i >= 0 {
		args = args[:i]
	}
	return clip(strings.TrimSpace(args))
}
