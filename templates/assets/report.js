// needtrail report: filters and sorting for the matrix. Only enhances;
// every page reads in full without it.
(function () {
  "use strict";

  function strings() {
    var el = document.getElementById("nt-strings");
    if (!el) return {};
    try { return JSON.parse(el.textContent); } catch (e) { return {}; }
  }

  // A row's filter values: a JSON list of ids (ids may hold spaces), or a
  // plain word such as a class or status.
  // A count with its thousands grouped (12,345), as the pages write them.
  function group(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function values(attr) {
    if (!attr) return [];
    if (attr.charAt(0) === "[") {
      try { return JSON.parse(attr); } catch (e) { return []; }
    }
    return attr.split(/\s+/);
  }

  function setupFilters() {
    var form = document.getElementById("matrix-filters");
    var table = document.getElementById("matrix");
    if (!form || !table) return;
    var t = strings();
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var text = document.getElementById("filter-text");
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
    var count = document.getElementById("filter-count");
    var haystack = rows.map(function (r) { return r.textContent.toLowerCase(); });

    // The rows of every page, for the matches on the other pages: loaded
    // the first time a filter is used (it is large for a large project).
    var index = null;
    var indexSrc = form.getAttribute("data-index");
    var indexState = indexSrc ? "unloaded" : "none";
    var here = (location.pathname.split("/").pop() || "matrix.html");
    var others = document.getElementById("other-pages");

    function loadIndex() {
      if (indexState !== "unloaded") return;
      indexState = "loading";
      var s = document.createElement("script");
      s.src = indexSrc;
      s.onload = function () {
        index = window.NEEDTRAIL_MATRIX || null;
        indexState = "ready";
        apply();
      };
      s.onerror = function () { indexState = "none"; };
      document.head.appendChild(s);
    }

    // Filters can arrive in the address (from a link on another page).
    var params = new URLSearchParams(location.search);
    if (params.get("q")) text.value = params.get("q");
    selects.forEach(function (s) {
      var v = params.get(s.getAttribute("data-filter"));
      if (v) s.value = v;
    });

    function query() {
      var p = new URLSearchParams();
      if (text.value.trim()) p.set("q", text.value.trim());
      selects.forEach(function (s) { if (s.value) p.set(s.getAttribute("data-filter"), s.value); });
      return p.toString();
    }

    // Rows of the other pages that match, counted per page, as links.
    function showOthers(words) {
      if (!others || indexState === "none") return;
      var active = words.length > 0 || selects.some(function (s) { return s.value; });
      while (others.firstChild) others.removeChild(others.firstChild);
      if (!active) { others.hidden = true; return; }
      if (!index) { others.hidden = true; loadIndex(); return; }
      var fields = { contract: 2, customer: 3, "class": 4, status: 5 };
      var counts = {};
      index.forEach(function (r) {
        if (r[1] === here) return;
        var ok = words.every(function (w) { return r[6].indexOf(w) !== -1; });
        selects.forEach(function (s) {
          if (!ok || !s.value) return;
          var v = r[fields[s.getAttribute("data-filter")]];
          ok = Array.isArray(v) ? v.indexOf(s.value) !== -1 : v === s.value;
        });
        if (ok) counts[r[1]] = (counts[r[1]] || 0) + 1;
      });
      var pages = Object.keys(counts);
      if (pages.length === 0) { others.hidden = true; return; }
      others.appendChild(document.createTextNode((t.matrix_other_pages || "Matches on other pages") + ": "));
      var q = query();
      pages.forEach(function (p, i) {
        var a = document.createElement("a");
        a.href = p + (q ? "?" + q : "");
        var n = p.match(/(\d+)/);
        a.textContent = (t.page || "page") + " " + (n ? n[1] : "1") + " (" + group(counts[p]) + ")";
        if (i > 0) others.appendChild(document.createTextNode(" · "));
        others.appendChild(a);
      });
      others.hidden = false;
    }

    function apply() {
      var q = (text.value || "").trim().toLowerCase();
      var words = q ? q.split(/\s+/) : [];
      var shown = 0;
      rows.forEach(function (row, i) {
        var ok = words.every(function (w) { return haystack[i].indexOf(w) !== -1; });
        selects.forEach(function (s) {
          if (!ok || !s.value) return;
          var have = values(row.getAttribute("data-" + s.getAttribute("data-filter")));
          if (have.indexOf(s.value) === -1) ok = false;
        });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      showOthers(words);
      var counted = (t.rows_shown || "{shown} of {total}")
        .replace("{shown}", group(shown))
        .replace("{total}", group(rows.length));
      if (count) count.textContent = counted;
      summarise(counted);
    }

    // What the filters hold, in words, above the table: the filters
    // themselves are not printed, and a printed matrix holds only the rows
    // they keep, so the paper says which.
    var summary = document.getElementById("filter-summary");
    function summarise(counted) {
      if (!summary) return;
      var parts = [];
      var label = function (el) {
        var l = el.closest("label");
        return l && l.firstChild ? l.firstChild.textContent.trim() : "";
      };
      if (text.value.trim()) parts.push(label(text) + ": \u201c" + text.value.trim() + "\u201d");
      selects.forEach(function (s) {
        if (s.value) parts.push(label(s) + ": " + s.options[s.selectedIndex].textContent);
      });
      summary.textContent = parts.length ? (t.filters || "Filters") + " \u2014 " + parts.join("; ") + " \u2014 " + counted : "";
      summary.hidden = parts.length === 0;
    }
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    text.addEventListener("input", apply);
    selects.forEach(function (s) { s.addEventListener("change", apply); });
    apply();
  }

  // A cell sorts by its data-sort-value when it has one (an id, say, rather
  // than the id run together with the title below it).
  function sortKey(cell) {
    var v = cell.getAttribute("data-sort-value");
    return v !== null ? v : cell.textContent.trim();
  }

  function setupSorting() {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
      var heads = table.tHead ? table.tHead.rows[0].cells : [];
      Array.prototype.forEach.call(heads, function (th, col) {
        th.tabIndex = 0;
        function sort() {
          var asc = th.getAttribute("aria-sort") !== "ascending";
          Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", asc ? "ascending" : "descending");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          var collator = new Intl.Collator(document.documentElement.lang, { numeric: true, sensitivity: "base" });
          rows.sort(function (a, b) {
            var x = sortKey(a.cells[col]);
            var y = sortKey(b.cells[col]);
            return asc ? collator.compare(x, y) : collator.compare(y, x);
          });
          rows.forEach(function (r) { body.appendChild(r); });
        }
        th.addEventListener("click", sort);
        th.addEventListener("keydown", function (e) {
          if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
        });
      });
    });
  }

  setupFilters();
  setupSorting();
})();
