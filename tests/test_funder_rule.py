"""One funder rule (docs/model.md): the graph keeps the funder the text names (the Land, the
state government, the ministry), and inference (sg:funder's property chain with
sg:subOrganisationOf) makes `sg:funder sga:land-hessen` answer what the path query
`sg:funder/sg:subOrganisationOf* sga:land-hessen` answers: through /sparql of the real build,
with the inference switch on, and without it for the path."""

from __future__ import annotations

import pytest
from storefixture import close_app, make_app

PREFIXES = ("PREFIX sg: <https://w3id.org/sozialgraph/ontology#> "
            "PREFIX sga: <https://w3id.org/sozialgraph/id/actor/> ")
DIRECT = PREFIXES + "SELECT DISTINCT ?f WHERE { ?f a sg:Funding ; sg:funder sga:land-hessen }"
PATH = PREFIXES + ("SELECT DISTINCT ?f WHERE { ?f a sg:Funding ; "
                   "sg:funder/sg:subOrganisationOf* sga:land-hessen }")
NAMED = PREFIXES + ("SELECT DISTINCT ?f WHERE { ?f a sg:Funding ; sg:funder ?named . "
                    "FILTER (?named != sga:land-hessen) }")


@pytest.fixture(scope="module")
def client(built_store):
    app = make_app(built_store)
    yield app.test_client()
    close_app(app)


def fundings(client, query: str, inference: str) -> set[str]:
    response = client.get("/sparql", query_string={"query": query, "inference": inference},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {row["f"]["value"] for row in response.get_json()["results"]["bindings"]}


def test_the_land_funds_what_its_bodies_fund(client):
    by_path = fundings(client, PATH, "false")
    assert fundings(client, DIRECT, "true") == by_path
    # as stated, the Land is named for fewer: the rest name the government or the ministry
    stated = fundings(client, DIRECT, "false")
    assert stated < by_path
    assert by_path - stated <= fundings(client, NAMED, "false")
