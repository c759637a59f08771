// ruleatlas catalog: the technique filter of the index, the filters of
// technique pages (they recount every count on the page), rule details
// loaded when a rule opens, and the site search. Plain JavaScript, no
// dependencies; data files load through script elements, so everything
// works from file://.
(function () {
  "use strict";

  var script = document.currentScript;
  var root = script ? script.getAttribute("src").replace(/assets\/site\.js$/, "") : "";

  function has(list, token) {
    return (" " + list + " ").indexOf(" " + token + " ") >= 0;
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function link(href, text) {
    var a = el("a", text);
    a.setAttribute("href", root + href);
    return a;
  }

  // ---- the index's technique filter (data-search rows) ----

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

  // ---- technique page filters ----

  // members parses a data-r value ("0 3 5-9") into page positions.
  function members(s) {
    var out = [];
    (s || "").split(" ").forEach(function (p) {
      if (!p) return;
      var d = p.indexOf("-");
      if (d < 0) { out.push(+p); return; }
      for (var i = +p.slice(0, d), j = +p.slice(d + 1); i <= j; i++) out.push(i);
    });
    return out;
  }

  function initFilters() {
    var groups = document.querySelectorAll(".filter[data-attr]");
    if (!groups.length) return;
    var rules = Array.prototype.slice.call(document.querySelectorAll("details.rule"));
    // The page's counts count the kinds the run counts (hunting queries,
    // listed in their own section, only when the run counts them), so the
    // buttons leave the other kinds out unless the kind filter picks one.
    var note = document.getElementById("filter-note");
    var countedKinds = (note && note.getAttribute("data-counted") || "").split(/[ ,]+/);
    function countable(r) {
      return chosen.kind || countedKinds.indexOf(r.getAttribute("data-kind")) >= 0;
    }
    var sections = document.querySelectorAll(".vendor-group");
    var counted = Array.prototype.map.call(document.querySelectorAll("[data-r]"), function (e) {
      return {el: e, pos: members(e.getAttribute("data-r")), n: e.querySelector("[data-n]") || e,
        row: e.tagName === "TR" && e.closest("table.recount") ? e : null};
    });
    var tables = document.querySelectorAll("table.recount tbody");
    tables.forEach(function (tb) {
      Array.prototype.forEach.call(tb.rows, function (r, i) { r.setAttribute("data-order", String(i)); });
    });
    var chosen = {};
    function matches(r, except) {
      return Object.keys(chosen).every(function (k) {
        return k === except || !chosen[k] || has(r.getAttribute("data-" + k) || "", chosen[k]);
      });
    }
    function apply() {
      var visible = rules.map(function (r) { return matches(r, null); });
      rules.forEach(function (r, i) { r.hidden = !visible[i]; });
      sections.forEach(function (g) { g.hidden = !g.querySelector(".rule:not([hidden])"); });
      var shown = document.getElementById("rules-shown");
      if (shown) shown.textContent = String(count(document.getElementById("rules")));
      var hunt = document.getElementById("hunting-shown");
      if (hunt) hunt.textContent = String(count(document.getElementById("hunting")));
      counted.forEach(function (c) {
        var n = 0;
        c.pos.forEach(function (p) { if (visible[p]) n++; });
        c.n.textContent = String(n);
        c.value = n;
        if (c.row) c.row.hidden = n === 0;
      });
      // Rows by their new counts, most first (ties: the page's order).
      tables.forEach(function (tb) {
        var rows = Array.prototype.slice.call(tb.rows);
        rows.sort(function (a, b) {
          return rowCount(b) - rowCount(a) || +a.getAttribute("data-order") - +b.getAttribute("data-order");
        });
        rows.forEach(function (r) { tb.appendChild(r); });
      });
      // Each button counts the rules it would leave, given the other filters.
      groups.forEach(function (g) {
        var attr = g.getAttribute("data-attr");
        g.querySelectorAll("button").forEach(function (b) {
          var fn = b.querySelector(".fn");
          if (!fn) return;
          var v = b.getAttribute("data-value"), n = 0;
          rules.forEach(function (r) {
            if ((attr === "kind" || countable(r)) && matches(r, attr) && has(r.getAttribute("data-" + attr) || "", v)) n++;
          });
          fn.textContent = String(n);
        });
      });
    }
    function rowCount(r) {
      var n = r.querySelector("[data-n]");
      return n ? +n.textContent : 0;
    }
    // count returns the visible rules after heading h, up to the next h2.
    function count(h) {
      var n = 0;
      for (var e = h && h.nextElementSibling; e && e.tagName !== "H2"; e = e.nextElementSibling) {
        if (e.classList.contains("vendor-group")) n += e.querySelectorAll("details.rule:not([hidden])").length;
      }
      return n;
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

  // ---- rule details, loaded from rules/cNNN.js when a rule opens ----

  var chunks = {}, waiting = {};
  window.ruleatlasRules = function (c, data) {
    chunks[c] = data;
    (waiting[c] || []).forEach(function (f) { f(data); });
    delete waiting[c];
  };
  function loadChunk(c, f) {
    if (chunks[c]) { f(chunks[c]); return; }
    if (waiting[c]) { waiting[c].push(f); return; }
    waiting[c] = [f];
    var s = document.createElement("script");
    s.src = root + "rules/c" + ("00" + c).slice(-3) + ".js";
    s.onerror = function () {
      document.querySelectorAll('.detail[data-c="' + c + '"]:not([data-done])').forEach(function (d) {
        d.textContent = "The rule data file " + s.src + " could not be loaded.";
      });
    };
    document.head.appendChild(s);
  }

  function fact(dl, name, value) {
    if (value === undefined || value === null || value === "") return;
    dl.appendChild(el("dt", name));
    var dd = el("dd");
    if (typeof value === "string") dd.textContent = value; else dd.appendChild(value);
    dl.appendChild(dd);
  }

  function renderRule(div, d, files) {
    div.textContent = "";
    var dl = el("dl", null, "facts");
    fact(dl, "ID", d.i);
    fact(dl, "Path", d.pa);
    fact(dl, "Kind", d.k);
    fact(dl, "Parse", d.ps);
    fact(dl, "Language", d.l);
    fact(dl, "Severity", d.s);
    fact(dl, "Status", d.st);
    fact(dl, "Platforms", d.pl);
    fact(dl, "Domains", d.d);
    fact(dl, "Events", d.e);
    if (d.t && d.t.length) {
      var span = el("span");
      d.t.forEach(function (t, i) {
        if (i) span.appendChild(document.createTextNode(", "));
        span.appendChild(t[2] ? link(t[2], t[0]) : el("span", t[0]));
        if (t[1]) span.appendChild(document.createTextNode(" " + t[1]));
      });
      fact(dl, "Techniques", span);
    }
    if (d.pe) {
      fact(dl, "Parse error", el("span", d.pe, "err v"));
    }
    if (d.u) {
      var a = el("a", d.u);
      a.setAttribute("href", d.u);
      a.setAttribute("rel", "noopener noreferrer");
      fact(dl, "Source", a);
    }
    div.appendChild(dl);
    if (d.g) {
      div.appendChild(el("h4", "Logic (and / or / not of the predicates)"));
      div.appendChild(el("pre", d.g, "query logic"));
    }
    var preds = d.p || [];
    div.appendChild(el("h4", "Predicates (" + preds.length + ")"));
    if (preds.length) {
      var t = el("table", null, "preds");
      var head = el("tr");
      ["As written", "Op", "Value", "Normalized", "Op", "Value", "Role", "Marks"].forEach(function (h) { head.appendChild(el("th", h)); });
      t.appendChild(el("thead")).appendChild(head);
      var tb = t.appendChild(el("tbody"));
      preds.forEach(function (p) {
        var tr = el("tr");
        if (p[7] & 2) tr.className = "excl";
        tr.appendChild(el("td", p[0] === "" ? "(no field)" : p[0]));
        tr.appendChild(el("td", p[1]));
        tr.appendChild(el("td", p[2], "v"));
        tr.appendChild(el("td", p[3] === null ? "=" : p[3], p[3] === null ? "muted" : ""));
        tr.appendChild(el("td", p[4] === null ? "=" : p[4], p[4] === null ? "muted" : ""));
        var v = el("td", null, "v");
        var value = p[5] === null ? p[2] : p[5];
        var hash = p[8] ? p[8].indexOf("#") : -1;
        if (hash > 0) v.appendChild(link(files[+p[8].slice(0, hash)] + p[8].slice(hash), value)); else v.textContent = value;
        if (p[5] === null) v.classList.add("same");
        tr.appendChild(v);
        tr.appendChild(el("td", p[6] || "event"));
        var marks = [];
        if (p[7] & 1) marks.push("negated");
        if (p[7] & 2) marks.push("exclusion");
        tr.appendChild(el("td", marks.join(", ")));
        tb.appendChild(tr);
      });
      div.appendChild(t);
    } else {
      div.appendChild(el("p", "None.", "muted"));
    }
    if (d.q) {
      div.appendChild(el("h4", "Query as written"));
      div.appendChild(el("pre", d.q, "query"));
    }
    div.setAttribute("data-done", "1");
  }

  function openRule(details) {
    var div = details.querySelector(".detail");
    if (!div || div.hasAttribute("data-done") || div.hasAttribute("data-loading")) return;
    div.setAttribute("data-loading", "1");
    div.textContent = "Loading the predicates and the query…";
    var c = +div.getAttribute("data-c"), o = +div.getAttribute("data-o");
    loadChunk(c, function (data) { renderRule(div, data.r[o], data.f); });
  }

  function initDetails() {
    document.addEventListener("toggle", function (e) {
      var d = e.target;
      if (d.tagName === "DETAILS" && d.classList.contains("rule") && d.open) openRule(d);
    }, true);
    function fromHash() {
      var id = decodeURIComponent(location.hash.slice(1));
      var d = id && document.getElementById(id);
      if (d && d.tagName === "DETAILS") {
        d.open = true;
        openRule(d);
      }
    }
    window.addEventListener("hashchange", fromHash);
    fromHash();
  }

  // ---- site search (search.html over search.js) ----

  var maxResults = 50;
  window.ruleatlasSearch = function (ix) {
    var q = document.getElementById("site-q");
    var out = document.getElementById("site-results");
    var status = document.getElementById("site-q-status");
    if (!q || !out) return;
    function hay(xs) { return xs.join(" ").toLowerCase(); }
    var cats = [
      {name: "Techniques", key: "techniques", rows: ix.t, text: function (t) { return hay([t[0], t[1], t[2]]); },
        show: function (t) { var li = el("li"); li.appendChild(link(t[3], t[0])); li.appendChild(document.createTextNode(" " + t[1] + " · " + t[4] + " rules")); return li; }},
      {name: "Rules", key: "rules", rows: ix.r, text: function (r) { return hay(r.slice(0, 4)); },
        show: function (r) {
          var li = el("li"), page = r[4] < 0 ? "unmapped.html" : ix.t[r[4]][3];
          li.appendChild(link(page + "#" + (r[5] || "r-" + r[1] + "-" + r[2]), r[0])); li.appendChild(el("small", r[1])); li.appendChild(el("code", " " + r[3], "muted")); return li; }},
      {name: "Fields", key: "fields", rows: ix.f, text: function (f) { return f[0].toLowerCase(); },
        show: function (f) { var li = el("li"); li.appendChild(link(f[1][0] + (f[2] ? "#" + f[2] : ""), f[0])); li.appendChild(document.createTextNode(" · " + f[3] + " values")); return li; }},
      {name: "Values", key: "values", rows: ix.v, text: function (v) { return (ix.f[v[0]][0] + " " + ix.o[v[1]] + " " + v[2]).toLowerCase(); },
        show: function (v) {
          var f = ix.f[v[0]], li = el("li");
          li.appendChild(el("code", f[0] + " " + ix.o[v[1]] + " "));
          li.appendChild(link(f[1][v[4]] + "#v-" + v[5], v[2]));
          li.appendChild(document.createTextNode(" · " + v[3] + " rules"));
          return li;
        }}
    ];
    cats.forEach(function (c) { c.hay = null; });
    function run() {
      var terms = q.value.toLowerCase().split(/\s+/).filter(Boolean);
      out.textContent = "";
      if (!terms.length) { status.textContent = "Type to search " + ix.t.length + " techniques, " + ix.r.length + " rules, " + ix.f.length + " fields and " + ix.v.length + " values."; return; }
      var total = 0;
      cats.forEach(function (c) {
        if (!c.hay) c.hay = c.rows.map(c.text);
        var hits = [];
        for (var i = 0; i < c.hay.length; i++) {
          var h = c.hay[i];
          if (terms.every(function (t) { return h.indexOf(t) >= 0; })) hits.push(i);
        }
        total += hits.length;
        var sec = el("section");
        sec.setAttribute("data-category", c.key);
        sec.setAttribute("data-hits", String(hits.length));
        var title = c.name + " (" + hits.length + (hits.length > maxResults ? ", first " + maxResults + " shown" : "") + ")";
        sec.appendChild(el("h2", title));
        var ul = el("ul", null, "results");
        hits.slice(0, maxResults).forEach(function (i) { ul.appendChild(c.show(c.rows[i])); });
        sec.appendChild(ul);
        out.appendChild(sec);
      });
      status.textContent = total + " matches.";
    }
    q.addEventListener("input", run);
    var m = /[?&]q=([^&]*)/.exec(location.search);
    if (m) q.value = decodeURIComponent(m[1].replace(/\+/g, " "));
    run();
  };

  function init() {
    initSearch();
    initFilters();
    initDetails();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
