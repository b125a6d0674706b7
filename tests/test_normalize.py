"""Normalised facets: fields of work, structures and places, over the real listing's values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from osce_scrape.dataset.gazetteer import fold
from osce_scrape.dataset.normalize import (
    normalize_fields,
    normalize_places,
    normalize_record,
    normalize_source,
    normalize_sources,
    taxonomy,
)
from recordkit import dateline_place, listing_items, make_record

# Places resolve against the real gazetteer: loaded once per session by the `gazetteer` fixture.
pytestmark = pytest.mark.usefixtures("gazetteer")


def _menu_section(reference_dir: Path, heading: str, end: str) -> list[str]:
    """The "- item" lines of the 2009 snapshot's mega menu between `heading` and `end`."""
    lines = (reference_dir / "page-snapshot-moscow-2009.txt").read_text(encoding="utf-8").splitlines()
    start = lines.index(heading) + 1
    stop = lines.index(end, start)
    return [line[2:] for line in lines[start:stop] if line.startswith("- ")]


# --- fields of work -------------------------------------------------------------------------------------


def test_taxonomy_is_todays_menu(reference_dir: Path) -> None:
    """The taxonomy's fields are exactly the 23 of the menu (Our work > Fields of work), in order."""
    menu = _menu_section(reference_dir, "Fields of work", "- Field operations")
    assert len(menu) == 23
    assert list(taxonomy()[0]) == menu


def test_menu_fields_map_to_themselves_in_any_case() -> None:
    """Every field maps to itself, whatever its case or a stray space."""
    for name in taxonomy()[0]:
        assert normalize_fields([name.upper() + " "]) == ([name], [])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Combating human trafficking", ["Combating trafficking in human beings"]),
        ("Media pluralism", ["Media freedom and development"]),
        ("Safety of journalists", ["Media freedom and development"]),
        ("Decriminalization of defamation", ["Media freedom and development"]),
        ("Climate change", ["Environmental activities"]),
        ("Water management", ["Environmental activities"]),
        ("Cyber/ICT security", ["Cyber/ICT Security"]),
        ("Racism, xenophobia and discrimination", ["Tolerance and non-discrimination"]),
        ("Economic and environmental activities", ["Economic activities", "Environmental activities"]),
    ],
)
def test_old_and_variant_fields_map_to_today(raw: str, expected: list[str]) -> None:
    """Older names, FOM sub-topics and variants map to today's field(s)."""
    assert normalize_fields([raw]) == (expected, [])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Права человека", "Human rights"),
        ("ВЕРХОВЕНСТВО ПРАВА", "Rule of law"),
        ("Борьба с торговлей людьми", "Combating trafficking in human beings"),
        ("Menschenrechte", "Human rights"),
        ("Gleichstellung der Geschlechter", "Gender equality"),
        ("Droits de l'homme", "Human rights"),
        ("Egalite entre les sexes", "Gender equality"),
    ],
)
def test_translated_fields_map_to_english(raw: str, expected: str) -> None:
    """Russian, German and French field names (accents optional) map to the English taxonomy."""
    assert normalize_fields([raw]) == ([expected], [])


def test_unknown_fields_are_kept_apart_and_repeats_dropped() -> None:
    """Unknown values go to the unknown list (kept, once); mapped ones are not repeated."""
    known, unknown = normalize_fields(
        ["Media laws", "Media pluralism", "Zebra crossings", "Human rights", "Zebra crossings"]
    )
    assert known == ["Media freedom and development", "Human rights"]
    assert unknown == ["Zebra crossings"]


def test_every_real_listing_field_is_mapped() -> None:
    """No field of work of the 239 real listing entries falls outside the taxonomy."""
    values = {v for item in listing_items() for v in item["fields"]}
    assert len(values) >= 30
    assert normalize_fields(sorted(values))[1] == []


# --- structures -----------------------------------------------------------------------------------------


FIELD_OP = "Field operation"
ASTANA = "OSCE Programme Office in Astana"
ODIHR = "OSCE Office for Democratic Institutions and Human Rights"


@pytest.mark.parametrize(
    ("raw", "name", "kind", "closed", "renamed_from"),
    [
        ("OSCE Chairmanship", "OSCE Chairpersonship", "Chairpersonship", False, None),
        ("OSCE Chairpersonship", "OSCE Chairpersonship", "Chairpersonship", False, None),
        ("OSCE Mission to Croatia (closed)", "OSCE Mission to Croatia", FIELD_OP, True, None),
        ("OSCE Mission to Georgia", "OSCE Mission to Georgia", FIELD_OP, True, None),
        ("OSCE Centre in Almaty", ASTANA, FIELD_OP, False, "OSCE Centre in Almaty"),
        ("OSCE Centre in Astana", ASTANA, FIELD_OP, False, "OSCE Centre in Astana"),
        ("OSCE Office in Tajikistan", "OSCE Programme Office in Dushanbe", FIELD_OP, False,
         "OSCE Office in Tajikistan"),
        ("OSCE Office in Baku", "OSCE Project Co-ordinator in Baku", FIELD_OP, True, "OSCE Office in Baku"),
        (ODIHR, ODIHR, "Institution", False, None),
        ("OSCE Parliamentary Assembly", "OSCE Parliamentary Assembly", "Parliamentary Assembly", False, None),
        ("Transnational Threats Department", "Transnational Threats Department", "Secretariat", False, None),
        ("Programme Office in Bishkek", "OSCE Programme Office in Bishkek", FIELD_OP, False, None),
    ],
)  # fmt: skip
def test_sources_map_to_canonical_structures(
    raw: str, name: str, kind: str, closed: bool, renamed_from: str | None
) -> None:
    """Names, (closed) suffixes, Chairmanship/Chairpersonship and renames give one canonical structure."""
    source = normalize_source(raw)
    assert (source.raw, source.name, source.kind, source.closed, source.renamed_from, source.known) == (
        raw,
        name,
        kind,
        closed,
        renamed_from,
        True,
    )


def test_unknown_source_is_kept_and_marked() -> None:
    """An unknown structure keeps its name (without the closed suffix) and is marked unknown."""
    source = normalize_source("OSCE Office in Atlantis (closed)")
    assert (source.name, source.kind, source.closed, source.known) == (
        "OSCE Office in Atlantis",
        None,
        True,
        False,
    )


def test_old_and_new_name_of_one_structure_count_once() -> None:
    """A record naming a structure by its old and new names has it once."""
    sources = normalize_sources(
        ["OSCE Centre in Almaty", "OSCE Programme Office in Astana", "OSCE Chairmanship"]
    )
    assert [s.name for s in sources] == ["OSCE Programme Office in Astana", "OSCE Chairpersonship"]


def test_every_real_listing_source_is_known() -> None:
    """Every "Where we are" value of the real listing maps to a known structure."""
    values = {v for item in listing_items() for v in item["sources"]}
    unknown = [v for v in sorted(values) if not normalize_source(v).known]
    assert len(values) >= 30
    assert unknown == []


def test_structures_menu_is_known(reference_dir: Path) -> None:
    """Every Secretariat unit and field operation of today's menu is a known structure of its kind."""
    units = _menu_section(reference_dir, "Secretariat", "- Institutions")
    operations = _menu_section(reference_dir, "Field operations", "- Closed field activities")
    assert len(units) == 12 and len(operations) == 12
    assert {normalize_source(u).kind for u in units} == {"Secretariat"}
    assert {normalize_source(o).kind for o in operations} == {"Field operation"}
    assert not any(normalize_source(o).closed for o in operations)


# --- places ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("VIENNA/WARSAW", [("Vienna", "AT"), ("Warsaw", "PL")]),
        ("TIRANA / BRUSSELS / GENEVA", [("Tirana", "AL"), ("Brussels", "BE"), ("Geneva", "CH")]),
        ("STRASBOURG, VIENNA, WARSAW", [("Strasbourg", "FR"), ("Vienna", "AT"), ("Warsaw", "PL")]),
        ("OSH, Kyrgyzstan", [("Osh", "KG")]),
        ("BATKEN, Kyrgyzstan", [("Batken", "KG")]),
        ("TSAKHKADZOR, Kotayq region of Armenia", [("Tsaghkadzor", "AM")]),
        ("Prishtinë/Priština", [("Pristina", "XK")]),
        ("PRISHTINË/PRIŠTINA", [("Pristina", "XK")]),
        ("МОСКВА", [("Moscow", "RU")]),
        ("MOSCOW", [("Moscow", "RU")]),
        ("YERAVAN", [("Yerevan", "AM")]),
        ("ASHGABAD/THE HAGUE", [("Ashgabat", "TM"), ("The Hague", "NL")]),
        ("CHISINAU", [("Chisinau", "MD")]),
        ("KOSOVO", [("Kosovo", "XK")]),
    ],
)
def test_places_split_and_resolve(raw: str, expected: list[tuple[str, str]]) -> None:
    """Place strings split into places; qualifiers and two-language spellings do not add places."""
    places = normalize_places(raw)
    assert [(p.name, p.country_code) for p in places] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("VIENNE", ("Vienna", "AT")),  # French; GeoNames' own "Vienne" is a town in Isère
        ("WIEN", ("Vienna", "AT")),
        ("ВЕНА", ("Vienna", "AT")),
        ("VARSOVIE", ("Warsaw", "PL")),
        ("KISCHINAU", ("Chisinau", "MD")),
        ("КИШИНЁВ", ("Chisinau", "MD")),
        ("BISCHKEK", ("Bishkek", "KG")),
        ("ГААГА", ("The Hague", "NL")),
    ],
)
def test_translated_place_names_resolve(raw: str, expected: tuple[str, str]) -> None:
    """Datelines of Russian, German and French pages name the same places in their languages."""
    assert [(p.name, p.country_code) for p in normalize_places(raw)] == [expected]


def test_resolved_place_has_coordinates_and_raw() -> None:
    """A resolved place carries GeoNames coordinates and its raw text."""
    (vienna,) = normalize_places("VIENNA")
    assert vienna.raw == "VIENNA"
    assert vienna.latitude == pytest.approx(48.21, abs=0.01)
    assert vienna.longitude == pytest.approx(16.37, abs=0.01)


def test_unresolved_place_keeps_raw_and_qualifier_country() -> None:
    """An unknown place stays null (raw kept); its country qualifier still gives a country code."""
    (farob,) = normalize_places("FAROB, Tajikistan")
    assert (farob.raw, farob.name, farob.country_code, farob.latitude) == (
        "FAROB, Tajikistan",
        None,
        "TJ",
        None,
    )
    (village,) = normalize_places("MITROVO POLJE")
    assert (village.name, village.country_code, village.resolved) == (None, None, False)


def test_no_place_gives_no_places() -> None:
    """A record without a place has an empty place list."""
    assert normalize_places(None) == []
    assert normalize_places("  ") == []


def test_real_datelines_resolve() -> None:
    """Of the real listing's datelines, all places resolve but two villages GeoNames lacks."""
    raws = [p for p in (dateline_place(item["lead"]) for item in listing_items()) if p]
    places = [place for raw in raws for place in normalize_places(raw)]
    unresolved = {p.raw for p in places if not p.resolved}
    assert len(raws) == 187
    assert len(places) == 195  # 12 datelines name two or three places; Prishtinë/Priština is one
    assert unresolved == {"MITROVO POLJE", "FAROB, Tajikistan"}


def test_fold_ignores_case_accents_and_dashes() -> None:
    """Folding makes spellings with and without diacritics, and dash variants, equal."""
    assert fold("PRIŠTINA") == fold("pristina")
    assert fold("Cyber–ICT") == fold("cyber-ict")
    assert fold("  Korçë ") == "korce"


def test_normalize_record_gives_every_facet() -> None:
    """normalize_record maps a record's fields, sources and place in one call."""
    record = make_record(
        place="VIENNA / SARAJEVO",
        sources=["OSCE Chairmanship", "OSCE Mission to Bosnia and Herzegovina"],
        fields_of_work=["Media pluralism", "Something new"],
    )
    facets = normalize_record(record)
    assert facets.fields_of_work_normalized == ["Media freedom and development"]
    assert facets.fields_of_work_unknown == ["Something new"]
    assert [s.name for s in facets.sources_normalized] == [
        "OSCE Chairpersonship",
        "OSCE Mission to Bosnia and Herzegovina",
    ]
    assert [p.country_code for p in facets.places] == ["AT", "BA"]


# --- the fixture pages (every language the fixtures have) -----------------------------------------------


CONFLICT = "Conflict prevention and resolution"


def _expected_records(fixtures_dir: Path) -> dict[str, dict[str, Any]]:
    pages = {p.name.removesuffix(".expected.json"): p for p in fixtures_dir.glob("*.expected.json")}
    loaded = {name: json.loads(path.read_text("utf-8")) for name, path in sorted(pages.items())}
    return {name: data for name, data in loaded.items() if "fields_of_work" in data}


def test_every_fixture_page_maps(fixtures_dir: Path) -> None:
    """Every fixture record's fields and sources map; only FAROB (not in GeoNames) stays unresolved."""
    records = _expected_records(fixtures_dir)
    assert len(records) >= 40
    for name, data in records.items():
        assert normalize_fields(data["fields_of_work"])[1] == [], name
        assert all(normalize_source(s).known for s in data["sources"]), name
        unresolved = {p.raw for p in normalize_places(data["place"]) if not p.resolved}
        assert unresolved <= {"FAROB, Tajikistan"}, name


@pytest.mark.parametrize(
    ("page", "fields", "sources", "places"),
    [
        ("03-moscow-2009-ru-cp1251", ["Rule of law", "Human rights", "Gender equality",
         "Combating trafficking in human beings"], ["OSCE Secretariat"], [("Moscow", "RU")]),
        ("44-minsk-group-2011-de", [CONFLICT], ["Minsk Group"], [("Vienna", "AT")]),
        ("45-minsk-group-2011-fr", [CONFLICT], ["Minsk Group"], [("Vienna", "AT")]),
        ("08-moldova-ro-2013", [CONFLICT], ["OSCE Mission to Moldova"], [("Chisinau", "MD")]),
    ],
)  # fmt: skip
def test_translated_fixture_pages_map_to_english_facets(
    fixtures_dir: Path, page: str, fields: list[str], sources: list[str], places: list[tuple[str, str]]
) -> None:
    """Russian, German, French and Romanian pages' values give the same facets as English ones."""
    data = _expected_records(fixtures_dir)[page]
    assert normalize_fields(data["fields_of_work"]) == (fields, [])
    assert [s.name for s in normalize_sources(data["sources"])] == sources
    assert [(p.name, p.country_code) for p in normalize_places(data["place"])] == places
