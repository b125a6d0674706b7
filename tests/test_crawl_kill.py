"""SIGKILL at named points (mid-fetch, mid-WARC-write, mid-state-commit, mid-publish) and at random
times; the re-run ends with the dataset an uninterrupted run gives, whole, once each, archive readable."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from killkit import archived_urls, comparable, kill, leftovers, records, start_crawl, wait_paused
from osce_scrape.harvest.crawl import HarvestConfig, run_harvest
from osce_scrape.harvest.fetch import FetchConfig
from osce_scrape.mirror import MirrorServer, MirrorSite, running_mirror

pytestmark = pytest.mark.e2e

# (pause point, arrival): early and late in the run. The fast ones run by default; all of them,
# and random-time kills, with -m slow.
FAST_POINTS = [("state-commit", 20), ("warc-write", 12), ("dataset-write", 30)]
SLOW_POINTS = [("fetch-body", 5), ("fetch-body", 60), ("state-commit", 1), ("rejects-write", 2),
               ("run-file-write", 10), ("dataset-write", 1), ("publish-mark", 1)]  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[MirrorServer]:
    """Every fixture page (all eras, encodings, non-articles) plus generated ones."""
    with running_mirror(MirrorSite(pages=30)) as running:
        yield running


@pytest.fixture(scope="module")
def reference(server: MirrorServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted run's output folder."""
    out = tmp_path_factory.mktemp("reference")
    crawl(server, out)
    return out


def crawl(server: MirrorServer, out: Path) -> None:
    run_harvest(HarvestConfig(fetch=FetchConfig(base_url=server.base_url, rate=0), out=out))


def resume_and_check(server: MirrorServer, reference: Path, out: Path) -> None:
    """Whatever the kill left: whole files; the re-run gives the reference dataset, each record once,
    every record's page in a readable archive, no temporary file left."""
    records(out)  # no partial line even before the re-run
    crawl(server, out)
    got, want = comparable(out), comparable(reference)
    assert len({r["id"] for r in got}) == len(got)
    assert got == want
    served = {url for url, _ in server.site.expected_records().items()}
    assert served <= archived_urls(out)
    assert leftovers(out) == []


def kill_at(server: MirrorServer, out: Path, point: str) -> None:
    process = start_crawl(server.base_url, out, pause_at=point)
    try:
        assert wait_paused(process, out), process.communicate()[1].decode()[-2000:]
    finally:
        kill(process)


@pytest.mark.parametrize(("point", "arrival"), FAST_POINTS)
def test_kill_at_a_named_point_then_resume(
    server: MirrorServer, reference: Path, tmp_path: Path, point: str, arrival: int
) -> None:
    """SIGKILL frozen at `point` (its `arrival`-th time): the re-run's dataset equals the reference."""
    kill_at(server, tmp_path / "out", f"{point}:{arrival}")
    resume_and_check(server, reference, tmp_path / "out")


@pytest.mark.slow
@pytest.mark.parametrize(("point", "arrival"), SLOW_POINTS)
def test_kill_at_more_points_then_resume(
    server: MirrorServer, reference: Path, tmp_path: Path, point: str, arrival: int
) -> None:
    """The other pause points, early and late: same promise."""
    kill_at(server, tmp_path / "out", f"{point}:{arrival}")
    resume_and_check(server, reference, tmp_path / "out")


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_kill_at_random_times_twice_then_resume(
    server: MirrorServer, reference: Path, tmp_path: Path, seed: int
) -> None:
    """Two SIGKILLs at random moments of two successive runs, then a full run: same promise."""
    rng = random.Random(seed)
    out = tmp_path / "out"
    for _ in range(2):
        process = start_crawl(server.base_url, out)
        time.sleep(rng.uniform(0.5, 3.0))  # the CLI needs ~1 s to start; a run of this site ~2 s
        kill(process)
    resume_and_check(server, reference, out)
