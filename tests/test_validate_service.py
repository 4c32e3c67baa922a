"""The validation service at /validate, through HTTP (Flask's test client): formats in and out,
own shapes, errors (400, 413, 415, 503), and safety (XML entities, remote JSON-LD contexts,
SPARQL in shapes that would reach out)."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from io import BytesIO
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from storefixture import build_store, close_app, make_app

from sozialgraph.rdf.namespaces import FUNDING, MEASURE, SCHEMA, SHAPES

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
GOOD = (FIXTURES / "good.ttl").read_bytes()
BAD = (FIXTURES / "bad.ttl").read_bytes()
NO_GERMAN_LABEL = MEASURE["test-ohne-deutsch"]
NEGATIVE_FUNDING = FUNDING["test-negativ"]
SG_AMOUNT = URIRef("https://w3id.org/sozialgraph/ontology#amount")
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
TURTLE = {"Content-Type": "text/turtle"}
MEDIA_TYPES = {"turtle": "text/turtle", "json-ld": "application/ld+json",
               "nt": "application/n-triples", "xml": "application/rdf+xml"}

OWN_SHAPES = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:NeedsComment a sh:NodeShape ;
    sh:targetClass <https://w3id.org/sozialgraph/ontology#Measure> ;
    sh:property [ sh:path rdfs:comment ; sh:minCount 1 ;
                  sh:message "Own shape: a measure needs a comment"@en ] .
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_app(build_store(tmp_path_factory.mktemp("validate") / "store"))
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


def convert(turtle: bytes, fmt: str) -> bytes:
    """The same graph in another syntax (rdflib's serialisers)."""
    graph = Graph().parse(data=turtle, format="turtle")
    return graph.serialize(format=fmt, encoding="utf-8")


def post(client, body: bytes, content_type="text/turtle", accept="application/json", **kw):
    return client.post("/validate", data=body, headers={"Content-Type": content_type,
                                                        "Accept": accept}, **kw)


def results_by_focus(report: dict) -> dict[str, dict]:
    return {r["focusNode"]["value"]: r for r in report["results"]}


class LocalServer:
    """A web server on 127.0.0.1 that records every request it gets (it must get none)."""

    def __init__(self):
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # the name http.server asks for
                hits.append(self.path)
                body = b'{"@context": {"name": "http://schema.org/name"}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_server():
    server = LocalServer()
    yield server
    server.close()


# ---- the form -----------------------------------------------------------------------------------

def test_form_page(client):
    response = client.get("/validate")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    for needle in ('enctype="multipart/form-data"', '<textarea id="data" name="data"',
                   'type="file" id="data-file" name="data"', 'name="format"',
                   'name="shapes"', 'name="shapes_format"', 'value="jsonld"', 'value="rdfxml"',
                   'href="/shapes"', 'href="/ontology"'):
        assert needle in page


# ---- good data ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["turtle", "json-ld", "nt", "xml"])
def test_good_data_conforms_in_each_format(client, fmt):
    body = GOOD if fmt == "turtle" else convert(GOOD, fmt)
    response = post(client, body, MEDIA_TYPES[fmt])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {"conforms": True, "results": []}
    assert response.headers["Vary"] == "Accept"


@pytest.mark.parametrize("filename", ["good.ttl", "good.jsonld", "good.nt", "good.rdf"])
def test_uploaded_file_format_from_its_extension(client, filename):
    fmt = {".ttl": "turtle", ".jsonld": "json-ld", ".nt": "nt", ".rdf": "xml"}[
        Path(filename).suffix]
    body = GOOD if fmt == "turtle" else convert(GOOD, fmt)
    response = client.post("/validate", data={"data": (BytesIO(body), filename)},
                           headers={"Accept": "application/json"},
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["conforms"] is True


def test_pasted_data_with_chosen_format(client):
    response = client.post("/validate", data={"data": convert(GOOD, "nt").decode(),
                                              "format": "nt"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json["conforms"] is True
    # the same text read as Turtle (N-Triples is Turtle) also works; as RDF/XML it does not
    response = client.post("/validate", data={"data": convert(GOOD, "nt").decode(),
                                              "format": "rdfxml"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400


def test_report_is_turtle_by_default(client):
    for accept in (None, "*/*"):
        headers = dict(TURTLE, **({"Accept": accept} if accept else {}))
        response = client.post("/validate", data=GOOD, headers=headers)
        assert response.status_code == 200
        assert response.content_type == "text/turtle; charset=utf-8"
        graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
        report = graph.value(predicate=RDF.type, object=SH.ValidationReport)
        assert graph.value(report, SH.conforms) == Literal(True)


def test_unacceptable_report_format(client):
    response = post(client, GOOD, accept="application/sparql-results+xml")
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


# ---- bad data: the report in every format -------------------------------------------------------

def check_report_graph(graph: Graph) -> None:
    """The two violations of bad.ttl, with everything a reader needs."""
    report = graph.value(predicate=RDF.type, object=SH.ValidationReport)
    assert graph.value(report, SH.conforms) == Literal(False)
    results = {graph.value(r, SH.sourceConstraintComponent): r
               for r in graph.objects(report, SH.result)}
    assert set(results) == {SH.QualifiedMinCountConstraintComponent,
                            SH.MinExclusiveConstraintComponent}

    label = results[SH.QualifiedMinCountConstraintComponent]
    assert graph.value(label, SH.focusNode) == NO_GERMAN_LABEL
    assert graph.value(label, SH.resultPath) == RDFS.label
    assert graph.value(label, SH.resultSeverity) == SH.Violation
    assert graph.value(label, SH.sourceShape) == SHAPES["LabelDe"]
    messages = {m.language: str(m) for m in graph.objects(label, SH.resultMessage)}
    assert "German label" in messages["en"] and "deutsche Bezeichnung" in messages["de"]

    amount = results[SH.MinExclusiveConstraintComponent]
    focus = graph.value(amount, SH.focusNode)
    assert (NEGATIVE_FUNDING, SG_AMOUNT, focus) in graph  # the blank amount, and whose it is
    assert graph.value(amount, SH.resultPath) == SCHEMA.value
    assert graph.value(amount, SH.value) == Literal("-250000.0", datatype=URIRef(XSD_DECIMAL))
    assert graph.value(amount, SH.resultSeverity) == SH.Violation
    assert graph.value(amount, SH.sourceShape) == SHAPES["MonetaryAmount-value"]


def test_bad_data_report_in_turtle(client):
    response = post(client, BAD, accept="text/turtle")
    assert response.status_code == 200  # a report, even though the data do not conform
    assert response.content_type == "text/turtle; charset=utf-8"
    assert response.headers["Vary"] == "Accept"
    check_report_graph(Graph().parse(data=response.get_data(as_text=True), format="turtle"))


def test_bad_data_report_in_json_ld(client):
    response = post(client, BAD, accept="application/ld+json")
    assert response.status_code == 200
    assert response.content_type == "application/ld+json"
    document = json.loads(response.get_data(as_text=True))
    assert isinstance(document["@context"], dict)  # inline: nothing to fetch
    check_report_graph(Graph().parse(data=response.get_data(as_text=True), format="json-ld"))


def test_bad_data_report_in_json(client):
    response = post(client, BAD, accept="application/json")
    assert response.status_code == 200
    assert response.content_type == "application/json"
    report = response.json
    assert report["conforms"] is False
    assert [r["severity"] for r in report["results"]] == ["Violation", "Violation"]
    label = results_by_focus(report)[str(NO_GERMAN_LABEL)]
    assert label["path"] == str(RDFS.label)
    assert label["constraintComponent"] == str(SH.QualifiedMinCountConstraintComponent)
    assert label["sourceShape"]["value"] == str(SHAPES["LabelDe"])
    assert "German label" in label["message"]
    assert "deutsche Bezeichnung" in label["messages"]["de"]
    amount = next(r for r in report["results"] if r["focusNode"]["type"] == "bnode")
    assert amount["path"] == str(SCHEMA.value)
    assert amount["value"] == {"type": "literal", "value": "-250000.0",
                               "datatype": XSD_DECIMAL}
    assert amount["constraintComponent"] == str(SH.MinExclusiveConstraintComponent)


def test_bad_data_report_in_html(client):
    response = post(client, BAD, accept="text/html")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert "Accept" in response.headers["Vary"]
    page = response.get_data(as_text=True)
    assert "The data do not conform" in page and "sh:conforms false" in page
    assert "2 violations, 0 warnings, 0 infos" in page
    for needle in ("sgm:test-ohne-deutsch", "rdfs:label", "sh:QualifiedMinCountConstraintComponent",
                   "sgsh:LabelDe", "Needs a German label", "schema:value",
                   "sh:MinExclusiveConstraintComponent", "-250000.0",
                   "the sg:amount of sgf:test-negativ",  # the blank focus node, described
                   "sgsh:MonetaryAmount-value", 'class="severity violation"'):
        assert needle in page, needle
    # project IRIs link to this server
    assert 'href="http://localhost/id/measure/test-ohne-deutsch"' in page
    assert 'href="http://localhost/shapes#LabelDe"' in page


def test_html_messages_in_the_users_language(client):
    german = client.post(
        "/validate", data=BAD, headers={"Content-Type": "text/turtle", "Accept": "text/html",
                                        "Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    page = german.get_data(as_text=True)
    assert 'lang="de">Braucht eine deutsche Bezeichnung' in page
    assert "Needs a German label" not in page.split("<table")[1].split("</table>")[0]
    english = client.post("/validate?lang=en", data=BAD, headers={
        "Content-Type": "text/turtle", "Accept": "text/html", "Accept-Language": "de"})
    assert 'lang="en">Needs a German label' in english.get_data(as_text=True)


def test_html_escapes_what_the_data_say(client):
    data = BAD.replace(b'"Legal advice (test)"@en', b'"<script>alert(1)</script>"@en')
    response = client.post("/validate", data={"data": data.decode()},
                           headers={"Accept": "text/html"})
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # given back in the form, escaped


def test_context_ontology_reports_the_projects_nodes_as_undescribed(client):
    """Without the reference graphs (context=ontology) the project's actors the data name are
    typed by the ontology's ranges and have no label; with context=none not even the ontology
    is added (issue 10: only what is sent is validated)."""
    response = client.post("/validate?context=ontology", data=GOOD, headers={
        "Content-Type": "text/turtle", "Accept": "application/json"})
    report = response.json
    assert report["conforms"] is False
    assert "https://w3id.org/sozialgraph/id/actor/land-hessen" in results_by_focus(report)
    bare = client.post("/validate?context=none", data=GOOD, headers={
        "Content-Type": "text/turtle", "Accept": "application/json"}).json
    assert "https://w3id.org/sozialgraph/id/actor/land-hessen" not in results_by_focus(bare)
    response = client.post("/validate?context=maybe", data=GOOD, headers=TURTLE)
    assert response.status_code == 400


# ---- own shapes ---------------------------------------------------------------------------------

def test_own_shapes_as_a_second_part(client):
    response = client.post("/validate", data={
        "data": (BytesIO(BAD), "bad.ttl"), "shapes": (BytesIO(OWN_SHAPES), "mine.ttl")},
        headers={"Accept": "application/json"}, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)
    report = response.json
    # the measure lacks a comment (own shape); the project's shapes are not used
    assert report["conforms"] is False
    assert [r["message"] for r in report["results"]] == ["Own shape: a measure needs a comment"]
    assert report["results"][0]["focusNode"]["value"] == str(NO_GERMAN_LABEL)
    assert report["results"][0]["parentShape"]["value"] == "http://example.org/NeedsComment"


def test_own_shapes_as_form_text(client):
    response = client.post("/validate", data={"data": GOOD.decode(),
                                              "shapes": OWN_SHAPES.decode()},
                           headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    messages = {str(m) for m in graph.objects(None, SH.resultMessage)}
    assert messages == {"Own shape: a measure needs a comment"}


def test_own_shapes_with_a_syntax_error(client):
    response = client.post("/validate", data={
        "data": (BytesIO(GOOD), "good.ttl"),
        "shapes": (BytesIO(OWN_SHAPES + b"ex:x ex:y .\nex:broken ex:p ;;; ."), "mine.ttl")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    message = response.get_data(as_text=True)
    assert "cannot read the shapes: mine.ttl:" in message


def test_own_shapes_shacl_forbids_are_a_400_with_the_reason(client):
    """A SPARQL constraint with MINUS is not SHACL-SPARQL: the engine gives no report, and the
    client gets 400 naming why (it crashed the validator before: 500)."""
    shapes = OWN_SHAPES + b'''
ex:NoMinus a sh:NodeShape ; sh:targetNode ex:a ;
  sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o MINUS { $this <http://example.org/q> ?o } }" ] .
'''
    response = client.post("/validate", data={
        "data": (BytesIO(GOOD), "good.ttl"), "shapes": (BytesIO(shapes), "mine.ttl"),
        "context": "none"}, content_type="multipart/form-data")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "MINUS" in response.get_data(as_text=True)


def test_own_shapes_may_not_reach_out(client, local_server):
    for query in (f"SELECT $this WHERE {{ SERVICE <{local_server.url}/sparql> {{ ?s ?p ?o }} }}",
                  f"SELECT $this FROM <{local_server.url}/graph> WHERE {{ ?s ?p ?o }}"):
        shapes = OWN_SHAPES + f'''
ex:Remote a sh:NodeShape ; sh:targetClass <https://w3id.org/sozialgraph/ontology#Measure> ;
    sh:sparql [ sh:select """{query}""" ] .
'''.encode()
        response = client.post("/validate", data={"data": GOOD.decode(),
                                                  "shapes": shapes.decode()})
        assert response.status_code == 400
        assert "a SPARQL query of the shapes is refused" in response.get_data(as_text=True)
    assert local_server.hits == []


# ---- errors -------------------------------------------------------------------------------------

def test_syntax_error_names_the_line(client):
    body = GOOD + b"\nsgm:kaputt a sg:Service ;; rdfs:label .\n"
    line = body.count(b"\n")
    response = post(client, body, accept="application/json, */*;q=0.1")
    assert response.status_code == 400
    message = response.get_data(as_text=True)
    assert message.startswith("400 Bad Request: cannot read the data: data:")
    assert f"data:{line}:" in message


def test_syntax_error_in_an_uploaded_file_names_the_file(client):
    response = client.post("/validate", data={"data": (BytesIO(b'{"@id": '), "mine.jsonld")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "mine.jsonld:1: invalid JSON" in response.get_data(as_text=True)
    bad_xml = b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="x">\n<a>\n</rdf:RDF>\n'
    response = client.post("/validate", data={"data": (BytesIO(bad_xml), "mine.rdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "mine.rdf:4:" in response.get_data(as_text=True)


def test_syntax_error_in_the_form_gives_the_form_back(client):
    text = "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;;\n"
    response = client.post("/validate", data={"data": text},
                           headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 400
    assert response.content_type == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    assert "cannot read the data: data:" in page
    assert "ex:a ex:b ex:c ;;" in page  # the text, back in the textarea


def test_pasted_text_larger_than_flasks_form_default(client):
    # Flask keeps form fields under 500 kB by default; the service's own cap applies instead
    padding = b"# " + b"x" * 997 + b"\n"
    body = GOOD + padding * 700
    assert 500_000 < len(body) < 5_000_000
    response = client.post("/validate", data={"data": body.decode()},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json["conforms"] is True


def test_validators_cannot_open_connections(local_server):
    # what a validator process installs before it reads anything (see main())
    code = f"""
import urllib.request
from sozialgraph.validation.service import refuse_network
refuse_network()
try:
    urllib.request.urlopen("{local_server.url}/", timeout=5)
except PermissionError as error:
    print("refused:", error)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent.parent, timeout=60, check=False)
    assert "refused: network access is disabled in the validator" in result.stdout, result
    assert local_server.hits == []


def test_empty_data(client):
    assert post(client, b"  \n").status_code == 400
    response = client.post("/validate", data={"data": ""})
    assert response.status_code == 400
    assert "no data" in response.get_data(as_text=True)


def test_data_both_as_file_and_as_text(client):
    response = client.post("/validate", data={"data": [(BytesIO(GOOD), "good.ttl"),
                                                       GOOD.decode()]},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "both as a file and as text" in response.get_data(as_text=True)


def test_unsupported_media_type_lists_the_accepted_ones(client):
    response = post(client, b"a,b\n1,2\n", content_type="text/csv")
    assert response.status_code == 415
    message = response.get_data(as_text=True)
    for media_type in ("text/turtle", "application/ld+json", "application/n-triples",
                       "application/rdf+xml", "multipart/form-data"):
        assert media_type in message
    assert post(client, b"", content_type="").status_code == 415
    response = client.post("/validate", data={"data": GOOD.decode(), "format": "csv"})
    assert response.status_code == 415
    response = client.post("/validate", data={"data": (BytesIO(b"a,b"), "table.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 415  # neither a known extension nor an RDF media type
    assert "cannot tell the format of table.csv" in response.get_data(as_text=True)


def test_charset_other_than_utf8(client):
    response = post(client, GOOD, content_type="text/turtle; charset=latin-1")
    assert response.status_code == 415


def test_payload_too_large(tmp_path):
    app = make_app(build_store(tmp_path / "store"), VALIDATE_MAX_BYTES=1000)
    try:
        client = app.test_client()
        assert post(client, GOOD[:900]).status_code in (200, 400)  # under the cap: read
        response = post(client, GOOD)
        assert response.status_code == 413
        assert "1000 bytes" in response.get_data(as_text=True)
        response = client.post("/validate", data={"data": (BytesIO(GOOD), "good.ttl")},
                               content_type="multipart/form-data")
        assert response.status_code == 413
        response = client.post("/validate", data={"data": GOOD.decode()},
                               headers={"Accept": "text/html"})
        assert response.status_code == 413
        assert "larger than the limit of 1000 bytes" in response.get_data(as_text=True)
    finally:
        close_app(app)


# ---- safety -------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="http://example.org/a"><rdfs:label>&lol9;</rdfs:label></rdf:Description>
</rdf:RDF>
"""


def external_entity(system_id: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "{system_id}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="http://example.org/a"><rdfs:label>&xxe;</rdfs:label></rdf:Description>
</rdf:RDF>
""".encode()


def test_billion_laughs_is_refused(client):
    started = time.monotonic()
    response = post(client, BILLION_LAUGHS, content_type="application/rdf+xml")
    assert response.status_code == 400
    assert "refused for safety" in response.get_data(as_text=True)
    assert "data:2:" in response.get_data(as_text=True)
    assert time.monotonic() - started < 10


def test_external_entities_read_and_fetch_nothing(client, local_server):
    for system_id in ("file:///etc/passwd", f"{local_server.url}/entity"):
        for accept in ("application/json", "text/turtle", "text/html"):
            response = post(client, external_entity(system_id), "application/rdf+xml",
                            accept=accept)
            text = response.get_data(as_text=True)
            assert response.status_code == 400
            assert "refused for safety" in text
            assert "root:" not in text
    external_dtd = (b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "'
                    + f"{local_server.url}/rdf.dtd".encode() + b'">\n'
                    + external_entity("x").split(b"]>\n", 1)[1])
    response = post(client, external_dtd, "application/rdf+xml")
    assert response.status_code == 400
    assert local_server.hits == []


def test_remote_json_ld_context_is_refused(client, local_server):
    document = json.dumps({"@context": f"{local_server.url}/context.jsonld",
                           "@id": "http://example.org/a", "name": "x"}).encode()
    response = post(client, document, "application/ld+json")
    assert response.status_code == 400
    message = response.get_data(as_text=True)
    assert "remote JSON-LD context" in message and "never fetched" in message
    nested = json.dumps({"@context": [{"ex": "http://example.org/"},
                                      {"@import": f"{local_server.url}/context.jsonld"}],
                         "@id": "ex:a"}).encode()
    assert post(client, nested, "application/ld+json").status_code == 400
    assert local_server.hits == []


# ---- time limit ---------------------------------------------------------------------------------

SLOW_SHAPES = b'''@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:Slow a sh:NodeShape ; sh:targetNode ex:n0 ;
    sh:sparql [ sh:select """SELECT $this WHERE {
        ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o .
        FILTER (CONCAT(STR(?c), STR(?f), STR(?i), STR(?l), STR(?o)) = "never") }""" ] .
'''


def test_validation_is_bounded_in_time(tmp_path):
    app = make_app(build_store(tmp_path / "store"), VALIDATE_TIMEOUT=3, VALIDATE_WORKERS=1)
    data = "\n".join(f"<http://example.org/n{i}> <http://example.org/p> {i} ."
                     for i in range(200))
    try:
        client = app.test_client()
        started = time.monotonic()
        response = client.post("/validate", data={"data": data,
                                                  "shapes": SLOW_SHAPES.decode()})
        elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert "time limit of 3 s" in response.get_data(as_text=True)
        assert elapsed < 20  # the limit, plus starting the validator
        # a fresh validator answers the next request
        response = post(client, GOOD)
        assert response.status_code == 200
        assert response.json["conforms"] is True
    finally:
        close_app(app)


def test_inline_validation_without_time_limit(tmp_path):
    app = make_app(build_store(tmp_path / "store"), VALIDATE_TIMEOUT=0)
    try:
        response = post(app.test_client(), BAD)
        assert response.status_code == 200
        assert response.json["conforms"] is False
    finally:
        close_app(app)


# ---- validations cannot see each other (issue 10) -------------------------------------------

_CAST_CHECK = '''@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:Properties a sh:NodeShape ; sh:targetClass rdf:Property ; sh:nodeKind sh:IRI .
ex:Small a sh:NodeShape ; sh:targetClass ex:C ;
    sh:sparql [ sh:select """SELECT $this WHERE {
        $this <http://example.org/v> ?v FILTER(<http://www.w3.org/2001/XMLSchema#integer>(?v) > 10) }""" ] .
'''
_POISON = '''@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
xsd:integer a sh:SPARQLFunction ; sh:parameter [ sh:path ex:x ] ; sh:returnType xsd:integer ;
    sh:select "SELECT (0 AS ?result) WHERE {}" .
ex:Poison a sh:NodeShape ; sh:targetClass rdf:Property ; sh:nodeKind sh:IRI .
'''


def _validate_with(client, data: str, shapes: str) -> dict:
    response = client.post("/validate", data={"data": data, "shapes": shapes,
                                              "context": "none"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def test_one_clients_shapes_cannot_change_another_clients_validation(tmp_path):
    """Shapes that declare xsd:integer a SPARQL function (pySHACL would register it for the whole
    process) and need pySHACL's RDFS closure: the next validation, in the only validator, still
    rejects invalid data and accepts valid data."""
    app = make_app(build_store(tmp_path / "store"), VALIDATE_WORKERS=1)
    invalid = '<http://example.org/a> a <http://example.org/C> ; <http://example.org/v> "50" .'
    valid = '<http://example.org/a> a <http://example.org/C> ; <http://example.org/v> "5" .'
    try:
        client = app.test_client()
        assert _validate_with(client, invalid, _CAST_CHECK)["conforms"] is False
        for _ in range(3):
            _validate_with(client, valid, _POISON)
            assert _validate_with(client, invalid, _CAST_CHECK)["conforms"] is False
            assert _validate_with(client, valid, _CAST_CHECK)["conforms"] is True
    finally:
        close_app(app)


_WARN_ONLY = '''@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:Commented a sh:NodeShape ; sh:targetClass ex:C ; sh:severity sh:Warning ;
    sh:property [ sh:path ex:comment ; sh:minCount 1 ; sh:severity sh:Warning ] .
'''


@pytest.mark.parametrize("allow, conforms", [(None, False), ("false", False), ("true", True)])
def test_conforms_follows_shacl_unless_the_policy_is_asked_for(client, allow, conforms):
    """SHACL (W3C test core/misc/severity-001): a warning alone makes the data non-conforming;
    allow_warnings=true gives the build's policy instead."""
    fields = {"data": "<http://example.org/a> a <http://example.org/C> .",
              "shapes": _WARN_ONLY, "context": "none"}
    if allow is not None:
        fields["allow_warnings"] = allow
    report = client.post("/validate", data=fields, headers={"Accept": "application/json"}).json
    assert report["conforms"] is conforms
    assert [r["severity"] for r in report["results"]] == ["Warning"]
    turtle = client.post("/validate", data=fields, headers={"Accept": "text/turtle"})
    assert f"sh:conforms {str(conforms).lower()}" in turtle.get_data(as_text=True)


def test_allow_warnings_must_be_a_boolean(client):
    response = client.post("/validate?allow_warnings=maybe", data=GOOD, headers=TURTLE)
    assert response.status_code == 400 and "allow_warnings" in response.get_data(as_text=True)


def test_json_ld_nested_too_deep_is_a_400_naming_the_limit(client):
    document = '{"@id": "http://e/a", "http://e/p": ' * 5000 + '{"@id": "http://e/b"}' + \
        "}" * 5000
    response = client.post("/validate", data=document.encode(),
                           headers={"Content-Type": "application/ld+json",
                                    "Accept": "application/json"})
    assert response.status_code == 400
    assert "deeper than 100 levels" in response.get_data(as_text=True)
