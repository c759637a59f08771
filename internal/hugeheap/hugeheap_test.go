package hugeheap

import "testing"

func TestPlan(t *testing.T) {
	const gib = 1 << 30
	madvise := "always [madvise] never\n"
	tests := []struct {
		name string
		sys  system
		max  int64
		want int64
		why  string
	}{
		{"madvise mode", system{thpEnabled: madvise, overcommit: "0\n", memTotal: 24 * gib}, 4 * gib, 4 * gib, ""},
		{"capped at a quarter of memory", system{thpEnabled: madvise, memTotal: 2 * gib}, 4 * gib, gib / 2, ""},
		{"rounded down to huge pages", system{thpEnabled: madvise, memTotal: 4*gib + 4*hugePage + 4}, 4 * gib, gib + hugePage, ""},
		{"always", system{thpEnabled: "[always] madvise never", memTotal: 24 * gib}, gib, 0, "transparent huge pages are already on for all memory"},
		{"never", system{thpEnabled: "always madvise [never]", memTotal: 24 * gib}, gib, 0, "transparent huge pages are never"},
		{"no sysfs file", system{memTotal: 24 * gib}, gib, 0, "transparent huge pages are not available"},
		{"strict overcommit", system{thpEnabled: madvise, overcommit: "2\n", memTotal: 24 * gib}, gib, 0, "strict memory overcommit (vm.overcommit_memory=2)"},
		{"GODEBUG disablethp", system{thpEnabled: madvise, memTotal: 24 * gib, godebug: "gctrace=1,disablethp=1"}, gib, 0, "GODEBUG=disablethp=1"},
		{"GODEBUG disablethp turned off again", system{thpEnabled: madvise, memTotal: 24 * gib, godebug: "disablethp=1,disablethp=0"}, gib, gib, ""},
		{"GODEBUG other settings", system{thpEnabled: madvise, memTotal: 24 * gib, godebug: "madvdontneed=1"}, gib, gib, ""},
		{"tiny machine", system{thpEnabled: madvise, memTotal: 32 << 20}, gib, 0, "too little memory to set aside"},
		{"address space limited", system{thpEnabled: madvise, memTotal: 24 * gib, limited: true, room: gib}, 2 * gib, gib / 4, ""},
		{"address space limit far away", system{thpEnabled: madvise, memTotal: 24 * gib, limited: true, room: 100 * gib}, 2 * gib, 2 * gib, ""},
		{"address space nearly used up", system{thpEnabled: madvise, memTotal: 24 * gib, limited: true, room: 40 << 20}, gib, 0,
			"too little address space under the process's memory limits (ulimit -v, -d)"},
		{"address space over the limit", system{thpEnabled: madvise, memTotal: 24 * gib, limited: true, room: -1}, gib, 0,
			"too little address space under the process's memory limits (ulimit -v, -d)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := plan(tt.sys, tt.max)
			if got != tt.want || why != tt.why {
				t.Errorf("plan = %d, %q; want %d, %q", got, why, tt.want, tt.why)
			}
		})
	}
}

func TestSelected(t *testing.T) {
	for in, want := range map[string]string{
		"always [madvise] never\n": "madvise",
		"[always] madvise never":   "always",
		"always madvise [never]":   "never",
		"always madvise never":     "",
		"[]":                       "",
		"":                         "",
	} {
		if got := selected(in); got != want {
			t.Errorf("selected(%q) = %q, want %q", in, got, want)
		}
	}
}
