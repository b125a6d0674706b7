"""Export speed: N synthetic records to Parquet (and CSV, JSONL with facets), against a plain JSONL write.

The reference is writing the same records as the crawl's JSONL (one model_dump_json per line, no facets),
measured in the same run on the same machine, so the ratio is what carries over between machines.
The gazetteer is loaded before the clock starts (its one-off cost is shown on its own row).
Memory: the process's peak RSS (resource.getrusage) after building the records, and after each write; it
only grows, so a row's figure is the peak up to and including that write.

Usage: .venv/bin/python benchmarks/bench_export.py [--records 100000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # recordkit: real-valued records

from osce_scrape.dataset.export import export_file
from osce_scrape.dataset.gazetteer import default_gazetteer
from osce_scrape.files import write_lines_atomically
from osce_scrape.models import PressRelease
from recordkit import synthetic_records


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()

    started = time.perf_counter()
    records: list[PressRelease] = list(synthetic_records(args.records))
    build = time.perf_counter() - started
    gazetteer = _timed(lambda: default_gazetteer().lookup("no such place at all"))  # loads both tiers

    built_mb = _peak_mb()
    rows: list[tuple[str, float, int, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        reference = folder / "reference.jsonl"
        seconds = _timed(lambda: write_lines_atomically(reference, (r.to_json_line() for r in records)))
        rows.append(("JSONL, raw records (reference)", seconds, reference.stat().st_size, _peak_mb()))
        for fmt in ("parquet", "csv", "jsonl"):
            path = folder / f"export.{fmt}"
            seconds = _timed(lambda fmt=fmt, path=path: export_file(records, fmt, path))
            rows.append((f"{fmt} export, raw + facets", seconds, path.stat().st_size, _peak_mb()))

    reference_seconds = rows[0][1]
    print(f"{args.records:,} synthetic records (built in {build:.1f} s); gazetteer load {gazetteer:.1f} s;")
    print(f"peak RSS with the records in memory {built_mb:.0f} MB\n")
    header = f"| {'output':<32} | {'seconds':>8} | {'records/s':>10} | {'MB':>7} | {'× reference':>11} |"
    print(header + " peak RSS MB |")
    print(f"|{'-' * 34}|{'-' * 9}:|{'-' * 11}:|{'-' * 8}:|{'-' * 12}:|---:|")
    for name, seconds, size, peak in rows:
        print(
            f"| {name:<32} | {seconds:>8.2f} | {args.records / seconds:>10,.0f} | {size / 1e6:>7.1f} |"
            f" {seconds / reference_seconds:>11.2f} | {peak:.0f} |"
        )


if __name__ == "__main__":
    main()
