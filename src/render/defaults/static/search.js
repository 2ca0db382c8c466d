/* briefing site search: queries the static index under search/ (built by
 * `briefing build`). Loads the small manifest and one term shard per query
 * word; a shard also carries the title, URL, date and bottom line of the
 * documents its words rank first, so the first page usually shows without
 * another fetch. Other results load their metadata chunk. No framework, no
 * server. The tokenizer matches src/search.rs. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-index]");
  if (!form) return;
  var base = form.getAttribute("data-index");
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var PAGE = 10;
  var PREFIX_FACTOR = 0.6;
  var cache = {};
  var known = {}; /* doc id -> [id, title, url, date, bottom line] */
  var manifestPromise = null;
  var shown = 0;
  var current = null;
  var seq = 0;

  function fetchJson(path) {
    if (!cache[path]) {
      cache[path] = fetch(base + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": HTTP " + r.status);
        return r.json();
      });
      cache[path].catch(function () { delete cache[path]; });
    }
    return cache[path];
  }

  function manifest() {
    if (!manifestPromise) {
      manifestPromise = fetchJson("index.json").then(function (m) {
        if (m.v !== 3) throw new Error("unknown search index version " + m.v);
        m.stopSet = {};
        m.stop.forEach(function (w) { m.stopSet[w] = true; });
        return m;
      });
    }
    return manifestPromise;
  }

  function tokenize(text, m) {
    var seen = {};
    return text.toLowerCase().split(/[^\p{Alphabetic}\p{N}]+/u).filter(function (w) {
      if (Array.from(w).length < 2 || m.stopSet[w] || seen[w]) return false;
      seen[w] = true;
      return true;
    });
  }

  function shardKey(term, prefix) {
    return Array.from(term).slice(0, prefix).join("");
  }

  /* Postings of one query word: { ids, scores } with scores indexed by doc.
   * Exact matches count fully, longer words that start with it (talk ->
   * talks) a little less. */
  function termScores(term, m) {
    var key = shardKey(term, m.prefix);
    var n = m.shards[key];
    var none = { ids: [], scores: null };
    if (n === undefined) return Promise.resolve(none);
    var prefixOk = Array.from(term).length >= m.prefix;
    return fetchJson("s/" + n + ".json").then(function (shard) {
      shard.d.forEach(function (row) { known[row[0]] = row; });
      var scores = new Float32Array(m.docs);
      var ids = [];
      Object.keys(shard.t).forEach(function (t) {
        var exact = t === term;
        if (!exact && !(prefixOk && t.lastIndexOf(term, 0) === 0)) return;
        var p = shard.t[t];
        var idf = Math.log(1 + m.docs / (p.length / 2));
        var factor = exact ? idf : idf * PREFIX_FACTOR;
        var doc = 0;
        for (var i = 0; i < p.length; i += 2) {
          doc += p[i];
          var sc = p[i + 1] * factor;
          if (scores[doc] === 0) ids.push(doc);
          if (sc > scores[doc]) scores[doc] = sc;
        }
      });
      return ids.length ? { ids: ids, scores: scores } : none;
    });
  }

  /* Ranked doc ids matching every word of the query. */
  function search(query) {
    return manifest().then(function (m) {
      var terms = tokenize(query, m);
      if (!terms.length) return { terms: terms, ids: [], m: m };
      return Promise.all(terms.map(function (t) { return termScores(t, m); })).then(function (all) {
        all.sort(function (a, b) { return a.ids.length - b.ids.length; });
        var total = {};
        var ids = all[0].ids.filter(function (d) {
          var sum = 0;
          for (var i = 0; i < all.length; i++) {
            var sc = all[i].scores && all[i].scores[d];
            if (!sc) return false;
            sum += sc;
          }
          total[d] = sum;
          return true;
        });
        /* Best first; ties: the newer briefing (ids count from the oldest). */
        ids.sort(function (a, b) { return total[b] - total[a] || b - a; });
        return { terms: terms, ids: ids, m: m };
      });
    });
  }

  /* Metadata of the given docs: from the shards already loaded, else from
   * their metadata chunks. */
  function docs(ids, m) {
    var chunks = {};
    ids.forEach(function (id) { if (!known[id]) chunks[Math.floor(id / m.chunk)] = true; });
    return Promise.all(Object.keys(chunks).map(function (c) {
      return fetchJson("d/" + c + ".json").then(function (rows) {
        rows.forEach(function (row, i) { known[c * m.chunk + i] = [c * m.chunk + i].concat(row); });
      });
    })).then(function () {
      return ids.map(function (id) {
        var row = known[id];
        return { id: id, title: row[1], url: row[2], date: row[3], bottomLine: row[4] };
      });
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function showMore() {
    var r = current;
    var ids = r.ids.slice(shown, shown + PAGE);
    var my = seq;
    return docs(ids, r.m).then(function (items) {
      if (my !== seq) return;
      items.forEach(function (d) {
        var li = el("li", "result");
        var h = el("h2", "result-title");
        var a = el("a", null, d.title);
        a.href = d.url;
        h.appendChild(a);
        li.appendChild(h);
        li.appendChild(el("p", "meta", d.date));
        if (d.bottomLine) li.appendChild(el("p", "bottom-line", d.bottomLine));
        list.appendChild(li);
      });
      shown += items.length;
      more.hidden = shown >= r.ids.length;
    });
  }

  function run(query, push) {
    var my = ++seq;
    query = query.trim();
    if (push) {
      var url = new URL(window.location.href);
      if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
      history.replaceState(null, "", url);
    }
    if (!query) {
      list.textContent = "";
      status.textContent = "";
      more.hidden = true;
      return Promise.resolve();
    }
    status.textContent = "Searching…";
    return search(query).then(function (r) {
      if (my !== seq) return;
      current = r;
      shown = 0;
      list.textContent = "";
      var n = r.ids.length;
      status.textContent = !r.terms.length
        ? "Type a longer word: very common words are not indexed."
        : n === 0 ? "No briefings match “" + query + "”."
        : n + " briefing" + (n === 1 ? "" : "s") + " match “" + query + "”.";
      more.hidden = true;
      if (n) return showMore();
    }).catch(function (e) {
      if (my !== seq) return;
      status.textContent = "Search is unavailable: " + e.message;
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { run(input.value, true); }, 150);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") {
      var first = list.querySelector("a");
      if (first) { e.preventDefault(); first.focus(); }
    }
  });
  list.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    var i = links.indexOf(document.activeElement);
    if (i < 0) return;
    e.preventDefault();
    if (e.key === "ArrowDown" && i + 1 < links.length) links[i + 1].focus();
    else if (e.key === "ArrowUp") (i === 0 ? input : links[i - 1]).focus();
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearTimeout(timer);
    run(input.value, true);
  });
  more.addEventListener("click", function () { showMore(); });

  /* The manifest is small: fetch it while the reader types. */
  var ready = manifest().catch(function (e) {
    status.textContent = "Search is unavailable: " + e.message;
  });

  /* For tests and benchmarks: ranked results of a query. */
  window.briefingSearch = {
    ready: ready,
    rank: function (q) {
      return search(q).then(function (r) { return r.ids.length; });
    },
    query: function (q, limit) {
      return search(q).then(function (r) {
        return docs(r.ids.slice(0, limit || PAGE), r.m).then(function (items) {
          return { total: r.ids.length, results: items };
        });
      });
    }
  };

  var q = new URLSearchParams(window.location.search).get("q");
  if (q) {
    input.value = q;
    run(q, false);
  }
})();
