"""Server-side SVG charts: they work without JavaScript, print well and carry text
alternatives (``<title>``/``<desc>`` and a data table beside each chart in the page).

Every label goes through ``escape`` because it may contain user text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from markupsafe import Markup, escape

COLOURS = ("#1f5fa8", "#b4441f", "#2e7d32", "#7b3fa0", "#8a6d00", "#00707a")


def _num(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def intake_bar(label: str, intake: float | None, unit: str, *, ear: float | None = None,
               rda: float | None = None, ul: float | None = None, width: int = 520) -> Markup:
    """A horizontal bar of daily intake against the EAR, RDA and UL markers."""
    marks = [(n, v) for n, v in (("EAR", ear), ("RDA", rda), ("UL", ul)) if v is not None]
    top = max([intake or 0.0, *(v for _, v in marks)]) * 1.1 or 1.0
    left, right, bar_y = 10, width - 10, 34
    scale = (right - left) / top

    def x(v: float) -> float:
        return left + v * scale

    desc = f"{label}: intake {_num(intake) if intake is not None else 'unknown'} {unit} a day"
    desc += "".join(f", {n} {_num(v)} {unit}" for n, v in marks)
    parts = [f'<svg class="chart intake" viewBox="0 0 {width} 86" role="img" '
             f'aria-label="{escape(desc)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(desc)}</title>",
             f'<rect x="{left}" y="{bar_y}" width="{right - left}" height="18" class="track"/>']
    if intake is not None:
        below = ear is not None and intake < ear
        above = ul is not None and intake > ul
        cls = "bar low" if below else "bar high" if above else "bar ok"
        parts.append(f'<rect x="{left}" y="{bar_y}" width="{max(x(intake) - left, 1):.1f}" '
                     f'height="18" class="{cls}"/>')
        parts.append(f'<text x="{left}" y="24" class="value">{escape(label)}: '
                     f"{escape(_num(intake))} {escape(unit)} a day</text>")
    else:
        parts.append(f'<text x="{left}" y="24" class="value">{escape(label)}: intake not known'
                     "</text>")
    for i, (name, value) in enumerate(marks):
        mx = x(value)
        parts.append(f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{bar_y - 6}" y2="{bar_y + 24}" '
                     f'class="mark {name.lower()}"/>')
        anchor = "end" if mx > width - 60 else "middle"
        parts.append(f'<text x="{mx:.1f}" y="{bar_y + 38 + (i % 2) * 12}" text-anchor="{anchor}" '
                     f'class="marklabel">{name} {escape(_num(value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


Series = tuple[str, Sequence[tuple[dt.date, float]]]


def nice_ceiling(value: float) -> float:
    """The next round number at or above ``value`` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value)


def line_chart(title: str, series: Sequence[Series], *, y_label: str = "",
               y_min: float = 0.0, y_max: float | None = None, width: int = 640,
               height: int = 250, x_range: tuple[dt.date, dt.date] | None = None) -> Markup:
    """Values over dates, one line per series, with axes, a legend and point tooltips.

    Charts meant to be read together share ``x_range`` so their days line up.
    """
    points = [p for _, s in series for p in s]
    left, right, top, bottom = 48, width - 12, 28, height - 44
    desc = f"{title}: " + "; ".join(
        f"{name} " + ", ".join(f"{d.isoformat()} {_num(v)}" for d, v in s) for name, s in series
    ) if points else f"{title}: no data yet"
    head = (f'<svg class="chart line" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>")
    if not points:
        return Markup(head + f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
                      'class="empty">No entries yet</text></svg>')
    d0, d1 = x_range or (min(d for d, _ in points), max(d for d, _ in points))
    span = max((d1 - d0).days, 1)
    hi = y_max if y_max is not None else nice_ceiling(max(v for _, v in points) * 1.05)
    lo = y_min

    def px(d: dt.date) -> float:
        return left + (d - d0).days / span * (right - left)

    def py(v: float) -> float:
        return bottom - (min(max(v, lo), hi) - lo) / ((hi - lo) or 1) * (bottom - top)

    parts = [head, f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" class="axis"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" class="axis"/>']
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        parts.append(f'<line x1="{left}" x2="{right}" y1="{py(v):.1f}" y2="{py(v):.1f}" '
                     'class="grid"/>')
        parts.append(f'<text x="{left - 4}" y="{py(v) + 4:.1f}" text-anchor="end" '
                     f'class="tick">{escape(_num(v))}</text>')
    parts.append(f'<text x="{left}" y="{bottom + 16}" class="tick">{d0.isoformat()}</text>')
    if d1 != d0:
        parts.append(f'<text x="{right}" y="{bottom + 16}" text-anchor="end" '
                     f'class="tick">{d1.isoformat()}</text>')
    if y_label:
        parts.append(f'<text x="4" y="{top - 12}" class="tick">{escape(y_label)}</text>')
    legend_x = left
    for i, (name, s) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        pts = sorted(s)
        if len(pts) > 1:
            path = " ".join(f"{px(d):.1f},{py(v):.1f}" for d, v in pts)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         'stroke-width="2"/>')
        for d, v in pts:
            parts.append(f'<circle cx="{px(d):.1f}" cy="{py(v):.1f}" r="3.5" fill="{colour}">'
                         f"<title>{escape(name)} {d.isoformat()}: {escape(_num(v))}</title>"
                         "</circle>")
        parts.append(f'<rect x="{legend_x}" y="{height - 16}" width="10" height="10" '
                     f'fill="{colour}"/><text x="{legend_x + 14}" y="{height - 7}" '
                     f'class="legend">{escape(name)}</text>')
        legend_x += 24 + 7 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))
