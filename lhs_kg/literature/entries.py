"""Reading a reference file (BibTeX, RIS or CSL-JSON) into checked bibliographic entries.

Every problem is collected before anything is returned, and each names the entry key and the
field as the file spells them, so a researcher can fix the file in one pass (#14). No network.

>>> entries = read_entries(b"@article{a1, title={T}, year={2020}, doi={10.1000/x}}", "r.bib")
>>> (entries[0].key, entries[0].year, entries[0].doi)
('a1', '2020', '10.1000/x')
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lhs_kg.errors import InputError
from lhs_kg.formats import REFERENCE_FORMATS, for_suffix, names

FORMATS = tuple(names(REFERENCE_FORMATS))
_RESOLVER = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_FIRST_YEAR = 1450
"""Before printing there is nothing a reference file would cite as a dated publication."""


@dataclass
class Entry:
    """One bibliographic record, with the file's own names for its key and fields."""

    key: str
    kind: str = "AcademicArticle"
    title: str = ""
    authors: list[str] = field(default_factory=list)
    year: str = ""
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    isbn: str = ""
    url: str = ""
    publisher: str = ""
    names: dict[str, str] = field(default_factory=dict)
    """Our attribute → the field name the file uses (for messages)."""


@dataclass(frozen=True)
class Problem:
    """Why one field of one entry cannot be imported."""

    key: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"entry {self.key}, field {self.field}: {self.message}"


class LiteratureError(InputError):
    """A reference file with malformed entries: one line per problem, nothing imported."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "; ".join(str(p) for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s), nothing imported: {lines}")


def format_of(name: str, fmt: str | None = None) -> str:
    """The reference format named, or the one a file name's suffix implies."""
    by_suffix = for_suffix(name, REFERENCE_FORMATS)
    chosen = (fmt or (by_suffix.name if by_suffix else "")).lower()
    if chosen not in FORMATS:
        raise InputError(
            f"{name}: cannot tell the reference format; give --format {', '.join(FORMATS)}"
        )
    return chosen


def read_entries(data: bytes, name: str, fmt: str | None = None) -> list[Entry]:
    """The checked entries of a reference file; :class:`LiteratureError` lists every problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{name}: not UTF-8 text (byte {err.start})") from None
    readers: dict[str, Callable[[str, str, list[Problem]], list[Entry]]] = {
        "bibtex": _bibtex,
        "ris": _ris,
        "csl-json": _csl_json,
    }
    problems: list[Problem] = []
    entries = readers[format_of(name, fmt)](text, name, problems)
    if not entries and not problems:
        raise InputError(f"{name}: no references found")
    seen: dict[str, int] = {}
    for entry in entries:
        seen[entry.key] = seen.get(entry.key, 0) + 1
        problems.extend(_check(entry))
    twice = [key for key, count in seen.items() if count > 1]
    problems.extend(Problem(key, "key", "used by more than one entry") for key in twice)
    if problems:
        raise LiteratureError(name, problems)
    return entries


def _check(entry: Entry) -> list[Problem]:
    """Problems with the fields every import needs (title) or that must be well formed."""
    found: list[Problem] = []

    def name(attr: str) -> str:
        return entry.names.get(attr, attr)

    if not entry.title.strip():
        found.append(Problem(entry.key, name("title"), "missing: every source needs a title"))
    if entry.year:
        last = datetime.date.today().year + 1
        if not re.fullmatch(r"\d{4}", entry.year) or not _FIRST_YEAR <= int(entry.year) <= last:
            found.append(
                Problem(
                    entry.key,
                    name("year"),
                    f"{entry.year!r} is not a possible year (four digits, {_FIRST_YEAR}-{last})",
                )
            )
    if entry.doi:
        if _RESOLVER.match(entry.doi):
            found.append(
                Problem(
                    entry.key,
                    name("doi"),
                    f"{entry.doi!r} is written as a link or with a prefix: give the DOI itself, "
                    "such as 10.1002/lrh2.10315",
                )
            )
        elif not _DOI.match(entry.doi):
            found.append(
                Problem(
                    entry.key,
                    name("doi"),
                    f"{entry.doi!r} is not a DOI (10., a registrant code, a slash, a suffix)",
                )
            )
    if entry.pmid and not entry.pmid.isdigit():
        found.append(Problem(entry.key, name("pmid"), f"{entry.pmid!r} is not a PubMed id"))
    return found


# -- BibTeX ---------------------------------------------------------------------------------------

_BIB_KINDS = {
    "article": "AcademicArticle",
    "book": "Book",
    "inbook": "BookSection",
    "incollection": "BookSection",
    "techreport": "Report",
    "report": "Report",
    "online": "Webpage",
    "misc": "Webpage",
    "standard": "Standard",
}
_BIB_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]+)")
_BIB_FIELD = re.compile(r"(\w+)\s*=\s*\{")


def _bibtex(text: str, name: str, problems: list[Problem]) -> list[Entry]:
    import bibtexparser  # imported when needed: most commands never read BibTeX

    quiet = logging.getLogger("bibtexparser")
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())  # the failures are reported below, per entry
    library = bibtexparser.parse_string(text)  # type: ignore[attr-defined]
    for block in library.failed_blocks:
        raw = str(getattr(block, "raw", ""))
        match = _BIB_KEY.search(raw)
        key = match.group(1) if match else f"at line {getattr(block, 'start_line', 0) + 1}"
        if type(block).__name__ == "DuplicateBlockKeyBlock":
            problems.append(Problem(key, "key", "used by more than one entry"))
            continue
        problems.append(Problem(key, _unbalanced_field(raw), "unclosed brace or quote"))
    entries = []
    for item in library.entries:
        values = {f.key.lower(): str(f.value).strip() for f in item.fields}
        entries.append(
            Entry(
                key=item.key,
                kind=_BIB_KINDS.get(item.entry_type.lower(), "Report"),
                title=_untex(values.get("title", "")),
                authors=[_person(a) for a in _split_authors(values.get("author", ""))],
                year=values.get("year", ""),
                journal=_untex(values.get("journal", values.get("booktitle", ""))),
                volume=values.get("volume", ""),
                issue=values.get("number", ""),
                pages=values.get("pages", "").replace("--", "-"),
                doi=values.get("doi", ""),
                pmid=values.get("pmid", ""),
                isbn=values.get("isbn", ""),
                url=values.get("url", ""),
                publisher=_untex(values.get("publisher", values.get("institution", ""))),
            )
        )
    return entries


def _unbalanced_field(raw: str) -> str:
    """The first field whose braces do not close before the next field, in a failed block."""
    starts = list(_BIB_FIELD.finditer(raw))
    for here, after in zip(starts, [*starts[1:], None], strict=True):
        value = raw[here.end() : after.start() if after else len(raw)]
        if value.count("{") + 1 > value.count("}"):
            return here.group(1)
    return "entry"


def _split_authors(text: str) -> list[str]:
    return [a.strip() for a in re.split(r"\s+and\s+", text) if a.strip()]


def _untex(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


def _person(text: str) -> str:
    """'Smith, John A.' or 'John A. Smith' as 'Smith JA', the style of data/sources.ttl."""
    text = _untex(text)
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
    else:
        parts = text.split()
        family, given = (parts[-1], " ".join(parts[:-1])) if len(parts) > 1 else (text, "")
    initials = "".join(p[0] for p in re.split(r"[\s.\-]+", given) if p)
    return f"{family} {initials}".strip()


# -- RIS ------------------------------------------------------------------------------------------

_RIS_KINDS = {
    "JOUR": "AcademicArticle",
    "JFULL": "AcademicArticle",
    "BOOK": "Book",
    "CHAP": "BookSection",
    "RPRT": "Report",
    "ELEC": "Webpage",
    "WEB": "Webpage",
    "STAND": "Standard",
}
_RIS_NAMES = {"title": "TI", "year": "PY", "doi": "DO", "pmid": "AN"}


def _ris(text: str, name: str, problems: list[Problem]) -> list[Entry]:
    import rispy

    if not re.search(r"^ER  -", text, re.MULTILINE) or not re.search(r"^TY  -", text, re.M):
        raise InputError(f"{name}: not a RIS file (a record runs from 'TY  -' to 'ER  -')")
    try:
        records: list[dict[str, Any]] = rispy.loads(text)
    except (OSError, ValueError) as err:
        raise InputError(f"{name}: not a readable RIS file: {err}") from None
    entries = []
    for number, record in enumerate(records, start=1):
        key = str(record.get("id") or f"{number} (record {number} of the file)")
        year = str(record.get("year") or record.get("publication_year") or "")
        entries.append(
            Entry(
                key=key,
                kind=_RIS_KINDS.get(str(record.get("type_of_reference", "")), "Report"),
                title=str(record.get("title") or record.get("primary_title") or ""),
                authors=[_person(a) for a in record.get("authors", []) or []],
                year=year.split("/")[0].strip(),
                journal=str(record.get("journal_name") or record.get("secondary_title") or ""),
                volume=str(record.get("volume") or ""),
                issue=str(record.get("number") or ""),
                pages="-".join(str(record[k]) for k in ("start_page", "end_page") if record.get(k)),
                doi=str(record.get("doi") or ""),
                isbn=str(record.get("issn") or "")
                if record.get("type_of_reference") == "BOOK"
                else "",
                url=str((record.get("urls") or [""])[0]),
                publisher=str(record.get("publisher") or ""),
                names=dict(_RIS_NAMES),
            )
        )
    return entries


# -- CSL-JSON -------------------------------------------------------------------------------------

_CSL_KINDS = {
    "article-journal": "AcademicArticle",
    "article": "AcademicArticle",
    "book": "Book",
    "chapter": "BookSection",
    "report": "Report",
    "webpage": "Webpage",
    "standard": "Standard",
}
_CSL_NAMES = {"year": "issued", "doi": "DOI", "pmid": "PMID", "title": "title"}


def _csl_json(text: str, name: str, problems: list[Problem]) -> list[Entry]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"{name}: not JSON (line {err.lineno}, column {err.colno})") from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InputError(f"{name}: CSL-JSON is a list of objects, one per reference")
    entries = []
    for number, item in enumerate(items, start=1):
        key = str(item.get("id") or f"{number} (item {number} of the list)")
        parts = (item.get("issued") or {}).get("date-parts") or [[]]
        year = str(parts[0][0]) if parts and parts[0] else ""
        entries.append(
            Entry(
                key=key,
                kind=_CSL_KINDS.get(str(item.get("type", "")), "Report"),
                title=str(item.get("title") or ""),
                authors=[_csl_person(a) for a in item.get("author") or [] if isinstance(a, dict)],
                year=year,
                journal=str(item.get("container-title") or ""),
                volume=str(item.get("volume") or ""),
                issue=str(item.get("issue") or ""),
                pages=str(item.get("page") or ""),
                doi=str(item.get("DOI") or ""),
                pmid=str(item.get("PMID") or ""),
                isbn=str(item.get("ISBN") or ""),
                url=str(item.get("URL") or ""),
                publisher=str(item.get("publisher") or ""),
                names=dict(_CSL_NAMES),
            )
        )
    return entries


def _csl_person(person: dict[str, Any]) -> str:
    if "literal" in person:
        return str(person["literal"])
    return _person(f"{person.get('family', '')}, {person.get('given', '')}")


__all__ = ["FORMATS", "Entry", "LiteratureError", "Problem", "format_of", "read_entries"]
