"""`sozialgraph promote`: a draft made by the real `sozialgraph extract` from a test text, reviewed
by editing the draft file as a curator does, promoted into a temporary copy of the project
(ontology/, graphs/, shapes/, queries/ under SOZIALGRAPH_DATA, a corpus folder of its own), then
built by the real `sozialgraph build` and served; and the refusals, after which nothing has
changed. The real graphs/ are never written."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from drafthelpers import EXTRACT_FIXTURES, run_command
from projectdata import corpus_present
from rdflib import RDF, RDFS, Graph, Literal
from rdflib.namespace import DCTERMS, SKOS
from storefixture import close_app, make_app

pytest.importorskip("spacy")

from sozialgraph import settings  # noqa: E402
from sozialgraph.rdf.namespaces import (  # noqa: E402
    ACTOR,
    GRAPH,
    OA,
    POLICY_AREA,
    PROV,
    SCHEME,
    SG,
    SOURCE,
    TARGET_GROUP,
)


@pytest.fixture
def project(tmp_path) -> dict:
    """A copy of the project's data and a corpus folder holding the test texts; the environment
    that points the commands at them."""
    data = tmp_path / "project"
    for folder in ("ontology", "graphs", "shapes", "queries"):
        shutil.copytree(settings.DATA_ROOT / folder, data / folder,
                        ignore=shutil.ignore_patterns("drafts"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("ratsbeschluss.txt", "pressemitteilung.txt"):
        shutil.copy(EXTRACT_FIXTURES / name, corpus / name)
    env = {"SOZIALGRAPH_DATA": str(data), "SOZIALGRAPH_CORPUS": str(corpus),
           "SOZIALGRAPH_DRAFTS": str(tmp_path / "drafts")}
    return {"data": data, "corpus": corpus, "drafts": tmp_path / "drafts", "env": env,
            "tmp": tmp_path}


def sozialgraph(project, *arguments):
    return run_command(*arguments, **project["env"])


def extract(project, name: str, draft_id: str, *options: str) -> Path:
    done = sozialgraph(project, "extract", str(project["corpus"] / f"{name}.txt"), "--id",
                       draft_id, *options)
    assert done.returncode == 0, done.stderr
    return project["drafts"] / f"{draft_id}.ttl"


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(draft: Path, change) -> None:
    """Load the draft, let `change(graph)` edit it, write it back (as a curator's editor)."""
    graph = Graph().parse(draft, format="turtle")
    change(graph)
    draft.write_text(graph.serialize(format="turtle"), encoding="utf-8")


def review_council_decision(graph: Graph) -> None:
    """The curator's decisions on the council decision (ratsbeschluss.txt, draft `rat`)."""
    marburg = ACTOR["stadt-marburg"]
    for entity in set(graph.subjects(SG.proposed, Literal(True))):
        label = str(graph.value(entity, RDFS.label))
        if entity == marburg or label.startswith("Caritasverband"):
            graph.add((entity, SG.reviewDecision, SG.Accepted))
        elif label == "Stadt Marburg":  # proposed twice: the same city as the accepted one
            graph.set((entity, SG.closestMatch, marburg))
            graph.add((entity, SG.reviewDecision, SG.UseClosestMatch))
        else:
            graph.add((entity, SG.reviewDecision, SG.Rejected))
    for quantity in graph.subjects(RDF.type, SG.Quantity):
        graph.add((quantity, SG.reviewDecision, SG.Rejected))  # the 25 places: rejected
    # "Der Zuschuss an den Verein … wird um 15.000 Euro erhöht" raises the club's grant, not the
    # centre's budget the extraction linked it to: the curator removes that link
    graph.remove((None, SG.increaseOf, None))


def test_promote_build_serve_and_query(project):
    draft = extract(project, "ratsbeschluss", "rat", "--level", "marburg", "--kind",
                    "information-page", "--date", "2024-03-14")
    before = Graph().parse(draft, format="turtle")
    rejected_quantities = set(before.subjects(RDF.type, SG.Quantity))
    assert rejected_quantities
    edit(draft, review_council_decision)

    done = sozialgraph(project, "promote", "rat")
    assert done.returncode == 0, done.stderr
    assert "rat.ttl:" in done.stdout and "sources.ttl: + sgs:rat" in done.stdout
    graphs = project["data"] / "graphs"
    promoted = Graph().parse(graphs / "rat.ttl", format="turtle")

    # the extraction metadata is gone, the rejected statement and the rejected actor too
    for prop in (SG.extractionRule, SG.confidence, SG.proposed, SG.closestMatch,
                 SG.reviewDecision, SG.amountChange, PROV.wasGeneratedBy):
        assert (None, prop, None) not in promoted, prop
    for cls in (SG.Draft, SG.Extraction, SG.Mention, OA.Annotation, SG.ProposedQuantity):
        assert (None, RDF.type, cls) not in promoted, cls
    for quantity in rejected_quantities:
        assert (quantity, None, None) not in promoted
    assert not any("verein-fuer-nachbarschaftshilfe" in str(t) for t in promoted.all_nodes())
    assert not any("/id/draft/" in str(t) for t in promoted.all_nodes())

    # the model's rules: every statement is stated by the publisher, the increase is typed
    fundings = set(promoted.subjects(RDF.type, SG.Funding))
    assert len(fundings) == 2
    for funding in fundings:
        assert promoted.value(funding, SG.statedBy) == ACTOR["stadt-marburg"]
    assert len(set(promoted.subjects(RDF.type, SG.Increase))) == 1

    # the accepted actors are in actors.ttl, with a slug without the draft's id
    actors = Graph().parse(graphs / "actors.ttl", format="turtle")
    assert (ACTOR["stadt-marburg"], RDF.type, SG.Municipality) in actors
    assert (ACTOR["caritasverband-marburg"], RDF.type, SG.WelfareAssociation) in actors
    assert not any(str(s).startswith(str(ACTOR["rat-"])) for s in actors.subjects())

    # the document is in sources.ttl as the other entries are
    sources = Graph().parse(graphs / "sources.ttl", format="turtle")
    document = SOURCE["rat"]
    text = (project["corpus"] / "ratsbeschluss.txt").read_text(encoding="utf-8")
    assert str(sources.value(document, SG.corpusFile)) == "ratsbeschluss.txt"
    assert str(sources.value(document, SG.sha256)) == hashlib.sha256(
        text.encode("utf-8")).hexdigest()
    assert int(sources.value(document, SG.characterCount)) == len(text)
    assert sources.value(document, SG.level) == SG.MunicipalLevel
    assert sources.value(document, SG.documentKind) == SG.InformationPage
    assert str(sources.value(document, SG.asOfDate)) == "2024-03-14"
    assert sources.value(document, DCTERMS.publisher) == ACTOR["stadt-marburg"]
    assert str(sources.value(document, DCTERMS.title)).startswith(
        "Beschluss der Stadtverordnetenversammlung")
    assert sources.value(document, RDFS.seeAlso) == GRAPH["rat"]

    # the real build takes it, the store answers for it, the server serves it
    store = project["tmp"] / "store"
    built = sozialgraph(project, "build", "--store", str(store), "-q")
    assert built.returncode == 0, built.stderr
    answer = sozialgraph(project, "query", "--store", str(store), "--format", "csv",
                         "SELECT ?f WHERE { GRAPH sgg:rat { ?f a sg:Funding } } ORDER BY ?f")
    assert answer.returncode == 0, answer.stderr
    assert sorted(answer.stdout.split()[1:]) == sorted(str(f) for f in fundings)
    nothing = sozialgraph(project, "query", "--store", str(store),
                          "ASK { { ?x sg:extractionRule ?r } UNION { ?x a sg:Mention } "
                          "UNION { ?x a sg:Draft } }")
    assert nothing.stdout.strip() == "false"
    app = make_app(store)
    try:
        client = app.test_client()
        assert client.get("/graph/rat").status_code == 200
        funding = sorted(fundings)[0]
        page = client.get(str(funding).replace("https://w3id.org/sozialgraph", ""))
        assert page.status_code == 200 and "Stadt Marburg" in page.get_data(as_text=True)
        assert client.get("/id/source/rat").status_code == 200
    finally:
        close_app(app)


def test_pledges_name_who_pledges(project):
    draft = extract(project, "pressemitteilung", "pm", "--kind", "coalition-agreement")
    pledged = set()

    def pledge_the_measure(graph: Graph) -> None:
        # "Künftig sollen jährlich rund zwei Millionen Euro … fließen": a pledged funding; the
        # curator says its measure is pledged as well, and writes no sg:pledgedBy (nor is there
        # one on the measures the extractor found pledged, as if the curator had deleted them)
        for funding in set(graph.subjects(SG.status, SG.Pledged)) & set(
                graph.subjects(RDF.type, SG.Funding)):
            graph.set((graph.value(funding, SG.fundedMeasure), SG.status, SG.Pledged))
        for measure in set(graph.subjects(SG.status, SG.Pledged)) - set(
                graph.subjects(RDF.type, SG.Funding)) - set(graph.subjects(RDF.type,
                                                                          SG.Quantity)):
            graph.remove((measure, SG.pledgedBy, None))
            pledged.add(measure)
    edit(draft, pledge_the_measure)
    assert pledged
    done = sozialgraph(project, "promote", "pm")
    assert done.returncode == 0, done.stderr
    assert f"sg:pledgedBy on {len(pledged)} pledges" in done.stdout
    promoted = Graph().parse(project["data"] / "graphs" / "pm.ttl", format="turtle")
    for measure in pledged:
        assert promoted.value(measure, SG.pledgedBy) == ACTOR["land-hessen"]
    for statement in set(promoted.subjects(RDF.type, SG.Funding)) | set(
            promoted.subjects(RDF.type, SG.Quantity)):
        assert promoted.value(statement, SG.statedBy) == ACTOR["land-hessen"]


def refused(project, draft_id: str, *words: str) -> None:
    """Promotion of `draft_id` is refused with exit 1, saying `words`, and nothing changed."""
    before = snapshot(project["data"])
    done = sozialgraph(project, "promote", draft_id)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "nothing was changed" in done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
    assert snapshot(project["data"]) == before


def test_a_quote_not_at_its_offsets_is_refused(project):
    draft = extract(project, "pressemitteilung", "pm")

    def misquote(graph: Graph) -> None:
        selector = next(s for s in graph.subjects(OA.exact, None)
                        if "12,5 Mio." in str(graph.value(s, OA.exact)))
        graph.set((selector, OA.exact, Literal(str(graph.value(selector, OA.exact))
                                               .replace("12,5", "13,5"))))
    edit(draft, misquote)
    refused(project, "pm", "13,5 Mio", "is not at")


def test_a_changed_corpus_text_is_refused(project):
    extract(project, "pressemitteilung", "pm")
    text = project["corpus"] / "pressemitteilung.txt"
    text.write_text(text.read_text(encoding="utf-8") + "Nachtrag.\n", encoding="utf-8")
    refused(project, "pm", "is not the text the draft was made from")


def test_a_proposed_entity_without_a_decision_is_refused(project):
    extract(project, "ratsbeschluss", "rat", "--level", "marburg")
    refused(project, "rat", "needs a decision", "sga:stadt-marburg")


def test_a_result_that_violates_the_shapes_is_refused(project):
    draft = extract(project, "ratsbeschluss", "rat", "--level", "marburg")

    def keep_the_wrong_link(graph: Graph) -> None:
        review_council_decision(graph)
        for funding in graph.subjects(SG.amountChange, SG.IncreaseBy):
            graph.add((funding, SG.increaseOf, next(
                f for f in graph.subjects(RDF.type, SG.Funding) if f != funding)))
    edit(draft, keep_the_wrong_link)
    # an increase of a stated amount needs the year it is for (sgsh:IncreaseShape)
    refused(project, "rat", "violates the shapes", "sg:periodStart")


def test_a_statement_that_refers_to_a_rejected_one_is_refused(project):
    draft = extract(project, "pressemitteilung", "pm")

    def reject_a_funded_measure(graph: Graph) -> None:
        measure = next(graph.objects(None, SG.fundedMeasure))
        graph.add((measure, SG.reviewDecision, SG.Rejected))
    edit(draft, reject_a_funded_measure)
    refused(project, "pm", "refers to the rejected")


def test_bad_ids_and_missing_drafts(project):
    for draft_id, code in (("../graphs/actors", 2), ("Nope", 2), ("nope", 2)):
        done = sozialgraph(project, "promote", draft_id)
        assert done.returncode == code, done.stderr
        assert "error:" in done.stderr



@pytest.mark.skipif(not corpus_present(), reason="corpus folder not present")
def test_the_quote_tests_cover_the_promoted_document_at_once(project):
    """The corpus tests read the project's graphs and the corpus folder: run on the project with
    a promoted document (its text in the corpus folder beside the five), they check its quotes
    too, and find one that is wrong."""
    for text in settings.corpus_dir().glob("*.txt"):
        (project["corpus"] / text.name).symlink_to(text)
    extract(project, "pressemitteilung", "pm")
    done = sozialgraph(project, "promote", "pm")
    assert done.returncode == 0, done.stderr
    tests = Path(__file__).parent / "test_corpus_coverage.py"

    def quote_tests() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests), "-k",
             "verbatim or text_we_read"], env=dict(os.environ, **project["env"]),
            capture_output=True, text=True, timeout=600, cwd=Path(__file__).parent)
    passed = quote_tests()
    assert passed.returncode == 0, passed.stdout[-3000:]
    assert "2 passed" in passed.stdout
    graph = project["data"] / "graphs" / "pm.ttl"
    graph.write_text(graph.read_text(encoding="utf-8").replace("12,5 Mio.", "13,5 Mio."),
                     encoding="utf-8")
    failed = quote_tests()
    assert failed.returncode == 1 and "pressemitteilung.txt" in failed.stdout


def test_use_closest_match_names_the_existing_entity_and_changes_nothing_of_it(project):
    draft = extract(project, "ratsbeschluss", "rat", "--level", "marburg")

    def use_existing(graph: Graph) -> None:
        review_council_decision(graph)
        for entity in set(graph.subjects(SG.reviewDecision, SG.UseClosestMatch)):
            graph.remove((entity, SG.reviewDecision, None))
            graph.set((entity, SG.closestMatch, ACTOR["stadt-kassel"]))
            graph.add((entity, SG.reviewDecision, SG.UseClosestMatch))
    edit(draft, use_existing)
    replaced = {s for s in Graph().parse(draft, format="turtle").subjects(
        SG.reviewDecision, SG.UseClosestMatch)}
    done = sozialgraph(project, "promote", "rat")
    assert done.returncode == 0, done.stderr
    graphs = project["data"] / "graphs"
    promoted = Graph().parse(graphs / "rat.ttl", format="turtle")
    assert not any(node in replaced for node in promoted.all_nodes())
    assert (None, None, ACTOR["stadt-kassel"]) in promoted
    assert (ACTOR["stadt-kassel"], None, None) not in promoted  # nothing said about it here
    actors = Graph().parse(graphs / "actors.ttl", format="turtle")
    assert {str(x) for x in actors.objects(ACTOR["stadt-kassel"], RDFS.label)} == {
        "Stadt Kassel", "City of Kassel"}


def test_two_closest_matches_are_refused(project):
    draft = extract(project, "ratsbeschluss", "rat", "--level", "marburg")

    def two(graph: Graph) -> None:
        review_council_decision(graph)
        for entity in set(graph.subjects(SG.reviewDecision, SG.UseClosestMatch)):
            graph.add((entity, SG.closestMatch, ACTOR["stadt-kassel"]))
    edit(draft, two)
    refused(project, "rat", "2 sg:closestMatch values")


def test_an_accepted_concept_joins_the_vocabularies(project):
    text = ("Hilfe für Menschen mit Sehbehinderung\n\nDas Land Hessen fördert die Beratung für "
            "Menschen mit Sehbehinderung jährlich mit 10.000 Euro. Die Quartierspolitik wird "
            "gestärkt.\n")
    (project["corpus"] / "seh.txt").write_text(text, encoding="utf-8")
    draft = extract(project, "seh", "seh")
    proposed = Graph().parse(draft, format="turtle")
    group = next(s for s in proposed.subjects(SG.proposed, Literal(True))
                 if "/target-group/" in str(s))
    area = next(s for s in proposed.subjects(SG.proposed, Literal(True))
                if "/policy-area/" in str(s))

    def decide(graph: Graph) -> None:
        graph.add((group, SG.reviewDecision, SG.Accepted))
        graph.add((area, SG.reviewDecision, SG.UseClosestMatch))
        graph.set((area, SG.closestMatch, POLICY_AREA["sozialpolitik"]))
    edit(draft, decide)
    done = sozialgraph(project, "promote", "seh")
    assert done.returncode == 0, done.stderr
    graphs = project["data"] / "graphs"
    vocabularies = Graph().parse(graphs / "vocabularies.ttl", format="turtle")
    concept = TARGET_GROUP["menschen-mit-sehbehinderung"]
    assert (concept, SKOS.inScheme, SCHEME["target-groups"]) in vocabularies
    assert str(vocabularies.value(concept, RDFS.label)) == "Menschen mit Sehbehinderung"
    promoted = Graph().parse(graphs / "seh.ttl", format="turtle")
    assert (None, SG.targetGroup, concept) in promoted
    assert (None, SG.policyArea, POLICY_AREA["sozialpolitik"]) in promoted
    assert (None, None, area) not in promoted and (None, None, group) not in promoted
