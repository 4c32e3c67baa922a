"""The `sozialgraph` command line: build, validate, query, stats, anchor, serve, push, load,
synth, bench.

Exit codes follow pySHACL's convention for every command that checks something: 0 all well,
1 the check failed (violations, an ambiguous or missing quote), 2 the command could not load its
input or run (syntax errors are reported as `file:line: message`).
"""

from __future__ import annotations

import importlib
import json
import re
import sys
import unicodedata
from importlib.metadata import entry_points
from pathlib import Path

import click
import pyoxigraph as ox
from rdflib import Literal

from sozialgraph import settings as config
from sozialgraph.cli.options import setting_option, store_option
from sozialgraph.corpus import QuoteNotFound, anchor, document_text
from sozialgraph.pipeline.build import VALIDATORS, BuildError, ValidationFailed, build
from sozialgraph.rdf.namespaces import PREFIXES, SG, SOURCE
from sozialgraph.rdf.parse import RDFSyntaxError, dataset_quads, merge, read_dataset, read_graph
from sozialgraph.sparql.catalogue import find as find_curated
from sozialgraph.store.embedded import GRAPH_INFERRED, add_union_copy, named_graphs, open_store
from sozialgraph.store.embedded import query as store_query
from sozialgraph.validation.validate import (
    ValidationError,
    load_shapes,
    render_json,
    render_text,
    render_turtle,
)
from sozialgraph.validation.validate import validate as run_validation

OK, FAILED, UNABLE = 0, 1, 2
CELL_WIDTH = 60  # longest value shown in a table cell; csv and json give full values


def _fail(message: str, code: int = UNABLE):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)



class _Commands(click.Group):
    """The commands defined here, plus those other installed packages add through the entry
    point group `sozialgraph.commands` (the developer tools' `bench` and `synth`), loaded only
    when asked for."""

    GROUP = "sozialgraph.commands"

    def _plugins(self) -> dict:
        return {ep.name: ep for ep in entry_points(group=self.GROUP)}

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self._plugins()))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None and name in self._plugins():
            command = self._plugins()[name].load()
        return command


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sozialgraph")
def main():
    """Sozialgraph: the knowledge graph of social policy in Hessen, built, checked and served."""


# ---- build --------------------------------------------------------------------------------------

@main.command("build")
@store_option
@click.option("--ontology", type=click.Path(path_type=Path, dir_okay=False),
              help="Ontology file [default: ontology/sozialgraph.ttl].")
@click.option("--graphs", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of data graphs, one named graph per *.ttl [default: graphs/].")
@click.option("--shapes", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of SHACL shapes, *.ttl [default: shapes/].")
@click.option("--validator", type=click.Choice(VALIDATORS), default="turbo", show_default=True,
              help="SHACL engine: pyshacl-turbo (fast, the same results), or pySHACL, the "
                   "reference that `validate` and the validation service use.")
@click.option("-q", "--quiet", is_flag=True, help="Print the summary only.")
def build_command(store, ontology, graphs, shapes, validator, quiet):
    """Parse, validate, infer and write the store, then swap it in.

    A syntax error (exit 2) or a SHACL violation (exit 1, the report is printed) stops the build
    and leaves the existing store as it was.
    """
    progress = (lambda _: None) if quiet else (lambda line: click.echo(line, err=True))
    try:
        report = build(store, ontology_file=ontology, graphs_dir=graphs, shapes_dir=shapes,
                       validator=validator, progress=progress)
    except ValidationFailed as failure:
        click.echo(failure.result.text(), err=True)
        _fail("build stopped: the data violates the shapes; the store is unchanged", FAILED)
    except (BuildError, RDFSyntaxError, OSError) as error:
        _fail(f"build stopped: {error}")
    click.echo(report.summary())


# ---- validate -----------------------------------------------------------------------------------

@main.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--shapes", "shape_files", multiple=True,
              type=click.Path(path_type=Path, dir_okay=False),
              help="Shapes file (repeatable) [default: the project's shapes/*.ttl].")
@click.option("--ontology", type=click.Path(path_type=Path, dir_okay=False),
              help="Ontology file [default: ontology/sozialgraph.ttl].")
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text",
              show_default=True, help="Report format.")
def validate_command(files, shape_files, ontology, fmt):
    """Validate RDF files (default: the project's graphs) against the SHACL shapes.

    FILES may be Turtle, TriG, N-Triples, N-Quads, RDF/XML or JSON-LD. The ontology is added to
    the data, as the build does. Exit 0 conforms (warnings allowed), 1 violations, 2 could not
    load or run.
    """
    data_files = list(files) or sorted(config.GRAPHS_DIR.glob("*.ttl"))
    try:
        data = merge(read_graph(p) for p in data_files)
        shapes = load_shapes(list(shape_files) if shape_files else None)
        ontology_graph = read_graph(ontology or config.ONTOLOGY_DIR / "sozialgraph.ttl")
        result = run_validation(data, shapes, ontology_graph)
    except (RDFSyntaxError, ValidationError, OSError) as error:
        _fail(str(error))
    render = {"text": render_text, "turtle": render_turtle, "json": render_json}[fmt]
    click.echo(render(result.report), nl=False)
    sys.exit(OK if result.conforms else FAILED)


# ---- query --------------------------------------------------------------------------------------

def resolve_query(text: str, queries_dir: Path) -> str:
    """QUERY as a .rq/.sparql file, a curated query's name, or SPARQL itself."""
    candidate = Path(text)
    if candidate.suffix in (".rq", ".sparql") or (len(text) < 200 and candidate.is_file()):
        if not candidate.is_file():
            raise LookupError(f"no query file {text}")
        return candidate.read_text(encoding="utf-8")
    if re.fullmatch(r"[\w.-]+", text):  # one word: a curated query's name
        curated = find_curated(text, queries_dir)
        if curated is None:
            raise LookupError(f"no curated query named {text!r} in {queries_dir.name}/")
        return curated.text
    return text


def compact(term) -> str:
    """A term for a table cell: prefixed IRIs, plain literal values."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        best = max((ns for ns in PREFIXES.values() if term.value.startswith(ns)), key=len,
                   default=None)
        if best is None or best == term.value:
            return f"<{term.value}>"
        prefix = next(p for p, ns in PREFIXES.items() if ns == best)
        return f"{prefix}:{term.value[len(best):]}"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"{term.value}@{term.language}"
        datatype = term.datatype.value.removeprefix(PREFIXES["xsd"])
        if datatype in ("string", "integer", "decimal", "double", "boolean"):
            return term.value
        return f"{term.value}^^{compact(term.datatype)}"
    return str(term)


def render_table(solutions: ox.QuerySolutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        cells = []
        for name in names:
            cell = compact(solution[name]).replace("\n", "⏎").replace("\t", " ")
            cells.append(cell if len(cell) <= CELL_WIDTH else cell[: CELL_WIDTH - 1] + "…")
        rows.append(cells)
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells):
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(names), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


@main.command("query")
@click.argument("query")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Result format (json: SPARQL 1.1 JSON results).")
@click.option("--inferred/--no-inferred", default=False, show_default=True,
              help="Include the inferred graph in the default graph.")
@click.option("--queries", "queries_dir", type=click.Path(path_type=Path, file_okay=False),
              default=config.QUERIES_DIR, show_default=True, help="Folder of curated queries.")
def query_command(query, store, fmt, inferred, queries_dir):
    """Run a SPARQL query on the store.

    QUERY is SPARQL text, a .rq/.sparql file, or the name of a curated query (see queries/).
    The project's prefixes are predeclared. ASK prints true or false, CONSTRUCT and DESCRIBE
    print Turtle. Exit 2 on a bad query or a missing store.
    """
    try:
        sparql = resolve_query(query, Path(queries_dir))
        results = store_query(open_store(store), sparql, include_inferred=inferred,
                              with_prefixes=True)
    except SyntaxError as error:
        _fail(f"bad query: {error.msg or error}")
    except (LookupError, OSError, ValueError) as error:
        _fail(str(error))
    if isinstance(results, ox.QueryBoolean):
        if fmt == "json":
            click.echo(results.serialize(format=ox.QueryResultsFormat.JSON).decode())
        else:
            click.echo("true" if bool(results) else "false")
    elif isinstance(results, ox.QueryTriples):
        triples = list(results)
        iris = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
        used = {p: ns for p, ns in PREFIXES.items() if any(i.startswith(ns) for i in iris)}
        click.echo(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used).decode(),
                   nl=False)
    elif fmt == "table":
        click.echo(render_table(results), nl=False)
    else:
        kind = ox.QueryResultsFormat.CSV if fmt == "csv" else ox.QueryResultsFormat.JSON
        click.echo(results.serialize(format=kind).decode(), nl=fmt == "json")


# ---- stats --------------------------------------------------------------------------------------

COUNTED_CLASSES = {"measures": SG.Measure, "fundings": SG.Funding, "quantities": SG.Quantity,
                   "actors": SG.Actor, "evidence": SG.Evidence, "sources": SG.SourceDocument}


def store_stats(store: ox.Store) -> dict:
    per_graph = {}
    for graph in named_graphs(store):
        rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        per_graph[graph] = int(next(iter(rows))["n"].value)
    things = {}
    for name, cls in COUNTED_CLASSES.items():
        # the class hierarchy through the ontology graph, so the count needs no inference
        rows = store_query(store, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { "
                           f"?x a/rdfs:subClassOf* <{cls}> }}", with_prefixes=True)
        things[name] = int(next(iter(rows))["n"].value)
    inferred = per_graph.get(GRAPH_INFERRED, 0)
    return {"graphs": per_graph, "asserted": sum(per_graph.values()) - inferred,
            "inferred": inferred, "quads": len(store), "things": things}


@main.command("stats")
@store_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def stats_command(store, fmt):
    """Triples per named graph, and how many measures, fundings, quantities, actors and
    pieces of evidence the store holds (subclasses included)."""
    try:
        stats = store_stats(open_store(store))
    except OSError as error:
        _fail(str(error))
    if fmt == "json":
        click.echo(json.dumps(stats, indent=2))
        return
    width = max([len(compact(ox.NamedNode(g))) for g in stats["graphs"]] + [22])
    for graph, count in stats["graphs"].items():
        click.echo(f"{compact(ox.NamedNode(graph)):<{width}} {count:>9}")
    click.echo(f"{'asserted (named graphs)':<{width}} {stats['asserted']:>9}")
    click.echo(f"{'inferred':<{width}} {stats['inferred']:>9}")
    click.echo(f"{'quads stored':<{width}} {stats['quads']:>9}  (with the default graph)")
    for name, count in stats["things"].items():
        click.echo(f"{name:<{width}} {count:>9}")


# ---- anchor -------------------------------------------------------------------------------------

def _corpus_sources(sources_file: Path) -> dict[str, str]:
    """source slug -> corpus file name, from graphs/sources.ttl (empty if it is missing)."""
    if not sources_file.is_file():
        return {}
    graph = read_graph(sources_file)
    return {str(s).removeprefix(str(SOURCE)): str(f)
            for s, f in graph.subject_objects(SG.corpusFile) if str(s).startswith(str(SOURCE))}


def slug_of(text: str, words: int = 6) -> str:
    """A readable ASCII slug of the first words of `text` (umlauts transliterated)."""
    text = text.lower()
    for umlaut, ascii_ in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, ascii_)
    text = unicodedata.normalize("NFKD", text)  # é -> e + combining accent, dropped below
    parts = re.findall(r"[a-z0-9]+", text.encode("ascii", "ignore").decode())
    return "-".join(parts[:words])[:60].strip("-") or "quote"


def evidence_block(source_slug: str, evidence_id: str, found, prefix: str | None = None) -> str:
    """The Turtle evidence block of docs/model.md for an anchored quote."""
    local = f"{source_slug}/{evidence_id}".replace("/", "\\/")  # '/' is escaped in a local name
    subject = f"{prefix}:{evidence_id}" if prefix else f"sge:{local}"
    return (
        f"{subject} a sg:Evidence ;\n"
        f"    oa:hasSource sgs:{source_slug} ;\n"
        f"    oa:hasSelector [ a oa:TextQuoteSelector ;\n"
        f"                     oa:exact {Literal(found.exact).n3()} ;\n"
        f"                     oa:prefix {Literal(found.prefix).n3()} ; "
        f"oa:suffix {Literal(found.suffix).n3()} ] ,\n"
        f"                   [ a oa:TextPositionSelector ; oa:start {found.start} ; "
        f"oa:end {found.end} ] .\n")


def _anchor_one(text: str, quote: str, occurrence: int | None):
    """The anchor of `quote`, or a message saying why there is none."""
    starts, at = [], text.find(quote)
    while at >= 0 and quote:
        starts.append(at)
        at = text.find(quote, at + 1)
    if not starts:
        return None, f"quote not found: {quote!r}"
    if occurrence is None and len(starts) > 1:
        where = ", ".join(f"{s} (line {text.count(chr(10), 0, s) + 1})" for s in starts)
        return None, (f"the quote occurs {len(starts)} times, at offsets {where}; choose one "
                      f"with --occurrence N (1..{len(starts)}) or quote more words: {quote!r}")
    try:
        return anchor(text, quote, occurrence or 1), None
    except QuoteNotFound:
        return None, f"there is no occurrence {occurrence} (only {len(starts)}): {quote!r}"


@main.command("anchor")
@click.argument("source")
@click.argument("quote", required=False)
@click.option("--occurrence", type=click.IntRange(min=1),
              help="Which occurrence to anchor (1-based) when the quote occurs more than once.")
@click.option("--id", "evidence_id", help="Evidence slug [default: from the quote's words].")
@click.option("--batch", type=click.File(encoding="utf-8"),
              help="File of lines `id<TAB>quote[<TAB>occurrence]` (instead of QUOTE).")
@click.option("--prefix", help="Write the evidence IRI as PREFIX:id (a prefix bound to the "
              "document's evidence namespace) instead of sge:<source>\\/<id>.")
@click.option("--sources", "sources_file", type=click.Path(path_type=Path, dir_okay=False),
              default=config.GRAPHS_DIR / "sources.ttl", show_default=True,
              help="Sources graph mapping source slugs to corpus files.")
def anchor_command(source, quote, occurrence, evidence_id, batch, prefix, sources_file):
    """Print the Turtle evidence block for a verbatim QUOTE of SOURCE.

    SOURCE is a source slug (e.g. hmsi-bilanz, looked up in graphs/sources.ttl) or a corpus
    file name. Offsets count characters of the corpus file as stored, end exclusive. Exit 1 if
    the quote is missing or ambiguous (the offsets are listed), 2 if the source is unknown.
    """
    if (quote is None) == (batch is None):
        _fail("give either QUOTE or --batch FILE")
    if evidence_id and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", evidence_id):
        _fail(f"--id must be a lower-case ASCII slug with hyphens: {evidence_id!r}")
    try:
        files = _corpus_sources(sources_file)
    except RDFSyntaxError as error:
        _fail(str(error))
    if source in files:
        slug, file_name = source, files[source]
    elif (config.corpus_dir() / source).is_file():
        file_name = source
        slug = next((s for s, f in files.items() if f == source), Path(source).stem)
    else:
        known = ", ".join(sorted(files)) or "none"
        _fail(f"unknown source {source!r}: not a source slug (known: {known}) nor a file of "
              f"the corpus folder")
    try:
        text = document_text(file_name)
    except OSError as error:
        _fail(f"cannot read corpus file {file_name}: {error.strerror or error}")
    if batch is None:
        jobs = [(evidence_id or slug_of(quote), quote, occurrence, "")]
    else:
        jobs = []
        for number, line in enumerate(batch, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) not in (2, 3) or not fields[1]:
                _fail(f"{batch.name}:{number}: expected id<TAB>quote[<TAB>occurrence]")
            n = int(fields[2]) if len(fields) == 3 and fields[2].strip() else None
            jobs.append((fields[0], fields[1], n, f"{batch.name}:{number}: "))
    blocks, problems = [], []
    for job_id, job_quote, job_occurrence, where in jobs:
        found, problem = _anchor_one(text, job_quote, job_occurrence)
        if problem:
            problems.append(where + problem)
        else:
            blocks.append(evidence_block(slug, job_id, found, prefix))
    if problems:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(FAILED)
    click.echo("\n".join(blocks), nl=False)


# ---- serve --------------------------------------------------------------------------------------

@main.command("serve")
@store_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="gunicorn worker processes (web processes).")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(min=1),
              help="Request threads per web process (gunicorn's gthread worker). Each web "
              "process runs at most --query-workers SPARQL queries at once; further "
              "query requests wait for a free query worker.")
@setting_option("QUERY_TIMEOUT")
@setting_option("QUERY_WORKERS", type=click.IntRange(min=1))
@setting_option("PUBLIC_BASE", metavar="URL")
@click.option("--app", "app_factory", default="sozialgraph.web.app:create_app", hidden=True,
              help="module:function of the app factory (for tests).")
@setting_option("REMOTE_ENDPOINT", metavar="URL")
@setting_option("REMOTE_USER")
@setting_option("REMOTE_PASSWORD")
@setting_option("REMOTE_TOKEN")
def serve_command(store, host, port, workers, threads, query_timeout, query_workers,
                  public_base, app_factory, remote_endpoint, remote_user, remote_password,
                  remote_token):
    """Serve the SPARQL endpoint, linked data and UI with gunicorn."""
    app_config = {"QUERY_TIMEOUT": query_timeout, "QUERY_WORKERS": query_workers,
                  "PUBLIC_BASE": public_base}
    if remote_endpoint:
        app_config |= {"REMOTE_ENDPOINT": remote_endpoint, "REMOTE_USER": remote_user,
                       "REMOTE_PASSWORD": remote_password, "REMOTE_TOKEN": remote_token}
    elif not Path(store).exists():
        _fail(f"no store at {store}: run `sozialgraph build` first")
    else:
        app_config["STORE_PATH"] = str(Path(store).absolute())
    # Threaded web processes: a web process waits on its query workers, so with one request
    # at a time (gunicorn's sync worker) only one of its QUERY_WORKERS ever ran and the cores
    # sat idle between queries; gthread also keeps connections alive.
    options = {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
               "worker_class": "gthread",
               # gunicorn's worker timeout must outlast the longest query
               "timeout": max(60, int(query_timeout) + 30)}
    run_gunicorn(app_factory, app_config, options)


def run_gunicorn(app_factory: str, app_config: dict, options: dict) -> None:
    """Run `module:factory(app_config)` under gunicorn with `options` (gunicorn settings).

    The app is loaded in each worker after the fork, so every worker opens its own store.
    """
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            module, _, name = app_factory.partition(":")
            return getattr(importlib.import_module(module), name)(app_config)

    Application().run()


# ---- push ---------------------------------------------------------------------------------------

@main.command("push")
@click.option("--to", "query_url", metavar="URL",
              help="SPARQL query endpoint of the target store (the URL `serve --remote` takes).")
@store_option
@click.option("--graph-store", metavar="URL", help="Its Graph Store Protocol endpoint [default: "
              "from --to: Oxigraph /query -> /store, Fuseki /<ds>/sparql -> /<ds>/data].")
@click.option("--user", help="User (Basic or Digest, as the store asks).")
@click.option("--password", envvar="SOZIALGRAPH_PUSH_PASSWORD",
              help="Password (Env: SOZIALGRAPH_PUSH_PASSWORD).")
@click.option("--token", envvar="SOZIALGRAPH_PUSH_TOKEN",
              help="Bearer token (Env: SOZIALGRAPH_PUSH_TOKEN).")
@click.option("--replace/--no-replace", default=True, show_default=True,
              help="Replace the graphs the store already holds (and remove graphs of the "
              "project this build no longer has), or stop before writing if any holds triples.")
@click.option("--method", type=click.Choice(["dataset", "graphs"]), default="dataset",
              show_default=True, help="dataset: one N-Quads stream (keeps blank nodes shared "
              "between graphs); graphs: one Graph Store PUT per graph.")
@click.option("--default-graph/--no-default-graph", default=True, show_default=True,
              help="Also write the merge of the asserted graphs into the store's default graph.")
@click.option("--nquads", "nquads_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Write what would be pushed to this N-Quads file instead (for offline "
              "loaders such as QLever's).")
def push_command(query_url, store, graph_store, user, password, token, replace, method,
                 default_graph, nquads_file):
    """Copy the built dataset (every named graph, the inferred one included, and the default
    graph) into a SPARQL 1.1 store, then count every graph there.

    Exit 0 when every count matches, 1 when one differs or --no-replace found graphs in the way,
    2 when the push could not be done (the HTTP status and answer are printed).
    """
    from sozialgraph.store.push import (
        Pusher,
        PushError,
        PushRefused,
        derive_graph_store,
        write_nquads,
    )
    from sozialgraph.store.remote import Credentials, HttpClient, check_url, split_credentials

    if (query_url is None) == (nquads_file is None):
        _fail("give either --to URL or --nquads FILE")
    try:
        source = open_store(store)
    except OSError as error:
        _fail(str(error))
    progress = lambda line: click.echo(line, err=True)
    if nquads_file is not None:
        counted = write_nquads(source, nquads_file, default_graph)
        for item in counted:
            click.echo(f"{item.name} {item.local}")
        click.echo(f"{sum(c.local for c in counted)} quads written to {nquads_file}")
        return
    try:
        query_url, in_url = split_credentials(check_url(query_url))
        gsp = split_credentials(check_url(graph_store))[0] if graph_store \
            else derive_graph_store(query_url)
    except (ValueError, PushError) as error:
        _fail(str(error))
    credentials = Credentials(user, password, token) if (user or token) else in_url
    progress(f"pushing {store} to {gsp} (queries: {query_url})")
    pusher = Pusher(source, query_url, gsp, HttpClient(credentials), progress)
    try:
        report = pusher.push(method=method, replace=replace, default_graph=default_graph)
    except PushRefused as refusal:
        _fail(str(refusal), FAILED)
    except PushError as error:
        _fail(f"push failed: {error}")
    click.echo(report.table(), nl=False)
    for line in report.removed:
        click.echo(f"removed {line} (not in this build)")
    for line in report.warnings:
        click.echo(f"warning: {line}", err=True)
    for line in report.problems:
        click.echo(f"error: {line}", err=True)
    sys.exit(OK if report.ok else FAILED)


# ---- load ---------------------------------------------------------------------------------------

@main.command("load")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@store_option
@click.option("--graph", "graph_iri", help="Named graph IRI for the triples [default: the "
              "default graph]; quads of TriG, N-Quads and JSON-LD keep their own graphs.")
def load_command(files, store, graph_iri):
    """Add RDF files to a store (created if missing).

    Formats by extension: .ttl .trig .nt .nq .rdf/.owl/.xml .jsonld/.json. All files are read
    before anything is written; the default graph is then brought up to date with the merge of
    the named graphs. A built store is changed in place until the next build replaces it.
    """
    try:
        if graph_iri:
            ox.NamedNode(graph_iri)
        parsed = [(path, read_dataset(path)) for path in files]
    except RDFSyntaxError as error:
        _fail(str(error))
    except ValueError as error:
        _fail(f"--graph must be an absolute IRI: {error}")
    try:
        Path(store).mkdir(parents=True, exist_ok=True)
        target = open_store(store, read_only=False)
        for path, dataset in parsed:
            quads = list(dataset_quads(dataset, graph_iri))
            target.extend(quads)
            click.echo(f"{path}: {len(quads)} quads")
        if any(True for _ in target.named_graphs()):
            add_union_copy(target)
        target.flush()
    except (OSError, ValueError) as error:
        _fail(f"could not write the store: {error}")
