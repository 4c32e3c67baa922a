"""`pip install .` outside the checkout: the wheel carries the package, its templates and static
files, and the data folders (ontology, graphs, shapes, queries under <prefix>/share/sozialgraph),
and the installed command builds and queries the same store as the checkout does.

The wheel goes into a fresh virtual environment without pip; the libraries it needs come from
the test environment through a .pth file (no download, no PYTHONPATH), and the command runs
from a folder outside the checkout, so nothing can be found through the checkout's path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from sozialgraph import settings

pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The python of a new environment into which the project's wheel is installed."""
    work = tmp_path_factory.mktemp("install")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                    str(work / "dist"), str(CHECKOUT)], check=True, capture_output=True)
    wheel = next((work / "dist").glob("sozialgraph-*.whl"))
    env_dir = work / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", str(wheel)], check=True, capture_output=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                           "'purelib'))"], check=True, capture_output=True, text=True)
    # the libraries the package needs, from this test environment (not its sozialgraph)
    Path(site.stdout.strip(), "test-libraries.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return python


def run(python: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOZIALGRAPH_")}
    env["SOZIALGRAPH_CORPUS"] = str(settings.corpus_dir())
    return subprocess.run([str(python), "-m", "sozialgraph.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_installed_package_finds_its_data_outside_the_checkout(installed, tmp_path):
    probe = subprocess.run(
        [str(installed), "-c", "import json, sozialgraph, sozialgraph.settings as s; "
         "print(json.dumps([sozialgraph.__file__, str(s.CHECKOUT_ROOT), str(s.DATA_ROOT), "
         "sorted(p.name for p in s.QUERIES_DIR.glob('*.ttl'))]))"],
        cwd=tmp_path, capture_output=True, text=True, check=True)
    package_file, checkout_root, data_root, queries = json.loads(probe.stdout)
    assert not Path(package_file).is_relative_to(CHECKOUT)
    assert checkout_root == "None"
    assert Path(data_root) == installed.parent.parent / "share" / "sozialgraph"
    assert queries == sorted(p.name for p in settings.QUERIES_DIR.glob("*.ttl"))


def test_the_installed_command_builds_and_queries_the_same_store(installed, tmp_path,
                                                                 built_store):
    built = run(installed, tmp_path, "build", "--store", str(tmp_path / "store"), "--quiet")
    assert built.returncode == 0, built.stderr
    stats = run(installed, tmp_path, "stats", "--store", str(tmp_path / "store"),
                "--format", "json")
    assert stats.returncode == 0, stats.stderr
    reference = subprocess.run(
        [sys.executable, "-m", "sozialgraph.cli", "stats", "--store", str(built_store),
         "--format", "json"], capture_output=True, text=True, check=True)
    assert json.loads(stats.stdout) == json.loads(reference.stdout)
    answer = run(installed, tmp_path, "query", "funding-per-year", "--store",
                 str(tmp_path / "store"), "--format", "csv")
    assert answer.returncode == 0, answer.stderr
    assert len(answer.stdout.strip().splitlines()) > 1
