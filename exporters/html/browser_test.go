package html_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ruleatlas/ruleatlas/exporters/internal/sitetest"
	"github.com/ruleatlas/ruleatlas/pipeline"
)

// The browser test opens pages of the sample site in headless Chromium
// (Debian package `chromium`; set RULEATLAS_CHROMIUM to use another
// binary), with a probe script beside the page that clicks every filter
// button and types into the search box, and reads the results from the
// dumped DOM. Console messages (script errors, CSP violations) are read
// from Chromium's log. The test is skipped when no browser is installed.

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

// probeJS runs after site.js (both deferred) and records what a user would see.
const probeJS = `(function () {
  "use strict";
  var out = {errors: [], steps: [], search: []};
  window.addEventListener("error", function (e) { out.errors.push(String(e.message || e.type)); }, true);
  function visible(el) { return el.getClientRects().length > 0; }
  function count(sel) { return Array.prototype.filter.call(document.querySelectorAll(sel), visible).length; }
  out.rules = document.querySelectorAll(".rule").length;
  out.initial = count(".rule");
  document.querySelectorAll(".filter").forEach(function (g) {
    var all = g.querySelector("button[data-value='']");
    g.querySelectorAll("button").forEach(function (b) {
      b.click();
      var m = /\((\d+)\)\s*$/.exec(b.textContent);
      out.steps.push({group: g.getAttribute("data-attr"), value: b.getAttribute("data-value"),
        label: m ? +m[1] : -1, visible: count(".rule"), shown: document.getElementById("rules-shown").textContent,
        pressed: b.getAttribute("aria-pressed")});
    });
    all.click();
  });
  out.reset = count(".rule");
  var q = document.getElementById("q");
  if (q) {
    var rows = document.querySelectorAll("[data-search]");
    out.searchRows = rows.length;
    var first = rows.length ? rows[0].querySelector("a").textContent : "";
    [first, "zzzz-no-such-technique", ""].forEach(function (term) {
      q.value = term;
      q.dispatchEvent(new Event("input"));
      out.search.push({term: term, visible: count("[data-search]"), shown: document.getElementById("q-count").textContent});
    });
  }
  out.injected = document.querySelectorAll("script:not([src]), img, [onerror], [onload]").length;
  var pre = document.createElement("pre");
  pre.id = "probe-result";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
`

type probeResult struct {
	Errors  []string
	Rules   int
	Initial int
	Reset   int
	Steps   []struct {
		Group, Value, Shown, Pressed string
		Label, Visible               int
	}
	SearchRows int
	Search     []struct {
		Term, Shown string
		Visible     int
	}
	Injected int
}

var (
	resultRe  = regexp.MustCompile(`(?s)<pre id="probe-result">(.*?)</pre>`)
	consoleRe = regexp.MustCompile(`(?m)^.*:CONSOLE[:(].*$`)
	platforms = regexp.MustCompile(`data-attr="platforms"[^\n]*`)
)

// open loads page (a file below dir) with the probe in Chromium and returns
// the probe's result and the console lines.
func open(t *testing.T, browser, dir, page string) (probeResult, []string) {
	t.Helper()
	src := filepath.Join(dir, filepath.FromSlash(page))
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	depth := strings.Count(page, "/") - 1 // below html/
	probe := strings.TrimSuffix(src, ".html") + "__probe.html"
	tag := `<script src="` + strings.Repeat("../", depth) + `assets/probe.js" defer></script>` + "\n</head>"
	if err := os.WriteFile(probe, bytes.Replace(b, []byte("</head>"), []byte(tag), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--no-first-run", "--disable-extensions",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0",
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

func TestBrowser(t *testing.T) {
	browser := chromium(t)
	set := sitetest.Run(t, pipeline.Options{Sources: append(sitetest.SampleSources(t), sitetest.XSSSource(t))})
	dir, files := export(t, set)
	if err := os.WriteFile(filepath.Join(dir, "html", "assets", "probe.js"), []byte(probeJS), 0o644); err != nil {
		t.Fatal(err)
	}

	// The technique page whose platform filter has the most buttons.
	page, best := "", 0
	for _, f := range files {
		if !strings.HasPrefix(f, "html/techniques/") {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if n := strings.Count(platforms.FindString(string(b)), "<button"); n > best {
			page, best = f, n
		}
	}
	if best < 3 {
		t.Fatalf("no technique page with two or more platforms to filter on (best %s, %d buttons)", page, best)
	}
	t.Logf("technique page: %s (%d platform buttons)", page, best-1)

	r, console := open(t, browser, dir, page)
	if len(console) > 0 || len(r.Errors) > 0 {
		t.Errorf("%s: console messages %q, errors %q", page, console, r.Errors)
	}
	if r.Rules == 0 || r.Initial != r.Rules || r.Reset != r.Rules {
		t.Errorf("%s: %d rules, %d visible at load, %d after reset", page, r.Rules, r.Initial, r.Reset)
	}
	changed := false
	for _, s := range r.Steps {
		want := s.Label
		if s.Value == "" {
			want = r.Rules
		}
		if s.Visible != want || s.Shown != strconv.Itoa(want) || s.Pressed != "true" {
			t.Errorf("%s: %s=%q: %d rules visible, counter %s, pressed %s; want %d", page, s.Group, s.Value, s.Visible, s.Shown, s.Pressed, want)
		}
		if s.Visible < r.Rules {
			changed = true
		}
	}
	if !changed {
		t.Errorf("%s: no filter button changed the visible rules: %+v", page, r.Steps)
	}
	if r.Injected != 0 {
		t.Errorf("%s: %d injected script/img/handler elements", page, r.Injected)
	}

	r, console = open(t, browser, dir, "html/index.html")
	if len(console) > 0 || len(r.Errors) > 0 {
		t.Errorf("index.html: console messages %q, errors %q", console, r.Errors)
	}
	if r.SearchRows == 0 || len(r.Search) != 3 {
		t.Fatalf("index.html: search not exercised: %+v", r)
	}
	if s := r.Search[0]; s.Visible < 1 || s.Visible >= r.SearchRows || s.Shown != strconv.Itoa(s.Visible) {
		t.Errorf("index.html: searching %q shows %d of %d rows (counter %s)", s.Term, s.Visible, r.SearchRows, s.Shown)
	}
	if s := r.Search[1]; s.Visible != 0 {
		t.Errorf("index.html: searching %q shows %d rows", s.Term, s.Visible)
	}
	if s := r.Search[2]; s.Visible != r.SearchRows {
		t.Errorf("index.html: clearing the search shows %d of %d rows", s.Visible, r.SearchRows)
	}
	if r.Injected != 0 {
		t.Errorf("index.html: %d injected elements", r.Injected)
	}

	// The probe rule's own page: escaped text only, nothing injected.
	for _, f := range files {
		if strings.HasPrefix(f, "html/rules/") && strings.Contains(f, "script") {
			r, console = open(t, browser, dir, f)
			if len(console) > 0 || len(r.Errors) > 0 || r.Injected != 0 {
				t.Errorf("%s: console %q, errors %q, %d injected elements", f, console, r.Errors, r.Injected)
			}
		}
	}
}
