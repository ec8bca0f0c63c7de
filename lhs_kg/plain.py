"""Literal values as people read them: numbers grouped, years as years, dates in words (#15).

Human pages never show a datatype or a language tag; the typed value stays in the RDF, one
click away. Numbers get thousands separators; years are typed ``xsd:gYear`` in our data (the
shapes require it) and read as years.

>>> literal_text("80000", XSD + "integer"), literal_text("1995", XSD + "gYear")
('80,000', '1995')
>>> literal_text("1234", XSD + "integer"), literal_text("-999", XSD + "integer")
('1,234', '-999')
>>> literal_text("2026-12-04", XSD + "date"), literal_text("true", XSD + "boolean")
('4 December 2026', 'yes')
>>> literal_text("1234567.50", XSD + "decimal"), literal_text("12.0", XSD + "double")
('1,234,567.5', '12')
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {
    XSD + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}
_DECIMALS = {XSD + "decimal", XSD + "double", XSD + "float"}
_GROUP_FROM = 1_000


def literal_text(text: str, datatype: str = "") -> str:
    """The text of a literal for a page: formatted by its datatype, unchanged when unknown."""
    try:
        if datatype in _INTEGERS:
            return _number(Decimal(int(text.strip())))
        if datatype in _DECIMALS:
            return _number(Decimal(text.strip()))
        if datatype == XSD + "boolean":
            return {"true": "yes", "1": "yes", "false": "no", "0": "no"}.get(text.strip(), text)
        if datatype == XSD + "date":
            return _day(dt.date.fromisoformat(text.strip()[:10]))
        if datatype == XSD + "dateTime":
            moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
            zone = " UTC" if moment.utcoffset() == dt.timedelta(0) else ""
            return f"{_day(moment.date())}, {moment:%H:%M}{zone}"
    except (ValueError, InvalidOperation):
        return text  # an ill-typed literal is shown as written, never hidden
    return text


def _number(number: Decimal) -> str:
    """A number with thousands separators, without trailing zeros."""
    if not number.is_finite():
        return str(number)
    whole = number == number.to_integral_value()
    if whole:
        shown = int(number)
        return f"{shown:,}" if abs(shown) >= _GROUP_FROM else str(shown)
    text = format(number.normalize(), "f")
    head, _, tail = text.partition(".")
    grouped = f"{int(head):,}" if abs(int(head)) >= _GROUP_FROM else head
    if head.startswith("-") and not grouped.startswith("-"):
        grouped = "-" + grouped  # -0.5 keeps its sign
    return f"{grouped}.{tail}"


def _day(day: dt.date) -> str:
    """A date in words, as in "4 December 2026"."""
    return f"{day.day} {day:%B %Y}"
