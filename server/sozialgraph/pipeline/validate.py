"""Steps 2 and 5, entail and validate: SHACL validation of the build in a worker process of its
own (sozialgraph.validation.worker), on the other core, beside inference and writing. The data
go to the worker in an N-Triples file, which it reads while `entail` works out the RDFS
entailments the shapes can see and hands them over in a second file; the report comes back in a
third. Nothing is swapped in unless it passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph

from sozialgraph.pipeline.steps import BuildError
from sozialgraph.rdf import ntriples
from sozialgraph.rdf.namespaces import bind_all
from sozialgraph.sandbox import die_with_parent
from sozialgraph.validation.engine import turbo_entailments
from sozialgraph.validation.report import ValidationResult

VALIDATORS = ("turbo", "pyshacl")


class Validation:
    """The validation of a build, in a worker process (sozialgraph.validation.worker): the data go to it
    in an N-Triples file, which it reads while `entail` works out the RDFS entailments here and
    hands them over in a second file; the report comes back in a third.

    Shapes that need pySHACL's own RDFS closure go to pySHACL (as `validator="pyshacl"`). A
    worker that fails or dies (e.g. out of memory) is a BuildError."""

    def __init__(self, work_dir: Path, asserted: set, shape_files: list[Path], validator: str):
        self.engine, self._process = validator, None
        work_dir.mkdir(parents=True, exist_ok=True)
        stem = work_dir / f".validation-{os.getpid()}-{time.monotonic_ns()}"
        self._data, self._entailed, self._report = (
            stem.with_suffix(suffix) for suffix in (".nt", ".entailed.nt", ".report.nt"))
        if not shape_files:
            return
        self._data.write_bytes(ntriples.serialize(asserted))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "sozialgraph.validation.worker", str(self._data),
             str(self._report), *map(str, shape_files)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            preexec_fn=die_with_parent)  # a killed build leaves no validation running

    def entail(self, asserted: set, shapes: Graph, progress: Callable[[str], None]) -> None:
        """Tell the worker how to go on: with the entailments for turbo, or with pySHACL."""
        if self._process is None:
            return
        entailed = turbo_entailments(asserted, shapes) if self.engine == "turbo" else None
        if entailed is None:
            if self.engine == "turbo":
                progress("  the shapes need pySHACL's RDFS closure: validating with pySHACL")
            self.engine, instruction = "pyshacl", "pyshacl\n"
        else:
            self._entailed.write_bytes(ntriples.serialize(entailed))
            progress(f"  {len(entailed)} RDFS entailments to the validation worker")
            instruction = f"turbo {self._entailed}\n"
        stdin, self._process.stdin = self._process.stdin, None  # result() communicates
        try:
            stdin.write(instruction.encode("utf-8"))
            stdin.close()
        except BrokenPipeError:  # the worker failed already; result() says why
            pass

    def result(self) -> tuple[ValidationResult | None, float, float]:
        if self._process is None:
            return None, 0.0, 0.0
        out, err = self._process.communicate()
        if self._process.returncode != 0:
            reason = err.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise BuildError(f"validation failed to run (exit code {self._process.returncode}"
                             f"{'; out of memory?' if self._process.returncode < 0 else ''}): "
                             + " / ".join(reason))
        summary = json.loads(out.decode("utf-8").strip().splitlines()[-1])
        report = bind_all(Graph().parse(self._report, format="nt"))
        return ValidationResult(summary["conforms"], report), summary["seconds"], \
            summary["peak_mb"]

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        for path in (self._data, self._entailed, self._report):
            path.unlink(missing_ok=True)
