"""The build's validation, in a process of its own:

    python -m sozialgraph.validation.worker DATA.nt REPORT.nt SHAPES.ttl...

The worker starts reading DATA.nt (the data, ontology included) as soon as it starts, while the
build works out the RDFS entailments; then it reads one line on stdin that says how to go on:

    turbo ENTAILED.nt   pyshacl-turbo, after adding the entailments (sozialgraph.validation.engine)
    pyshacl             pySHACL, with its own RDFS closure (the reference)

The report goes to REPORT.nt as N-Triples (blank-node labels kept); the last line on stdout is
JSON: the verdict, the seconds and the process's peak memory. A failure exits 1 with the reason
on stderr.

A fresh process (not a fork of the build) holds only what validation needs, not a copy of the
build's parsed triples, which the build keeps using beside it for inference and writing.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    data, report_path, *shape_files = argv if argv is not None else sys.argv[1:]
    began = time.perf_counter()
    from rdflib import Graph

    from sozialgraph.validation.engine import (
        ValidationError,
        load_shapes,
        turbo_store,
        validate_pyshacl,
        validate_turbo,
    )

    shapes = load_shapes([Path(p) for p in shape_files])
    store = turbo_store(Path(data))
    how = sys.stdin.readline().split()
    try:
        if how[:1] == ["turbo"] and len(how) == 2:
            # the build's policy: warnings and infos are reported, not a reason to stop
            result = validate_turbo(turbo_store(Path(how[1]), store=store), shapes,
                                    allow_warnings=True)
        elif how == ["pyshacl"]:
            del store
            result = validate_pyshacl(Graph().parse(data, format="nt"), shapes,
                                      allow_warnings=True)
        else:
            raise ValidationError(f"unknown instruction {' '.join(how)!r}")
    except ValidationError as error:
        print(error, file=sys.stderr)
        return 1
    Path(report_path).write_bytes(result.report.serialize(format="nt", encoding="utf-8"))
    print(json.dumps({"conforms": result.conforms,
                      "seconds": round(time.perf_counter() - began, 3),
                      "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                                       1)}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
