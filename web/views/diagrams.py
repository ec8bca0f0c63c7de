"""Geometry of the inline SVG diagrams: the framework wheel, the Better Care Loop, the NASSS radar.

Functions here turn read models into shapes (paths, points, text positions); templates draw them.
No blueprint: shared by the home, resource and dashboard views.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lhs_kg.describe.casestudies import Rating
from lhs_kg.describe.concepts import LoopStage, Ring


@dataclass
class Segment:
    """A linked annular sector with a short label."""

    iri: str
    label: str
    lines: list[str]
    path: str
    x: float
    y: float
    css: str


@dataclass
class RingShape:
    """A ring of the wheel: its name band (linked to the ring concept) and its segments."""

    iri: str
    label: str
    band: str
    text_path: str
    text_path_id: str
    segments: list[Segment]
    css: str


def _point(r: float, angle: float) -> tuple[float, float]:
    return round(r * math.cos(angle), 2), round(r * math.sin(angle), 2)


def sector(r0: float, r1: float, a0: float, a1: float) -> str:
    """SVG path of the annular sector between radii r0<r1 and angles a0<a1 (radians)."""
    large = 1 if a1 - a0 > math.pi else 0
    x0, y0 = _point(r1, a0)
    x1, y1 = _point(r1, a1)
    if r0 <= 0:
        return f"M0 0 L{x0} {y0} A{r1} {r1} 0 {large} 1 {x1} {y1} Z"
    x2, y2 = _point(r0, a1)
    x3, y3 = _point(r0, a0)
    return (
        f"M{x0} {y0} A{r1} {r1} 0 {large} 1 {x1} {y1} L{x2} {y2} A{r0} {r0} 0 {large} 0 {x3} {y3} Z"
    )


def annulus(r0: float, r1: float) -> str:
    """SVG path of a full ring (even-odd filled)."""
    return (
        f"M{r1} 0 A{r1} {r1} 0 1 1 {-r1} 0 A{r1} {r1} 0 1 1 {r1} 0 Z "
        f"M{r0} 0 A{r0} {r0} 0 1 0 {-r0} 0 A{r0} {r0} 0 1 0 {r0} 0 Z"
    )


def wrap(label: str, width: int = 13, lines: int = 2) -> list[str]:
    """A label broken into at most ``lines`` short lines, the last shortened with an ellipsis."""
    words, out, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return [o if len(o) <= width + 2 else o[:width] + "…" for o in out]


#: Radii of the rings (outside in): (inner, outer) of the segments, and the name band above.
WHEEL_RADII = ((252, 302), (184, 234), (116, 166), (0, 98))
BAND = 18


def wheel(rings: list[Ring]) -> list[RingShape]:
    """Shapes of the framework wheel: rings outside in, each with its name band and segments."""
    shapes = []
    for index, ring in enumerate(rings[: len(WHEEL_RADII)]):
        r0, r1 = WHEEL_RADII[index]
        n = max(1, len(ring.elements))
        step = 2 * math.pi / n
        start = -math.pi / 2 - step / 2
        segments = []
        for k, element in enumerate(ring.elements):
            a0, a1 = start + k * step, start + (k + 1) * step
            mid = (a0 + a1) / 2
            text_r = (r0 + r1) / 2 if r0 > 0 else r1 * 0.58
            x, y = _point(text_r, mid)
            segments.append(
                Segment(
                    element.iri,
                    element.label,
                    wrap(element.label, (12, 11, 10, 11)[index]),
                    sector(r0, r1, a0 + 0.004, a1 - 0.004),
                    x,
                    y,
                    f"wheel-seg wheel-ring-{index}",
                )
            )
        mid_band = r1 + BAND / 2
        shapes.append(
            RingShape(
                ring.iri,
                ring.label,
                annulus(r1, r1 + BAND),
                f"M{-mid_band} 0 A{mid_band} {mid_band} 0 1 1 {mid_band} 0 "
                f"A{mid_band} {mid_band} 0 1 1 {-mid_band} 0",
                f"wheel-band-{index}",
                segments,
                f"wheel-band wheel-ring-{index}",
            )
        )
    return shapes


@dataclass
class LoopNode:
    """A stage of the loop diagram: where it sits and whether it is highlighted."""

    iri: str
    label: str
    notation: str
    x: float
    y: float
    on: bool


@dataclass
class LoopArrow:
    """The arc from one stage to the next."""

    path: str


def loop(
    stages: list[LoopStage], covered: set[str] | None = None, radius: float = 110
) -> tuple[list[LoopNode], list[LoopArrow]]:
    """Stages placed on a circle (first at the top, clockwise) and the arrows between them."""
    n = max(1, len(stages))
    nodes = []
    for k, stage in enumerate(stages):
        angle = -math.pi / 2 + 2 * math.pi * k / n
        x, y = _point(radius, angle)
        nodes.append(
            LoopNode(
                stage.iri,
                stage.label,
                stage.notation,
                x,
                y,
                covered is None or stage.iri in covered,
            )
        )
    arrows = []
    gap = 0.55 if n > 1 else 0
    for k in range(len(stages)):
        a0 = -math.pi / 2 + 2 * math.pi * k / n + gap
        a1 = -math.pi / 2 + 2 * math.pi * (k + 1) / n - gap
        x0, y0 = _point(radius, a0)
        x1, y1 = _point(radius, a1)
        arrows.append(LoopArrow(f"M{x0} {y0} A{radius} {radius} 0 0 1 {x1} {y1}"))
    return nodes, arrows


@dataclass
class RadarAxis:
    """One NASSS domain's spoke: its end point, label position and the rated point."""

    notation: str
    label: str
    x: float
    y: float
    lx: float
    ly: float
    anchor: str
    level: str


def radar(
    domains: list[tuple[str, str, str]], ratings: list[Rating], radius: float = 110
) -> tuple[list[RadarAxis], str, list[str]]:
    """Spokes for the domains, the polygon of the ratings and the grid polygons (3 levels)."""
    by_notation = {r.notation: r for r in ratings}
    n = max(1, len(domains))
    axes, points = [], []
    for k, (_, notation, label) in enumerate(domains):
        angle = -math.pi / 2 + 2 * math.pi * k / n
        x, y = _point(radius, angle)
        lx, ly = _point(radius + 16, angle)
        rating = by_notation.get(notation)
        rank = min(3, max(0, rating.rank)) if rating else 0
        px, py = _point(radius * rank / 3, angle)
        points.append(f"{px},{py}")
        anchor = "middle" if abs(lx) < 10 else ("start" if lx > 0 else "end")
        axes.append(
            RadarAxis(
                notation,
                label,
                x,
                y,
                lx,
                ly + 4,
                anchor,
                rating.level_label if rating else "not rated",
            )
        )
    grid = []
    for level in (1, 2, 3):
        ring = [_point(radius * level / 3, -math.pi / 2 + 2 * math.pi * k / n) for k in range(n)]
        grid.append(" ".join(f"{x},{y}" for x, y in ring))
    return axes, " ".join(points), grid
