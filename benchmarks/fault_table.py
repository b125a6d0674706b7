"""The fault tables of docs/reliability.md: mirror faults, kills, and hostile input.

Runs the drill of tests/faultkit.py (the one tests/test_crawl_faults.py asserts) for every fault
case, SIGKILLs a crawl at every named pause point and re-runs it, then runs every hostile-input case
of tests/hostilecases.py (the one tests/test_hostile_table.py asserts: nothing lost, nothing silently
replaced, no run past its deadline), and prints markdown tables:

    .venv/bin/python benchmarks/fault_table.py            # about a minute
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import hostilecases
from faultkit import CASES, drill
from killkit import comparable, kill, leftovers, start_crawl, wait_paused
from osce_scrape.harvest.archive import iter_warc_responses
from osce_scrape.harvest.crawl import HarvestConfig, run_harvest
from osce_scrape.harvest.fetch import FetchConfig
from osce_scrape.mirror import MirrorServer, MirrorSite, running_mirror

KILL_POINTS = ["fetch-body:5", "fetch-body:60", "warc-write:12", "state-commit:1", "state-commit:20",
               "rejects-write:2", "run-file-write:10", "dataset-write:1", "dataset-write:30",
               "publish-mark:1"]  # fmt: skip


def fault_table() -> list[str]:
    rows = ["| fault | times injected | records lost | duplicates | outcome of the faulted pages |",
            "|---|---|---|---|---|"]  # fmt: skip
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            result = drill(case, Path(tmp))
        if result.problems:
            raise SystemExit(f"{case.name}: {result.problems}")
        if case.robots:
            outcome = "run refused (exit 4, or 3 when no answer), dataset unchanged"
        elif case.reject_kind:
            outcome = f"{len(result.rejects)} rejects `{case.reject_kind}`, fetched by the next run"
        else:
            outcome = f"all recovered in the run ({result.faulty.retries} retries)"
        rows.append(f"{result.row()} {outcome} |")
    return rows


def crawl(server: MirrorServer, out: Path) -> None:
    run_harvest(HarvestConfig(fetch=FetchConfig(base_url=server.base_url, rate=0), out=out))


def kill_table() -> list[str]:
    rows = ["| kill point | dataset identical | records | archive readable | temporary files left |",
            "|---|---|---|---|---|"]  # fmt: skip
    identical = 0
    with running_mirror(MirrorSite(pages=30)) as server, tempfile.TemporaryDirectory() as tmp:
        reference = Path(tmp) / "reference"
        crawl(server, reference)
        want = comparable(reference)
        for n, point in enumerate(KILL_POINTS):
            out = Path(tmp) / f"out{n}"
            process = start_crawl(server.base_url, out, pause_at=point)
            paused = wait_paused(process, out)
            kill(process)
            crawl(server, out)
            got = comparable(out)
            same = paused and got == want
            identical += same
            if not same:
                ids = {r["id"] for r in got} ^ {r["id"] for r in want}
                print(f"{point}: paused {paused}, {len(got)} records, differing ids {sorted(ids)[:5]}",
                      file=sys.stderr)  # fmt: skip
            readable = sum(1 for _ in iter_warc_responses(out / "archive"))
            rows.append(f"| {point} | {'yes' if same else 'NO'} | {len(want)} | yes ({readable} responses) | "
                        f"{len(leftovers(out))} |")  # fmt: skip
    rows.append(f"\n{identical} of {len(KILL_POINTS)} kill points: dataset identical to an uninterrupted run")
    return rows


def hostile_table() -> list[str]:
    rows = [hostilecases.HEADER]
    for case in hostilecases.CASES:
        with tempfile.TemporaryDirectory() as tmp:
            outcome = hostilecases.drill(case, Path(tmp))
        if outcome.problems:
            raise SystemExit(f"{case.name}: {outcome.problems}")
        rows.append(outcome.row())
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-kill", action="store_true", help="only the fault table")
    parser.add_argument("--kill-only", action="store_true", help="only the kill-and-resume table")
    parser.add_argument("--hostile-only", action="store_true", help="only the hostile-input table")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    started = time.monotonic()
    if not (args.kill_only or args.hostile_only):
        print("\n".join(fault_table()))
    if not (args.no_kill or args.hostile_only):
        print()
        print("\n".join(kill_table()))
    if not args.kill_only:
        print()
        print("\n".join(hostile_table()))
    print(f"\n({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
