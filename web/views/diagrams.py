"""Geometry of the inline SVG diagrams: the framework wheel, the Better Care Loop, the NASSS radar.

Functions here turn read models into shapes (paths, points, text positions); templates draw them.
No blueprint: shared by the home, resource and dashboard views.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from lhs_kg.describe.concepts import LoopStage, Ring


@dataclass
class LabelLine:
    """One line of a segment's label, written along its own arc (``path``, id ``path_id``)."""

    text: str
    path_id: str
    path: str


@dataclass
class Segment:
    """A linked annular sector: its full label, the label's lines and its short key.

    Ring segments write their lines along arcs (upright in the lower half too); hub segments
    write them level at ``x``/``y``. ``key`` (e.g. R3) is what a phone shows in the sector.
    """

    iri: str
    label: str
    lines: list[LabelLine]
    path: str
    x: float
    y: float
    css: str
    key: str
    curved: bool


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
#: Font size (user units) of segment labels, their line spacing, and the guessed mean glyph width
#: (em) used to wrap them; a browser test measures the real text against its arc.
WHEEL_FONT = 13.0
WHEEL_LINE = 14.5
GLYPH_EM = 0.6
#: Keys shown in place of labels on a phone: ring prefix + notation or position.
KEY_PREFIX = ("R", "S", "C", "")
#: Gap (user units) left at each end of a label's arc.
ARC_PAD = 6.0


def _arc(r: float, a0: float, a1: float, upright_below: bool) -> str:
    """An arc of radius r from a0 to a1 (clockwise), or back (so text stays upright below)."""
    large = 1 if a1 - a0 > math.pi else 0
    if upright_below:
        (x0, y0), (x1, y1) = _point(r, a1), _point(r, a0)
        return f"M{x0} {y0} A{r} {r} 0 {large} 0 {x1} {y1}"
    (x0, y0), (x1, y1) = _point(r, a0), _point(r, a1)
    return f"M{x0} {y0} A{r} {r} 0 {large} 1 {x1} {y1}"


def _curved_lines(
    label: str, r0: float, r1: float, a0: float, a1: float, ident: str
) -> list[LabelLine]:
    """A label wrapped to fit its sector, each line on an arc centred in the ring."""
    mid = (a0 + a1) / 2
    below = math.sin(mid) > 0.05
    for count in (1, 2, 3):
        # lines sit between r0 and r1; the innermost is the shortest, so it sets the width
        centre = (r0 + r1) / 2
        radii = [centre + (count - 1) / 2 * WHEEL_LINE - i * WHEEL_LINE for i in range(count)]
        if below:
            radii.reverse()  # text upright below the centre: its first line is the inner one
        pad = ARC_PAD / min(radii)
        chars = int(min(radii) * (a1 - a0 - 2 * pad) / (WHEEL_FONT * GLYPH_EM))
        lines = wrap(label, chars, count)
        if "…" not in "".join(lines) or count == 3:
            break
    out = []
    for i, (text, r) in enumerate(zip(lines, radii, strict=False)):
        pad = ARC_PAD / r
        out.append(LabelLine(text, f"{ident}-{i}", _arc(round(r, 2), a0 + pad, a1 - pad, below)))
    return out


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
            x, y = _point(r1 * 0.58 if r0 <= 0 else (r0 + r1) / 2, mid)
            ident = f"wheel-{index}-{k}"
            if r0 > 0:
                lines = _curved_lines(element.label, r0, r1, a0, a1, ident)
            else:
                lines = [LabelLine(t, "", "") for t in wrap(element.label, 12, 3)]
            segments.append(
                Segment(
                    element.iri,
                    element.label,
                    lines,
                    sector(r0, r1, a0 + 0.004, a1 - 0.004),
                    x,
                    y,
                    f"wheel-seg wheel-ring-{index}",
                    KEY_PREFIX[index] + (element.notation or str(k + 1)),
                    r0 > 0,
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
    lines: list[str]


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
                wrap(stage.label, 12, 2),
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


#: The NASSS levels from the centre out; a rating's ``rank`` (1–3) is its ring.
RADAR_LEVELS = ("simple", "complicated", "complex")


class RadarRating(Protocol):
    """What the radar needs of a rating: the domain's notation and the level (rank 1–3)."""

    @property
    def notation(self) -> str: ...
    @property
    def rank(self) -> int: ...
    @property
    def level_label(self) -> str: ...
    @property
    def level_id(self) -> str: ...


@dataclass
class RadarAxis:
    """One NASSS domain's spoke: its end, its wrapped label, and its rated point if rated."""

    notation: str
    label: str
    x: float
    y: float
    lx: float
    ly: float
    anchor: str
    lines: list[str]
    rated: bool
    level: str
    level_id: str
    px: float
    py: float


@dataclass
class RadarRing:
    """A level's ring (simple innermost) and where its name is written on the top spoke."""

    level: str
    points: str
    lx: float
    ly: float


@dataclass
class Radar:
    """Everything a template needs to draw a complexity profile, rated or not."""

    axes: list[RadarAxis]
    area: str
    rings: list[RadarRing]
    view_box: str
    rated: int


def radar(
    domains: Sequence[tuple[str, str, str]],
    ratings: Iterable[RadarRating],
    radius: float = 100,
) -> Radar:
    """The complexity profile: one spoke per (iri, notation, label) domain, rings for the levels.

    Shared by case-study pages and the self-assessment. An unrated domain (no rating, or rank
    outside 1–3) gets no point and is not drawn as zero; the area joins the rated points only.
    """
    by_notation = {r.notation: r for r in ratings if 1 <= r.rank <= len(RADAR_LEVELS)}
    n = max(1, len(domains))
    axes, points = [], []
    for k, (_, notation, label) in enumerate(domains):
        angle = -math.pi / 2 + 2 * math.pi * k / n
        x, y = _point(radius, angle)
        lx, ly = _point(radius + 14, angle)
        rating = by_notation.get(notation)
        px, py = _point(radius * rating.rank / len(RADAR_LEVELS), angle) if rating else (0.0, 0.0)
        if rating:
            points.append(f"{px},{py}")
        lines = wrap(f"{notation}. {label}", RADAR_LABEL_WIDTH, 3)
        if not rating:
            lines.append("(not rated)")
        anchor = "middle" if abs(lx) < 10 else ("start" if lx > 0 else "end")
        # labels above the centre grow upwards, below it downwards, beside it around the spoke end
        height = (len(lines) - 1) * RADAR_LINE
        if ly < -radius / 2:
            top = ly - height - 2
        elif ly > radius / 2:
            top = ly + 12
        else:
            top = ly + 4 - height / 2
        axes.append(
            RadarAxis(
                notation,
                label,
                x,
                y,
                lx,
                round(top, 2),
                anchor,
                lines,
                rating is not None,
                rating.level_label if rating else "not rated",
                rating.level_id if rating else "none",
                px,
                py,
            )
        )
    rings = []
    for level, name in enumerate(RADAR_LEVELS, start=1):
        ring = [_point(radius * level / 3, -math.pi / 2 + 2 * math.pi * k / n) for k in range(n)]
        spots = " ".join(f"{x},{y}" for x, y in ring)
        rings.append(RadarRing(name, spots, 4, round(-radius * level / 3 + 11, 2)))
    area = " ".join(points) if len(points) >= 3 else ""
    return Radar(axes, area, rings, RADAR_VIEW_BOX, len(points))


#: Characters per line of a radar label, line height (user units) and the drawing's frame.
RADAR_LABEL_WIDTH = 16
RADAR_LINE = 15
RADAR_VIEW_BOX = "-245 -170 490 330"
