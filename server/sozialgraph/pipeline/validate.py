"""Step 5, validate: the build's SHACL validation, in a worker process of its own
(sozialgraph.validation.worker) that runs on the other core from the entail step on, beside
inference and writing. The data go to the worker in an N-Triples file, which it reads as soon as
it starts; `hand_over` tells it how to go on (pyshacl-turbo with the entailments of step 2, in a
second file, or pySHACL); `verdict` waits for the report, which comes back in a third file.
Nothing is swapped in unless it passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SH

from sozialgraph.pipeline.entail import Entailed
from sozialgraph.pipeline.steps import BuildError, ValidationFailed
from sozialgraph.rdf import ntriples
from sozialgraph.rdf.namespaces import bind_all
from sozialgraph.sandbox import die_with_parent
from sozialgraph.validation.report import ValidationResult

VALIDATORS = ("turbo", "pyshacl")


class Validation:
    """The validation of a build, in a worker process started at once (none without shapes). A
    worker that fails or dies (e.g. out of memory) is a BuildError; `stop` ends it and removes
    its files, however the build ends."""

    def __init__(self, work_dir: Path, asserted: set, shape_files: list[Path], validator: str):
        self.engine, self._process = validator, None
        self.seconds = self.peak_mb = 0.0  # the worker's own time and peak memory
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

    def hand_over(self, entailed: Entailed) -> None:
        """Tell the worker how to go on: pyshacl-turbo with the entailments, or pySHACL."""
        if self._process is None:
            return
        self.engine = entailed.engine
        if entailed.engine == "turbo":
            self._entailed.write_bytes(ntriples.serialize(entailed.triples))
            instruction = f"turbo {self._entailed}\n"
        else:
            instruction = "pyshacl\n"
        stdin, self._process.stdin = self._process.stdin, None  # verdict() communicates
        try:
            stdin.write(instruction.encode("utf-8"))
            stdin.close()
        except BrokenPipeError:  # the worker failed already; verdict() says why
            pass

    def verdict(self, progress: Callable[[str], None]) -> ValidationResult | None:
        """The worker's report (None without shapes); ValidationFailed if the data violate the
        shapes (warnings and infos do not stop the build)."""
        if self._process is None:
            progress("  warning: no shapes found, validation skipped")
            return None
        out, err = self._process.communicate()
        if self._process.returncode != 0:
            reason = err.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise BuildError(f"validation failed to run (exit code {self._process.returncode}"
                             f"{'; out of memory?' if self._process.returncode < 0 else ''}): "
                             + " / ".join(reason))
        summary = json.loads(out.decode("utf-8").strip().splitlines()[-1])
        self.seconds, self.peak_mb = summary["seconds"], summary["peak_mb"]
        result = ValidationResult(summary["conforms"],
                                  bind_all(Graph().parse(self._report, format="nt")))
        progress(f"  {result.count(SH.Violation)} violations, {result.count(SH.Warning)} "
                 f"warnings, {result.count(SH.Info)} infos ({self.engine}: "
                 f"{self.seconds:.1f} s and {self.peak_mb:.0f} MB in its own process, "
                 "alongside inference and writing)")
        if not result.conforms:
            raise ValidationFailed(result)
        return result

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        for path in (self._data, self._entailed, self._report):
            path.unlink(missing_ok=True)
