package html_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ruleatlas/ruleatlas/exporters/internal/sitetest"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// The browser test opens pages of the sample site in headless Chromium
// (Debian package `chromium`; set RULEATLAS_CHROMIUM to use another
// binary) with a probe script beside the page that acts as a user would
// (clicks filter buttons, opens a rule, types into the search box) and
// records what is shown in the dumped DOM. Console messages (script errors,
// CSP violations) are read from Chromium's log. The figures the pages show
// are compared with counts this test makes from the tables itself. The test
// is skipped when no browser is installed.

func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("RULEATLAS_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on PATH (apt-get install chromium); skipping the browser test")
	return ""
}

// probeJS runs after the page's scripts (on load) and records what a user
// would see; config (set before it) says what to do.
const probeJS = `(function () {
  "use strict";
  var out = {errors: [], steps: [], search: {}};
  window.addEventListener("error", function (e) { out.errors.push(String(e.message || e.type)); }, true);
  function visible(el) { return el.getClientRects().length > 0; }
  function count(sel) { return Array.prototype.filter.call(document.querySelectorAll(sel), visible).length; }
  // countCounted counts the visible rules of the kinds the page counts.
  function countCounted() {
    var note = document.getElementById("filter-note");
    var kinds = (note && note.getAttribute("data-counted") || "").split(/[ ,]+/);
    return Array.prototype.filter.call(document.querySelectorAll("details.rule"), function (r) {
      return visible(r) && kinds.indexOf(r.getAttribute("data-kind")) >= 0;
    }).length;
  }
  function text(id) { var e = document.getElementById(id); return e ? e.textContent : ""; }
  function rows(id) {
    var m = {};
    var t = document.getElementById(id);
    if (!t) return m;
    Array.prototype.forEach.call(t.querySelectorAll("tbody tr"), function (r) {
      if (!visible(r)) return;
      m[r.cells[0].textContent.trim()] = +r.querySelector("[data-n]").textContent;
    });
    return m;
  }
  function counts() {
    return {total: text("total-rules"), shown: text("rules-shown"), vendors: rows("vendor-counts"),
      fields: rows("field-rows"), visible: count("details.rule")};
  }
  function button(attr, value) {
    return document.querySelector('.filter[data-attr="' + attr + '"] button[data-value="' + value + '"]');
  }
  function finish() {
    out.injected = document.querySelectorAll("script:not([src]), img, [onerror], [onload]").length;
    var pre = document.createElement("pre");
    pre.id = "probe-result";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }
  function waitFor(cond, then) {
    var tries = 0;
    (function poll() {
      if (cond() || ++tries > 200) { then(); return; }
      setTimeout(poll, 25);
    })();
  }
  function technique() {
    out.rules = document.querySelectorAll("details.rule").length;
    out.before = counts();
    // The vendor buttons' labels as the page is served, before any click.
    out.labels = {};
    document.querySelectorAll('.filter[data-attr="vendor"] button[data-value]').forEach(function (b) {
      var m = /\((\d+)\)\s*$/.exec(b.textContent);
      if (m) out.labels[b.getAttribute("data-value")] = +m[1];
    });
    document.querySelectorAll(".filter").forEach(function (g) {
      g.querySelectorAll("button").forEach(function (b) {
        b.click();
        var m = /\((\d+)\)\s*$/.exec(b.textContent);
        out.steps.push({group: g.getAttribute("data-attr"), value: b.getAttribute("data-value"),
          label: m ? +m[1] : -1, visible: count("details.rule"), counted: countCounted(), pressed: b.getAttribute("aria-pressed")});
      });
      g.querySelector("button[data-value='']").click();
    });
    out.reset = counts();
    var b = button(config.attr, config.value);
    out.clicked = !!b;
    if (b) b.click();
    out.after = counts();
    if (b) button(config.attr, "").click();
    // Open rules as a user would; their details load from the data files.
    var open = Array.prototype.slice.call(document.querySelectorAll("details.rule"), 0, config.open || 1);
    out.opened = [];
    open.forEach(function (d) { d.querySelector("summary").click(); });
    waitFor(function () { return open.every(function (d) { return d.querySelector(".detail[data-done]"); }); }, function () {
      open.forEach(function (d) {
        out.opened.push({id: d.id, done: !!d.querySelector(".detail[data-done]"),
          preds: d.querySelectorAll("table.preds tbody tr").length, query: !!d.querySelector("pre.query")});
      });
      finish();
    });
  }
  function gaps() {
    out.gapRows = count("table.gaps tbody tr");
    var ids = {};
    document.querySelectorAll("table.gaps tbody tr a").forEach(function (a) { ids[a.textContent] = a.getAttribute("href"); });
    out.gapIds = Object.keys(ids);
    out.gapFigure = text("gap-techniques") + "/" + text("gap-subtechniques");
    finish();
  }
  function search() {
    var q = document.getElementById("site-q");
    waitFor(function () { return /^Type to search/.test(text("site-q-status")); }, function () {
      config.terms.forEach(function (term) {
        q.value = term;
        q.dispatchEvent(new Event("input"));
        var r = {};
        document.querySelectorAll("#site-results section").forEach(function (s) {
          var first = s.querySelector("li a");
          r[s.getAttribute("data-category")] = {hits: +s.getAttribute("data-hits"), shown: s.querySelectorAll("li").length,
            first: first ? first.getAttribute("href") : ""};
        });
        out.search[term] = r;
      });
      finish();
    });
  }
  window.addEventListener("load", function () {
    if (document.getElementById("site-q")) search();
    else if (document.querySelector("table.gaps") || /gaps/.test(location.pathname)) gaps();
    else technique();
  });
})();
`

// probeConfig says what the probe does on a page.
type probeConfig struct {
	Attr  string   `json:"attr,omitempty"`  // the filter to click
	Value string   `json:"value,omitempty"` // and its button
	Open  int      `json:"open,omitempty"`  // rules to open
	Terms []string `json:"terms,omitempty"` // search terms
}

type counts struct {
	Total, Shown    string
	Vendors, Fields map[string]int
	Visible         int
}

type probeResult struct {
	Errors               []string
	Rules                int
	Before, Reset, After counts
	Clicked              bool
	Labels               map[string]int
	Steps                []struct {
		Group, Value, Pressed   string
		Label, Visible, Counted int
	}
	Opened []struct {
		ID          string
		Done, Query bool
		Preds       int
	}
	GapRows   int
	GapIDs    []string
	GapFigure string
	Search    map[string]map[string]struct {
		Hits, Shown int
		First       string
	}
	Injected int
}

var (
	resultRe  = regexp.MustCompile(`(?s)<pre id="probe-result">(.*?)</pre>`)
	consoleRe = regexp.MustCompile(`(?m)^.*:CONSOLE[:(].*$`)
)

// open loads page (a file below dir) with the probe in Chromium and returns
// the probe's result and the console lines.
func open(t *testing.T, browser, dir, page string, cfg probeConfig) (probeResult, []string) {
	t.Helper()
	src := filepath.Join(dir, filepath.FromSlash(page))
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	depth := strings.Count(page, "/") - 1 // below html/
	c, _ := json.Marshal(cfg)
	name := "probe-" + strings.NewReplacer("/", "_", ".", "_").Replace(page) + ".js"
	if err := os.WriteFile(filepath.Join(dir, "html", "assets", name), []byte("var config = "+string(c)+";\n"+probeJS), 0o644); err != nil {
		t.Fatal(err)
	}
	probe := strings.TrimSuffix(src, ".html") + "__probe.html"
	tag := `<script src="` + strings.Repeat("../", depth) + `assets/` + name + `" defer></script>` + "\n</head>"
	if err := os.WriteFile(probe, bytes.Replace(b, []byte("</head>"), []byte(tag), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--no-first-run", "--disable-extensions",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0", "--virtual-time-budget=30000",
		"--dump-dom", "file://"+filepath.ToSlash(probe))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, tail(stderr.String()))
	}
	m := resultRe.FindSubmatch(stdout.Bytes())
	if m == nil {
		t.Fatalf("%s: no probe result in the DOM (did the scripts run?)\n%s", page, tail(stderr.String()))
	}
	var r probeResult
	if err := json.Unmarshal(unescape(m[1]), &r); err != nil {
		t.Fatalf("%s: probe result: %v", page, err)
	}
	return r, consoleRe.FindAllString(stderr.String(), -1)
}

func unescape(b []byte) []byte {
	r := strings.NewReplacer("&quot;", `"`, "&lt;", "<", "&gt;", ">", "&#39;", "'", "&amp;", "&")
	return []byte(r.Replace(string(b)))
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// tableRule is one rule as this test reads it from the tables.
type tableRule struct {
	vendor, id, path, title, kind string
	techniques                    []string // with their parents
	preds                         []tablePred
	nPreds                        int
}

type tablePred struct {
	field, role, op, value string
	negated                bool
}

// readRules reads the rules and their predicates from the tables, apart
// from the exporter's code.
func readRules(set *tables.Set) []tableRule {
	rc, pc := set.Rules, set.Predicates
	vendor, id, p, title := tables.Strings(rc, 0), tables.Strings(rc, 1), tables.Strings(rc, 2), tables.Strings(rc, 3)
	kind, techs, np := tables.Strings(rc, tables.RuleKind), tables.Lists(rc, 7), rc.Column(14)
	field, role, op, value := tables.Strings(pc, tables.PredField), tables.Strings(pc, tables.PredRole),
		tables.Strings(pc, tables.PredOp), tables.Strings(pc, tables.PredValue)
	neg := pc.Column(tables.PredNegated)
	out := make([]tableRule, rc.NumRows())
	at := 0
	for i := range out {
		r := tableRule{vendor: vendor.Value(i), id: id.Value(i), path: p.Value(i), title: title.Value(i), kind: kind.Value(i)}
		for _, t := range tables.ListAt(techs, i) {
			r.techniques = append(r.techniques, t)
			if parent, _, ok := strings.Cut(t, "."); ok && !slices.Contains(r.techniques, parent) {
				r.techniques = append(r.techniques, parent)
			}
		}
		n, _ := strconv.Atoi(np.ValueStr(i))
		r.nPreds = n
		for j := at; j < at+n; j++ {
			r.preds = append(r.preds, tablePred{field.Value(j), role.Value(j), op.Value(j), value.Value(j), neg.ValueStr(j) == "true"})
		}
		at += n
		out[i] = r
	}
	return out
}

func TestBrowser(t *testing.T) {
	browser := chromium(t)
	set := sitetest.Run(t, pipeline.Options{Sources: append(sitetest.SampleSources(t), sitetest.XSSSource(t))})
	dir, files := export(t, set)
	rules := readRules(set)
	counted := func(r tableRule) bool { return slices.Contains(set.Meta.Kinds, r.kind) }

	t.Run("filter", func(t *testing.T) { browserFilter(t, browser, dir, rules, counted) })
	t.Run("gaps", func(t *testing.T) { browserGaps(t, browser, dir, set, rules, counted) })
	t.Run("search", func(t *testing.T) { browserSearch(t, browser, dir, files, rules) })
	t.Run("xss", func(t *testing.T) {
		// The probe rule's technique page with every rule opened: escaped
		// text only, nothing injected.
		r, console := open(t, browser, dir, "html/techniques/T1059.001.html", probeConfig{Open: 1000})
		if len(console) > 0 || len(r.Errors) > 0 || r.Injected != 0 {
			t.Errorf("T1059.001: console %q, errors %q, %d injected elements", console, r.Errors, r.Injected)
		}
		probe := false
		for _, o := range r.Opened {
			probe = probe || strings.Contains(o.ID, "probe")
			if !o.Done {
				t.Errorf("T1059.001: rule %s: details did not load", o.ID)
			}
		}
		if !probe {
			t.Errorf("T1059.001: the probe rule was not opened (%d rules)", len(r.Opened))
		}
	})
}

// browserFilter opens the technique page with the most vendors, reads its
// counts, clicks its least common vendor and reads them again; every count
// must equal this test's own count over the rules and predicates tables,
// before and after.
func browserFilter(t *testing.T, browser, dir string, rules []tableRule, counted func(tableRule) bool) {
	byTech := map[string][]tableRule{}
	for _, r := range rules {
		if counted(r) {
			for _, tech := range r.techniques {
				byTech[tech] = append(byTech[tech], r)
			}
		}
	}
	vendorsOf := func(rs []tableRule) map[string]int {
		m := map[string]int{}
		for _, r := range rs {
			m[r.vendor]++
		}
		return m
	}
	tech := ""
	for id, rs := range byTech {
		n, best := len(vendorsOf(rs)), len(vendorsOf(byTech[tech]))
		if n > best || n == best && (len(rs) > len(byTech[tech]) || len(rs) == len(byTech[tech]) && id < tech) {
			tech = id
		}
	}
	vendors := vendorsOf(byTech[tech])
	if len(vendors) < 2 {
		t.Fatalf("no technique with rules of two vendors (best %s)", tech)
	}
	pick := ""
	for v, n := range vendors {
		if pick == "" || n < vendors[pick] || n == vendors[pick] && v < pick {
			pick = v
		}
	}
	// fieldCounts counts, per field, the rules with a non-negated
	// predicate on it (event and log-source fields, as the page's table).
	fieldCounts := func(rs []tableRule) map[string]int {
		m := map[string]int{}
		for _, r := range rs {
			seen := map[string]bool{}
			for _, p := range r.preds {
				if p.negated || p.role == "computed" || seen[p.field] {
					continue
				}
				seen[p.field] = true
				m[p.field]++
			}
		}
		return m
	}
	var picked []tableRule
	for _, r := range byTech[tech] {
		if r.vendor == pick {
			picked = append(picked, r)
		}
	}
	page := "html/techniques/" + tech + ".html"
	r, console := open(t, browser, dir, page, probeConfig{Attr: "vendor", Value: pick, Open: 3})
	t.Logf("%s: %d rules of %d vendors; filter vendor=%s (%d rules)", page, len(byTech[tech]), len(vendors), pick, len(picked))
	if len(console) > 0 || len(r.Errors) > 0 || r.Injected != 0 {
		t.Errorf("%s: console %q, errors %q, %d injected", page, console, r.Errors, r.Injected)
	}
	check := func(when string, c counts, rs []tableRule) {
		if c.Total != strconv.Itoa(len(rs)) {
			t.Errorf("%s %s: %s rules counted, want %d", page, when, c.Total, len(rs))
		}
		for v, n := range vendorsOf(byTech[tech]) {
			want := vendorsOf(rs)[v]
			if c.Vendors[v] != want {
				t.Errorf("%s %s: vendor %s shows %d rules, want %d (of %d unfiltered)", page, when, v, c.Vendors[v], want, n)
			}
		}
		want := fieldCounts(rs)
		if len(c.Fields) == 0 {
			t.Errorf("%s %s: no field row", page, when)
		}
		for f, n := range c.Fields {
			if want[f] != n {
				t.Errorf("%s %s: field %s shows %d rules, want %d", page, when, f, n, want[f])
			}
		}
		if len(want) <= 100 && len(c.Fields) != len(want) {
			t.Errorf("%s %s: %d field rows shown, want %d", page, when, len(c.Fields), len(want))
		}
	}
	if !r.Clicked {
		t.Fatalf("%s: no vendor button %q", page, pick)
	}
	check("before filtering", r.Before, byTech[tech])
	check("after vendor="+pick, r.After, picked)
	if r.After.Total == r.Before.Total {
		t.Errorf("%s: the vendor filter left the count at %s", page, r.After.Total)
	}
	if len(r.Labels) == 0 {
		t.Errorf("%s: no vendor button label", page)
	}
	for v, n := range r.Labels {
		if n != r.Before.Vendors[v] {
			t.Errorf("%s: vendor button %s is served saying %d, the rules-by-vendor table %d", page, v, n, r.Before.Vendors[v])
		}
	}
	// Each button alone shows as many rules as its label says: a kind
	// button counts its kind, the others the counted kinds, as the page's
	// tables do; so before any filter a vendor button says what the
	// rules-by-vendor table says.
	for _, s := range r.Steps {
		got, want := s.Counted, s.Label
		if s.Group == "kind" {
			got = s.Visible
		}
		if s.Value == "" {
			got, want = s.Visible, r.Rules
		}
		if got != want || s.Pressed != "true" {
			t.Errorf("%s: %s=%q: %d rules visible (%d counted), pressed %s; want %d", page, s.Group, s.Value, s.Visible, s.Counted, s.Pressed, want)
		}
		if s.Group == "vendor" && s.Value != "" && s.Label != r.Before.Vendors[s.Value] {
			t.Errorf("%s: vendor button %s says %d, the rules-by-vendor table %d", page, s.Value, s.Label, r.Before.Vendors[s.Value])
		}
	}
	if r.Reset.Visible != r.Rules || r.Reset.Total != r.Before.Total {
		t.Errorf("%s: after reset %d of %d rules visible, total %s (was %s)", page, r.Reset.Visible, r.Rules, r.Reset.Total, r.Before.Total)
	}
	// Opened rules show their predicates, as many as the predicates table has.
	want := map[string]int{}
	for _, rr := range byTech[tech] {
		want[rr.id] = rr.nPreds
	}
	if len(r.Opened) == 0 {
		t.Errorf("%s: no rule opened", page)
	}
	for _, o := range r.Opened {
		if !o.Done {
			t.Errorf("%s: rule %s: details did not load", page, o.ID)
		}
	}
	if o := r.Opened[0]; o.Preds == 0 && o.Done {
		t.Errorf("%s: rule %s shows no predicate", page, o.ID)
	}
}

// browserGaps opens the gaps page: the techniques it lists are the
// current ATT&CK techniques and sub-techniques no counted rule is tagged
// with (its parent's roll-up aside), as this test counts them.
func browserGaps(t *testing.T, browser, dir string, set *tables.Set, rules []tableRule, counted func(tableRule) bool) {
	covered := map[string]bool{}
	for _, r := range rules {
		if counted(r) {
			for _, tech := range r.techniques {
				covered[tech] = true
			}
		}
	}
	var want []string
	techs, subs := 0, 0
	for _, tech := range set.Attack.List {
		if tech.Current() && !covered[tech.ID] && len(tech.Tactics) > 0 {
			want = append(want, tech.ID)
			if tech.ParentID == "" {
				techs++
			} else {
				subs++
			}
		}
	}
	r, console := open(t, browser, dir, "html/gaps.html", probeConfig{})
	if len(console) > 0 || len(r.Errors) > 0 {
		t.Errorf("gaps.html: console %q, errors %q", console, r.Errors)
	}
	got := slices.Sorted(slices.Values(r.GapIDs))
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("gaps.html lists %d techniques, want %d\n got %v\nwant %v", len(got), len(want), got, want)
	}
	if f := strconv.Itoa(techs) + "/" + strconv.Itoa(subs); r.GapFigure != f {
		t.Errorf("gaps.html: figures %s, want %s (techniques/sub-techniques)", r.GapFigure, f)
	}
	if len(want) == 0 || r.GapRows < len(want) {
		t.Errorf("gaps.html: %d rows for %d gaps", r.GapRows, len(want))
	}
}

// browserSearch types a word of a rule title and a value into the site
// search; the hits equal this test's own counts over the tables, and the
// first hit links to a page and anchor that exist.
func browserSearch(t *testing.T, browser, dir string, files []string, rules []tableRule) {
	// A word of the first sigma title, and a value word.
	titleWord, valueWord := "", "powershell"
	for _, r := range rules {
		for _, w := range strings.Fields(strings.ToLower(r.title)) {
			if len(w) >= 6 && strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") == "" {
				titleWord = w
				break
			}
		}
		if titleWord != "" {
			break
		}
	}
	wantRules := 0
	for _, r := range rules {
		if strings.Contains(strings.ToLower(r.title+" "+r.vendor+" "+r.id+" "+r.path), titleWord) {
			wantRules++
		}
	}
	// Values: distinct (field, op with in as eq, lower-cased value), no
	// existence check, matched on "field op value" (values cut to 160
	// characters).
	values := map[[3]string]bool{}
	for _, r := range rules {
		for _, p := range r.preds {
			if p.op == "is_null" || p.op == "is_not_null" {
				continue
			}
			op, field := p.op, p.field
			if op == "in" {
				op = "eq"
			}
			if field == "" {
				field = "(no field)"
			}
			values[[3]string{field, op, strings.ToLower(p.value)}] = true
		}
	}
	wantValues := 0
	for k := range values {
		v := []rune(k[2])
		if len(v) > 160 {
			v = append(v[:159], '…')
		}
		if strings.Contains(strings.ToLower(k[0]+" "+k[1]+" "+string(v)), valueWord) {
			wantValues++
		}
	}
	r, console := open(t, browser, dir, "html/search.html", probeConfig{Terms: []string{titleWord, valueWord, "zzzz-no-such-thing"}})
	if len(console) > 0 || len(r.Errors) > 0 || r.Injected != 0 {
		t.Errorf("search.html: console %q, errors %q, %d injected", console, r.Errors, r.Injected)
	}
	if got := r.Search[titleWord]["rules"]; got.Hits != wantRules || wantRules == 0 || got.Shown != min(wantRules, 50) {
		t.Errorf("search %q: %d rule hits (%d shown), want %d", titleWord, got.Hits, got.Shown, wantRules)
	}
	if got := r.Search[valueWord]["values"]; got.Hits != wantValues || wantValues == 0 {
		t.Errorf("search %q: %d value hits, want %d", valueWord, got.Hits, wantValues)
	}
	for _, c := range []string{"techniques", "rules", "fields", "values"} {
		if got := r.Search["zzzz-no-such-thing"][c]; got.Hits != 0 {
			t.Errorf("search for nothing: %d %s", got.Hits, c)
		}
	}
	ids := map[string]bool{}
	for _, hit := range []string{r.Search[titleWord]["rules"].First, r.Search[valueWord]["values"].First} {
		target, anchor, _ := strings.Cut(hit, "#")
		target = path.Join("html", target)
		if !slices.Contains(files, target) {
			t.Errorf("search hit %q: no page %s", hit, target)
			continue
		}
		b, _ := os.ReadFile(filepath.Join(dir, target))
		clear(ids)
		for _, m := range idRe.FindAllStringSubmatch(string(b), -1) {
			ids[m[1]] = true
		}
		if !ids[anchor] {
			t.Errorf("search hit %q: no id %q in %s", hit, anchor, target)
		}
	}
	t.Logf("search %q: %d rules; %q: %d values", titleWord, wantRules, valueWord, wantValues)
}
