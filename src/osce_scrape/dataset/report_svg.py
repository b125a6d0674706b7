"""The report's charts as inline SVG written by hand: real, selectable text, an accessible name.

Each chart is an `<svg role="img">` whose `<title>` and `<desc>` are its alternative text; every bar and
cell carries a `<title>` with its number (a tooltip). No library draws them: the markup is small, the
same on every machine, and needs no font files.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

BAR = "#1f5a96"
EMPTY = "#eeeeee"  # heat-map cells of years without a record naming a field of work
FONT = 'font-family="system-ui, sans-serif" font-size="11" fill="#222"'
CHAR_WIDTH = 6.2  # px per character of 11px text: enough to size label columns without measuring
WIDTH = 1000


@dataclass(frozen=True)
class Alt:
    """A chart's alternative text: a short title and a longer description."""

    ident: str
    title: str
    description: str


def _e(text: object) -> str:
    return html.escape(str(text))


def _open(alt: Alt, width: float, height: float) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" aria-labelledby="{alt.ident}-t {alt.ident}-d">'
        f'<title id="{alt.ident}-t">{_e(alt.title)}</title>'
        f'<desc id="{alt.ident}-d">{_e(alt.description)}</desc>'
        f"<g {FONT}>"
    )


def _close() -> str:
    return "</g></svg>"


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round axis ticks from 0 to at least `top` (1, 2 or 5 times a power of ten apart)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [step * i for i in range(math.ceil(top / step) + 1)]


def _label(value: float) -> str:
    return f"{value:g}"


def column_chart(alt: Alt, labels: Sequence[str], values: Sequence[int], unit: str) -> str:
    """Vertical bars, one per label (every label written, turned upright when there are many)."""
    left, top, plot_height = 48, 10, 220
    upright = len(labels) > 14
    bottom = 46 if upright else 24
    slot = (WIDTH - left - 10) / max(len(labels), 1)
    ticks = nice_ticks(max(values, default=0))
    scale = plot_height / ticks[-1]
    parts = [_open(alt, WIDTH, top + plot_height + bottom)]
    for tick in ticks:
        y = top + plot_height - tick * scale
        parts.append(f'<line x1="{left}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_label(tick)}</text>')
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + index * slot
        height = value * scale
        parts.append(
            f'<rect x="{x + slot * 0.1:.1f}" y="{top + plot_height - height:.1f}" width="{slot * 0.8:.1f}" '
            f'height="{height:.1f}" fill="{BAR}"><title>{_e(label)}: {value} {_e(unit)}</title></rect>'
        )
        cx, cy = x + slot / 2, top + plot_height + 14
        turn = (
            f' transform="rotate(-90 {cx:.1f} {cy:.1f})" text-anchor="end"'
            if upright
            else ' text-anchor="middle"'
        )
        parts.append(f'<text x="{cx:.1f}" y="{cy + (4 if upright else 0):.1f}"{turn}>{_e(label)}</text>')
    parts.append(_close())
    return "".join(parts)


def bar_chart(alt: Alt, labels: Sequence[str], values: Sequence[int], unit: str) -> str:
    """Horizontal bars, largest first, each with its label on the left and its number at its end."""
    label_width = min(420, CHAR_WIDTH * max((len(label) for label in labels), default=0) + 12)
    row, top = 20, 6
    plot_width = WIDTH - label_width - 50
    scale = plot_width / max(max(values, default=0), 1)
    parts = [_open(alt, WIDTH, top + row * len(labels) + 6)]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * row
        length = value * scale
        parts.append(
            f'<text x="{label_width - 8:.0f}" y="{y + 14}" text-anchor="end">{_e(_shorten(label))}</text>'
            f'<rect x="{label_width:.0f}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" fill="{BAR}">'
            f"<title>{_e(label)}: {value} {_e(unit)}</title></rect>"
            f'<text x="{label_width + length + 4:.1f}" y="{y + 14}">{value}</text>'
        )
    parts.append(_close())
    return "".join(parts)


def _shorten(label: str, limit: int = 66) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _blend(share: float) -> str:
    """White (0) to the bar colour (1)."""
    low, high = (255, 255, 255), (0x1F, 0x5A, 0x96)
    return "#" + "".join(f"{round(a + (b - a) * share):02x}" for a, b in zip(low, high, strict=True))


def heat_map(
    alt: Alt,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[tuple[int, int]]],
) -> str:
    """A grid of rows × columns; each cell is (count, of) and is shaded by count / of (a share).

    A column whose `of` is 0 is drawn grey: nothing to take a share of."""
    label_width = min(330, CHAR_WIDTH * max((len(r) for r in rows), default=0) + 12)
    top, row_height, legend = 8, 16, 40
    cell_width = (WIDTH - label_width - 10) / max(len(columns), 1)
    highest = max((n / of for line in cells for n, of in line if of), default=0.0) or 1.0
    height = top + row_height * len(rows) + 44 + legend
    parts = [_open(alt, WIDTH, height)]
    for r, (name, line) in enumerate(zip(rows, cells, strict=True)):
        y = top + r * row_height
        parts.append(
            f'<text x="{label_width - 6:.0f}" y="{y + 12}" text-anchor="end">{_e(_shorten(name, 52))}</text>'
        )
        for c, (count, of) in enumerate(line):
            share = count / of if of else None
            fill = EMPTY if share is None else _blend(share / highest)
            tip = f"{name}, {columns[c]}: " + (
                f"{count} of {of} ({share:.0%})" if share is not None else "no record"
            )
            parts.append(
                f'<rect x="{label_width + c * cell_width:.1f}" y="{y}" width="{cell_width - 1:.1f}" '
                f'height="{row_height - 1}" fill="{fill}"><title>{_e(tip)}</title></rect>'
            )
    base = top + row_height * len(rows)
    for c, column in enumerate(columns):
        cx, cy = label_width + (c + 0.5) * cell_width, base + 8
        parts.append(
            f'<text x="{cx:.1f}" y="{cy:.1f}" transform="rotate(-90 {cx:.1f} {cy:.1f})" text-anchor="end" '
            f'dy="4">{_e(column)}</text>'
        )
    parts.append(_legend(label_width, base + 48, highest))
    parts.append(_close())
    return "".join(parts)


def _legend(x: float, y: float, highest: float) -> str:
    """The colour scale: five swatches from 0 to the highest share, and the grey of 'no record'."""
    steps = [highest * i / 4 for i in range(5)]
    parts = [f'<text x="{x - 6:.0f}" y="{y + 12}" text-anchor="end">share of the year:</text>']
    for i, value in enumerate(steps):
        parts.append(
            f'<rect x="{x + i * 70:.0f}" y="{y}" width="24" height="16" fill="{_blend(value / highest)}" '
            f'stroke="#ccc"/><text x="{x + i * 70 + 28:.0f}" y="{y + 12}">{value:.0%}</text>'
        )
    parts.append(
        f'<rect x="{x + 5 * 70:.0f}" y="{y}" width="24" height="16" fill="{EMPTY}" stroke="#ccc"/>'
        f'<text x="{x + 5 * 70 + 28:.0f}" y="{y + 12}">no record names a field that year</text>'
    )
    return "".join(parts)
