"""Generate ``lhs_kg/ontology_terms.py``: the terms ``ontology/lhs.ttl`` defines, closed.

Code names ontology terms as ``LHS.term`` (type checkers see each one, an unknown name raises), and
the list comes from the ontology itself, so a term added there is a term the code may use. Run
``make content`` (or ``python -m lhs_kg.content.namespace_module``) after editing the ontology; a
test fails while the committed module and the ontology disagree.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from lhs_kg.config import PROJECT_ROOT
from lhs_kg.content.countries import write_or_check

ONTOLOGY_PATH = PROJECT_ROOT / "ontology" / "lhs.ttl"
MODULE_PATH = PROJECT_ROOT / "lhs_kg" / "ontology_terms.py"
NAMESPACE = "https://w3id.org/lhs-kg/ontology/"

KINDS: tuple[tuple[URIRef, str], ...] = (
    (OWL.Class, "classes"),
    (RDFS.Datatype, "datatypes"),
    (OWL.ObjectProperty, "object properties"),
    (OWL.DatatypeProperty, "datatype properties"),
    (OWL.AnnotationProperty, "annotation properties"),
    (OWL.NamedIndividual, "individuals"),
    (RDFS.Class, "other classes"),
    (RDF.Property, "other properties"),
)
"""The declarations that define a term, in the order the module lists them."""


def defined_terms(ontology: Graph) -> dict[str, list[str]]:
    """Local names the ontology declares in our namespace, by kind (first kind wins), sorted."""
    found: dict[str, list[str]] = {label: [] for _kind, label in KINDS}
    seen: set[str] = set()
    for kind, label in KINDS:
        for subject in ontology.subjects(RDF.type, kind):
            name = str(subject)[len(NAMESPACE) :]
            if str(subject).startswith(NAMESPACE) and name and name not in seen:
                seen.add(name)
                found[label].append(name)
    return {label: sorted(names) for label, names in found.items() if names}


def render(terms: dict[str, list[str]]) -> str:
    """The module text for ``terms`` (deterministic, already ``ruff format``-clean)."""
    lines = [
        '"""The terms of ``ontology/lhs.ttl`` as a closed namespace (generated: do not edit).',
        "",
        "Regenerate with ``make content`` after editing the ontology; ``docs/MODEL.md`` documents",
        "each term. ``LHS.unknown`` raises ``AttributeError``.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from rdflib import Namespace, URIRef",
        "from rdflib.namespace import DefinedNamespace",
        "",
        "",
        "class LHS(DefinedNamespace):",
        '    """Terms of ``ontology/lhs.ttl``."""',
        "",
        "    _fail = True",
        f'    _NS = Namespace("{NAMESPACE}")',
    ]
    for label, names in terms.items():
        lines += ["", f"    # {label}"]
        lines += [f"    {name}: URIRef" for name in names]
    return "\n".join(lines) + "\n"


def generate(path: Path = ONTOLOGY_PATH) -> str:
    """The module text for the ontology file at ``path``."""
    return render(defined_terms(Graph().parse(path, format="turtle")))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the module, or ``--check`` it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 when the module is stale")
    parser.add_argument("--output", type=Path, default=MODULE_PATH)
    args = parser.parse_args(argv)
    return write_or_check(args.output, generate(), args.check)


if __name__ == "__main__":
    raise SystemExit(main())
