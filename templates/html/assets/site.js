// ruleatlas catalog: client-side search (index) and platform/domain filters
// (technique pages). Plain JavaScript, no dependencies, works from file://.
(function () {
  "use strict";

  function has(list, token) {
    return (" " + list + " ").indexOf(" " + token + " ") >= 0;
  }

  function initSearch() {
    var q = document.getElementById("q");
    if (!q) return;
    var rows = document.querySelectorAll("[data-search]");
    var count = document.getElementById("q-count");
    function run() {
      var terms = q.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (r) {
        var s = r.getAttribute("data-search");
        var ok = terms.every(function (t) { return s.indexOf(t) >= 0; });
        r.hidden = !ok;
        if (ok) shown++;
      });
      if (count) count.textContent = String(shown);
    }
    q.addEventListener("input", run);
    run();
  }

  function initFilters() {
    var groups = document.querySelectorAll(".filter[data-attr]");
    if (!groups.length) return;
    var rules = document.querySelectorAll(".rule");
    var vendors = document.querySelectorAll(".vendor-group");
    var shownEl = document.getElementById("rules-shown");
    var chosen = {};
    function apply() {
      var n = 0;
      rules.forEach(function (r) {
        var ok = Object.keys(chosen).every(function (k) {
          return !chosen[k] || has(r.getAttribute("data-" + k) || "", chosen[k]);
        });
        r.hidden = !ok;
        if (ok) n++;
      });
      vendors.forEach(function (g) {
        g.hidden = !g.querySelector(".rule:not([hidden])");
      });
      if (shownEl) shownEl.textContent = String(n);
    }
    groups.forEach(function (g) {
      var attr = g.getAttribute("data-attr");
      chosen[attr] = "";
      g.addEventListener("click", function (e) {
        var b = e.target.closest("button");
        if (!b || !g.contains(b)) return;
        chosen[attr] = b.getAttribute("data-value");
        g.querySelectorAll("button").forEach(function (x) {
          x.setAttribute("aria-pressed", x === b ? "true" : "false");
        });
        apply();
      });
    });
    apply();
  }

  function init() {
    initSearch();
    initFilters();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
