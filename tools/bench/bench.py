"""The benchmark behind `sozialgraph bench` and docs/benchmarks.md.

One run, per size: synthetic data (sozialgraph_synth.synth), a measured build of it (sozialgraph_bench.build,
in a process of its own), then the same curated queries (queries/*.ttl) against four peers:

- sozialgraph: `sozialgraph serve` (gunicorn, the documented production settings) over the
  build;
- oxigraph: the Oxigraph server of the `oxigraph` package (`oxigraph serve-read-only`) over a
  copy of the same store directory (its default graph holds the merge, as ours does);
- rdflib-endpoint: rdflib-endpoint under uvicorn over an rdflib Dataset of the same graphs,
  default graph the union (sozialgraph_bench.rdflib_peer);
- pyoxigraph: the same store opened read-only in a process of its own that times each query
  plus its JSON serialisation inside (sozialgraph_bench.inprocess): the floor.

Before anything is timed each query's answer is fetched from every peer and compared with the
in-process answer (rows as a multiset, terms normalised: blank-node labels, xsd:string, numeric
lexical forms). Then per-query latency (sequential requests on one keep-alive connection, p50 and
p95), then throughput (1, 4, 8 client threads, each with its own keep-alive connection, cycling a
fixed mix of the curated queries, bounded by a request count and a time limit).

Every loop is bounded, every server listens on 127.0.0.1 only and is stopped at the end (its
process group, which this module started). Results go to results.json in the work folder and to
the Markdown report, rewritten after every phase, so a long run that is stopped still leaves a
report of what finished.
"""

from __future__ import annotations

from sozialgraph_bench.answers import (  # noqa: F401 (the harness's public names)
    answer_size,
    compare,
    loosely,
    normal_answer,
    normal_term,
)
from sozialgraph_bench.config import (  # noqa: F401 (the harness's public names)
    LABELS,
    NUMERIC,
    PEERS,
    REPORT_SECTIONS,
    SERVERS,
    XSD,
    Settings,
    free_port,
    machine,
    oxigraph_binary,
    parse_ints,
    parse_sizes,
    percentile,
    size_name,
)
from sozialgraph_bench.peers import (  # noqa: F401 (the harness's public names)
    HttpClient,
    InProcessClient,
    RequestFailed,
    Server,
    oxigraph_server,
    rdflib_server,
    sozialgraph_server,
)
from sozialgraph_bench.phases import (  # noqa: F401 (the harness's public names)
    fallback_store,
    run_build,
    split_into_graph_files,
)
from sozialgraph_bench.plot import (  # noqa: F401 (the harness's public names)
    COLOURS,
    render_svg,
)
from sozialgraph_bench.report import (  # noqa: F401 (the harness's public names)
    TARGET_NAMES,
    TARGET_SIZE,
    TARGETS,
    render_report,
    targets,
)
from sozialgraph_bench.runner import (  # noqa: F401 (the harness's public names)
    Bench,
    render,
    run,
    settings_record,
    throughput_run,
)
