"""The site's vocabularies as the mega menu shows them (from the 2009 snapshot's menu, OSCE_SITE.md)."""

from __future__ import annotations

import re

FIELDS_OF_WORK = (
    "Arms control", "Border management", "Combating trafficking in human beings",
    "Conflict prevention and resolution", "Countering terrorism", "Cyber/ICT Security",
    "Democratization", "Economic activities", "Education", "Elections", "Environmental activities",
    "Gender equality", "Good governance", "Human rights", "Media freedom and development",
    "Migration", "National minority issues", "Policing",
    "Reform and co-operation in the security sector", "Roma and Sinti", "Rule of law",
    "Tolerance and non-discrimination", "Youth",
)  # fmt: skip

MEETINGS = (
    "Summit meetings", "Review Conferences", "Ministerial Council meetings",
    "Plenary meetings of the Permanent Council", "Plenary Meetings of the Forum for Security Co-operation",
    "Security Review Conferences", "Annual Implementation Assessment Meetings",
    "Economic and Environmental Forum", "Economic and Environmental Dimension Implementation Meetings",
    "Human rights meetings", "Media conferences", "Cyber/ICT security conferences",
    "Conference of the Alliance against Trafficking in Persons", "Gender equality conferences",
    "Annual OSCE Mediterranean conferences", "Annual OSCE Asian conferences",
)  # fmt: skip

PARTICIPATING_STATES = (
    "Albania", "Andorra", "Armenia", "Austria", "Azerbaijan", "Belgium", "Belarus",
    "Bosnia and Herzegovina", "Bulgaria", "Canada", "Croatia", "Cyprus", "Czechia", "Denmark",
    "Estonia", "Finland – OSCE Chairpersonship 2025", "France", "Georgia", "Germany", "Greece",
    "Holy See", "Hungary", "Iceland", "Ireland", "Italy", "Kazakhstan", "Kyrgyzstan", "Latvia",
    "Liechtenstein", "Lithuania", "Luxembourg", "Malta", "Moldova", "Monaco", "Mongolia",
    "Montenegro", "The Netherlands", "North Macedonia", "Norway", "Poland", "Portugal", "Romania",
    "Russian Federation", "San Marino", "Serbia", "Slovakia", "Slovenia", "Spain", "Sweden",
    "Switzerland", "Tajikistan", "Türkiye", "Turkmenistan", "Ukraine", "United Kingdom",
    "United States of America", "Uzbekistan",
)  # fmt: skip
PARTNERS = ("Asian Partners for Co-operation", "Mediterranean Partners for Co-operation")

SECRETARIAT = (
    "Secretary General", "Office of the Secretary General", "Conflict Prevention Centre",
    "Transnational Threats Department",
    "Office of the Special Representative and Co-ordinator for Combating Trafficking in Human Beings",
    "Office of the Co-ordinator of OSCE Economic and Environmental Activities",
    "Gender Issues Programme", "Opportunities for Youth", "Department of Human Resources",
    "Department of Management and Finance", "Office of Internal Oversight",
    "Documentation Centre in Prague",
)  # fmt: skip
INSTITUTIONS = (
    "Office for Democratic Institutions and Human Rights",
    "High Commissioner on National Minorities",
    "Representative on Freedom of the Media",
)
FIELD_OPERATIONS = (
    "Presence in Albania", "Centre in Ashgabat", "Programme Office in Astana",
    "Programme Office in Bishkek", "Mission to Bosnia and Herzegovina",
    "Programme Office in Dushanbe", "Mission in Kosovo", "Mission to Moldova",
    "Mission to Montenegro", "Mission to Serbia", "Mission to Skopje",
    "Project Co-ordinator in Uzbekistan", "Closed field activities",
)  # fmt: skip

# Item URLs are /{structure-slug}/{node id} (OSCE_SITE.md, "URLs"): the slug of an item's first source.
STRUCTURE_SLUGS = {
    "OSCE Secretariat": "secretariat",
    "OSCE Secretary General": "secretary-general",
    "OSCE Chairmanship": "cio",
    "OSCE Chairpersonship": "chairpersonship",
    "OSCE Office for Democratic Institutions and Human Rights": "odihr",
    "OSCE High Commissioner on National Minorities": "hcnm",
    "OSCE Representative on Freedom of the Media": "fom",
    "OSCE Parliamentary Assembly": "pa",
    "OSCE Main Website": "node",
}


def structure_slug(source: str | None) -> str:
    """The URL slug of a structure: a known one, else its name without "OSCE" and "(closed)"."""
    if source is None:
        return "node"
    if source in STRUCTURE_SLUGS:
        return STRUCTURE_SLUGS[source]
    name = re.sub(r"\((closed|discontinued)\)|\bOSCE\b", "", source)
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "node"
