"""Messages for a value outside a controlled vocabulary: the field, the value, what is allowed.

The allowed values come from the concept schemes when the report is made (never hard-coded in a
message); a long list (the 250 countries) is replaced by the closest matches.
"""

from __future__ import annotations

import difflib
from typing import Protocol

from lhs_kg.content.country_names import country_table


class ValueSet(Protocol):
    """What a shape's report entry knows about its value set (``ShapeInfo`` in ``engine``)."""

    @property
    def allowed(self) -> tuple[str, ...]: ...
    @property
    def value_set(self) -> str: ...
    @property
    def scheme(self) -> str: ...
    @property
    def example(self) -> str: ...


LONG_VALUE_SET = 20
"""Above this many allowed values a message names the closest matches instead of all of them."""


def unknown_code_message(field: str, shown: str, info: ValueSet) -> tuple[str, str]:
    """A message naming the field, the value and what is allowed (or the closest allowed)."""
    code = shown.rstrip("/").rsplit("/", 1)[-1]
    what = info.value_set or "one of the allowed values"
    message = f'{field[:1].upper()}{field[1:]}: "{code}" is not {what} known to the knowledge base.'
    if len(info.allowed) <= LONG_VALUE_SET:
        return message, "Allowed values: " + ", ".join(info.allowed) + "."
    country = info.scheme.endswith("/concept/country")
    if country:
        close = country_table().closest(code)
    else:
        close = difflib.get_close_matches(code, list(info.allowed), n=3)
    if close:
        return message, f"Closest allowed: {', '.join(close)}."
    if country:
        return message, 'Write the English name ("Canada") or the ISO 3166-1 code ("CA" or "CAN").'
    return (
        message,
        f"None of the {len(info.allowed)} allowed values is close. Example: {info.example}",
    )
