"""Generate ``ontology/countries.ttl``: every ISO 3166-1 country as a concept of the country scheme.

The list comes from pycountry (the Debian iso-codes data, packaged for Python), imported only when
the file is generated: at run time the engine reads the committed Turtle file, never pycountry.
Concept IRIs are ``<base>concept/country/<alpha-2>``, as before, so existing data keeps its links;
``EU`` (exceptionally reserved in ISO 3166-1, not a country) is kept as a multinational region.

Run ``make content`` (or ``python -m lhs_kg.content.countries``) after upgrading pycountry;
``--check`` exits 1 when the committed file differs from what would be written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lhs_kg.config import PROJECT_ROOT
from lhs_kg.content.turtle import iri, literal

COUNTRIES_PATH = PROJECT_ROOT / "ontology" / "countries.ttl"
SCHEME = "https://w3id.org/lhs-kg/concept/country"
ISO_SOURCE = "https://w3id.org/lhs-kg/source/iso-3166"
ALPHA2 = "lhs:ISO3166Alpha2"
ALPHA3 = "lhs:ISO3166Alpha3"


@dataclass(frozen=True)
class CountryRecord:
    """One country as the generator writes it: codes, English names, and an optional note."""

    alpha2: str
    alpha3: str
    name: str
    alt_names: tuple[str, ...] = ()
    official_name: str = ""
    note: str = ""


EU = CountryRecord(
    alpha2="EU",
    alpha3="",
    name="European Union (multinational)",
    alt_names=("European Union", "EU"),
    note=(
        "EU is an exceptionally reserved code in ISO 3166-1, not an assigned country code; "
        "it is used here for multinational European initiatives."
    ),
)
"""Not in ISO 3166-1's list of countries: kept as a region for initiatives across the EU."""


def from_pycountry() -> tuple[list[CountryRecord], str]:
    """Every country pycountry knows, and pycountry's version (needs the ``content`` extra)."""
    from importlib.metadata import version

    import pycountry

    records = []
    for country in pycountry.countries:
        name = str(country.name)
        common = str(getattr(country, "common_name", "") or "")
        official = str(getattr(country, "official_name", "") or "")
        preferred = common or name
        alternatives = tuple(dict.fromkeys(n for n in (name, official) if n and n != preferred))
        records.append(
            CountryRecord(
                str(country.alpha_2),
                str(country.alpha_3),
                preferred,
                alternatives,
                official,
            )
        )
    return records, version("pycountry")


def _definition(record: CountryRecord) -> str:
    if record is EU or not record.alpha3:
        return "The European Union, used for initiatives that span several of its member states."
    text = (
        f"The country or territory that ISO 3166-1 identifies by the codes {record.alpha2} "
        f"and {record.alpha3}"
    )
    if record.official_name and record.official_name != record.name:
        text += f"; officially {record.official_name}"
    return text + "."


def _concept(record: CountryRecord) -> str:
    lines = [
        f"{iri(f'{SCHEME}/{record.alpha2}')}",
        "    a skos:Concept , lhs:Country ;",
        f"    skos:prefLabel {literal(record.name, lang='en')} ;",
    ]
    for alt in record.alt_names:
        lines.append(f"    skos:altLabel {literal(alt, lang='en')} ;")
    lines.append(f"    skos:notation {literal(record.alpha2, datatype=ALPHA2)} ;")
    if record.alpha3:
        lines.append(f"    skos:notation {literal(record.alpha3, datatype=ALPHA3)} ;")
    lines += [
        f"    skos:definition {literal(_definition(record), lang='en')} ;",
        f"    skos:inScheme {iri(SCHEME)} ;",
        f"    skos:topConceptOf {iri(SCHEME)} ;",
    ]
    if record.note:
        lines.append(f"    skos:editorialNote {literal(record.note, lang='en')} ;")
    lines.append(f"    dcterms:source {iri(ISO_SOURCE)} .")
    return "\n".join(lines)


_SCHEME_DEFINITION = (
    "Countries and territories of ISO 3166-1, and the European Union for multinational "
    "initiatives, where case studies and organisations are located."
)
_SCHEME_DESCRIPTION = (
    "Every country and territory of ISO 3166-1 with its English name and its alpha-2 and "
    "alpha-3 codes, plus the European Union as a multinational region."
)
_NOTE = (
    "Generated from pycountry {version} (the Debian iso-codes data) by "
    "lhs_kg/content/countries.py; names are pycountry's common name where it has one, else the "
    "ISO short name."
)


def render(records: Iterable[CountryRecord], version: str) -> str:
    """The Turtle text of the country scheme: the same records give the same bytes."""
    ordered = sorted({r.alpha2: r for r in [*records, EU]}.values(), key=lambda r: r.alpha2)
    tops = " ,\n        ".join(iri(f"{SCHEME}/{r.alpha2}") for r in ordered)
    header = f"""\
# GENERATED by lhs_kg/content/countries.py from pycountry {version} (ISO 3166-1): do not edit.
# Run `make content` to regenerate; tests/content/test_generated.py checks this file is current.
# Concept IRIs are <https://w3id.org/lhs-kg/concept/country/ALPHA-2>; see docs/MODEL.md.

@prefix lhs:     <https://w3id.org/lhs-kg/ontology/> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

{iri(SCHEME)}
    a skos:ConceptScheme ;
    skos:prefLabel "Countries"@en ;
    dcterms:title "Countries"@en ;
    skos:definition {literal(_SCHEME_DEFINITION, lang="en")} ;
    dcterms:description {literal(_SCHEME_DESCRIPTION, lang="en")} ;
    rdfs:isDefinedBy <https://w3id.org/lhs-kg/ontology> ;
    dcterms:source {iri(ISO_SOURCE)} ;
    owl:versionInfo {literal(f"ISO 3166-1 as packaged by pycountry {version}")} ;
    skos:editorialNote {literal(_NOTE.format(version=version), lang="en")} ;
    skos:hasTopConcept {tops} .
"""
    return header + "\n" + "\n\n".join(_concept(r) for r in ordered) + "\n"


def generate() -> str:
    """The text ``ontology/countries.ttl`` should hold, from the installed pycountry."""
    records, version = from_pycountry()
    return render(records, version)


def write_or_check(path: Path, text: str, check: bool) -> int:
    """Write ``text`` to ``path`` (0), or with ``check`` report whether it differs (0 same, 1)."""
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if check:
        if current != text:
            print(f"{path} is out of date: run `make content`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the file, or ``--check`` it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    parser.add_argument("--output", type=Path, default=COUNTRIES_PATH)
    args = parser.parse_args(argv)
    return write_or_check(args.output, generate(), args.check)


if __name__ == "__main__":
    raise SystemExit(main())
