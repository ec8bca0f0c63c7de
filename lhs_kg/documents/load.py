"""The entry point: a submission (bytes, text or a file) in any accepted format into a Document."""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path

from lhs_kg.config import Settings
from lhs_kg.documents.context import load_context
from lhs_kg.documents.limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_TRIPLES, _check_shape
from lhs_kg.documents.model import Document
from lhs_kg.documents.rdf import _from_rdf
from lhs_kg.documents.tree import _from_tree
from lhs_kg.documents.values import _load_json, _load_yaml
from lhs_kg.errors import InputError
from lhs_kg.formats import SUBMISSION_FORMATS, for_suffix, submission_format


def load_document(
    data: bytes | str | Path,
    *,
    fmt: str | None = None,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    base_iri: str = "https://w3id.org/lhs-kg/",
    max_triples: int | None = DEFAULT_MAX_TRIPLES,
    settings: Settings | None = None,
) -> Document:
    """Parse a submission (bytes, text or a file) into a :class:`Document`; refuse unsafe input.

    Besides the byte limit, the parsed graph is bounded (``max_triples``, members of an RDF
    list) so that validating whatever is accepted stays short (#12); ``None`` lifts both.
    Plain JSON and YAML are read with the context of ``settings`` (default: the environment's).
    """
    if isinstance(data, Path):
        name = name or str(data)
        data = _read_file(data, max_bytes)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    label = name or "(submission)"
    if len(raw) > max_bytes:
        raise InputError(
            f"{label}: {len(raw):,} bytes is over the limit of {max_bytes:,} bytes "
            "(LHS_KG_MAX_UPLOAD_BYTES)"
        )
    if not raw.strip():
        raise InputError(f"{label}: the submission is empty")
    kind = _format(fmt, name, raw)
    _install_log_filter()
    if kind in ("json", "jsonld", "yaml"):
        tree = _load_json(raw, label) if kind != "yaml" else _load_yaml(raw, label)
        context = load_context((settings or Settings.from_env()).context_file)
        document = _from_tree(tree, label, kind, max_triples, context)
    else:
        document = _from_rdf(raw, label, kind, base_iri, max_triples)
    if max_triples is not None:
        _check_shape(document.graph, label)
    return document


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError(f"{path}: not a file")
        if size > max_bytes:
            raise InputError(
                f"{path}: {size:,} bytes is over the limit of {max_bytes:,} bytes "
                "(LHS_KG_MAX_UPLOAD_BYTES)"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None


def _format(fmt: str | None, name: str | None, raw: bytes) -> str:
    """The submission format named, else the file name's, else the one the content looks like."""
    if fmt:
        return submission_format(fmt).name
    if name:
        found = for_suffix(name, SUBMISSION_FORMATS)
        if found is not None:
            return found.name
        suffix = Path(name).suffix.lower()
        if suffix:
            raise InputError(
                f"{name}: cannot tell the format from {suffix!r}; use .json, .yaml, "
                ".jsonld, .ttl, .nt or .rdf"
            )
    head = raw.lstrip()[:200]
    if head[:1] in (b"{", b"["):
        return "json"
    if head.startswith((b"<?xml", b"<rdf:RDF", b"<!")):
        return "rdfxml"
    if re.match(rb"(@prefix|@base|PREFIX|BASE|<[^>]*>\s*<|#)", head, re.IGNORECASE):
        return "ttl"
    return "yaml"


class _Filter(logging.Filter):
    """Drops rdflib's traceback for literals like "2020-02-30"^^xsd:date: SHACL reports them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


@functools.cache
def _install_log_filter() -> None:
    logging.getLogger("rdflib.term").addFilter(_Filter())
