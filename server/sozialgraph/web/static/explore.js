/* /explore: the charts, drawn with Observable Plot (and d3's force layout for the network)
 * from the curated queries' answers that the page carries (server/explore.py writes each as the
 * SPARQL JSON result /sparql gives, in <script type="application/json" id="KEY-data">).
 *
 * Every mark links to what it stands for (Plot's href channel: an <a> around the mark, so it can
 * be reached with the keyboard too); project IRIs open on this server. Each drawn mark carries
 * data-key and data-value, the row it was drawn from, so a test can hold the picture to the
 * query's answer. Nothing is fetched: the libraries come from static/vendor, the data from the page.
 */
(function () {
  "use strict";

  if (window.performance && performance.mark) { performance.mark("explore-start"); }
  var config = JSON.parse(document.getElementById("explore-config").textContent);
  var lang = config.lang;
  var locale = lang === "de" ? "de-DE" : "en-GB";
  var plain = new Intl.NumberFormat(locale);
  var compact = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
  var WORDS = {
    en: { euro: "€", measures: "Measures", year: "Year", since: "since", until: "until",
          actor: "actor", measure: "measure", table: "The table below gives the numbers.",
          series: { landHessen: "Land Hessen", stadtKassel: "Stadt Kassel (coalition)",
                    spdKassel: "SPD Kassel (election points)" } },
    de: { euro: "€", measures: "Maßnahmen", year: "Jahr", since: "seit", until: "bis",
          actor: "Akteur", measure: "Maßnahme", table: "Die Tabelle darunter nennt die Zahlen.",
          series: { landHessen: "Land Hessen", stadtKassel: "Stadt Kassel (Koalition)",
                    spdKassel: "SPD Kassel (Wahlprogramm)" } }
  }[lang];
  var FIRST_YEAR = 2016;

  // ---- helpers ---------------------------------------------------------------------------------

  function localUrl(iri) {
    return iri && iri.indexOf(config.namespace) === 0
      ? config.base + iri.slice(config.namespace.length) : iri;
  }

  function name(iri, fallback) {
    var names = config.names[iri] || {};
    return names[lang] || fallback || names[lang === "de" ? "en" : "de"] || iri;
  }

  function term(english) { return config.terms[english] || english; }

  function euro(value) { return plain.format(value) + " " + WORDS.euro; }

  var NUMERIC = /#(integer|decimal|double|float|long|int)$/;

  /** The rows of a chart's answer: variable -> value (numbers as numbers, IRIs as strings). */
  function rowsOf(key) {
    var result = JSON.parse(document.getElementById(key + "-data").textContent);
    return result.results.bindings.map(function (binding) {
      var row = {};
      Object.keys(binding).forEach(function (variable) {
        var cell = binding[variable];
        row[variable] = cell.datatype && NUMERIC.test(cell.datatype) ? Number(cell.value)
          : cell.value;
      });
      return row;
    });
  }

  /** Give each drawn mark of `svg` matching `selector` the key and value of its row (Plot binds
   * each element to the index of its datum). */
  function tag(root, selector, rows, key, value) {
    root.querySelectorAll(selector).forEach(function (element) {
      var row = rows[element.__data__];
      if (row === undefined) { return; }
      element.setAttribute("data-key", key(row));
      element.setAttribute("data-value", String(value(row)));
    });
  }

  function widthOf(element) { return Math.max(360, element.clientWidth || 900); }

  function place(key, nodes) {
    var area = document.getElementById(key + "-plot");
    area.textContent = "";
    nodes.forEach(function (node) { area.appendChild(node); });
    area.setAttribute("data-state", "ready");
  }

  // ---- funding per policy area: three charts, one per periodicity ------------------------------

  var PERIODICITIES = ["per year", "in total", "not stated"];

  function areas(key) {
    var rows = rowsOf(key);
    rows.forEach(function (row) {
      row.name = name(row.area, row.areaLabel);
      row.href = localUrl(row.area);
    });
    var kinds = PERIODICITIES.concat(rows.map(function (r) { return r.periodicity; })
      .filter(function (p, i, all) { return PERIODICITIES.indexOf(p) < 0 && all.indexOf(p) === i; }));
    var width = widthOf(document.getElementById(key + "-plot"));
    var panels = kinds.map(function (periodicity, index) {
      var part = rows.filter(function (r) { return r.periodicity === periodicity; })
        .sort(function (a, b) { return b.total - a.total; });
      var panel = document.createElement("div");
      panel.className = "panel";
      var heading = document.createElement("h3");
      heading.textContent = term(periodicity) + " (" + part.length + ")";
      panel.appendChild(heading);
      if (!part.length) { return panel; }
      var max = Math.max.apply(null, part.map(function (r) { return r.total; }));
      var colour = Plot.scale({ color: { type: "categorical", domain: kinds } }).apply(periodicity);
      var svg = Plot.plot({
        width: width, height: 30 + 26 * part.length, marginLeft: 170, marginRight: 20,
        ariaLabel: heading.textContent + ". " + WORDS.table,
        x: { domain: [0, max * 1.3], grid: true, label: WORDS.euro, tickFormat: compact.format },
        y: { label: null, domain: part.map(function (r) { return r.name; }) },
        marks: [
          Plot.barX(part, { x: "total", y: "name", fill: colour, href: "href",
                            title: function (r) { return r.name + ", " + term(r.periodicity) + ": " + euro(r.total); } }),
          Plot.text(part, { x: "total", y: "name", text: function (r) { return euro(r.total); },
                            textAnchor: "start", dx: 4 }),
          Plot.ruleX([0])
        ]
      });
      tag(svg, "g[aria-label=bar] rect", part,
          function (r) { return r.area + "|" + r.periodicity; }, function (r) { return r.total; });
      svg.setAttribute("data-panel", String(index));
      panel.appendChild(svg);
      return panel;
    });
    place(key, panels);
  }

  // ---- Land and Kassel side by side ------------------------------------------------------------

  var SERIES = ["landHessen", "stadtKassel", "spdKassel"];

  function sideBySide(key) {
    var long = [];
    rowsOf(key).forEach(function (row) {
      SERIES.forEach(function (series) {
        long.push({ area: row.area, name: name(row.area, row.areaLabel), series: series,
                    label: WORDS.series[series], count: row[series], href: localUrl(row.area) });
      });
    });
    var chart = Plot.plot({
      width: widthOf(document.getElementById(key + "-plot")), marginLeft: 170, marginRight: 30,
      ariaLabel: document.getElementById(key + "-title").textContent + ". " + WORDS.table,
      color: { legend: true, domain: SERIES.map(function (s) { return WORDS.series[s]; }) },
      x: { grid: true, label: WORDS.measures },
      y: { axis: null, domain: SERIES.map(function (s) { return WORDS.series[s]; }) },
      fy: { label: null, axis: "left" },
      marks: [
        Plot.barX(long, { fy: "name", y: "label", x: "count", fill: "label", href: "href",
                          title: function (r) { return r.name + ", " + r.label + ": " + r.count; } }),
        Plot.text(long, { fy: "name", y: "label", x: "count", text: "count", textAnchor: "start",
                          dx: 3, fontSize: 9 }),
        Plot.ruleX([0])
      ]
    });
    tag(chart, "g[aria-label=bar] rect", long,
        function (r) { return r.area + "|" + r.series; }, function (r) { return r.count; });
    place(key, [chart]);
  }

  // ---- money over the years -----------------------------------------------------------------

  function timeline(key) {
    var rows = rowsOf(key);
    var last = Math.max(new Date().getFullYear(), FIRST_YEAR + 9);
    rows.forEach(function (row) {
      var from = typeof row.fromYear === "number" ? row.fromYear : null;
      var to = typeof row.toYear === "number" ? row.toYear : null;
      row.name = name(row.measure, row.measureLabel);
      row.href = localUrl(row.funding);
      row.x1 = Math.max(from === null ? to : from, FIRST_YEAR);
      row.x2 = (to === null ? last : to) + 1;  // a year is the stretch [year, year + 1)
      row.open = to === null;  // since a year: no end given
      row.period = from === null ? WORDS.until + " " + to
        : to === null ? WORDS.since + " " + from
        : from === to ? String(from) : from + "–" + to;
      row.kind = term(row.periodType || "");
      row.text = (row.x2 - row.x1 > 1 ? euro(row.amount) + " (" + row.period + ")"
        : compact.format(row.amount) + " €");
    });
    var lanes = rows.map(function (r) { return r.name; })
      .filter(function (n, i, all) { return all.indexOf(n) === i; });
    var years = [];
    for (var year = FIRST_YEAR; year <= last; year += 1) { years.push(year); }
    var chart = Plot.plot({
      width: widthOf(document.getElementById(key + "-plot")), height: 50 + 34 * lanes.length,
      marginLeft: 320, marginRight: 20,
      ariaLabel: document.getElementById(key + "-title").textContent + ". " + WORDS.table,
      color: { legend: true },
      x: { domain: [FIRST_YEAR, last + 1], label: WORDS.year, grid: false,
           ticks: years.map(function (y) { return y + 0.5; }),
           tickFormat: function (t) { return String(t - 0.5); } },
      y: { domain: lanes, label: null, tickFormat: function (n) { return n.length > 52 ? n.slice(0, 51) + "…" : n; } },
      marks: [
        Plot.ruleX(years.concat([last + 1]), { stroke: "#e3e8ee" }),
        Plot.barX(rows, { x1: "x1", x2: "x2", y: "name", fill: "kind", href: "href",
                          fillOpacity: function (r) { return r.open ? 0.45 : 0.9; }, inset: 3,
                          title: function (r) {
                            return r.name + ": " + euro(r.amount) + ", " + term(r.qualifier) +
                              ", " + r.period + (r.budget ? ", " + r.budget : "");
                          } }),
        Plot.text(rows, { x: function (r) { return (r.x1 + r.x2) / 2; }, y: "name",
                          text: "text", fontSize: 10, fill: "#1d2733" })
      ]
    });
    tag(chart, "g[aria-label=bar] rect", rows,
        function (r) { return r.funding; }, function (r) { return r.amount; });
    place(key, [chart]);
  }

  // ---- measures by status and level --------------------------------------------------------

  function status(key) {
    var rows = rowsOf(key);
    rows.forEach(function (row) {
      row.levelName = term(row.level);
      row.statusName = term(row.status);
      row.href = localUrl(row.statusTerm);
    });
    var chart = Plot.plot({
      width: widthOf(document.getElementById(key + "-plot")), height: 150, marginLeft: 170,
      ariaLabel: document.getElementById(key + "-title").textContent + ". " + WORDS.table,
      color: { legend: true },
      x: { grid: true, label: WORDS.measures },
      y: { label: null },
      marks: [
        Plot.barX(rows, { x: "measures", y: "levelName", fill: "statusName", href: "href",
                          title: function (r) { return r.levelName + ", " + r.statusName + ": " + r.measures; } }),
        Plot.text(rows, Plot.stackX({ x: "measures", y: "levelName", z: "statusName",
                                      text: "measures", fill: "white" })),
        Plot.ruleX([0])
      ]
    });
    tag(chart, "g[aria-label=bar] rect", rows,
        function (r) { return r.levelTerm + "|" + r.statusTerm; }, function (r) { return r.measures; });
    place(key, [chart]);
  }

  // ---- the actor network -------------------------------------------------------------------

  function network(key) {
    var rows = rowsOf(key);
    var nodes = {};
    function node(iri, label) {
      if (!nodes[iri]) {
        nodes[iri] = { id: iri, name: name(iri, label), href: localUrl(iri), degree: 0,
                       kind: iri.indexOf("/id/actor/") >= 0 ? WORDS.actor : WORDS.measure };
      }
      nodes[iri].degree += 1;
      return nodes[iri];
    }
    var links = rows.map(function (row) {
      return { source: node(row.from, row.fromLabel), target: node(row.to, row.toLabel),
               relation: term(row.relation), key: row.from + "|" + row.property + "|" + row.to,
               href: localUrl(row.property) };
    });
    var list = Object.keys(nodes).sort().map(function (iri) { return nodes[iri]; });
    var simulation = d3.forceSimulation(list)
      .force("link", d3.forceLink(links).distance(45))
      .force("charge", d3.forceManyBody().strength(-110))
      .force("x", d3.forceX(0).strength(0.06))
      .force("y", d3.forceY(0).strength(0.09))
      .force("collide", d3.forceCollide(9))
      .alphaDecay(0.06)  // about 110 steps to rest instead of 300: a third of the time
      .stop();
    simulation.tick(Math.ceil(Math.log(simulation.alphaMin()) / Math.log(1 - simulation.alphaDecay())));
    var chart = Plot.plot({
      width: widthOf(document.getElementById(key + "-plot")), height: 680, inset: 40,
      ariaLabel: document.getElementById(key + "-title").textContent + ". " + WORDS.table,
      x: { axis: null }, y: { axis: null },
      color: { legend: true },
      symbol: { domain: [WORDS.actor, WORDS.measure], range: ["circle", "square"] },
      marks: [
        Plot.link(links, { x1: function (l) { return l.source.x; }, y1: function (l) { return l.source.y; },
                           x2: function (l) { return l.target.x; }, y2: function (l) { return l.target.y; },
                           stroke: "relation", strokeOpacity: 0.75, markerEnd: "arrow", href: "href",
                           title: function (l) { return l.source.name + " – " + l.relation + " – " + l.target.name; } }),
        Plot.dot(list, { x: "x", y: "y", symbol: "kind", r: function (n) { return n.kind === WORDS.actor ? 6 : 4.5; },
                         fill: "#1d2733", stroke: "white", href: "href",
                         title: function (n) { return n.name + " (" + n.kind + ")"; } }),
        Plot.text(list.filter(function (n) { return n.kind === WORDS.actor || n.degree > 1; }),
                  { x: "x", y: "y", dy: -10, fontSize: 9,
                    text: function (n) { return n.name.length > 34 ? n.name.slice(0, 33) + "…" : n.name; } })
      ]
    });
    tag(chart, "g[aria-label=link] path", links,
        function (l) { return l.key; }, function () { return 1; });
    tag(chart, "g[aria-label=dot] path", list,
        function (n) { return n.id; }, function (n) { return n.degree; });
    place(key, [chart]);
  }

  // ---- draw them all -------------------------------------------------------------------------

  var DRAW = { areas: areas, "side-by-side": sideBySide, timeline: timeline, status: status,
               network: network };
  config.charts.forEach(function (chart) {
    if (!document.getElementById(chart.key + "-data")) { return; }  // no answer: the alert says so
    try {
      DRAW[chart.kind](chart.key);
      if (window.performance && performance.mark) { performance.mark("explore-" + chart.key); }
    } catch (error) {
      var area = document.getElementById(chart.key + "-plot");
      area.setAttribute("data-state", "failed");
      area.textContent = String(error);
      throw error;
    }
  });
  // every chart drawn: the mark the speed benchmark reads (ms since the navigation began)
  if (window.performance && performance.mark) { performance.mark("explore-ready"); }
  document.body.setAttribute("data-explore", "ready");
}());
