/* The query UI: YASGUI over this server's SPARQL endpoint, one tab per curated query.
 *
 * The page's #ui-config (written by server/ui.py) gives the endpoint, the curated queries and
 * what the URL asked for (?query=<slug> opens that tab, ?q=<SPARQL> a fresh tab with the text).
 * Nothing is fetched from another host: the prefix completer uses YASQE's bundled list, and the
 * class and property completers, which would ask Linked Open Vocabularies, are replaced by ones
 * that ask this endpoint. Nothing is kept in the browser's storage either (persistenceId null):
 * the curated tabs always show the queries as the server has them.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("ui-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var Yasqe = Yasgui.Yasqe;
  var bySlug = {};
  config.queries.forEach(function (query) { bySlug[query.slug] = query; });

  // ---- autocompletion from this endpoint only -------------------------------------------------

  var termQueries = {
    "class": "SELECT DISTINCT ?term WHERE { [] a ?term } ORDER BY ?term LIMIT 5000",
    "property": "SELECT DISTINCT ?term WHERE { [] ?term [] } ORDER BY ?term LIMIT 5000"
  };
  var termCache = {};

  function localTerms(kind) {
    if (!termCache[kind]) {
      termCache[kind] = fetch(endpoint, {
        method: "POST",
        headers: { "Accept": "application/sparql-results+json" },
        body: new URLSearchParams({ query: termQueries[kind] })
      }).then(function (response) {
        if (!response.ok) { throw new Error("the endpoint answered " + response.status); }
        return response.json();
      }).then(function (results) {
        return results.results.bindings
          .filter(function (row) { return row.term && row.term.type === "uri"; })
          .map(function (row) { return row.term.value; });
      }).catch(function () { return []; });
    }
    return termCache[kind];
  }

  Yasqe.defaults.prefixCcApi = null;
  Yasqe.defaults.autocompleters = Yasqe.defaults.autocompleters.filter(function (name) {
    return name !== "class" && name !== "property";
  });
  ["class", "property"].forEach(function (kind) {
    Yasqe.forkAutocompleter(kind, {
      name: "local-" + kind,
      bulk: true,
      persistenceId: null,
      get: function () { return localTerms(kind); }
    });
  });

  // ---- YASGUI ---------------------------------------------------------------------------------

  // A shared link opens this page: ?query=<slug> for a curated query as it stands, else ?q=<text>
  // (YASGUI's own links would carry the query in parameters this page does not read).
  Yasgui.Tab.prototype.getShareableLink = function () {
    var url = new URL(window.location.pathname, window.location.href);
    var curated = bySlug[this.getId()];
    if (curated && this.getQuery() === curated.text) {
      url.searchParams.set("query", curated.slug);
    } else {
      url.searchParams.set("q", this.getQuery());
    }
    return url.href;
  };

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    persistenceId: null,
    populateFromUrl: false,  // ?query= names a curated query here, not YASGUI's query text
    autoAddOnInit: false,
    copyEndpointOnNewTab: true,
    tabName: config.labels.own,
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderGraph: "text/turtle,*/*;q=0.9"
    },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { persistenceId: null, prefixCcApi: null },
    yasr: { persistenceId: null }
  });

  // The tab to show first: a fresh one for ?q=, the curated query of ?query=, else the first.
  var first = config.sparql ? null : (config.select || (config.queries[0] || {}).slug);
  config.queries.forEach(function (query) {
    yasgui.addTab(query.slug === first, {
      id: query.slug,
      name: query.title,
      yasqe: { value: query.text },
      requestConfig: { endpoint: endpoint }
    });
  });
  if (config.sparql) {
    first = yasgui.addTab(true, { name: config.labels.own, yasqe: { value: config.sparql },
                                  requestConfig: { endpoint: endpoint } }).getId();
  }
  if (first) { yasgui.tabElements.selectTab(first); }  // addTab shows it, this marks it

  // long titles are cut in the tab bar: the whole title shows on hover
  Array.prototype.forEach.call(document.querySelectorAll("#yasgui .tabsList .tab"), function (el) {
    var link = el.querySelector("a");
    if (link && link.querySelector("span")) { el.title = link.querySelector("span").textContent; }
  });

  // the description of the active query sits between the tab bar and the editor
  var aboutEl = document.getElementById("query-about");
  var tabBar = document.querySelector("#yasgui .tabsList");
  if (tabBar) { tabBar.after(aboutEl); }

  var about = {
    title: document.getElementById("query-title"),
    description: document.getElementById("query-description"),
    keywords: document.getElementById("query-keywords")
  };

  function describe(tabId) {
    var query = bySlug[tabId];
    var url = new URL(window.location.href);
    url.searchParams.delete("q");
    if (query) {
      about.title.textContent = query.title;
      about.description.textContent = query.description;
      about.keywords.textContent = query.keywords.length ? "Keywords: " + query.keywords.join(", ") : "";
      [about.title, about.description].forEach(function (el) { el.lang = config.lang; });
      url.searchParams.set("query", query.slug);
    } else {
      about.title.textContent = config.labels.own;
      about.description.textContent = "";
      about.keywords.textContent = "";
      url.searchParams.delete("query");
      var text = yasgui.getTab(tabId) ? yasgui.getTab(tabId).getQuery() : "";
      if (text && text.length < 2000) { url.searchParams.set("q", text); }
    }
    document.getElementById("query-about").dataset.query = query ? query.slug : "";
    window.history.replaceState(null, "", url.pathname + url.search);
  }

  yasgui.on("tabSelect", function (instance, tabId) { describe(tabId); });

  if (first) { describe(first); }

  // Project IRIs in the results (https://w3id.org/sozialgraph/...) open on this server, which
  // serves them as linked data: the link is rewritten just before it is followed.
  function localLink(event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (link && link.href.indexOf(config.namespace) === 0) {
      link.href = config.base + link.href.slice(config.namespace.length);
    }
  }
  ["click", "auxclick", "contextmenu", "focusin"].forEach(function (type) {
    document.getElementById("yasgui").addEventListener(type, localLink, true);
  });
  document.getElementById("yasgui").dataset.ready = "true";
  window.sozialgraphUi = yasgui;  // for the browser test and for curious people
}());
