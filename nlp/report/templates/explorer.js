/* The term explorer: draws the rows of #te-data (JSON) with textContent only; no request, no markup from data. */
(function () {
  "use strict";
  var root = document.getElementById("term-explorer");
  var source = document.getElementById("te-data");
  if (!root || !source) { return; }
  var data = JSON.parse(source.textContent);
  var select = document.getElementById("te-contrast"), search = document.getElementById("te-search");
  var body = document.getElementById("te-rows"), count = document.getElementById("te-count");
  var more = document.getElementById("te-more"), contexts = document.getElementById("te-contexts");
  var state = {contrast: 0, sort: 1, desc: true, query: "", shown: data.page};
  var number = new Intl.NumberFormat("en-GB");

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function current() { return data.contrasts[state.contrast]; }

  function matching() {
    var q = state.query.trim().toLowerCase(), k = state.sort, sign = state.desc ? -1 : 1;
    // a word matches where one of its words begins with the query (a query with a space: anywhere)
    var rows = current().rows.filter(function (r) {
      var t = r[0].toLowerCase();
      return !q || (q.indexOf(" ") >= 0 ? t.indexOf(q) >= 0 : t.split(" ").some(function (w) {
        return w.indexOf(q) === 0; }));
    });
    rows.sort(function (x, y) {
      var a = x[k] === null ? -1 : x[k], b = y[k] === null ? -1 : y[k];
      if (k === 0) { return sign * a.localeCompare(b); }
      return a === b ? x[0].localeCompare(y[0]) : sign * (a < b ? -1 : 1);
    });
    return rows;
  }

  function headers() {
    var c = current();
    document.getElementById("te-uses-a").textContent = "uses, " + c.a;
    document.getElementById("te-uses-b").textContent = "uses, " + c.b;
    document.getElementById("te-docs-a").textContent = "articles, " + c.a;
    document.getElementById("te-docs-b").textContent = "articles, " + c.b;
    root.querySelectorAll("th button").forEach(function (b) {
      var th = b.parentNode, on = Number(b.getAttribute("data-sort")) === state.sort;
      th.setAttribute("aria-sort", on ? (state.desc ? "descending" : "ascending") : "none");
    });
  }

  function draw() {
    var c = current(), rows = matching();
    body.replaceChildren();
    rows.slice(0, state.shown).forEach(function (r) {
      var tr = el("tr");
      tr.setAttribute("data-term", r[0]);
      var word = el("td"), button = el("button", r[0], "term");
      button.type = "button";
      button.addEventListener("click", function () { open(r, tr); });
      word.appendChild(button);
      word.style.borderLeft = "4px solid " + (r[1] >= 0 ? c.colour_a : c.colour_b);
      tr.appendChild(word);
      tr.appendChild(el("td", r[1].toFixed(1), "num"));
      [2, 3, 4, 5].forEach(function (k) { tr.appendChild(el("td", number.format(r[k]), "num")); });
      tr.appendChild(el("td", r[6] === null ? "" : Math.round(100 * r[6]) + "%", "num"));
      body.appendChild(tr);
    });
    var all = c.rows.length, capped = c.n_terms > all;
    count.textContent = (state.query ? number.format(rows.length) + " of " : "") + number.format(all) +
      (capped ? " most distinctive of " + number.format(c.n_terms) : "") + " words; " + c.a + ": " +
      number.format(c.docs_a) + " articles, " + c.b + ": " + number.format(c.docs_b) + "." +
      (rows.length > state.shown ? " Showing the first " + number.format(state.shown) + "." : "");
    more.hidden = rows.length <= state.shown;
    headers();
  }

  function open(r, tr) {
    var c = current();
    body.querySelectorAll("tr.selected").forEach(function (x) { x.classList.remove("selected"); });
    tr.classList.add("selected");
    contexts.replaceChildren();
    var side = r[1] >= 0 ? c.a : c.b;
    contexts.appendChild(el("h4", "\u201c" + r[0] + "\u201d in " + side + " writing"));
    if (!r[7].length) { contexts.appendChild(el("p", "No sentence kept for this word.", "src")); }
    r[7].forEach(function (k) {
      var s = data.snippets[k], a = data.articles[s[0]];
      var quote = el("blockquote", s[1]);
      var src = el("span", null, "src");
      var title = a[1] ? el("a", a[0]) : el("span", a[0]);
      if (a[1]) { title.href = a[1]; title.rel = "noopener noreferrer"; }
      src.appendChild(title);
      src.appendChild(document.createTextNode(", " + a[2] + ", " + a[3]));
      quote.appendChild(el("br"));
      quote.appendChild(src);
      contexts.appendChild(quote);
    });
  }

  data.contrasts.forEach(function (c, i) { select.appendChild(el("option", c.label)).value = String(i); });
  select.addEventListener("change", function () {
    state.contrast = Number(select.value); state.shown = data.page; contexts.replaceChildren(); draw();
  });
  search.addEventListener("input", function () { state.query = search.value; state.shown = data.page; draw(); });
  more.addEventListener("click", function () { state.shown += data.page; draw(); });
  root.querySelectorAll("th button").forEach(function (b) {
    b.addEventListener("click", function () {
      var k = Number(b.getAttribute("data-sort"));
      state.desc = k === state.sort ? !state.desc : k !== 0;
      state.sort = k; draw();
    });
  });
  root.hidden = false;
  draw();
}());
