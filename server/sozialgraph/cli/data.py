"""`sozialgraph query`, `stats` and `load`: reading and writing a store from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pyoxigraph as ox

from sozialgraph import settings as config
from sozialgraph.cli.options import fail, store_option
from sozialgraph.rdf.parse import RDFSyntaxError, read_quads
from sozialgraph.sparql.catalogue import resolve_query
from sozialgraph.sparql.table import compact, render_results
from sozialgraph.store.embedded import add_union_copy, open_store
from sozialgraph.store.embedded import query as store_query
from sozialgraph.store.stats import store_stats


@click.command("query")
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
        fail(f"bad query: {error.msg or error}")
    except (LookupError, OSError, ValueError) as error:
        fail(str(error))
    click.echo(render_results(results, fmt), nl=False)


@click.command("stats")
@store_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def stats_command(store, fmt):
    """Triples per named graph, and how many measures, fundings, quantities, actors and
    pieces of evidence the store holds (subclasses included)."""
    try:
        stats = store_stats(open_store(store))
    except OSError as error:
        fail(str(error))
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


@click.command("load")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@store_option
@click.option("--graph", "graph_iri", help="Named graph IRI for the triples [default: the "
              "default graph]; quads of TriG, N-Quads and JSON-LD keep their own graphs.")
@click.option("--union-default-graph/--separate-default-graph", "union", default=True,
              show_default=True, help="Make the default graph the merge of the named graphs "
              "(as the build does), or keep it as the files state it.")
def load_command(files, store, graph_iri, union):
    """Add RDF files to a store (created if missing), losslessly.

    Formats by extension: .ttl .trig .nt .nq .rdf/.owl/.xml .jsonld/.json. Files are parsed by
    Oxigraph, as the build parses, so every literal keeps its datatype, time zone, precision and
    white space (the store writes numbers in canonical form: 1.50 as 1.5). A blank node label
    names one node within its file only. With --graph the graph exists afterwards even when the
    files are empty, so queries may name it. All files are read before anything is written.
    With --union-default-graph the default graph is then brought up to date with the merge of
    the named graphs. A built store is changed in place until the next build replaces it.
    """
    try:
        target_graph = ox.NamedNode(graph_iri) if graph_iri else None
    except ValueError as error:
        fail(f"--graph must be an absolute IRI: {error}")
    try:
        parsed = [(path, read_quads(path)) for path in files]
    except RDFSyntaxError as error:
        fail(str(error))
    try:
        Path(store).mkdir(parents=True, exist_ok=True)
        target = open_store(store, read_only=False)
        if target_graph is not None:
            target.add_graph(target_graph)
        for path, quads in parsed:
            if target_graph is not None:
                quads = [ox.Quad(q.subject, q.predicate, q.object, target_graph)
                         if isinstance(q.graph_name, ox.DefaultGraph) else q for q in quads]
            target.extend(quads)
            click.echo(f"{path}: {len(quads)} quads")
        if union and any(True for _ in target.named_graphs()):
            add_union_copy(target)
        target.flush()
    except (OSError, ValueError) as error:
        fail(f"could not write the store: {error}")
