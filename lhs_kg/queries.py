"""The library of named queries: one ``.rq`` file per question, its header read as metadata.

A file starts with header comment lines::

    #+ title: Case studies by loop stage
    #+ description: One plain paragraph for the query's page: what it answers and for whom.
    #+ summary: Case studies that show a given stage of the Better Care Loop.
    #+ params: stage:concept:loop? since:date=2020-01-01
    #+ columns: stage=Loop stage; caseStudy=Case study
    #+ returns: select

``title`` and ``description`` are what people read on the query's page and in the gallery;
``summary`` is the one line the command line and the API list. ``columns`` (optional) gives
headings for result variables, ``variable=Heading`` pairs separated by ``;``; a variable without
one is headed by its own name split into words (``caseStudy`` → "Case study").

``params`` lists ``name:type`` pairs, in order. Types: ``iri`` (an absolute IRI, or a prefixed
name with one of our prefixes such as ``cs:improvecarenow``), ``string``, ``int``, ``date``
(``YYYY-MM-DD``), ``concept:<scheme>`` (a concept of that scheme, given as its full IRI or
its id, e.g. ``1A`` for ``concept:nasss``), ``concept`` (a concept of any scheme, as its full
IRI or ``<scheme>/<id>``, e.g. ``nasss/1A``), and the kinds of resource a page offers as a list:
``case-study``, ``source`` and ``scheme`` (a case study, source or concept scheme, given as its
full IRI, a prefixed name such as ``cs:swedeheart`` or its id, e.g. ``swedeheart``) and
``source-kind`` (a BIBO class such as ``bibo:Report``). A trailing ``?`` makes a parameter
optional (left unbound when omitted, so the query answers for every value); ``=value`` gives a
default. Parameters are SPARQL variables of the same name, bound at run time with a VALUES
block, never formatted into the text.

>>> from lhs_kg.config import PROJECT_ROOT
>>> library = QueryLibrary(PROJECT_ROOT / "queries")
>>> query = library.get("case-studies-by-loop-stage")
>>> [p.name for p in query.params], query.returns
(['stage'], 'select')
>>> query.bind({"stage": "data-to-knowledge"})["stage"].value
'https://w3id.org/lhs-kg/concept/loop/data-to-knowledge'
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from lhs_kg.config import DEFAULT_BASE_IRI, Settings
from lhs_kg.errors import ParameterError, QueryError, UnknownQueryError
from lhs_kg.namespaces import PREFIXES

RETURNS = ("select", "construct", "ask", "describe")
BASE_TYPES = ("iri", "string", "int", "date", "source-kind")
#: Parameter types naming one resource of a kind, and the path under the base IRI of its IRIs.
RESOURCE_TYPES: dict[str, str] = {
    "case-study": "case-study/",
    "source": "source/",
    "scheme": "concept/",
}
_BIBO = "http://purl.org/ontology/bibo/"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*):(?P<type>[a-z-]+(?::[a-z0-9-]+)?)"
    r"(?:(?P<optional>\?)|=(?P<default>\S+))?$"
)
_SCHEME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LOCAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$")
_COLUMN = re.compile(r"^(?P<var>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<heading>\S.*)$")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_MAX_VALUE_CHARS = 2_000
_INT_RANGE = 10**18


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: its variable name, type, and whether it may be left out."""

    name: str
    type: str
    optional: bool = False
    default: str | None = None

    @property
    def scheme(self) -> str | None:
        """The concept scheme id of a ``concept:<scheme>`` parameter, else None."""
        return self.type.split(":", 1)[1] if self.type.startswith("concept:") else None

    @property
    def required(self) -> bool:
        """True when a value must be given (no default, not optional)."""
        return not self.optional and self.default is None

    def convert(self, raw: str, base_iri: str = DEFAULT_BASE_IRI) -> ox.NamedNode | ox.Literal:
        """The RDF term for a text value, or :class:`ParameterError` saying what is wrong."""
        value = raw.strip()
        if not value:
            raise ParameterError(f"parameter {self.name!r} is empty")
        if len(value) > _MAX_VALUE_CHARS:
            raise ParameterError(
                f"parameter {self.name!r} is {len(value):,} characters long; "
                f"the limit is {_MAX_VALUE_CHARS:,}"
            )
        if self.type == "string":
            return ox.Literal(raw)
        if self.type == "int":
            try:
                number = int(value)
            except ValueError:
                raise ParameterError(
                    f"parameter {self.name!r} must be a whole number, got {raw!r}"
                ) from None
            if abs(number) >= _INT_RANGE:
                raise ParameterError(f"parameter {self.name!r} is out of range: {raw!r}")
            return ox.Literal(str(number), datatype=ox.NamedNode(_XSD + "integer"))
        if self.type == "date":
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                raise ParameterError(
                    f"parameter {self.name!r} must be a date as YYYY-MM-DD, got {raw!r}"
                ) from None
            if len(value) != 10:
                raise ParameterError(
                    f"parameter {self.name!r} must be a date as YYYY-MM-DD, got {raw!r}"
                )
            return ox.Literal(day.isoformat(), datatype=ox.NamedNode(_XSD + "date"))
        if self.type == "iri":
            return _iri(self.name, _expand(value))
        if self.type == "source-kind":
            kind = _expand(value)
            if not kind.startswith(_BIBO) or not kind[len(_BIBO) :].isalnum():
                raise ParameterError(
                    f"parameter {self.name!r} must be a kind of source such as bibo:Report "
                    f"or bibo:AcademicArticle, got {raw!r}"
                )
            return _iri(self.name, kind)
        if self.type in RESOURCE_TYPES:
            return _resource(self.name, self.type, value, raw, base_iri)
        if self.type == "concept":
            return _any_concept(self.name, value, raw, base_iri)
        scheme = self.scheme
        assert scheme is not None
        namespace = f"{base_iri}concept/{scheme}/"
        iri = value if ":" in value else namespace + value
        if (
            not iri.startswith(namespace)
            or len(iri) == len(namespace)
            or "/" in iri[len(namespace) :]
        ):
            raise ParameterError(
                f"parameter {self.name!r} must be a concept of the {scheme!r} scheme "
                f"(an id such as {namespace}<id>, or just <id>), got {raw!r}"
            )
        return _iri(self.name, iri)


def _resource(name: str, kind: str, value: str, raw: str, base_iri: str) -> ox.NamedNode:
    """A case study, source or scheme given by full IRI, prefixed name or id, as its IRI."""
    namespace = base_iri + RESOURCE_TYPES[kind]
    expanded = _expand(value).replace(DEFAULT_BASE_IRI, base_iri, 1)
    iri = expanded if ":" in expanded else namespace + expanded
    local = iri[len(namespace) :] if iri.startswith(namespace) else ""
    if not _LOCAL_ID.match(local):
        raise ParameterError(
            f"parameter {name!r} must be a {kind.replace('-', ' ')} (its id, such as "
            f"{RESOURCE_EXAMPLES[kind]}, or its full IRI {namespace}<id>), got {raw!r}"
        )
    return _iri(name, iri)


def _any_concept(name: str, value: str, raw: str, base_iri: str) -> ox.NamedNode:
    """A concept of any of our schemes, given by full IRI or as ``<scheme>/<id>``."""
    namespace = base_iri + "concept/"
    expanded = value.replace(DEFAULT_BASE_IRI, base_iri, 1)
    iri = expanded if ":" in expanded else namespace + expanded
    scheme, _, local = (
        iri[len(namespace) :].partition("/") if iri.startswith(namespace) else ("", "", "")
    )
    if not (_SCHEME.match(scheme) and _LOCAL_ID.match(local)):
        raise ParameterError(
            f"parameter {name!r} must be a concept, given as <scheme>/<id> such as nasss/1A "
            f"or as its full IRI {namespace}<scheme>/<id>, got {raw!r}"
        )
    return _iri(name, iri)


#: An id of each resource type, for error messages.
RESOURCE_EXAMPLES = {"case-study": "swedeheart", "source": "greenhalgh-2017", "scheme": "nasss"}


def _expand(value: str) -> str:
    """A prefixed name with one of our prefixes, expanded; anything else unchanged."""
    prefix, sep, local = value.partition(":")
    known = dict(PREFIXES)
    known.update(
        {
            "cs": DEFAULT_BASE_IRI + "case-study/",
            "src": DEFAULT_BASE_IRI + "source/",
            "org": DEFAULT_BASE_IRI + "organisation/",
            "lhsc": DEFAULT_BASE_IRI + "concept/",
        }
    )
    if sep and prefix in known and not local.startswith("//"):
        return known[prefix] + local
    return value


def _iri(name: str, value: str) -> ox.NamedNode:
    """An absolute IRI checked by pyoxigraph; relative or malformed ones are refused."""
    scheme = value.split(":", 1)[0]
    if ":" not in value or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*", scheme):
        raise ParameterError(f"parameter {name!r} must be an absolute IRI, got {value!r}")
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise ParameterError(f"parameter {name!r} is not a valid IRI: {value!r}") from None


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library: its name (the file stem), header metadata and SPARQL text."""

    name: str
    summary: str
    params: tuple[Parameter, ...]
    returns: str
    text: str
    path: Path
    base_iri: str = DEFAULT_BASE_IRI
    title: str = ""
    description: str = ""
    columns: tuple[tuple[str, str], ...] = ()

    @property
    def heading(self) -> str:
        """What a page calls the query: its title, or its name when the file gives none."""
        return self.title or self.name

    def column(self, variable: str) -> str:
        """The heading of a result column: the ``columns`` header's, else the name in words."""
        for name, heading in self.columns:
            if name == variable:
                return heading
        return words(variable)

    def param(self, name: str) -> Parameter:
        """The declared parameter called ``name``."""
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise ParameterError(
            f"query {self.name!r} has no parameter {name!r} (its parameters: {known})"
        )

    def bind(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Typed terms for the given text values, with defaults; unknown or missing → error."""
        for name in values:
            self.param(name)
        bindings: dict[str, ox.NamedNode | ox.Literal] = {}
        for param in self.params:
            raw = values.get(param.name)
            if raw is None or (raw.strip() == "" and not param.required):
                raw = param.default
            if raw is None:
                if param.required:
                    raise ParameterError(
                        f"query {self.name!r} needs parameter {param.name!r} ({param.type})"
                    )
                continue
            bindings[param.name] = param.convert(raw, self.base_iri)
        return bindings


@dataclass(frozen=True)
class Header:
    """What the ``#+`` lines of a query file say about it."""

    summary: str
    params: tuple[Parameter, ...]
    returns: str
    title: str = ""
    description: str = ""
    columns: tuple[tuple[str, str], ...] = ()


def words(variable: str) -> str:
    """A variable name as words for a heading: ``caseStudyLabel`` → "Case study label".

    >>> words("caseStudy"), words("notRated"), words("n")
    ('Case study', 'Not rated', 'N')
    """
    split = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", variable.replace("_", " ")).lower().strip()
    return split[:1].upper() + split[1:]


def parse_header(text: str, path: Path) -> Header:
    """Title, description, summary, parameters, columns and result kind from the ``#+`` lines."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        if stripped.startswith("#+"):
            key, sep, value = stripped[2:].partition(":")
            if not sep:
                raise QueryError(f"{path}: header line {stripped!r} has no ':'")
            fields[key.strip().lower()] = value.strip()
    summary = fields.get("summary", "")
    if not summary:
        raise QueryError(f"{path}: the header has no '#+ summary:' line")
    returns = fields.get("returns", "").lower()
    if returns not in RETURNS:
        raise QueryError(
            f"{path}: '#+ returns:' must be one of {', '.join(RETURNS)}, got {returns!r}"
        )
    return Header(
        summary,
        _parse_params(fields.get("params", ""), path),
        returns,
        fields.get("title", ""),
        fields.get("description", ""),
        _parse_columns(fields.get("columns", ""), path),
    )


def _parse_params(declared: str, path: Path) -> tuple[Parameter, ...]:
    """The ``#+ params:`` line as parameters, in order."""
    params: list[Parameter] = []
    for item in declared.split():
        match = _PARAM.match(item)
        kind = match.group("type") if match else ""
        base, _, scheme = kind.partition(":")
        valid = match is not None and (
            (base in BASE_TYPES and not scheme)
            or (base in RESOURCE_TYPES and not scheme)
            or (base == "concept" and (not scheme or _SCHEME.match(scheme)))
        )
        if not valid or match is None:
            raise QueryError(
                f"{path}: parameter {item!r} is not name:type (types: iri, string, int, date, "
                "concept, concept:<scheme>, case-study, source, scheme, source-kind; optional "
                "with a trailing '?', a default with '=value')"
            )
        if any(p.name == match.group("name") for p in params):
            raise QueryError(f"{path}: parameter {match.group('name')!r} is declared twice")
        params.append(
            Parameter(
                match.group("name"), kind, match.group("optional") == "?", match.group("default")
            )
        )
    return tuple(params)


def _parse_columns(declared: str, path: Path) -> tuple[tuple[str, str], ...]:
    """The ``#+ columns:`` line as (variable, heading) pairs."""
    columns: list[tuple[str, str]] = []
    for item in (part.strip() for part in declared.split(";")):
        if not item:
            continue
        match = _COLUMN.match(item)
        if match is None:
            raise QueryError(
                f"{path}: column heading {item!r} is not variable=Heading (pairs separated by ';')"
            )
        columns.append((match.group("var"), match.group("heading").strip()))
    return tuple(columns)


_CACHE: dict[Path, tuple[int, int, NamedQuery]] = {}
_CACHE_LOCK = threading.Lock()


class QueryLibrary:
    """The ``.rq`` files of one folder (not its subfolders); each file is parsed once per change.

    ``below`` are folders read under it: a query there is used when ``folder`` has none of that
    name (a partner's queries on top of the shipped ones, #17).
    """

    def __init__(
        self, folder: Path, base_iri: str = DEFAULT_BASE_IRI, below: tuple[Path, ...] = ()
    ) -> None:
        self.folder = folder
        self.base_iri = base_iri
        self.below = below

    @classmethod
    def from_settings(cls, settings: Settings, subfolder: str = "") -> QueryLibrary:
        """The queries folder of ``settings`` (or its ``subfolder``, e.g. ``checks``) and its base
        IRI: the one way the faces build a library, so none forgets the base IRI (#13) or a
        partner's queries (#17)."""
        folders = [f / subfolder if subfolder else f for f in settings.content_dirs("queries")]
        return cls(folders[-1], settings.base_iri, tuple(reversed(folders[:-1])))

    @property
    def folders(self) -> tuple[Path, ...]:
        """Where queries are looked for, first match wins."""
        return (self.folder, *self.below)

    def names(self) -> list[str]:
        """Query names (file stems), sorted."""
        return sorted(
            {
                p.stem
                for folder in self.folders
                if folder.is_dir()
                for p in folder.glob("*.rq")
                if p.is_file() and _NAME.match(p.stem)
            }
        )

    def get(self, name: str) -> NamedQuery:
        """The query called ``name``; an unknown name raises :class:`UnknownQueryError`."""
        if len(name) <= 100 and _NAME.match(name):
            for folder in self.folders:
                path = folder / f"{name}.rq"
                if path.is_file():  # one stat per folder, no listing
                    return self._load(path)
        names = self.names()
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        shown = name if len(name) <= 80 else name[:80] + "…"
        raise UnknownQueryError(
            f"no query named {shown!r} in {' or '.join(map(str, self.folders))}{hint} "
            "(`lhs-kg queries` lists them)"
        )

    def all(self) -> list[NamedQuery]:
        """Every query of the folder, by name."""
        return [self.get(name) for name in self.names()]

    def _load(self, path: Path) -> NamedQuery:
        try:
            stat = path.stat()
            with _CACHE_LOCK:
                cached = _CACHE.get(path)
            fresh = cached and (cached[0], cached[1]) == (stat.st_mtime_ns, stat.st_size)
            if cached and fresh and cached[2].base_iri == self.base_iri:
                return cached[2]
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise QueryError(f"{path}: cannot read: {err.strerror}") from None
        except UnicodeDecodeError:
            raise QueryError(f"{path}: not UTF-8 text") from None
        head = parse_header(text, path)
        query = NamedQuery(
            path.stem,
            head.summary,
            head.params,
            head.returns,
            text,
            path,
            self.base_iri,
            head.title,
            head.description,
            head.columns,
        )
        with _CACHE_LOCK:
            _CACHE[path] = (stat.st_mtime_ns, stat.st_size, query)
        return query
