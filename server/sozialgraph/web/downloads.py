"""Downloads: every named graph as Turtle, the whole dataset as TriG and N-Quads, the shapes.

    /downloads                          the list, with sizes, triple counts and licence
    /downloads/<graph name>.ttl         one named graph (ontology.ttl is the ontology)
    /downloads/sozialgraph.trig, .nq    every named graph, the inferred graph included
    /downloads/sozialgraph-asserted.trig, .nq   the same without the inferred graph
    /downloads/shapes.ttl               the SHACL shapes (read from shapes/, not in the store)

The dataset files hold the named graphs only: the store's default graph is their merge, made
again by whoever loads them (`sozialgraph load`, or a store's union-default-graph option). Files
are serialised once per process, on first use, and kept in memory (a few megabytes); the store
does not change while it is open. The names `sozialgraph*`, `shapes` are reserved: a graph of
that name would not be listed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import Blueprint, Response, request

from sozialgraph.rdf.formats import HTML, N_QUADS, TRIG, TURTLE, Format
from sozialgraph.rdf.namespaces import GRAPH
from sozialgraph.store.embedded import GRAPH_INFERRED
from sozialgraph.web import dataset
from sozialgraph.web.http import (
    PAGE_FORMATS,
    choose_format,
    error_response,
    html_response,
    public_base,
    rdf_response,
    refuse,
    split_extension,
)
from sozialgraph.web.pages import not_found
from sozialgraph.web.void import DATASET_IRI, graph_title, statistics, void_triples

bp = Blueprint("downloads", __name__)

LICENSE_NAME = "CC BY 4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
RESERVED = ("sozialgraph", "sozialgraph-asserted", "shapes")


@dataclass(frozen=True)
class Download:
    filename: str
    fmt: Format
    graphs: tuple[str, ...] | None  # None: the shapes, which are files rather than graphs
    title: str
    statements: int  # triples, or quads for the dataset files

    @property
    def unit(self) -> str:
        return "quads" if self.fmt in (TRIG, N_QUADS) else "triples"

    @property
    def graph_names(self) -> list[str]:
        return [g.removeprefix(str(GRAPH)) for g in self.graphs or ()]


def catalogue() -> list[Download]:
    """What can be downloaded, in the order of the page."""
    def build() -> list[Download]:
        from sozialgraph.web.termdocs import shapes_triples

        sizes = dataset.graph_sizes()
        names = [g for g in dataset.graph_names()
                 if g.removeprefix(str(GRAPH)) not in RESERVED]
        asserted = tuple(g for g in names if g != GRAPH_INFERRED)
        everything = (*asserted, *[g for g in names if g == GRAPH_INFERRED])
        files = []
        for fmt, extension in ((TRIG, "trig"), (N_QUADS, "nq")):
            files.append(Download(f"sozialgraph.{extension}", fmt, everything,
                                  "Every named graph, the inferred graph included",
                                  sum(sizes.get(g, 0) for g in everything)))
        for fmt, extension in ((TRIG, "trig"), (N_QUADS, "nq")):
            files.append(Download(f"sozialgraph-asserted.{extension}", fmt, asserted,
                                  "Every named graph except the inferred graph",
                                  sum(sizes.get(g, 0) for g in asserted)))
        for graph in everything:
            name = graph.removeprefix(str(GRAPH))
            files.append(Download(f"{name}.ttl", TURTLE, (graph,), _graph_title(graph),
                                  sizes.get(graph, 0)))
        files.append(Download("shapes.ttl", TURTLE, None, "The SHACL shapes the data must meet",
                              len(shapes_triples())))
        return files
    return dataset.cached("downloads", build)


def _graph_title(graph: str) -> str:
    return graph_title(graph, statistics())[1]


def payload(download: Download) -> bytes:
    def serialise() -> bytes:
        if download.graphs is None:
            from sozialgraph.web.termdocs import shapes_turtle
            return shapes_turtle()
        if download.fmt in (TRIG, N_QUADS):
            return dataset.dump(list(download.graphs), download.fmt)
        return dataset.dump(download.graphs[0], download.fmt)
    return dataset.cached(f"download:{download.filename}", serialise)


def page() -> Response:
    """The list of downloads (also the HTML answer at the dataset's IRI)."""
    base = public_base()
    files = [{"file": d, "bytes": len(payload(d)), "url": base + "downloads/" + d.filename}
             for d in catalogue()]
    return html_response("downloads.html", files=files, license_name=LICENSE_NAME,
                         license_url=LICENSE_URL, base=base)


@bp.get("/downloads")
@bp.get("/downloads/")
def listing():
    return page()


@bp.get("/downloads/<filename>")
def download(filename: str):
    chosen = next((d for d in catalogue() if d.filename == filename), None)
    if chosen is None:
        known = ", ".join(d.filename for d in catalogue())
        return error_response(404, f"no download named {filename}; there are {known}")
    body = payload(chosen)
    response = Response(body, content_type=chosen.fmt.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{chosen.filename}"'
    response.headers["Link"] = f'<{LICENSE_URL}>; rel="license"'
    response.set_etag(dataset.cached(f"etag:{chosen.filename}",
                                     lambda: hashlib.sha256(body).hexdigest()[:32]))
    return response.make_conditional(request)


def human_size(size: int) -> str:
    """
    >>> human_size(999), human_size(485_489), human_size(2_345_678)
    ('999 bytes', '485.5 kB', '2.3 MB')
    """
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"


bp.add_app_template_filter(human_size, "human_size")


@bp.get("/dataset")
@bp.get("/dataset.<extension>")
def dataset_iri(extension: str | None = None):
    """The dataset's IRI: the downloads page for people, the VoID description for machines."""
    if extension is not None and split_extension("dataset." + extension)[1] is None:
        return not_found(DATASET_IRI + "." + extension, choose_format(PAGE_FORMATS))
    fmt = choose_format(PAGE_FORMATS, extension)
    if fmt is None:
        refuse(PAGE_FORMATS, extension, "the dataset description")
    if fmt is HTML:
        return page()
    return rdf_response(void_triples(), fmt)
