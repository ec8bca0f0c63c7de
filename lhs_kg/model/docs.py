"""The fields table of the docs, written from the model so it cannot drift from the shapes.

``lhs-kg fields`` prints it (Markdown); ``docs/MODEL.md`` points to it rather than copying it.
"""

from __future__ import annotations

from lhs_kg.model.faces import FACES, excluded
from lhs_kg.model.kinds import Kind, Model, Property
from lhs_kg.namespaces import PREFIXES


def _curie(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and local and "/" not in local and "#" not in local:
            return f"{prefix}:{local}"
    return f"<{iri}>"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.replace("|", "\\|").split())


def _values(prop: Property) -> str:
    """What a value is, with its vocabulary: 'text', 'concept of …/loop', 'Outcome' …"""
    if prop.value_type == "concept" and prop.scheme:
        return "concept of `" + prop.scheme.rsplit("/", 1)[-1] + "`"
    if prop.value_type == "concept" and prop.allowed:
        return "one of " + ", ".join(f"`{_curie(a)}`" for a in prop.allowed)
    if prop.target:
        return prop.target
    return prop.value_type


def _count(prop: Property) -> str:
    top = "n" if prop.max_count is None else str(prop.max_count)
    need = "" if prop.required or not prop.min_count else " (recommended)"
    low = prop.min_count if prop.required else 0
    return f"{low}..{top}{need}"


def _left_out(kind: Kind, prop: Property) -> str:
    return ", ".join(f for f in FACES if excluded(kind.name, prop.key, f) is not None)


def kind_table(kind: Kind) -> str:
    """One kind's fields as a Markdown table, in form order."""
    lines = [
        f"### {kind.label} (`{kind.name}`)",
        "",
        "| key | property | value | count | name | description | group | not shown in |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for prop in kind:
        lines.append(
            "| "
            + " | ".join(
                [
                    f"`{prop.key}`" if prop.key else "",
                    f"`{_curie(prop.iri)}`",
                    _cell(_values(prop)),
                    _count(prop),
                    _cell(prop.name),
                    _cell(prop.description),
                    _cell(prop.group_label),
                    _left_out(kind, prop),
                ]
            )
            + " |"
        )
    return "\n".join(lines) + "\n"


def fields_markdown(model: Model, names: list[str] | None = None) -> str:
    """The fields tables of ``names`` (default: every kind), case study first.

    >>> from lhs_kg.model import load_model
    >>> text = fields_markdown(load_model(), ["Outcome"])
    >>> text.splitlines()[0], "`lhs:metric`" in text
    ('### outcome (`Outcome`)', True)
    """
    order = names or sorted(model.kinds, key=lambda n: (n != "CaseStudy", n))
    return "\n".join(kind_table(model[name]) for name in order)
