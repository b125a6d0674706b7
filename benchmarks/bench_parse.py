"""Parser speed against the floor of a bare selectolax parse of the same bytes, measured in one run; and
`osce-scrape parse --jobs 2` against `--jobs 1` on the same machine.

    .venv/bin/python benchmarks/bench_parse.py [--rounds 20] [--pages fixtures/pages] [--job-pages 2000]

Prints pages/s of `parse_page`, of selectolax's bare parse (the floor), their ratio, and, when trafilatura
is installed (the `bench` extra), its pages/s and how many titles, dates and bodies it gets right on the same
pages. Targets: parse_page within 3x of the bare parse (2x was the first aim).

Then the wall time (best of --job-runs) of `osce-scrape parse` over --job-pages pages of the offline mirror
(its generated press releases, written to a temporary folder) with --jobs 1 and --jobs 2, and the load
average (other work on the machine takes cores from the workers). Target: --jobs 2 at least 1.6x faster.
Both pay the same start-up (interpreter, imports: ~0.3 s), measured as the command on one page: 2,000
pages (a small archive) keep it a small share; the last row is the speed-up with it taken off.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from osce_scrape import ParseError, parse_page
from osce_scrape.evaluate import expected_pages, resolve_expected, token_f1

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "osce-scrape"
BODY_F1_RIGHT = 0.9  # a body counts as right when its token-F1 against the expected body is at least this


def _pages(folder: Path) -> list[tuple[bytes, str, dict[str, object]]]:
    pages = []
    for path, expected in expected_pages(folder):
        if path.suffix.lower() in {".html", ".htm"}:
            pages.append((path.read_bytes(), path.resolve().as_uri(), resolve_expected(path, expected)))
    return pages


def _rate(func: Callable[[bytes, str], object], pages: list[bytes], urls: list[str], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for data, url in zip(pages, urls, strict=True):
            func(data, url)
    return rounds * len(pages) / (time.perf_counter() - start)


def _ours(data: bytes, url: str) -> None:
    with contextlib.suppress(ParseError):  # non-articles are part of the workload: rejecting them is work
        parse_page(data, url)


def _bare(data: bytes, url: str) -> None:
    LexborHTMLParser(data).body  # noqa: B018 - the parse itself is what is measured


def _trafilatura_quality(pages: list[tuple[bytes, str, dict[str, object]]]) -> tuple[int, int, int, int]:
    import trafilatura

    titles = dates = bodies = articles = 0
    for data, url, expected in pages:
        if "rejected" in expected:
            continue
        articles += 1
        doc = trafilatura.bare_extraction(data.decode("utf-8", "replace"), url=url, with_metadata=True)
        if doc is None:
            continue
        got = doc if isinstance(doc, dict) else doc.as_dict()
        titles += got.get("title") == expected["title"]
        dates += str(got.get("date")) == expected["date"]
        bodies += token_f1(str(expected["body"]), str(got.get("text") or "")) >= BODY_F1_RIGHT
    return titles, dates, bodies, articles


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--pages", type=Path, default=ROOT / "fixtures" / "pages")
    parser.add_argument("--job-pages", type=int, default=2000, help="pages for --jobs 1 vs 2 (0: skip)")
    parser.add_argument("--job-runs", type=int, default=3)
    args = parser.parse_args()
    pages = _pages(args.pages)
    if not pages:
        print(f"no pages with expected records under {args.pages}", file=sys.stderr)
        return 2
    data, urls = [p[0] for p in pages], [p[1] for p in pages]
    _rate(_ours, data, urls, 1)  # warm caches (dateparser, regexes) before measuring
    bare = _rate(_bare, data, urls, args.rounds)
    ours = _rate(_ours, data, urls, args.rounds)
    size = sum(map(len, data)) / len(data) / 1024
    rows = [
        ("selectolax bare parse (floor)", bare, "1.00"),
        ("osce_scrape.parse_page", ours, f"{bare / ours:.2f}"),
    ]
    quality = {}
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        print("trafilatura not installed (pip install -e '.[bench]'): skipping it", file=sys.stderr)
    else:
        rows.append(
            ("trafilatura.bare_extraction", _rate(_trafilatura, data, urls, max(1, args.rounds // 10)), "")
        )
        rows[-1] = (rows[-1][0], rows[-1][1], f"{bare / rows[-1][1]:.2f}")
        quality = dict(
            zip(("titles", "dates", "bodies", "articles"), _trafilatura_quality(pages), strict=True)
        )
    print(f"{len(pages)} pages, {size:.0f} KB average, {args.rounds} rounds\n")
    print(f"| {'what':<32} | {'pages/s':>9} | {'x slower than bare':>18} |")
    print(f"|{'-' * 34}|{'-' * 11}|{'-' * 20}|")
    for name, rate, ratio in rows:
        print(f"| {name:<32} | {rate:9.0f} | {ratio:>18} |")
    if quality:
        n = quality["articles"]
        print(
            f"\ntrafilatura on the same {n} press releases: titles right {quality['titles']}/{n}, "
            f"dates right {quality['dates']}/{n}, "
            f"bodies right (token-F1 >= {BODY_F1_RIGHT}) {quality['bodies']}/{n}"
        )
    summary: dict[str, object] = {"parse_page_pages_per_s": round(ours), "bare_pages_per_s": round(bare),
                                  "ratio": round(bare / ours, 2)}  # fmt: skip
    if args.job_pages:
        summary.update(_jobs_table(args.job_pages, args.job_runs))
    print(json.dumps(summary))
    return 0


def _jobs_table(pages: int, runs: int) -> dict[str, object]:
    """Wall time of `osce-scrape parse --jobs 1` and `--jobs 2` on `pages` mirror pages, best of `runs`;
    and the start-up both pay (the same command on one page), so that the parsing's own speed-up shows."""
    from osce_scrape.mirror.site import MirrorSite

    with tempfile.TemporaryDirectory(prefix="bench-parse-") as tmp:
        folder, one = Path(tmp) / "pages", Path(tmp) / "one"
        folder.mkdir()
        one.mkdir()
        site = MirrorSite(pages=pages, fixtures_dir=None)
        for n, url in enumerate(site.expected_records()):
            body = site.respond("GET", url.removeprefix(site.base_url), {}).body
            (folder / f"{n:05}.html").write_bytes(body)
        (one / "00000.html").write_bytes((folder / "00000.html").read_bytes())
        load = os.getloadavg()[0]
        start_up = _best_wall(one, Path(tmp) / "one.jsonl", 1, runs)
        times = {jobs: _best_wall(folder, Path(tmp) / f"out{jobs}.jsonl", jobs, runs) for jobs in (1, 2)}
        same = (Path(tmp) / "out1.jsonl").read_bytes() == (Path(tmp) / "out2.jsonl").read_bytes()
    parsing = (times[1] - start_up) / max(times[2] - start_up, 1e-9)
    print(f"\n`osce-scrape parse` on {pages} mirror pages, best of {runs}, load average {load:.1f} "
          f"({os.cpu_count()} cores); output of --jobs 2 identical: {same}\n")  # fmt: skip
    print(f"| {'what':<32} | {'seconds':>9} | {'x faster than 1':>18} |")
    print(f"|{'-' * 34}|{'-' * 11}|{'-' * 20}|")
    print(f"| {'start-up (one page, --jobs 1)':<32} | {start_up:9.2f} | {'':>18} |")
    for jobs, seconds in times.items():
        print(f"| {f'parse --jobs {jobs}':<32} | {seconds:9.2f} | {times[1] / seconds:18.2f} |")
    print(f"| {'parsing alone (start-up off)':<32} | {'':>9} | {parsing:18.2f} |")
    return {"jobs1_s": round(times[1], 2), "jobs2_s": round(times[2], 2), "start_up_s": round(start_up, 2),
            "jobs_speedup": round(times[1] / times[2], 2), "parsing_speedup": round(parsing, 2),
            "load": round(load, 1)}  # fmt: skip


def _best_wall(folder: Path, out: Path, jobs: int, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        command = [str(CLI), "parse", str(folder), "-o", str(out), "--jobs", str(jobs), "-q"]
        subprocess.run(command, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def _trafilatura(data: bytes, url: str) -> None:
    import trafilatura

    trafilatura.bare_extraction(data.decode("utf-8", "replace"), url=url, with_metadata=True)


if __name__ == "__main__":
    sys.exit(main())
