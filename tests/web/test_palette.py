"""The NASSS level colours in style.css stay readable and tell apart for colour-blind readers (#15).

Colour-vision deficiency is simulated with Machado, Oliveira & Fernandes (2009) at full severity
(the matrices most simulators use), applied to linear RGB; differences are CIE L*a*b* distances.
The words in every cell remain the first cue; these checks keep the colour a fair second one.
"""

from __future__ import annotations

import itertools
import math
import re

import pytest

from tests.helpers import ROOT

STYLE = ROOT / "web" / "static" / "style.css"
LEVELS = ("simple", "complicated", "complex")

#: Machado et al. 2009, severity 1.0, for linear RGB.
SIMULATIONS = {
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}

#: Smallest CIE76 distance between two levels' colours under any simulation.
MIN_DELTA_E = 25.0

Rgb = tuple[float, float, float]


def css_colours() -> dict[str, str]:
    """The ``--lvl-*`` custom properties of style.css."""
    found = dict(re.findall(r"--(lvl-[a-z-]+):\s*(#[0-9a-fA-F]{6})", STYLE.read_text()))
    assert found, "no --lvl-* colours in style.css"
    return found


def linear(hex_colour: str) -> Rgb:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return r, g, b


def luminance(rgb: Rgb) -> float:
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(linear(a)), luminance(linear(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def simulate(rgb: Rgb, kind: str) -> Rgb:
    m = SIMULATIONS[kind]
    out = [sum(m[i][j] * rgb[j] for j in range(3)) for i in range(3)]
    return (min(1.0, max(0.0, out[0])), min(1.0, max(0.0, out[1])), min(1.0, max(0.0, out[2])))


def lab(rgb: Rgb) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


@pytest.mark.parametrize("level", LEVELS)
def test_cell_text_meets_wcag_aa_on_its_level_colour(level: str) -> None:
    colours = css_colours()
    ratio = contrast(colours[f"lvl-{level}"], colours[f"lvl-{level}-ink"])
    assert ratio >= 4.5, f"{level}: contrast {ratio:.2f} < 4.5"


@pytest.mark.parametrize("vision", list(SIMULATIONS))
def test_levels_stay_apart_and_ordered_light_to_dark(vision: str) -> None:
    colours = css_colours()
    seen = {lv: lab(simulate(linear(colours[f"lvl-{lv}"]), vision)) for lv in LEVELS}
    for a, b in itertools.combinations(LEVELS, 2):
        delta = math.dist(seen[a], seen[b])
        assert delta >= MIN_DELTA_E, f"{vision}: {a} vs {b} only ΔE {delta:.1f}"
    lightness = [seen[lv][0] for lv in LEVELS]
    # more complex reads darker for every reader, so the order needs no hue at all
    assert lightness == sorted(lightness, reverse=True), f"{vision}: L* {lightness}"


def test_the_old_red_green_pair_would_fail() -> None:
    """The check has teeth: the former green/red pair collapses for deuteranopes."""
    green, red = (
        lab(simulate(linear("#2e7d32"), "deuteranopia")),
        lab(simulate(linear("#b3261e"), "deuteranopia")),
    )
    assert math.dist(green, red) < MIN_DELTA_E
