"""A line chart as one self-contained SVG file, for bench/run.py (no plotting library:
matplotlib is not installed here and PyPI is out of reach)."""
from __future__ import annotations

import math
from html import escape

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Evenly spaced round values (steps of 1, 2, 2.5 or 5 x 10^k) from 0 to at least top."""
    raw = max(top, 1e-9) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def label(v: float) -> str:
    if v == int(v):
        return f"{v:,.0f}"
    return f"{v:,.1f}" if v >= 1 else f"{v:g}"


def log_ticks(low: float, high: float) -> list[float]:
    """Powers of ten from below `low` to at least `high` (both > 0)."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    return [10.0 ** k for k in range(first, max(last, first + 1) + 1)]


def line_chart(series: dict[str, list[tuple[float, float]]], title: str, x_label: str, y_label: str,
               dashed: tuple[str, ...] = (), width: int = 760, height: int = 440, log_y: bool = False) -> str:
    """SVG text of one line per series (name -> (x, y) points, drawn in x order), the x axis
    from 0, the y axis from 0 (or, with log_y, in decades: for values spanning several), a
    grid, a legend on the right; series named in `dashed` are drawn dashed without markers
    (targets, references)."""
    left, right, top, bottom = 70, 230, 40, 50  # margins: axis labels, legend, title
    points = [p for pts in series.values() for p in pts]
    xt = nice_ticks(max(x for x, _ in points))
    ys = [y for _, y in points if not log_y or y > 0]
    yt = log_ticks(min(ys), max(ys)) if log_y else nice_ticks(max(ys))

    def px(x: float) -> float:
        return left + x / xt[-1] * (width - left - right)

    def py(y: float) -> float:
        if log_y:
            span = math.log10(yt[-1]) - math.log10(yt[0])
            share = (math.log10(max(y, yt[0])) - math.log10(yt[0])) / span
        else:
            share = y / yt[-1]
        return height - bottom - share * (height - top - bottom)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="14">{escape(title)}</text>']
    for t in xt:
        out.append(f'<line x1="{px(t):.1f}" y1="{py(0):.1f}" x2="{px(t):.1f}" y2="{py(yt[-1]):.1f}" stroke="#ddd"/>'
                   f'<text x="{px(t):.1f}" y="{py(0) + 16:.1f}" text-anchor="middle">{label(t)}</text>')
    for t in yt:
        out.append(f'<line x1="{px(0):.1f}" y1="{py(t):.1f}" x2="{px(xt[-1]):.1f}" y2="{py(t):.1f}" stroke="#ddd"/>'
                   f'<text x="{px(0) - 6:.1f}" y="{py(t) + 4:.1f}" text-anchor="end">{label(t)}</text>')
    out.append(f'<text x="{px(xt[-1] / 2):.1f}" y="{height - 12}" text-anchor="middle">{escape(x_label)}</text>'
               f'<text transform="translate(18 {py(yt[-1] / 2):.1f}) rotate(-90)" text-anchor="middle">'
               f'{escape(y_label)}</text>')
    for i, (name, pts) in enumerate(series.items()):
        colour, style = (("#666", ' stroke-dasharray="6 4"') if name in dashed else (COLOURS[i % len(COLOURS)], ""))
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in sorted(pts))
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{style}/>')
        if name not in dashed:
            out += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="{colour}"/>' for x, y in pts]
        ly = top + 10 + 20 * i
        out.append(f'<line x1="{width - right + 20}" y1="{ly}" x2="{width - right + 44}" y2="{ly}" stroke="{colour}" '
                   f'stroke-width="2"{style}/><text x="{width - right + 50}" y="{ly + 4}">{escape(name)}</text>')
    return "\n".join(out) + "\n</svg>\n"
