"""Pre-filling the contribution form from a link: ``/contribute?loopStages=P2D`` starts a case
study that shows that loop stage, so a page listing an evidence gap can ask for exactly that.

Pre-fill values name the same inputs a post does; they are checked like a post (no unknown
input, no value twice, no absurd row) and a choice must be one the form offers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from lhs_kg.contributions.form.carried import CARRIED
from lhs_kg.contributions.form.data import MAX_CHARS, RESERVED, check_structure
from lhs_kg.contributions.form.model import ContributionForm, Field, template_of

RATINGS = "assessment-ratings"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _shown(text: str, width: int = 40) -> str:
    return repr(text if len(text) <= width else text[:width] + "…")


def check_prefill(form: ContributionForm, values: Mapping[str, Sequence[str]]) -> list[str]:
    """What makes these pre-fill values unusable ([] when the form can start from them)."""
    reserved = [n for n in values if n in RESERVED]
    problems = [f"{_shown(n)} cannot be pre-filled." for n in reserved]
    rest = {n: v for n, v in values.items() if n not in RESERVED}
    problems += check_structure(form, _with_presets(form, rest))
    if problems:
        return problems
    templates = form.templates()
    for name, posted in rest.items():
        if name in CARRIED:  # checked whole by check_structure (a JSON object, size)
            continue
        field_ = templates[template_of(name)]
        for text in posted:
            if len(text) > MAX_CHARS:
                problems.append(f"The value for {_shown(name)} is longer than {MAX_CHARS:,}.")
            elif _CONTROL.search(text):
                problems.append(f"The value for {_shown(name)} holds a control character.")
            elif field_.choices and text not in {c.value for c in field_.choices}:
                problems.append(f"{_shown(text)} is not one of the choices for {field_.label!r}.")
    return problems


def _with_presets(
    form: ContributionForm, values: Mapping[str, Sequence[str]]
) -> dict[str, Sequence[str]]:
    """The values with the rows the form fills in itself (a rating per domain) where not given:
    a link may pre-fill the rating of domain 4 without repeating domains 1 to 3."""
    completed = dict(values)
    for group in form.groups().values():
        if "#" in group.name:
            continue
        for row, preset in enumerate(group.presets):
            for key, text in preset.items():
                completed.setdefault(f"{group.name}-{row}-{key}", [text])
    return completed


def prefill_for(
    form: ContributionForm, iri: str, broader: Iterable[str] = ()
) -> dict[str, list[str]]:
    """The inputs that make the form start from concept ``iri`` ({} when no input takes it).

    A NASSS subdomain goes in the rating row of its domain, found among ``broader``.
    """
    templates = form.templates()
    for name, field_ in templates.items():
        chosen = next((c for c in field_.choices if c.iri == iri and c.value), None)
        if chosen is None:
            continue
        if "#" not in name:
            return {name: [chosen.value]}
        if name == f"{RATINGS}-#-domain":
            row = _rating_row(form, templates, {iri})
            return {} if row is None else {f"{RATINGS}-{row}-domain": [chosen.value]}
        if name == f"{RATINGS}-#-subdomain":
            row = _rating_row(form, templates, set(broader))
            if row is None:
                return {}
            domain = form.groups()[RATINGS].presets[row]["domain"]
            return {
                f"{RATINGS}-{row}-domain": [domain],
                f"{RATINGS}-{row}-subdomain": [chosen.value],
            }
    return {}


def _rating_row(
    form: ContributionForm, templates: Mapping[str, Field], iris: set[str]
) -> int | None:
    """The preset rating row whose domain is one of ``iris`` (None when none is)."""
    group = form.groups().get(RATINGS)
    domain = templates.get(f"{RATINGS}-#-domain")
    if group is None or domain is None:
        return None
    codes = {c.value for c in domain.choices if c.iri in iris}
    for row, preset in enumerate(group.presets):
        if preset.get("domain") in codes:
            return row
    return None
