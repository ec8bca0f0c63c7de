"""A spreadsheet-friendly table of the published case studies and their NASSS ratings.

One row per case study; one column per field of the case-study shapes (:mod:`lhs_kg.model`; the
first five in the order spreadsheets made before kept, the rest in the shapes' order, headed by
their ``sh:name``), and one column per NASSS domain holding the level it was rated (several
ratings of one domain, e.g. from two assessments, are joined with "; "). Linked things appear by
their label, several values joined with "; ". Cells that a spreadsheet
would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a
leading apostrophe, the OWASP advice against CSV injection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.config import Settings
from lhs_kg.layout import view_graphs
from lhs_kg.model import Property, load_model
from lhs_kg.model.faces import CSV, shown
from lhs_kg.queries import QueryLibrary
from lhs_kg.store import Store

_VALUES = sparql.text("export/case-studies-csv-values")
_DOMAINS = sparql.text("describe/nasss-domains")
_LEVEL_LABELS = sparql.text("describe/labels-of")
#: The heat map's one definition (its cells: a case study's domain rating per domain).
HEATMAP_QUERY = "nasss-heatmap"
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: formula-like values get a leading apostrophe.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("-1"), safe_cell("Sweden")
    ('\\'=HYPERLINK("http://x")', "'-1", 'Sweden')
    """
    return "'" + value if value.startswith(_DANGEROUS) else value


#: The first columns, in the order of the CSV before its columns came from the shapes.
LEAD_COLUMNS = (
    ("title", "title"),
    ("country", "country"),
    ("organisation", "organisation"),
    ("loopStages", "loop stages"),
    ("startYear", "start year"),
)
_LABEL_ORDER = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://xmlns.com/foaf/0.1/name",
    "http://purl.org/dc/terms/title",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "https://schema.org/name",
)
Row = dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]


def columns(settings: Settings) -> list[tuple[str, Property]]:
    """The field columns (header, field): the lead columns, then the rest in the shapes' order."""
    fields = shown(load_model(settings), CSV)
    by_key = {p.key: p for p in fields}
    lead = [(header, by_key[key]) for key, header in LEAD_COLUMNS if key in by_key]
    taken = {p.iri for _, p in lead}
    return lead + [(p.label, p) for p in fields if p.iri not in taken]


def _english(literals: list[ox.Literal]) -> list[ox.Literal]:
    """The English or untagged literals, else all of them."""
    english = [t for t in literals if (t.language or "en").lower().startswith("en")]
    return english or literals


def _cells(rows: list[Row]) -> dict[str, dict[str, str]]:
    """Case study IRI → property IRI → cell text, from the rows of the values query."""
    values: dict[str, dict[str, dict[str, list[tuple[int, ox.Literal]]]]] = {}
    for row in rows:
        obj = row["o"]
        found = values.setdefault(row["cs"].value, {}).setdefault(row["p"].value, {})
        labels = found.setdefault(_key(obj), [])
        label, lp = row.get("name"), row.get("nameProp")
        if isinstance(label, ox.Literal) and lp is not None and lp.value in _LABEL_ORDER:
            labels.append((_LABEL_ORDER.index(lp.value), label))
    out: dict[str, dict[str, str]] = {}
    for iri, by_prop in values.items():
        for prop, objects in by_prop.items():
            texts = []
            for key, labels in objects.items():
                if labels:
                    best = min(rank for rank, _ in labels)
                    texts.append(_english([t for r, t in labels if r == best])[0].value)
                elif not key.startswith("_:"):
                    texts.append(key)
            out.setdefault(iri, {})[prop] = "; ".join(sorted(dict.fromkeys(texts)))
    return out


def _key(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """An object's text in a cell when it has no label: a literal's value, an IRI, a blank id."""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def _literal_cells(rows: list[Row], texts: set[str]) -> dict[tuple[str, str], str]:
    """Text fields: the English (or untagged) values only, when a value has translations."""
    found: dict[tuple[str, str], list[ox.Literal]] = {}
    for row in rows:
        if row["p"].value in texts and isinstance(row["o"], ox.Literal):
            items = found.setdefault((row["cs"].value, row["p"].value), [])
            if row["o"] not in items:
                items.append(row["o"])
    return {key: "; ".join(sorted(t.value for t in _english(v))) for key, v in found.items()}


def _level_names(store: Store, graphs: list[str], levels: set[str]) -> dict[str, str]:
    """The English preferred label (else any label) of each complexity level."""
    if not levels:
        return {}
    rows = [{"x": ox.NamedNode(iri)} for iri in sorted(levels)]
    found: dict[str, list[tuple[int, ox.Literal]]] = {}
    text = sparql.bind(_LEVEL_LABELS, rows)
    for row in store.query(text, default_graphs=graphs, union=False).rows():
        label = row["label"]
        if isinstance(label, ox.Literal):
            rank = _LABEL_ORDER.index(row["lp"].value) if row["lp"].value in _LABEL_ORDER else 99
            found.setdefault(row["x"].value, []).append((rank, label))
    out = {}
    for iri, labels in found.items():
        best = min(rank for rank, _ in labels)
        out[iri] = _english([t for r, t in labels if r == best])[0].value
    return out


def case_study_rows(store: Store, settings: Settings) -> Iterator[list[str]]:
    """The header and one row per published case study (cells not yet made safe)."""
    graphs = view_graphs(store, settings)  # one graph whatever the history (#16)
    fields = columns(settings)
    domains: list[tuple[str, str]] = []
    ratings: dict[tuple[str, str], list[str]] = {}
    rows: list[Row] = []
    if graphs:
        found = {}
        for row in store.query(_DOMAINS, default_graphs=graphs, union=False).rows():
            number = row["notation"].value if "notation" in row else row["d"].value
            label = row["label"].value if "label" in row else ""
            found[row["d"].value] = (number, f"NASSS {number}: {label}".strip(": "))
        ordered = sorted(found.items(), key=lambda d: (len(d[1][0]), d[1][0], d[0]))
        domains = [(iri, title) for iri, (_, title) in ordered]
        heat = store.query(
            QueryLibrary.from_settings(settings).get(HEATMAP_QUERY).text,
            default_graphs=graphs,
            union=False,
        ).rows()
        names = _level_names(store, graphs, {row["level"].value for row in heat})
        for row in sorted(heat, key=lambda r: (r["caseStudy"].value, r["domain"].value)):
            level = row["level"].value
            ratings.setdefault((row["caseStudy"].value, row["domain"].value), []).append(
                names.get(level, level)
            )
        rows = store.query(_VALUES, default_graphs=graphs, union=False).rows()
    cells = _cells(rows)
    texts = _literal_cells(rows, {p.iri for _, p in fields if p.is_text})
    yield ["iri", *(header for header, _ in fields), *(title for _, title in domains)]
    for iri in sorted(cells):
        yield [
            iri,
            *(texts.get((iri, p.iri), cells[iri].get(p.iri, "")) for _, p in fields),
            *("; ".join(sorted(ratings.get((iri, d), []))) for d, _ in domains),
        ]


def write_case_studies_csv(store: Store, settings: Settings) -> str:
    """The CSV text (RFC 4180, CRLF line ends, UTF-8 when encoded) of :func:`case_study_rows`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in case_study_rows(store, settings):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
