"""OWL reasoning with HermiT (bundled with owlready2): consistency, then materialised inferences.

The input is the published view without earlier inferences: the ontology and data graphs and the
published contribution versions. They are exported as N-Triples into a temporary folder, read into
a private owlready2 ``World`` and saved back in the form owlready2 hands to HermiT. HermiT runs as
a child process with a time limit; what it entails and the store does not already assert (types of
individuals to named classes, subclass links, object property values) is written to
``<base>graph/inferred/owl`` in one atomic replacement.

When HermiT finds the whole inconsistent, a small Java program (``Explain.java``, shipped beside
this module) run with HermiT's own jar searches for one minimal set of axioms that is still
inconsistent (QuickXplain), so the report names the axioms and individuals involved. It runs in
Java's source-file mode (Java 11+) when the runtime has its compiler module ``jdk.compiler``
(Debian's default-jre-headless has it), else it is compiled first with the ``javac`` beside
``java``; with neither, the error still says the whole is inconsistent, without the axioms.

owlready2 is used through its public names (``JAVA_EXE``, ``reasoning.JAVA_MEMORY``, ``World``);
HermiT's class path is computed from the files owlready2 installs (``hermit/HermiT.jar``), which
``tests/reason`` checks, so a release of owlready2 that moves them fails there, loudly.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import owlready2
import pyoxigraph as ox
from owlready2 import reasoning as owl_reasoning

from lhs_kg import sparql
from lhs_kg.config import Settings
from lhs_kg.describe.base import LabelBook
from lhs_kg.errors import InputError, ReasonerUnavailableError, ReasoningError
from lhs_kg.formats import rdf_format
from lhs_kg.graphs import graph_prefix, inferred_graph, published_graphs
from lhs_kg.layout import PublishedLayout
from lhs_kg.namespaces import LHS
from lhs_kg.store import Store

DEFAULT_TIMEOUT_S = 120.0
HIGH_COMPLEXITY = str(LHS.HighComplexityCaseStudy)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
EQUIVALENT_CLASS = "http://www.w3.org/2002/07/owl#equivalentClass"
OWL_NS = "http://www.w3.org/2002/07/owl#"
OWL_NOTHING = OWL_NS + "Nothing"
SAME_AS = OWL_NS + "sameAs"

_HERMIT_MAIN = "org.semanticweb.HermiT.cli.CommandLine"
_EXPLAIN_SOURCE = "Explain.java"
_AXIOM_LINE = re.compile(r"^(SubClassOf|EquivalentClasses|Type)\( ((?:<[^>]+>\s*)+)\)$", re.M)
_PROPERTY_LINE = re.compile(r"^<([^>]+)> \(known instances:(.*?)\| possible instances:", re.M)
_PAIR = re.compile(r"\(<([^>]+)>, <([^>]+)>\)")
_IRI = re.compile(r"<([^>]+)>")
_JVM_FAILURES = (
    "Could not create the Java Virtual Machine",
    "Error occurred during initialization of VM",
    "UnsupportedClassVersionError",
    "Could not find or load main class",
)

Triple = tuple[str, str, str]


@dataclass(frozen=True)
class Member:
    """An individual the reasoner placed in a class, with its display label."""

    iri: str
    label: str


@dataclass(frozen=True)
class ReasoningResult:
    """What a consistent run found and wrote (or would write, on a dry run)."""

    graph: str
    input_graphs: int
    input_triples: int
    types: int
    subclasses: int
    property_values: int
    members: list[Member]
    unsatisfiable: list[str] = field(default_factory=list)
    written: bool = False
    seconds: float = 0.0

    @property
    def inferred(self) -> int:
        """Inferred triples in the graph (written, or to be written on a dry run)."""
        return self.types + self.subclasses + self.property_values


def reason(
    store: Store,
    settings: Settings,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    dry_run: bool = False,
    java: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReasoningResult:
    """Check consistency with HermiT and replace the inferred graph with what it entails.

    ``progress`` hears each step as it starts (a face shows it). Raises
    :class:`ReasoningError` (inconsistent), :class:`ReasonerUnavailableError` (no Java, time
    limit) or :class:`InputError` (nothing to reason about).
    """
    step = progress or (lambda _text: None)
    started = time.monotonic()
    deadline = started + timeout_s
    java_exe = find_java(java)
    graphs = input_graphs(store, settings)
    if not graphs:
        raise InputError("the store holds no ontology or data to reason about; run `lhs-kg init`")
    with tempfile.TemporaryDirectory(prefix="lhs-kg-reason-") as tmp:
        folder = Path(tmp)
        exported = folder / "input.nt"
        step(f"exporting {len(graphs)} graphs")
        with exported.open("wb") as out:
            for graph in graphs:
                store.dump(out, rdf_format("nt"), graph)
        asserted, aliases, count = _asserted(exported)
        hermit_input = folder / "hermit-input.nt"
        _normalise(exported, hermit_input)
        step(f"running HermiT on {count:,} triples")
        output = _run_hermit(java_exe, hermit_input, folder, deadline, timeout_s)
    step("reading what HermiT inferred")
    entailed = _entailments(output)
    new = {
        kind: sorted(t for t in triples if t not in asserted and not aliases.intersection(t))
        for kind, triples in entailed.items()
    }
    target = inferred_graph(settings)
    if not dry_run:
        step("writing the inferred graph")
        everything = [t for kind in ("types", "subclasses", "values") for t in new[kind]]
        with PublishedLayout(store, settings).replacing(target):  # the public sees it (#16)
            store.replace_graph(target, _ntriples(everything), rdf_format("nt"))
    members = sorted(
        {s for s, p, o in entailed["types"] | asserted if p == RDF_TYPE and o == HIGH_COMPLEXITY}
    )
    return ReasoningResult(
        graph=target,
        input_graphs=len(graphs),
        input_triples=count,
        types=len(new["types"]),
        subclasses=len(new["subclasses"]),
        property_values=len(new["values"]),
        members=_labelled(store, graphs, members),
        unsatisfiable=sorted(_unsatisfiable(output)),
        written=not dry_run,
        seconds=time.monotonic() - started,
    )


def input_graphs(store: Store, settings: Settings) -> list[str]:
    """The graphs reasoned over: the published view minus earlier inferences."""
    inferred = graph_prefix(settings) + "inferred/"
    return [g for g in published_graphs(store, settings) if not g.startswith(inferred)]


def find_java(java: str | None = None) -> str:
    """The Java executable for HermiT (owlready2's setting unless given), or a clear error."""
    candidate = java or owlready2.JAVA_EXE
    found = shutil.which(candidate)
    if found is None:
        raise ReasonerUnavailableError(
            f"Java 11 or newer is needed to run the HermiT reasoner, and {candidate!r} was not "
            "found; install a Java runtime (e.g. `apt-get install default-jre`) or put java on PATH"
        )
    return found


def _asserted(path: Path) -> tuple[set[Triple], set[str], int]:
    """Triples between IRIs already in the input (not to be written again), aliases, a count.

    Aliases are ``owl:sameAs`` objects the input says nothing about (a source's DOI):
    HermiT copies every fact to them, which would make each source appear twice in the view.
    """
    asserted: set[Triple] = set()
    described: set[str] = set()
    same_as: set[str] = set()
    count = 0
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        count += 1
        s, p, o = triple.subject, triple.predicate, triple.object
        described.add(s.value)
        if isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
            asserted.add((s.value, p.value, o.value))
            if p.value == SAME_AS:
                same_as.add(o.value)
    return asserted, same_as - described, count


def _normalise(source: Path, target: Path) -> None:
    """Read the export into a private owlready2 World and save it the way owlready2 feeds HermiT."""
    world = owlready2.World()
    try:
        with source.open("rb") as data:
            world.get_ontology(source.as_uri()).load(fileobj=data, format="ntriples")
        world.save(file=str(target), format="ntriples")
    except owlready2.OwlReadyOntologyParsingError as err:
        raise InputError(f"owlready2 could not read the exported knowledge base: {err}") from None
    finally:
        world.close()


@functools.cache
def hermit_classpath() -> str:
    """HermiT's class path from owlready2's installed files: its ``hermit`` folder and jar."""
    folder = Path(str(resources.files("owlready2") / "hermit"))
    jar = folder / "HermiT.jar"
    if not jar.is_file():
        raise ReasonerUnavailableError(
            f"owlready2's HermiT jar is not where lhs-kg looks for it ({jar}); this owlready2 "
            "release keeps it elsewhere (lhs-kg is tested with owlready2 0.51)"
        )
    return os.pathsep.join([str(folder), str(jar)])


def _java_command(java: str, *args: str, classpath: str | None = None) -> list[str]:
    return [
        java,
        f"-Xmx{owl_reasoning.JAVA_MEMORY}M",
        "-cp",
        classpath or hermit_classpath(),
        *args,
    ]


def _run_java(command: list[str], deadline: float) -> subprocess.CompletedProcess[bytes]:
    """Run a JVM with what is left of the time limit; the child is killed when it runs over."""
    try:
        return subprocess.run(
            command, capture_output=True, timeout=max(deadline - time.monotonic(), 0.1), check=False
        )
    except OSError as err:
        raise ReasonerUnavailableError(
            f"Java 11 or newer is needed to run the HermiT reasoner; {command[0]} did not start: "
            f"{err.strerror or err}"
        ) from None


def _run_hermit(java: str, data: Path, folder: Path, deadline: float, timeout_s: float) -> str:
    """Classify and realise with HermiT; its text output, or the typed error for its failure."""
    command = _java_command(
        java, _HERMIT_MAIN, "-c", "-I", "-Y", "--ignoreUnsupportedDatatypes", data.as_uri()
    )
    try:
        done = _run_java(command, deadline)
    except subprocess.TimeoutExpired:
        raise ReasonerUnavailableError(_timeout_message(timeout_s)) from None
    output = done.stdout.decode("utf-8", "replace")
    errors = done.stderr.decode("utf-8", "replace")
    if done.returncode == 0:
        return output
    if "Inconsistent ontology" in errors + output:
        raise _explain(java, data, folder, deadline)
    _raise_for_jvm(java, errors + output)
    raise ReasonerUnavailableError(f"HermiT failed: {_last_line(errors or output)}")


def _raise_for_jvm(java: str, text: str) -> None:
    for marker in _JVM_FAILURES:
        if marker in text:
            raise ReasonerUnavailableError(
                f"Java 11 or newer is needed to run the HermiT reasoner; {java} could not start "
                f"it: {_last_line(text)}"
            )


def _timeout_message(timeout_s: float) -> str:
    return (
        f"the reasoner did not finish within {timeout_s:g} s; allow more time with --timeout "
        "(or LHS_KG_REASON_TIMEOUT)"
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no message"


def _entailments(output: str) -> dict[str, set[Triple]]:
    """The types, subclass links and property values HermiT's output entails, between IRIs."""
    parents: dict[str, set[str]] = {}
    direct_types: dict[str, set[str]] = {}
    groups: dict[str, frozenset[str]] = {}
    for relation, iris in _AXIOM_LINE.findall(output):
        terms = _IRI.findall(iris)
        if relation == "EquivalentClasses":
            group = frozenset(t for t in terms if not t.startswith(OWL_NS))
            if OWL_NOTHING not in terms:
                for term in group:
                    groups[term] = group
        elif relation == "SubClassOf" and not terms[0].startswith(OWL_NS):
            parents.setdefault(terms[0], set()).add(terms[1])
        elif relation == "Type":
            direct_types.setdefault(terms[0], set()).add(terms[1])
    unsatisfiable = _unsatisfiable(output)

    def same(cls: str) -> frozenset[str]:
        return groups.get(cls, frozenset((cls,)))

    memo: dict[str, set[str]] = {}

    def closure(cls: str) -> set[str]:
        """``cls``, its equivalents and every named superclass (without owl: terms)."""
        if cls not in memo:
            memo[cls] = set()
            found = set(same(cls))
            for member in same(cls):
                for parent in parents.get(member, ()):
                    found |= closure(parent)
            memo[cls] = {c for c in found if not c.startswith(OWL_NS)}
        return memo[cls]

    types = {
        (ind, RDF_TYPE, cls)
        for ind, classes in direct_types.items()
        for direct in classes
        for cls in closure(direct)
    }
    classes = (set(parents) | set(groups)) - unsatisfiable
    subclasses = {
        (cls, SUBCLASS_OF, sup) for cls in classes for sup in closure(cls) - same(cls)
    } | {(cls, EQUIVALENT_CLASS, other) for cls in classes for other in same(cls) - {cls}}
    values = {
        (a, prop, b)
        for prop, known in _PROPERTY_LINE.findall(output)
        if not prop.startswith(OWL_NS)
        for a, b in _PAIR.findall(known)
    }
    return {
        "types": _only_iris(types),
        "subclasses": _only_iris(subclasses),
        "values": _only_iris(values),
    }


def _unsatisfiable(output: str) -> set[str]:
    """Named classes HermiT found equivalent to owl:Nothing (no individual can belong to them)."""
    found: set[str] = set()
    for relation, iris in _AXIOM_LINE.findall(output):
        terms = _IRI.findall(iris)
        if relation == "EquivalentClasses" and OWL_NOTHING in terms:
            found |= {t for t in terms if not t.startswith(OWL_NS)}
    return found


def _only_iris(triples: Iterable[Triple]) -> set[Triple]:
    return {t for t in triples if not any(part.startswith("_:") for part in t)}


def _ntriples(triples: list[Triple]) -> bytes:
    data = ox.serialize(
        [ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)) for s, p, o in triples],
        None,
        ox.RdfFormat.N_TRIPLES,
    )
    return data or b""


_LABELS = sparql.text("reason/labels-of")


def _labelled(store: Store, graphs: list[str], iris: list[str]) -> list[Member]:
    """Members with their display labels, read from the reasoned graphs, sorted by label."""
    book = LabelBook()
    for iri in iris:
        node = ox.NamedNode(iri)
        rows = store.query(_LABELS, bindings={"s": node}, union=False, default_graphs=graphs).rows()
        for row in rows:
            book.offer(iri, row["lp"].value, row["l"])
    return sorted((Member(iri, book.get(iri)) for iri in iris), key=lambda m: (m.label, m.iri))


def _explain_command(java: str, folder: Path, deadline: float) -> list[str] | str:
    """How to run Explain.java with this Java (without its argument), or why it cannot run.

    Source-file mode needs the runtime's ``jdk.compiler`` module (a JRE may leave it out);
    otherwise the ``javac`` beside ``java`` (same JDK, so class files the runtime can load)
    compiles it into ``folder``.
    """
    source = Path(str(resources.files(__name__) / _EXPLAIN_SOURCE))
    listed = _run_java([java, "--list-modules"], deadline)
    modules = listed.stdout.decode("utf-8", "replace").split()
    if any(module.split("@", 1)[0] == "jdk.compiler" for module in modules):
        return _java_command(java, str(source))
    javac = Path(java).resolve().with_name("javac")
    if not javac.is_file():
        return (
            f"{java} has no Java compiler (module jdk.compiler) to run {_EXPLAIN_SOURCE}; "
            "install a full Java runtime or a JDK (e.g. `apt-get install default-jdk-headless`)"
        )
    compiled = _run_java(
        [str(javac), "-nowarn", "-cp", hermit_classpath(), "-d", str(folder), str(source)],
        deadline,
    )
    if compiled.returncode != 0:
        return f"{javac} could not compile {_EXPLAIN_SOURCE}: " + _last_line(
            compiled.stderr.decode("utf-8", "replace") or compiled.stdout.decode("utf-8", "replace")
        )
    classpath = os.pathsep.join([hermit_classpath(), str(folder)])
    return _java_command(java, "Explain", classpath=classpath)


def _explain(java: str, data: Path, folder: Path, deadline: float) -> ReasoningError:
    """The inconsistency error, naming a minimal set of axioms and the individuals in it."""
    headline = "the ontology and data are inconsistent"
    try:
        command = _explain_command(java, folder, deadline)
        if isinstance(command, str):
            return ReasoningError(f"{headline} (no explanation: {command})")
        done = _run_java([*command, str(data)], deadline)
    except subprocess.TimeoutExpired:
        return ReasoningError(f"{headline} (no explanation: the time limit ran out first)")
    axioms: list[str] = []
    individuals: list[str] = []
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        kind, _, text = line.partition("\t")
        if kind == "AXIOM":
            axioms.append(text)
        elif kind == "INDIVIDUAL":
            individuals.append(text)
    if done.returncode != 0 or not axioms:
        reason = _last_line(done.stderr.decode("utf-8", "replace"))
        return ReasoningError(f"{headline} (no explanation: {reason})")
    named = ", ".join(individuals) if individuals else "none"
    return ReasoningError(
        f"{headline}; {len(axioms)} axioms conflict (individuals involved: {named})",
        axioms=axioms,
        individuals=individuals,
    )
