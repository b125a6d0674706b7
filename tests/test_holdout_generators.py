"""The blind corpora are reproducible: each holdout's generator, run in a clean copy of fixtures/, writes
exactly the committed pages and answers.

A generator reads only fixtures/ (its own helpers, fixturegen/, and reference/, the copies of
../shared/reference), so this runs in a clean clone. An answer edited by hand without its generator (or a
generator changed without its answers) fails here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GENERATORS = sorted(FIXTURES.glob("holdout*/make_holdout*.py"))


@pytest.fixture(scope="module")
def clean_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """fixtures/ copied to a folder of its own, with no ../shared beside it and no answers in it."""
    root = tmp_path_factory.mktemp("clone")
    copy = Path(shutil.copytree(FIXTURES, root / "fixtures", ignore=shutil.ignore_patterns("__pycache__")))
    for answer in copy.glob("holdout*/*.expected.json"):
        answer.unlink()
    return copy


def test_every_holdout_has_a_generator() -> None:
    """Every holdout folder has its generator (make_holdout*.py)."""
    folders = sorted(p.name for p in FIXTURES.glob("holdout*") if p.is_dir())
    assert folders == sorted(g.parent.name for g in GENERATORS)


@pytest.mark.parametrize("generator", GENERATORS, ids=[g.parent.name for g in GENERATORS])
def test_generator_reproduces_its_corpus(generator: Path, clean_copy: Path) -> None:
    """The generator, run from a clean copy, writes every committed page and answer byte for byte."""
    folder = clean_copy / generator.parent.name
    run = subprocess.run(
        [sys.executable, str(folder / generator.name)],
        cwd=clean_copy.parent, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    committed = {p.name: p.read_bytes() for p in generator.parent.iterdir() if p.is_file()}
    written = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert sorted(written) == sorted(committed)
    assert [name for name in sorted(written) if written[name] != committed[name]] == []
