"""The bounds a submission must keep: bytes, nesting, triples, list members, shared blank nodes."""

from __future__ import annotations

from collections import Counter

from rdflib import BNode, Graph
from rdflib.namespace import RDF
from rdflib.term import Node

from lhs_kg.errors import InputError, TooLargeError

DEFAULT_MAX_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_NODES = 20_000
DEFAULT_MAX_TRIPLES = 2_000
"""Triples per submission (LHS_KG_MAX_SUBMISSION_TRIPLES): ~20x the largest curated case study."""
MAX_LIST_MEMBERS = 50
"""Members of one RDF list (pySHACL copies a list into its report in quadratic time)."""
MAX_BLANK_NODE_USES = 4
"""Triples one blank node may be the value of (in a JSON tree, each is used once)."""
MAX_INTEGER_DIGITS = 18
"""Longer integers are refused: no field needs them, and Python cannot even print 4,300 digits."""
MAX_NUMBER_CHARS = 64


def _too_many_triples(label: str, limit: int) -> TooLargeError:
    return TooLargeError(
        f"{label}: more than {limit:,} triples; a submission describes one case study "
        "(the largest curated one has about 100), so this limit is generous "
        "(LHS_KG_MAX_SUBMISSION_TRIPLES)"
    )


def _check_shape(graph: Graph, label: str) -> None:
    """Refuse RDF lists that are too long, cyclic or branching, and shared unnamed nodes.

    A blank node used as the value of many triples makes pySHACL describe it once per result:
    one list shared by every property took 13 s to validate, so sharing is bounded.
    """
    uses: Counter[Node] = Counter(o for o in graph.objects() if isinstance(o, BNode))
    shared = next((node for node, count in uses.items() if count > MAX_BLANK_NODE_USES), None)
    if shared is not None:
        raise InputError(
            f"{label}: an unnamed (blank) node is the value of {uses[shared]} triples (at most "
            f"{MAX_BLANK_NODE_USES}); give it an IRI to refer to it from many places"
        )
    cells = set(graph.subjects(RDF.first, None)) | set(graph.subjects(RDF.rest, None))
    heads = [cell for cell in cells if (None, RDF.rest, cell) not in graph]
    if cells and not heads:
        raise InputError(f"{label}: an RDF list goes round in a circle")
    seen: set[Node] = set()
    for head in heads:
        node: Node | None = head
        members = 0
        while node is not None and node != RDF.nil:
            if node in seen:
                raise InputError(f"{label}: an RDF list goes round in a circle or shares its tail")
            seen.add(node)
            members += 1
            if members > MAX_LIST_MEMBERS:
                raise TooLargeError(
                    f"{label}: a list has more than {MAX_LIST_MEMBERS} members "
                    "(for example authors: list the first ones and add 'et al.' to the title)"
                )
            rests = list(graph.objects(node, RDF.rest))
            if len(rests) > 1:
                raise InputError(f"{label}: an RDF list cell has {len(rests)} rdf:rest values")
            node = rests[0] if rests else None
    if len(seen) < len(cells):
        raise InputError(f"{label}: an RDF list goes round in a circle")
