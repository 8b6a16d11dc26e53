// keystage site search: filters the index written at build time (search-index.js); no network, no libraries.
(function () {
  "use strict";
  var entries = window.KEYSTAGE_SEARCH || [];
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");

  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
  }

  function haystack(entry) {
    return [entry.title, entry.subtitle, entry.la_name, entry.unit_name, entry.kind_label, String(entry.year), entry.text]
      .join(" ").toLowerCase();
  }

  function item(entry) {
    var li = document.createElement("li");
    var h = document.createElement("h2");
    var a = document.createElement("a");
    a.href = entry.url;
    a.textContent = entry.title;
    h.appendChild(a);
    var meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = [entry.la_name, entry.kind_label, entry.year].join(" \u00b7 ");
    li.appendChild(h);
    li.appendChild(meta);
    return li;
  }

  function run(query) {
    var terms = words(query);
    list.textContent = "";
    if (terms.length === 0) {
      status.textContent = "Type one or more words to search " + entries.length + " reports.";
      return;
    }
    var hits = entries.filter(function (entry) {
      var text = haystack(entry);
      return terms.every(function (t) { return text.indexOf(t) !== -1; });
    });
    hits.forEach(function (entry) { list.appendChild(item(entry)); });
    status.textContent = hits.length + (hits.length === 1 ? " report matches " : " reports match ") + "\u201c" + query + "\u201d.";
  }

  var initial = new URLSearchParams(window.location.search).get("q") || "";
  input.value = initial;
  run(initial);
  input.addEventListener("input", function () { run(input.value); });
  form.addEventListener("submit", function (event) { event.preventDefault(); run(input.value); });
})();
