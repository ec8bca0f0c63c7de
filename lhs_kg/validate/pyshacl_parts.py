"""The parts of pySHACL's internals lhs-kg uses, in one place (see ``compiled`` for why).

pyproject.toml pins pySHACL to the minor version these were written and tested against;
``tests/validate/test_compiled.py`` resolves every part, so an upgrade that moves one fails there.
"""

from __future__ import annotations

import functools
from typing import Any

from rdflib import Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

_LEAF_MODULES = (
    "cardinality_constraints",
    "value_constraints",
    "string_based_constraints",
    "value_range_constraints",
    "other_constraints",
    "property_pair_constraints",
    "sparql_based_constraints",
)
"""pySHACL modules whose constraint components never validate another shape."""

Result = tuple[str, Node, list[tuple[Any, Any, Any]]]
"""pySHACL's validation result: its text, its node and its triples."""


@functools.lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    """rdflib parses SPARQL slowly (~0.1 s a query): parse each constraint's query once."""
    return prepareQuery(text)


@functools.cache
def _pyshacl_parts() -> dict[str, Any]:
    """The parts of pySHACL used here, in one place: an upgrade that moves them fails loudly."""
    from pyshacl import Validator
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    from pyshacl.constraints.core.logical_constraints import OrConstraintComponent
    from pyshacl.constraints.core.shape_based_constraints import (
        NodeConstraintComponent,
        PropertyConstraintComponent,
        QualifiedValueShapeConstraintComponent,
    )
    from pyshacl.constraints.sparql.sparql_based_constraints import SPARQLBasedConstraint
    from pyshacl.errors import ConstraintLoadWarning
    from pyshacl.graph_abstraction import RdfLibDataGraph
    from pyshacl.pytypes import SHACLExecutor

    class PreparedDataGraph(RdfLibDataGraph):
        """pySHACL's data graph, answering SHACL-SPARQL constraints with prepared queries."""

        def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            if isinstance(query_object, str):
                query_object = _prepared(query_object)
            return super().query(query_object, *args, **kwargs)

    return {
        "parameters": frozenset(ALL_CONSTRAINT_PARAMETERS),
        "components": dict(CONSTRAINT_PARAMETERS_MAP),
        "node": NodeConstraintComponent,
        "property": PropertyConstraintComponent,
        "or": OrConstraintComponent,
        "sparql": SPARQLBasedConstraint,
        "qualified": QualifiedValueShapeConstraintComponent,
        "load_warning": ConstraintLoadWarning,
        "data_graph": PreparedDataGraph,
        "executor": SHACLExecutor,
        "report": Validator.create_validation_report,
        "detail": URIRef("http://www.w3.org/ns/shacl#detail"),
        "qualified_min": URIRef("http://www.w3.org/ns/shacl#QualifiedMinCountConstraintComponent"),
        "qualified_max": URIRef("http://www.w3.org/ns/shacl#QualifiedMaxCountConstraintComponent"),
    }


def prepared_data_graph(graph: Graph) -> Graph:
    """``graph`` as pySHACL's data graph whose SPARQL queries are parsed once per process."""
    cls = _pyshacl_parts()["data_graph"]
    wrapped: Graph = cls(store=graph.store, impl=graph)
    return wrapped
