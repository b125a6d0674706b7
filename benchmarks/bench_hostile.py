"""Time and peak memory of `parse_page` on hostile page shapes, each in a fresh process (peak RSS is per
process).

    .venv/bin/python benchmarks/bench_hostile.py [shape ...]

Prints, per shape: the page's size, the outcome (a record, or the reject reason), seconds and peak RSS in MB
(the interpreter with the parser imported takes ~40 MB of it).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable

ARTICLE = (
    "<h1>Hostile page headline</h1><div class='field-content-type'>Press release</div>"
    "<p>VIENNA, 3 March 2021 – The OSCE Secretariat today published this page, with enough words in its "
    "lead paragraph to be the article's prose for the parser.</p>"
)


def _page(inside: str, around: str = "") -> str:
    return (
        '<html lang="en"><head><title>Hostile page headline | OSCE</title>'
        '<link rel="canonical" href="https://www.osce.org/secretariat/500001"></head>'
        f"<body>{around}<article class='node'>{inside}</article></body></html>"
    )


def nested(depth: int) -> str:
    """The article inside `depth` nested <div>s."""
    return _page("<div>" * depth + ARTICLE + "</div>" * depth)


def attributes(count: int) -> str:
    """One element with `count` attributes."""
    attrs = " ".join(f"data-a{i}='{i}'" for i in range(count))
    return _page(f"<p {attrs}>x</p>" + ARTICLE)


def spread_attributes(elements: int, each: int = 10) -> str:
    """Many elements with a few attributes each, class and id among them."""
    attrs = " ".join(f"data-a{i}='{i}'" for i in range(each))
    return _page("".join(f"<span class='c{i}' id='i{i}' {attrs}>w</span>" for i in range(elements)) + ARTICLE)


def paragraphs(count: int) -> str:
    """`count` flat paragraphs after the article's."""
    return _page(ARTICLE + "<p>word</p>" * count)


def long_text(chars: int) -> str:
    """One paragraph of `chars` characters."""
    return _page(ARTICLE + "<p>" + "word " * (chars // 5) + "</p>")


SHAPES: dict[str, Callable[[], str]] = {
    "nested-2k": lambda: nested(2_000),
    "nested-5k": lambda: nested(5_000),
    "nested-20k": lambda: nested(20_000),
    "attributes-100k": lambda: attributes(100_000),
    "attributes-150k": lambda: attributes(150_000),
    "spread-attributes-50k-elements": lambda: spread_attributes(50_000),
    "paragraphs-500k": lambda: paragraphs(500_000),
    "long-text-20MB": lambda: long_text(20_000_000),
}


def measure(shape: str) -> dict[str, object]:
    """Parse one shape in this process; its outcome, seconds and peak RSS."""
    from osce_scrape import ParseError, parse_page

    html = SHAPES[shape]().encode()
    start = time.perf_counter()
    try:
        outcome = f"record ({len(parse_page(html, 'https://www.osce.org/secretariat/500001').body)} chars)"
    except ParseError as exc:
        outcome = f"{type(exc).__name__}: {exc.reason}"
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    return {"shape": shape, "kb": len(html) // 1024, "outcome": outcome, "s": round(seconds, 2),
            "peak_mb": round(peak_mb)}  # fmt: skip


def main(shapes: list[str]) -> None:
    for shape in shapes or list(SHAPES):
        child = subprocess.run(
            [sys.executable, __file__, "--one", shape], capture_output=True, text=True, check=False
        )
        if child.returncode:
            print(f"{shape:32} died: exit {child.returncode} {child.stderr.strip()[-200:]}")
            continue
        row = json.loads(child.stdout)
        print(f"{row['shape']:32} {row['kb']:>7} KB {row['s']:>7} s {row['peak_mb']:>6} MB  {row['outcome']}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure(sys.argv[2])))
    else:
        main(sys.argv[1:])
