"""HTML building blocks of the report: data tables, figures (chart, caption, collapsible table), sections.

Every table a researcher may want to check carries `data-table="<name>"`, and every section an `id`: the
browser test reads them back and compares them with numbers computed from the Parquet export.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

Cell = str | int | float | None
_NUMBER = re.compile(r"^-?\d+(\.\d+)?%?( \((\d+(\.\d+)?%|–)\))?$|^–$")  # 12, 12.5%, "3 (12.5%)"


def e(text: object) -> str:
    """Escaped text."""
    return html.escape(str(text))


def share(count: int, of: int) -> str:
    """A share as a percentage with one decimal ("12.5%"); "–" when there is nothing to divide by."""
    return f"{100 * count / of:.1f}%" if of else "–"


def _cell(value: Cell, header: bool = False) -> str:
    tag = "th" if header else "td"
    if value is None:
        return f"<{tag}></{tag}>"
    numeric = isinstance(value, int | float) or bool(_NUMBER.match(str(value)))
    css = " class=n" if numeric and not header else ""
    return f"<{tag}{css}>{e(value)}</{tag}>"


def data_table(name: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]], caption: str = "") -> str:
    """A table with a header row; `name` becomes its data-table attribute. No rows: a note saying so."""
    rows = list(rows)
    if not rows:
        return f'<p class=note data-empty="{e(name)}">{e(headers[0])}: none.</p>'
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    head = "<tr>" + "".join(_cell(h, header=True) for h in headers) + "</tr>"
    cap = f"<caption>{e(caption)}</caption>" if caption else ""
    return (
        f'<div class=scroll><table class=data data-table="{e(name)}">{cap}<thead>{head}</thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def figure(svg: str, caption: str, table: str) -> str:
    """A chart, its caption (what it shows and its coverage) and its numbers in a collapsible table."""
    return (
        f"<figure>{svg}<figcaption>{e(caption)}</figcaption>"
        f"<details><summary>The numbers behind the chart (table)</summary>{table}</details></figure>"
    )


def section(ident: str, title: str, *parts: str) -> str:
    """A report section with an anchor the table of contents links to."""
    return f'<section id="{e(ident)}"><h2>{e(title)}</h2>{"".join(parts)}</section>'


def paragraph(text: str, css: str = "") -> str:
    """A paragraph of escaped text."""
    attribute = f" class={css}" if css else ""
    return f"<p{attribute}>{e(text)}</p>"


def coverage(with_value: int, records: int, without: int, what: str) -> str:
    """The coverage sentence every chart states: "N of M records <what>; K have none"."""
    return f"{with_value} of {records} records {what}; {without} have none."


def contents(sections: Sequence[tuple[str, str]]) -> str:
    """The table of contents: one link per section."""
    links = "".join(f'<li><a href="#{e(ident)}">{e(title)}</a></li>' for ident, title in sections)
    return f"<nav aria-label=Contents><ol>{links}</ol></nav>"
