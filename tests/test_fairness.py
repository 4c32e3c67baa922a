"""Fair sharing: one client's expensive queries cannot make another client wait. Each client
has a number of concurrent queries and a budget of query seconds per window; beyond either it
gets 429 with Retry-After at once (web/fairness.py)."""

from __future__ import annotations

import threading
import time

from storefixture import build_store, close_app, make_app

HEAVY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
         "?m ?n2 ?o }")


def _ask(client, query, address, **headers):
    return client.get("/sparql", query_string={"query": query},
                      environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_a_client_over_its_share_gets_429_and_others_are_answered_at_once(tmp_path):
    app = make_app(build_store(tmp_path / "store", generated=40), QUERY_WORKERS=2,
                   QUERY_TIMEOUT=4, CLIENT_CONCURRENT=1, CLIENT_SECONDS=0)
    client = app.test_client()
    answers = []
    try:
        greedy = [threading.Thread(target=lambda: answers.append(
            _ask(client, HEAVY, "10.0.0.1").status_code)) for _ in range(4)]
        for thread in greedy:
            thread.start()
        time.sleep(0.5)
        started = time.monotonic()
        other = _ask(client, "ASK { ?s ?p ?o }", "10.0.0.2")
        waited = time.monotonic() - started
        for thread in greedy:
            thread.join(30)
        assert other.status_code == 200 and waited < 1.0
        assert answers.count(429) == 3  # one heavy query at a time for that client
        refused = _ask(client, HEAVY, "10.0.0.1")  # nothing running for it now: answered
        assert refused.status_code in (200, 503)
    finally:
        close_app(app)


def test_the_time_budget_answers_429_with_retry_after(tmp_path):
    app = make_app(build_store(tmp_path / "store", generated=40), QUERY_TIMEOUT=2,
                   CLIENT_CONCURRENT=0, CLIENT_SECONDS=1, CLIENT_WINDOW=60)
    client = app.test_client()
    try:
        assert _ask(client, HEAVY, "10.0.0.1").status_code == 503  # 2 s, over the 1 s budget
        over = _ask(client, "ASK {}", "10.0.0.1")
        assert over.status_code == 429
        assert 1 <= int(over.headers["Retry-After"]) <= 60
        assert "1 s each client may use per 60 s" in over.get_data(as_text=True)
        assert _ask(client, "ASK {}", "10.0.0.2").status_code == 200  # another client
    finally:
        close_app(app)


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(tmp_path):
    app = make_app(build_store(tmp_path / "store", generated=40), QUERY_TIMEOUT=2,
                   CLIENT_CONCURRENT=0, CLIENT_SECONDS=1, TRUSTED_PROXIES="10.9.9.9")
    client = app.test_client()
    try:
        assert _ask(client, HEAVY, "10.9.9.9", **{"X-Forwarded-For": "192.0.2.1"}
                    ).status_code == 503
        assert _ask(client, "ASK {}", "10.9.9.9", **{"X-Forwarded-For": "192.0.2.1"}
                    ).status_code == 429
        assert _ask(client, "ASK {}", "10.9.9.9", **{"X-Forwarded-For": "192.0.2.2"}
                    ).status_code == 200
        # an untrusted sender cannot pick its account by the header
        assert _ask(client, "ASK {}", "10.0.0.7", **{"X-Forwarded-For": "192.0.2.1"}
                    ).status_code == 200
    finally:
        close_app(app)
