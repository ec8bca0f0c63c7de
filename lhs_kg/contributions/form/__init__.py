"""The contribution form, generated from the SHACL shapes, and the way back from a post to JSON.

Input names spell the JSON path of the plain contribution format with dashes
(``outcomes-0-metric`` is ``outcomes[0].metric``, ``sources-1-authors-2-name`` is
``sources[1].authors[2].name``), so the document is built by walking the same fields the page
shows, and a validation report's field maps back to the input it concerns. Repeatable groups
(organisations, countries, outcomes, new sources and their authors, ratings) show the rows posted
plus one blank row and grow one row at a time without JavaScript.

Modules: :mod:`.model` (the form as data), :mod:`.build` (from the shapes), :mod:`.layout` (the
rows a page shows), :mod:`.data` (a post → the document, a report → the inputs).
"""

from lhs_kg.contributions.form.build import build_form
from lhs_kg.contributions.form.data import (
    MAX_CHARS,
    MAX_PROBLEMS,
    MAX_ROWS,
    RESERVED,
    Conversion,
    check_structure,
    errors_by_field,
    input_for,
    to_document,
)
from lhs_kg.contributions.form.layout import Input, Repeat, Row, layout
from lhs_kg.contributions.form.model import (
    LIMITS,
    NASSS_DOMAINS,
    SOURCE_TYPES,
    Choice,
    ContributionForm,
    Datalist,
    Field,
    Group,
    Section,
    json_path,
    template_of,
)
from lhs_kg.contributions.form.prefill import check_prefill, prefill_for

__all__ = [
    "LIMITS",
    "MAX_CHARS",
    "MAX_PROBLEMS",
    "MAX_ROWS",
    "NASSS_DOMAINS",
    "RESERVED",
    "SOURCE_TYPES",
    "Choice",
    "ContributionForm",
    "Conversion",
    "Datalist",
    "Field",
    "Group",
    "Input",
    "Repeat",
    "Row",
    "Section",
    "build_form",
    "check_prefill",
    "check_structure",
    "errors_by_field",
    "input_for",
    "json_path",
    "layout",
    "prefill_for",
    "template_of",
    "to_document",
]
