"""rdflib-endpoint over the benchmark's data, for the benchmark to compare against:

    python -m sozialgraph_bench.rdflib_peer SYNTH_DIR PORT

loads the synthetic graphs (each in its named graph) and the project's ontology (in
sgg:ontology) into an rdflib Dataset whose default graph is the union of its graphs (set
semantics, like our stored merge), and serves it with rdflib-endpoint's FastAPI app under uvicorn
on 127.0.0.1:PORT at /sparql, from a forked child that a line `restart` on stdin replaces.
Imports sozialgraph (settings, store.embedded) and sozialgraph_synth.synth.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def load_dataset(synth_dir: Path):
    from rdflib import Dataset, URIRef

    from sozialgraph.settings import ONTOLOGY_DIR
    from sozialgraph.store.embedded import GRAPH_ONTOLOGY
    from sozialgraph_synth.synth import read_manifest

    dataset = Dataset(default_union=True)
    manifest = read_manifest(synth_dir)
    dataset.parse(synth_dir / manifest["file"], format="nquads")
    dataset.graph(URIRef(GRAPH_ONTOLOGY)).parse(ONTOLOGY_DIR / "sozialgraph.ttl",
                                                format="turtle")
    return dataset


def main(argv: list[str] | None = None) -> int:
    """Load once, then serve from a forked child; each line `restart` on stdin kills the child
    and forks a fresh one (rdflib cannot stop a running query, and reloading 10^6 triples takes
    minutes; a fork of the loaded process takes milliseconds). EOF on stdin ends everything."""
    import os
    import signal

    args = argv or sys.argv[1:]
    synth_dir, port = Path(args[0]), int(args[1])
    began = time.perf_counter()
    dataset = load_dataset(synth_dir)
    import uvicorn
    from rdflib_endpoint import SparqlEndpoint

    app = SparqlEndpoint(graph=dataset, path="/sparql", title="Sozialgraph (rdflib-endpoint)",
                         cors_enabled=False, enable_update=False)
    print(f"loaded {len(dataset)} {time.perf_counter() - began:.1f}", flush=True)

    def serve() -> int:
        child = os.fork()
        if child == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning",
                        access_log=False)
            os._exit(0)
        return child

    child = serve()
    try:
        for line in sys.stdin:
            if line.strip() == "restart":
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
                child = serve()
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
