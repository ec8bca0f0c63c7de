"""SHACL validation with pySHACL's constraint objects built once per process, not once per run.

Why this module uses pySHACL's internals (pinned in pyproject.toml to the minor version tested;
``tests/validate/test_compiled.py`` checks the pin): measured with ``python -m bench.validate
--cpu`` on the 2-core machine (pySHACL 0.40.1, #13), a typical 36-triple contribution takes 7 ms
of CPU through this module against 75 ms through pySHACL's own loop on the same data graph, and
the 15 curated case studies validated as submissions a median of 11 ms (8-19) against 117 ms
(80-134): without it the 30 ms target per case-study validation is missed about four times over.
To upgrade pySHACL, widen the pin, then run ``tests/validate/test_compiled.py`` (the reports must
stay identical) and the bench.

pySHACL rebuilds the constraint objects of every shape it visits on each run (about a hundred
visits for one case study, helper shapes included) and finds each shape's parameters by scanning
a list; for a 30-triple submission that overhead is most of the time. :class:`CompiledShapes`
builds pySHACL's own constraint component objects once. The self-contained ones (cardinality,
datatype, node kind, string rules, value sets, SHACL-SPARQL, ...) then evaluate themselves exactly
as pySHACL does; the ones that validate other shapes (``sh:node``, ``sh:property``, ``sh:or``,
``sh:qualifiedValueShape``) are walked here with pySHACL's parameters and result builders; and the
report graph is made by pySHACL's own report builder. The report is the one pySHACL gives
(``tests/validate/test_compiled.py`` compares both on every test submission).

Everything this module relies on in pySHACL sits in ``pyshacl_parts``. A shapes graph that
uses a feature not covered here (sh:and, sh:not, sh:xone, custom constraint components, recursive
shapes, ...) compiles to ``None``; the caller then runs pySHACL itself.
"""

from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from lhs_kg.terms import to_oxigraph, to_rdflib
from lhs_kg.validate.pyshacl_parts import _LEAF_MODULES, Result, _pyshacl_parts
from lhs_kg.validate.pyshacl_parts import prepared_data_graph as prepared_data_graph

_QUIET: Result = ("", URIRef("urn:x-lhs-kg:unreported"), [])


def _quiet_result(*_args: Any, **_kwargs: Any) -> Result:
    """Where only conformance counts (inside sh:or, sh:qualifiedValueShape), skip the report.

    pySHACL describes every failed check of a value against each sh:or or qualified shape in a
    report it then throws away; that text costs more than the check.
    """
    return _QUIET


class Unsupported(Exception):
    """The shapes graph uses something this module does not walk: let pySHACL run it."""


@dataclass
class _Step:
    kind: str  # leaf, node, property, or, qualified
    component: Any
    shapes: list[Any]  # the shapes it validates (for or: one list per sh:or)
    queries: list[tuple[Any, str]] = field(default_factory=list)  # sparql: (helper, query text)
    quiet: Any = None  # a copy of the component that makes no report (for conformance checks)

    def __post_init__(self) -> None:
        self.quiet = copy.copy(self.component)
        self.quiet.make_v_result = _quiet_result


@dataclass
class _Targets:
    nodes: frozenset[Node]
    classes: frozenset[Node]
    subjects_of: tuple[Node, ...]
    objects_of: tuple[Node, ...]


class _Run:
    """One validation: the data graph, and a copy in Oxigraph made when a SPARQL rule needs it."""

    def __init__(self, data: Graph) -> None:
        self.data = data
        self._store: ox.Store | None = None
        self._to_ox: dict[Node, Any] = {}
        self._from_ox: dict[Any, Node] = {}
        self._bnodes: dict[BNode, ox.BlankNode] = {}

    def _term(self, node: Node) -> Any:
        term = self._to_ox.get(node)
        if term is None:
            term = to_oxigraph(node, self._bnodes)
            self._to_ox[node] = term
            self._from_ox.setdefault(term, node)
        return term

    def _back(self, term: Any) -> Node:
        node = self._from_ox.get(term)
        if node is not None:
            return node
        return to_rdflib(term)

    def violations(
        self, query: str, focus: Node
    ) -> list[tuple[Node | None, Node | None, Node | None, dict[str, Node]]]:
        """The rows of a constraint's SELECT for one focus node, as pySHACL reads them."""
        if self._store is None:
            self._store = ox.Store()
            self._store.extend(
                ox.Quad(self._term(s), self._term(p), self._term(o), ox.DefaultGraph())
                for s, p, o in self.data.triples((None, None, None))
            )
        solutions = self._store.query(query, substitutions={_THIS: self._term(focus)})
        assert isinstance(solutions, ox.QuerySolutions)  # a SELECT, checked when compiled
        names = [variable.value for variable in solutions.variables]
        found: list[tuple[Node | None, Node | None, Node | None, dict[str, Node]]] = []
        for solution in solutions:
            row = {n: self._back(solution[n]) for n in names if solution[n] is not None}
            path, value, this = row.pop("path", None), row.pop("value", None), row.pop("this", None)
            if path is None and value is None and this is None:
                continue
            violation = (this, path, value, row)
            if violation not in found:
                found.append(violation)
        return found


_THIS = ox.Variable("this")


def _oxigraph_queries(component: Any) -> list[tuple[Any, str]] | None:
    """The SELECT texts of a SPARQL constraint as pySHACL would run them, if Oxigraph can."""
    queries = []
    for helper in component.sparql_constraints:
        if helper.deactivated:
            continue
        binds, text = helper.pre_bind_variables(URIRef("urn:x-lhs-kg:focus"))
        text = helper.apply_prefixes(text)
        if set(binds) != {"this"} or "failure" in text:
            return None
        try:  # Oxigraph binds $this only when the query projects it
            ox.Store().query(text, substitutions={_THIS: ox.NamedNode("urn:x-lhs-kg:focus")})
        except (SyntaxError, RuntimeError, ValueError):
            return None
        queries.append((helper, text))
    return queries


class CompiledShapes:
    """One pySHACL ``ShapesGraph`` with the constraint objects of every shape built once."""

    def __init__(self, shapes_graph: Any) -> None:
        parts = _pyshacl_parts()
        self.sg = shapes_graph
        self._parts = parts
        self._executor = parts["executor"]()
        if list(shapes_graph.custom_constraints):
            raise Unsupported("custom constraint components")
        self._steps: dict[int, list[_Step]] = {}
        self._roots: list[tuple[Any, _Targets]] = []
        for shape in shapes_graph.shapes:
            self._compile(shape, ())
            targets = self._targets(shape)
            if targets is not None:
                self._roots.append((shape, targets))

    # -- compiling ----------------------------------------------------------------------------

    def _targets(self, shape: Any) -> _Targets | None:
        nodes, classes, implicit, objects_of, subjects_of = shape.target()
        if getattr(shape, "_advanced", False):
            raise Unsupported("SHACL-AF targets")
        found = _Targets(
            frozenset(nodes),
            frozenset(classes) | frozenset(implicit),
            tuple(subjects_of),
            tuple(objects_of),
        )
        if not (found.nodes or found.classes or found.subjects_of or found.objects_of):
            return None
        return found

    def _compile(self, shape: Any, path: tuple[int, ...]) -> None:
        key = id(shape)
        if key in path:
            raise Unsupported(f"recursive shape {shape.node}")
        if key in self._steps:
            return
        parts = self._parts
        steps: list[_Step] = []
        seen: set[type] = set()
        for predicate, _ in self.sg.graph.predicate_objects(shape.node):
            if predicate not in parts["parameters"]:
                continue
            cls = parts["components"][predicate]
            if cls in seen:
                continue
            seen.add(cls)
            try:
                component = cls(shape)
            except parts["load_warning"] as warning:
                raise Unsupported(repr(warning)) from None
            steps.append(self._step(shape, cls, component))
        self._steps[key] = steps
        for step in steps:
            for ref in step.shapes:
                for other in ref if isinstance(ref, list) else [ref]:
                    self._compile(other, (*path, key))

    def _step(self, shape: Any, cls: type, component: Any) -> _Step:
        parts = self._parts
        if cls is parts["sparql"]:
            queries = _oxigraph_queries(component)
            if queries is not None:
                return _Step("sparql", component, [], queries)
        if cls.__module__.rsplit(".", 1)[-1] in _LEAF_MODULES:
            return _Step("leaf", component, [])
        if cls is parts["node"]:
            return _Step("node", component, self._others(shape, component.node_shapes, False))
        if cls is parts["property"]:
            return _Step(
                "property", component, self._others(shape, component.property_shapes, True)
            )
        if cls is parts["or"]:
            lists = [
                self._others(shape, self.sg.graph.items(head), None) for head in component.or_list
            ]
            return _Step("or", component, [members for members in lists if members])
        if cls is parts["qualified"]:
            if component.is_disjoint:
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            return _Step("qualified", component, self._others(shape, component.value_shapes, None))
        raise Unsupported(cls.__name__)

    def _others(self, shape: Any, nodes: Any, property_shape: bool | None) -> list[Any]:
        found = []
        for node in nodes:
            if self.sg.is_filtered_out_shape(node):
                continue
            other = shape.get_other_shape(node)
            if not other or (
                property_shape is not None and bool(other.is_property_shape) != property_shape
            ):
                raise Unsupported(f"{node} is missing or of the wrong kind")
            found.append(other)
        return found

    # -- validating ---------------------------------------------------------------------------

    def validate(self, data: Graph) -> tuple[bool, Graph]:
        """Validate a data graph (from :func:`prepared_data_graph`): conforms, report graph."""
        reports: list[Result] = []
        conforms = True
        run = _Run(data)
        for shape, targets in self._roots:
            focus = self._focus_nodes(targets, data)
            ok, found = self._validate(shape, focus, run)
            conforms = conforms and ok
            reports.extend(found)
        graph, _text = self._parts["report"](self.sg, conforms, reports)
        return conforms, graph

    def checks(self, data: Graph) -> int:
        """How many (shape, focus node) pairs validating ``data`` visits: its cost grows so."""
        return sum(len(self._focus_nodes(targets, data)) for _shape, targets in self._roots)

    @staticmethod
    def _focus_nodes(targets: _Targets, data: Graph) -> list[Node]:
        found: set[Node] = set(targets.nodes)
        for cls in targets.classes:
            found.update(data.subjects(RDF.type, cls))
            for sub in data.transitive_subjects(RDFS.subClassOf, cls):
                if sub != cls:
                    found.update(data.subjects(RDF.type, sub))
        for predicate in targets.subjects_of:
            found.update(s for s, _ in data.subject_objects(predicate))
        for predicate in targets.objects_of:
            found.update(o for _, o in data.subject_objects(predicate))
        return list(found)

    def _validate(
        self, shape: Any, focus: list[Node], run: _Run, quiet: bool = False
    ) -> tuple[bool, list[Result]]:
        """What ``pyshacl.shape.Shape.validate`` does, with the constraint objects built once.

        ``quiet``: only conformance is wanted, results are placeholders.
        """
        if shape.deactivated or not focus:
            return True, []
        data = run.data
        values: dict[Node, set[Node]] = shape.value_nodes(data, focus)
        conforms = True
        reports: list[Result] = []
        for step in self._steps[id(shape)]:
            if step.kind == "leaf":
                component = step.quiet if quiet else step.component
                ok, found = component.evaluate(self._executor, data, values, [shape])
            elif step.kind in ("property", "node") and not any(values.values()):
                continue  # pySHACL's shortcut for these two when there are no value nodes
            elif step.kind == "sparql":
                ok, found = self._sparql(shape, step, values, run, quiet)
            elif step.kind == "property":
                ok, found = self._property(step, values, run, quiet)
            elif step.kind == "node":
                ok, found = self._node(step, values, run, quiet)
            elif step.kind == "or":
                ok, found = self._or(step, values, run)
            else:
                ok, found = self._qualified(step, values, run)
            conforms = conforms and ok
            reports.extend(found)
        return conforms, reports

    def _sparql(
        self, shape: Any, step: _Step, values: dict[Node, set[Node]], run: _Run, quiet: bool
    ) -> tuple[bool, list[Result]]:
        """pySHACL's SPARQL-based constraint, with the query answered by Oxigraph (same rows)."""
        conforms, reports = True, []
        component = step.quiet if quiet else step.component
        for helper, query in step.queries:
            options = {"source_constraint": helper.node, "extra_messages": helper.messages or None}
            for focus in values:
                value_of_focus = None if shape.is_property_shape else focus
                for this, path, value, others in run.violations(query, focus):
                    conforms = False
                    value = value_of_focus if value is None else value
                    reports.append(
                        component.make_v_result(
                            run.data,
                            this or focus,
                            value_node=value,
                            result_path=path,
                            bound_vars=(this, path, value, others),
                            **options,
                        )
                    )
        return conforms, reports

    def _property(
        self, step: _Step, values: dict[Node, set[Node]], run: _Run, quiet: bool
    ) -> tuple[bool, list[Result]]:
        conforms, reports = True, []
        for other in step.shapes:
            for value_nodes in values.values():
                for value in value_nodes:
                    ok, found = self._validate(other, [value], run, quiet)
                    conforms = conforms and ok
                    reports.extend(found)
        return conforms, reports

    def _node(
        self, step: _Step, values: dict[Node, set[Node]], run: _Run, quiet: bool
    ) -> tuple[bool, list[Result]]:
        conforms, reports = True, []
        for other in step.shapes:
            for focus, value_nodes in values.items():
                for value in value_nodes:
                    ok, nested = self._validate(other, [value], run, quiet)
                    if ok and not nested:
                        continue
                    conforms = False
                    if quiet:
                        reports.append(_QUIET)
                        continue
                    text, node, triples = step.component.make_v_result(
                        run.data, focus, value_node=value
                    )
                    text = f"{text}\tDetails:\n"
                    for nested_text, nested_node, nested_triples in nested:
                        text += textwrap.indent(nested_text, "\t\t")
                        triples.append((node, self._parts["detail"], nested_node))
                        triples.extend(nested_triples)
                    reports.append((text, node, triples))
        return conforms, reports

    def _or(
        self, step: _Step, values: dict[Node, set[Node]], run: _Run
    ) -> tuple[bool, list[Result]]:
        conforms, reports = True, []
        for members in step.shapes:
            for focus, value_nodes in values.items():
                for value in value_nodes:
                    if not any(self._validate(other, [value], run, True)[0] for other in members):
                        conforms = False
                        reports.append(
                            step.component.make_v_result(run.data, focus, value_node=value)
                        )
        return conforms, reports

    def _qualified(
        self, step: _Step, values: dict[Node, set[Node]], run: _Run
    ) -> tuple[bool, list[Result]]:
        component = step.component
        conforms, reports = True, []
        for other in step.shapes:
            for focus, value_nodes in values.items():
                count = sum(
                    1 for value in value_nodes if self._validate(other, [value], run, True)[0]
                )
                if component.max_count is not None and count > component.max_count:
                    conforms = False
                    reports.append(
                        component.make_v_result(
                            run.data, focus, constraint_component=self._parts["qualified_max"]
                        )
                    )
                if component.min_count is not None and count < component.min_count:
                    conforms = False
                    reports.append(
                        component.make_v_result(
                            run.data, focus, constraint_component=self._parts["qualified_min"]
                        )
                    )
        return conforms, reports


def compile_shapes(shapes_graph: Any) -> CompiledShapes | None:
    """The compiled form of a pySHACL ``ShapesGraph``, or None when pySHACL must run it itself."""
    try:
        return CompiledShapes(shapes_graph)
    except Unsupported:
        return None
