"""The exclusion table: a face leaves out exactly the fields it names, each with its reason."""

from __future__ import annotations

import pytest

from lhs_kg.model import load_model
from lhs_kg.model.faces import (
    CSV,
    EXCLUSIONS,
    PAGE,
    Exclusion,
    case_study_kinds,
    excluded,
    shown,
)

MODEL = load_model()


@pytest.mark.parametrize(
    "entry", [pytest.param(e, id=f"{e.kind}.{e.key}-{e.face}") for e in EXCLUSIONS]
)
def test_an_excluded_field_is_left_out_of_its_face_only(entry: Exclusion) -> None:
    kind, key, face = entry.kind, entry.key, entry.face
    prop = MODEL[kind].get(key)
    kinds = [MODEL[kind]]
    assert prop.iri not in {p.iri for p in shown(MODEL, face, kinds)}
    other = PAGE if face != PAGE else CSV
    if excluded(kind, key, other) is None:
        assert prop.iri in {p.iri for p in shown(MODEL, other, kinds)}


def test_a_field_no_entry_names_is_shown() -> None:
    assert excluded("CaseStudy", "title", PAGE) is None
    assert "title" in [p.key for p in shown(MODEL, CSV)]


def test_the_case_study_kinds_are_those_targeting_the_class() -> None:
    assert {k.name for k in case_study_kinds(MODEL)} >= {"CaseStudy", "Contribution"}
