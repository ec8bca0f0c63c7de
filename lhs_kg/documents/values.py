"""JSON and YAML read safely into plain values: depth, numbers, YAML anchors and aliases bounded."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml

from lhs_kg.documents.limits import MAX_DEPTH, MAX_INTEGER_DIGITS, MAX_NUMBER_CHARS
from lhs_kg.errors import InputError, ParseError


def _decode(raw: bytes, label: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{label}: not UTF-8 text (bad byte at offset {err.start})") from None


def _json_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings, without building anything."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


@dataclass(frozen=True)
class _BadNumber:
    """A number the parser met but no field can hold (huge, NaN, infinite): refused, with path."""

    text: str
    why: str


def _json_int(text: str) -> int | _BadNumber:
    digits = text.lstrip("-")
    if len(digits) > MAX_INTEGER_DIGITS:
        return _BadNumber(
            _abridged(text), f"has {len(digits):,} digits (at most {MAX_INTEGER_DIGITS})"
        )
    return int(text)


def _json_float(text: str) -> float | _BadNumber:
    if len(text) > MAX_NUMBER_CHARS:
        return _BadNumber(
            _abridged(text), f"is {len(text):,} characters long (at most {MAX_NUMBER_CHARS})"
        )
    value = float(text)
    return value if math.isfinite(value) else _BadNumber(text, "is too large to be a number")


def _json_constant(text: str) -> _BadNumber:
    return _BadNumber(text, "is not a number JSON allows")


def _abridged(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:12]}…{text[-6:]}"


def _check_numbers(tree: Any, label: str) -> None:
    """Refuse the first unusable number, naming the field as the contributor wrote it."""
    stack: list[tuple[Any, str]] = [(tree, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _BadNumber):
            where = path or "(top)"
            raise InputError(
                f"{label}: {where}: the number {value.text} {value.why}; "
                "write a year as four digits, or the value as text"
            )
        if isinstance(value, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))


def _load_json(raw: bytes, label: str) -> Any:
    text = _decode(raw, label)
    if _json_depth(text) > MAX_DEPTH:
        raise InputError(f"{label}: nested more than {MAX_DEPTH} levels deep")
    try:
        tree = json.loads(
            text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant
        )
    except json.JSONDecodeError as err:
        raise ParseError(
            f"invalid JSON: {err.msg}", source=label, line=err.lineno, column=err.colno
        ) from None
    except RecursionError:
        raise InputError(f"{label}: nested more than {MAX_DEPTH} levels deep") from None
    _check_numbers(tree, label)
    return tree


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases (the 'billion laughs' of YAML)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted in a submission", event.start_mark
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors (&name) are not accepted in a submission", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node: Any) -> Any:
        """Integers bounded as in JSON (PyYAML's int() fails at 4,300 digits)."""
        text = str(self.construct_scalar(node)).replace("_", "")
        digits = text.lstrip("+-")
        if len(digits) > MAX_INTEGER_DIGITS:
            return _BadNumber(
                _abridged(text), f"has {len(digits):,} digits (at most {MAX_INTEGER_DIGITS})"
            )
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: Any) -> Any:
        """Finite floats only: .inf and .nan cannot be written in JSON-LD."""
        text = str(self.construct_scalar(node))
        if len(text) > MAX_NUMBER_CHARS:
            return _BadNumber(
                _abridged(text), f"is {len(text):,} characters long (at most {MAX_NUMBER_CHARS})"
            )
        value = super().construct_yaml_float(node)
        if isinstance(value, float) and not math.isfinite(value):
            return _BadNumber(text, "is not a finite number")
        return value


_SafeLoader.add_constructor("tag:yaml.org,2002:int", _SafeLoader.construct_yaml_int)
_SafeLoader.add_constructor("tag:yaml.org,2002:float", _SafeLoader.construct_yaml_float)


def _load_yaml(raw: bytes, label: str) -> Any:
    text = _decode(raw, label)
    if _json_depth(text) > MAX_DEPTH:
        raise InputError(f"{label}: nested more than {MAX_DEPTH} levels deep")
    try:
        tree = yaml.load(text, Loader=_SafeLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        raise ParseError(
            f"invalid YAML: {problem}",
            source=label,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as err:
        raise ParseError(f"invalid YAML: {err}", source=label) from None
    except RecursionError:
        raise InputError(f"{label}: nested more than {MAX_DEPTH} levels deep") from None
    tree = _plain(tree, 0, label)
    _check_numbers(tree, label)
    if tree is None:
        raise InputError(f"{label}: the submission is empty")
    return tree


def _plain(value: Any, depth: int, label: str) -> Any:
    """YAML values as JSON values: dates as ISO text, keys as text; depth bounded."""
    if depth > MAX_DEPTH:
        raise InputError(f"{label}: nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1, label) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, depth + 1, label) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        raise InputError(f"{label}: binary values are not accepted")
    return value
