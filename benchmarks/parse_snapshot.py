"""What the parser makes of every page we have, as one comparable file: the check that a speed-up changed
no record, not a byte.

    .venv/bin/python benchmarks/parse_snapshot.py --write /tmp/before.txt   # with the old code
    .venv/bin/python benchmarks/parse_snapshot.py --check /tmp/before.txt   # after each change

Pages: every .html/.htm/.txt under fixtures/ and the mirror's pages (read as `parse` reads files), and
every page the offline mirror serves (its generated press releases and its fixture pages, with the charset
its HTTP header declares). Each gives one line: its name and its record's JSON, or its error's kind and
reason; and every fixture page's text written in each legacy code page, undeclared, gives the
encoding guessed and a hash of the text read. `--check` exits 1 naming the first pages that differ.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from osce_scrape.errors import ParseError
from osce_scrape.mirror.site import MirrorSite
from osce_scrape.models import PressRelease
from osce_scrape.parse.charset import declared_encoding
from osce_scrape.parse.core import parse_page
from osce_scrape.parse.decode import GUESS_ORDER, decode_html
from osce_scrape.pipeline import INPUT_SUFFIXES, parse_file

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = (ROOT / "fixtures", ROOT / "src" / "osce_scrape" / "mirror" / "pages")
MIRROR_PAGES = 400  # generated press releases: every template and era of the mirror, several times over
SHOWN_DIFFERENCES = 5
_UNDECLARE = re.compile(r"<meta[^>]*charset[^>]*>|\blang\s*=\s*[\"']?[A-Za-z-]+[\"']?", re.IGNORECASE)


def snapshot_lines(mirror_pages: int = MIRROR_PAGES) -> Iterator[str]:
    """One line per page: its name, a tab, its record's JSON or its error."""
    for folder in FOLDERS:
        for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in INPUT_SUFFIXES):
            yield f"{path.relative_to(ROOT)}\t{_outcome(lambda: parse_file(path))}"  # noqa: B023
    site = MirrorSite(pages=mirror_pages)
    for url in [*site.expected_records(), *site.non_article_urls()]:
        response = site.respond("GET", url.removeprefix(site.base_url), {})
        charset = declared_encoding(b"", response.headers.get("Content-Type"))
        yield f"{url}\t{_outcome(lambda: parse_page(response.body, url, encoding=charset))}"  # noqa: B023
    yield from _guesses()


def _guesses() -> Iterator[str]:
    """The undeclared-encoding guess on every fixture page's text written in each legacy code page, its
    declarations taken out (the guess is what reads it)."""
    for path in sorted(ROOT.glob("fixtures/**/*.htm*")):
        text = _UNDECLARE.sub("", decode_html(path.read_bytes())[0])
        for encoding in GUESS_ORDER:
            data = text.encode(encoding, errors="replace")
            got, used = decode_html(data)
            digest = hashlib.sha256(got.encode()).hexdigest()[:16]
            yield f"{path.relative_to(ROOT)} as {encoding}\t{used} {digest}"


def _outcome(parse: object) -> str:
    try:
        record = parse()  # type: ignore[operator]
    except ParseError as exc:
        return f"{type(exc).__name__}: {exc.reason}"
    assert isinstance(record, PressRelease)
    return record.to_json_line()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="write the snapshot to this file")
    group.add_argument("--check", type=Path, help="compare with a snapshot written before")
    parser.add_argument("--mirror-pages", type=int, default=MIRROR_PAGES)
    args = parser.parse_args()
    lines = list(snapshot_lines(args.mirror_pages))
    if args.write:
        args.write.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines)} pages written to {args.write}")
        return 0
    before = args.check.read_text(encoding="utf-8").splitlines()
    differ = [(old, new) for old, new in zip(before, lines, strict=False) if old != new]
    if len(before) != len(lines):
        print(f"{len(before)} pages before, {len(lines)} now", file=sys.stderr)
    for old, new in differ[:SHOWN_DIFFERENCES]:
        print(f"- {old[:400]}\n+ {new[:400]}\n", file=sys.stderr)
    print(f"{len(lines)} pages, {len(differ)} differ from {args.check}")
    return 1 if differ or len(before) != len(lines) else 0


if __name__ == "__main__":
    sys.exit(main())
