"""SHACL validation of one submission against ``shapes/data/``, without touching the whole store.

The shapes and the ontology (``ontology/*.ttl``) are parsed once per process. Instead of asking
pySHACL for RDFS inference, the facts the shapes need about referenced resources are precomputed:
for every concept of the ontology, its ``rdf:type`` (with the subclass closure), ``skos:inScheme``
and ``skos:broader``. References to resources of the knowledge base (cited sources, organisations)
are resolved with one query whose answers are added to the data graph. So the data graph is the
submission plus a few dozen facts, whatever the size of the store. The SHACL step itself runs
through ``compiled``: pySHACL's constraint objects built once per process, the same report.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from pyshacl import ShapesGraph
from pyshacl import Validator as PyshaclValidator
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from lhs_kg import sparql
from lhs_kg.config import Settings
from lhs_kg.documents import Document, load_context, load_document
from lhs_kg.errors import BusyError, InputError, TooLargeError
from lhs_kg.kb import KnowledgeBase
from lhs_kg.namespaces import BIBO, LHS
from lhs_kg.validate.compiled import compile_shapes, prepared_data_graph
from lhs_kg.validate.ontology import _load_ontology
from lhs_kg.validate.report import Issue, Report
from lhs_kg.validate.results import _focus_label, _id_field, _report_graph, _short, _show
from lhs_kg.validate.vocabulary_messages import unknown_code_message

CONTRIBUTION_SHAPES = "contribution.shapes.ttl"
MAX_CHECKS = 300
"""(shape, focus node) pairs one validation may visit; see :meth:`Validator._bound`."""
_FACT_PREDICATES = (RDF.type, SKOS.inScheme, SKOS.broader)
_DESCRIBED = {
    LHS.CaseStudy,
    LHS.Tool,
    LHS.SourceList,
    LHS.Source,
    LHS.Organisation,
    LHS.Outcome,
    LHS.ComplexityAssessment,
    LHS.DomainRating,
    BIBO.AcademicArticle,
    BIBO.Book,
    BIBO.BookSection,
    BIBO.Report,
    BIBO.Webpage,
}
_SEVERITIES: dict[Node | None, str] = {
    SH.Violation: "violation",
    SH.Warning: "warning",
    SH.Info: "info",
}
_RESOLVE_QUERY = sparql.text("validate/facts-of-referenced")
"""One query for the facts about referenced resources, a row of (subject, predicate) per pair."""


@dataclass(frozen=True)
class ShapeInfo:
    """What a report needs to know about a shape: its names, message, example and value set."""

    iri: str
    name: str
    message: str
    example: str
    owner: str
    allowed: tuple[str, ...] = ()
    value_set: str = ""
    scheme: str = ""


class Validator:
    """The shapes, the ontology facts and pySHACL's parsed shapes, built once and reused."""

    def __init__(
        self,
        shapes_dir: Path | tuple[Path, ...],
        ontology_dir: Path | tuple[Path, ...],
        context: Path | None = None,
    ) -> None:
        shapes_dirs = shapes_dir if isinstance(shapes_dir, tuple) else (shapes_dir,)
        ontology_dirs = ontology_dir if isinstance(ontology_dir, tuple) else (ontology_dir,)
        files = [p for folder in shapes_dirs for p in sorted(folder.glob("*.shapes.ttl"))]
        if not files:
            raise InputError(f"{' and '.join(map(str, shapes_dirs))}: no *.shapes.ttl files")
        self.content_graph = Graph()
        self.contribution_graph = Graph()
        for path in files:
            if path.name != CONTRIBUTION_SHAPES:
                self.content_graph.parse(path, format="turtle")
            self.contribution_graph.parse(path, format="turtle")
        self.ontology = _load_ontology(ontology_dirs)
        self.context = load_context(context or ontology_dirs[0] / "context.jsonld")
        self._shapes = {
            False: ShapesGraph(self.content_graph),
            True: ShapesGraph(self.contribution_graph),
        }
        for shapes in self._shapes.values():
            _ = shapes.shapes  # harvest now, not on the first submission
        self._compiled = {key: compile_shapes(shapes) for key, shapes in self._shapes.items()}
        self.info = self._shape_info(self.contribution_graph)
        self._lock = threading.Lock()

    def _shape_info(self, graph: Graph) -> dict[Node, ShapeInfo]:
        owners = {prop: owner for owner, prop in graph.subject_objects(SH.property)}
        codes: dict[str, str] = {}
        for term in self.context.terms.values():
            for code, iri in term.values.items():
                codes[iri] = code
        info: dict[Node, ShapeInfo] = {}
        for shape in set(graph.subjects(SH.path)) | set(graph.subjects(SH.targetClass)):
            if not isinstance(shape, URIRef):
                continue
            allowed: list[str] = []
            value_set = scheme_iri = ""
            for helper in graph.objects(shape, SH.node):
                value_set = str(graph.value(helper, RDFS.label) or "")
                scheme, kind = None, None
                for prop in graph.objects(helper, SH.property):
                    if graph.value(prop, SH.path) == SKOS.inScheme:
                        scheme = graph.value(prop, SH.hasValue)
                    elif graph.value(prop, SH.path) == RDF.type:
                        kind = graph.value(prop, SH.hasValue)
                scheme_iri = str(scheme or "")
                for member in self.ontology.members.get(scheme, []) if scheme else []:
                    if kind is None or (member, RDF.type, kind) in self.ontology.facts[member]:
                        allowed.append(codes.get(str(member), str(member).rsplit("/", 1)[-1]))
            owner = owners.get(shape)
            info[shape] = ShapeInfo(
                str(shape),
                str(graph.value(shape, SH.name) or ""),
                str(graph.value(shape, SH.message) or ""),
                str(graph.value(shape, SKOS.example) or ""),
                str(graph.value(owner, RDFS.label) or "") if owner is not None else "",
                tuple(dict.fromkeys(allowed)),
                value_set,
                scheme_iri,
            )
        return info

    # -----------------------------------------------------------------------------------------

    def data_graph(self, document: Document, kb: KnowledgeBase | None, base_iri: str) -> Graph:
        """The submission plus the precomputed facts about everything it refers to."""
        data = Graph(bind_namespaces="none")  # binding the default prefixes costs ~1 ms
        for triple in document.graph:
            data.add(triple)
        subjects = set(document.graph.subjects())
        referenced = {node for node in document.graph.objects() if isinstance(node, URIRef)}
        referenced |= {node for node in subjects if isinstance(node, URIRef)}
        unknown: list[URIRef] = []
        for node in referenced:
            known = self.ontology.facts.get(node)
            if known is not None:
                for triple in known:
                    data.add(triple)
            elif node not in subjects and str(node).startswith(base_iri):
                unknown.append(node)
        if kb is not None and unknown:
            nodes = [n for n in (_named(str(iri)) for iri in sorted(unknown)) if n is not None]
            pairs = [
                {"s": node, "p": ox.NamedNode(str(predicate))}
                for node in nodes
                for predicate in _FACT_PREDICATES
            ]
            if pairs:
                for row in kb.query(_RESOLVE_QUERY, bindings=pairs).rows():
                    if all(isinstance(row.get(k), ox.NamedNode) for k in ("s", "p", "o")):
                        data.add(
                            (URIRef(row["s"].value), URIRef(row["p"].value), URIRef(row["o"].value))
                        )
        for typed, cls in list(data.subject_objects(RDF.type)):
            for sup in self.ontology.superclasses.get(cls, ()):
                data.add((typed, RDF.type, sup))
        return data

    def _bound(self, data: Graph, contribution: bool, label: str) -> None:
        """Refuse before SHACL runs a document whose checks would take long (#12).

        pySHACL cannot be interrupted; its time grows with the (shape, focus node) pairs it
        visits, so those are counted first (a curated case study needs about 40).
        """
        compiled = self._compiled[contribution]
        count = compiled.checks(prepared_data_graph(data)) if compiled is not None else 0
        if count > MAX_CHECKS:
            raise TooLargeError(
                f"{label}: describes too many resources to check at once ({count:,} checks; "
                f"at most {MAX_CHECKS:,}): send one case study with its own assessment, "
                "outcomes, sources and organisation"
            )

    def check(
        self,
        data: Graph,
        *,
        contribution: bool = True,
        plain: bool = False,
        wait_s: float | None = None,
    ) -> Graph:
        """pySHACL's validation report of a data graph, with the shapes built once.

        ``plain=True`` runs pySHACL's own loop instead of the compiled shapes (for comparisons).
        ``wait_s`` bounds the wait for the validator (one validation at a time per process):
        past it, :class:`BusyError` rather than a queue that grows without end.
        """
        prepared = prepared_data_graph(data)
        compiled = None if plain else self._compiled[contribution]
        if not self._lock.acquire(timeout=-1 if wait_s is None else wait_s):
            raise BusyError(
                f"the validator was busy with other submissions for {wait_s:g} s; "
                "try again in a few seconds"
            )
        try:  # pySHACL's shape and constraint objects are not made for threads
            if compiled is not None:
                return compiled.validate(prepared)[1]
            validator = PyshaclValidator(
                prepared,  # type: ignore[arg-type]  # pySHACL's DataGraph, an rdflib Graph
                shacl_graph=self.contribution_graph if contribution else self.content_graph,
                options={"inference": "none", "inplace": True},
            )
            validator.shacl_graph = self._shapes[contribution]
            _conforms, results_graph, _text = validator.run()  # type: ignore[no-untyped-call]
            return results_graph  # type: ignore[no-any-return]
        finally:
            self._lock.release()

    def run(
        self,
        document: Document,
        *,
        kb: KnowledgeBase | None = None,
        contribution: bool = True,
        base_iri: str = "https://w3id.org/lhs-kg/",
        wait_s: float | None = None,
        bounded: bool = True,
        plain: bool = False,
    ) -> Report:
        """Validate a parsed document; the report names fields as the contributor wrote them.

        ``bounded=False`` lifts the bound on checks (curated files read from disk by the CLI);
        ``plain=True`` runs pySHACL's own loop (bench/validate.py compares the two).
        """
        data = self.data_graph(document, kb, base_iri)
        if bounded:
            self._bound(data, contribution, document.name)
        results_graph = self.check(data, contribution=contribution, wait_s=wait_s, plain=plain)
        report = Report(document.name, document.format)
        for note in document.notes:
            report.issues.append(
                Issue(
                    note.severity,
                    "",
                    note.path,
                    note.message,
                    note.value,
                    "",
                    note.hint,
                    "document",
                )
            )
        subjects = set(document.graph.subjects())
        if not any(cls in _DESCRIBED for cls in document.graph.objects(None, RDF.type)):
            report.issues.append(
                Issue(
                    "violation",
                    "",
                    "type" if document.keyed else "rdf:type",
                    "The document does not say what it describes, so nothing in it can be checked.",
                    None,
                    "",
                    'Add "type": "CaseStudy" (or "Tool") at the top level (or a type such as '
                    "lhs:CaseStudy, lhs:Tool, lhs:Source or lhs:Organisation in RDF).",
                    "document",
                )
            )
        report.graph = _report_graph(results_graph, report, subjects)
        seen: set[tuple[str, str, str, str, str | None]] = set()
        noted = {note.path for note in document.notes if note.severity == "violation"}
        for result in results_graph.objects(None, SH.result):
            focus = results_graph.value(result, SH.focusNode)
            if focus not in subjects:
                continue  # a resource of the knowledge base, not part of this submission
            issue = self._issue(document, results_graph, result, focus)
            key = (issue.severity, issue.focus, issue.field, issue.message, issue.value)
            if (
                key not in seen and issue.field not in noted
            ):  # the note already says it  # two constraints of one shape failing on the same value
                seen.add(key)
                report.issues.append(issue)
        report.sort()
        return report

    def _issue(self, document: Document, results: Graph, result: Node, focus: Node) -> Issue:
        shape = results.value(result, SH.sourceShape)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        severity = _SEVERITIES.get(results.value(result, SH.resultSeverity), "violation")
        component = str(results.value(result, SH.sourceConstraintComponent) or "")
        info = self.info.get(shape) if shape is not None else None
        message = str(results.value(result, SH.resultMessage) or (info.message if info else ""))
        predicate = path if isinstance(path, URIRef) else None
        where, raw = document.field_of(focus, predicate, value)
        if predicate is None and info is not None and info.name == "id":
            where = _id_field(document, focus)  # a rule on the node's own IRI: its "id"
        hint = ""
        if info is not None:
            if info.allowed:
                hint = "Allowed values: " + ", ".join(info.allowed) + "."
            elif info.example:
                hint = "Example: " + info.example
        shown = _show(raw, value)
        if (
            info is not None
            and info.allowed
            and shown
            and component.endswith("#NodeConstraintComponent")
        ):
            message, hint = unknown_code_message(info.name, shown, info)
        return Issue(
            severity=severity,
            focus=_focus_label(document, focus, info.owner if info else ""),
            field=where,
            message=message,
            value=_show(raw, value),
            shape=_short(shape),
            hint=hint,
            constraint=component.rsplit("#", 1)[-1],
            focus_node="" if isinstance(focus, BNode) else str(focus),
        )


def _named(iri: str) -> ox.NamedNode | None:
    """The IRI as a term to bind, or None when pyoxigraph finds it is not a valid IRI."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


_VALIDATORS: dict[tuple[tuple[Path, ...], tuple[Path, ...], Path], Validator] = {}
_VALIDATORS_LOCK = threading.Lock()


def _validator(shapes: tuple[Path, ...], ontology: tuple[Path, ...], context: Path) -> Validator:
    """One validator per shapes/ontology pair, built once even when many threads ask at once.

    (Built concurrently, pySHACL's and rdflib's SPARQL parsers failed: twenty simultaneous first
    submissions each got a 500 before this lock.)
    """
    with _VALIDATORS_LOCK:
        found = _VALIDATORS.get((shapes, ontology, context))
        if found is None:
            found = _VALIDATORS[(shapes, ontology, context)] = Validator(shapes, ontology, context)
        return found


def get_validator(settings: Settings | None = None) -> Validator:
    """The process-wide validator for the configured shapes and ontology folders (a partner
    overlay's shapes and ontology extensions included, #17)."""
    settings = settings or Settings.from_env()
    shapes = tuple(folder / "data" for folder in settings.content_dirs("shapes"))
    return _validator(shapes, settings.content_dirs("ontology"), settings.context_file)


def validate(
    document: Document | bytes | str | Path,
    *,
    kb: KnowledgeBase | None = None,
    settings: Settings | None = None,
    fmt: str | None = None,
    name: str | None = None,
    contribution: bool = True,
    bounded: bool = True,
) -> Report:
    """Validate a submission (a parsed document, bytes, text or a file) and return the report.

    ``kb`` resolves references to sources and organisations already in the knowledge base (one
    query); ``contribution=False`` skips the envelope (contributor and licence) for curated files.
    ``bounded=False`` lifts the size bounds meant for submissions (LHS_KG_MAX_SUBMISSION_TRIPLES
    and the validator's), for curated files of any size; never for what the web receives.
    Unreadable input raises :class:`~lhs_kg.errors.InputError`.
    """
    settings = settings or (kb.settings if kb is not None else Settings.from_env())
    if not isinstance(document, Document):
        document = load_document(
            document,
            fmt=fmt,
            name=name,
            max_bytes=settings.max_upload_bytes,
            base_iri=settings.base_iri,
            max_triples=settings.max_submission_triples if bounded else None,
            settings=settings,
        )
    return get_validator(settings).run(
        document,
        kb=kb,
        contribution=contribution,
        base_iri=settings.base_iri,
        wait_s=settings.query_timeout_s,
        bounded=bounded,
    )


__all__ = ["Validator", "get_validator", "validate"]
