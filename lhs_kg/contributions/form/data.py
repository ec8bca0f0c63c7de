"""From a posted contribution form to the plain-JSON document, and from a report back to the inputs.

The document is built by walking the form's own fields and groups (:mod:`.form`), each input name
spelling its JSON path, so a field the form shows always reaches the document. Nothing typed is
dropped silently: a post the form could not have produced (an unknown input, a value sent twice
for a one-value input, a row number over a group's limit or with rows missing before it) is
refused as a whole with the list of problems; a row that cannot become part of the document (a
rating without a level, a domain rated twice) comes back with a message at its input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lhs_kg.contributions.form.carried import CARRIED, add_carried, check_carried
from lhs_kg.contributions.form.model import ContributionForm, Field, Group, template_of
from lhs_kg.validate import Report

MAX_CHARS = 20_000
"""The longest value one input may hold; longer is a message at the input, never a cut."""
MAX_ROWS = 400
"""How many rows all groups together may have (each group has its own limit too)."""
MAX_PROBLEMS = 10
"""How many problems of a tampered post are named; the rest are counted."""
RESERVED = frozenset({"csrf_token", "add"})
"""Inputs of the page that are not part of the document."""
_NAME = re.compile(r"[A-Za-z]+(?:-(?:[A-Za-z]+|[0-9]{1,9}))*")
_CONTAINERS = {"AcademicArticle": "Journal", "BookSection": "Book"}


@dataclass
class Conversion:
    """The document a post stands for, where each JSON path came from, and the inputs' problems."""

    document: dict[str, Any]
    where: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, name: str, message: str) -> None:
        """Attach a message to an input (or a group row) by its name."""
        self.errors.setdefault(name, []).append(message)


def _shown(name: str, width: int = 60) -> str:
    return repr(name if len(name) <= width else name[:width] + "…")


def check_structure(
    form: ContributionForm, values: Mapping[str, Sequence[str]], add: str | None = None
) -> list[str]:
    """What makes a post one the form could not have produced ([] when it could)."""
    templates, groups = form.templates(), form.groups()
    problems: list[str] = []
    rows: dict[str, set[int]] = {}

    def numbers(name: str, where: str) -> None:
        parts = name.split("-")
        for i, part in enumerate(parts):
            if not part.isdigit():
                continue
            prefix = "-".join(parts[:i])
            group = groups.get(template_of(prefix))
            if group is None:
                problems.append(f"{where}: {_shown(prefix)} is not a repeatable group.")
                return
            if part != str(int(part)):
                problems.append(f"{where}: row numbers are written without leading zeros.")
                return
            if int(part) >= group.limit:
                problems.append(
                    f"{where}: row {int(part) + 1:,} is over the limit of {group.limit} rows "
                    f"for {group.title}s."
                )
                return
            rows.setdefault(prefix, set()).add(int(part))

    for name, posted in values.items():
        if name in RESERVED or name in CARRIED:
            continue
        field_ = templates.get(template_of(name)) if _NAME.fullmatch(name) else None
        if field_ is None:
            problems.append(f"Unknown field {_shown(name)}: the form has no such input.")
            continue
        if not field_.multiple and len(posted) > 1:
            problems.append(
                f"The field {_shown(name)} was sent {len(posted)} times; it takes one value "
                "(the form never sends it twice)."
            )
        numbers(name, f"The field {_shown(name)}")
    for prefix, found in sorted(rows.items()):
        missing = sorted(set(range(max(found) + 1)) - found)
        if missing:
            shown = ", ".join(str(n) for n in missing[:5]) + (" …" if len(missing) > 5 else "")
            problems.append(
                f"Rows {shown} of {_shown(prefix)} are missing: the form numbers rows from 0 "
                "without gaps."
            )
    problems += check_carried(values)
    total = sum(len(found) for found in rows.values())
    if total > MAX_ROWS:
        problems.append(f"{total:,} rows in all: the form takes at most {MAX_ROWS:,}.")
    if len(problems) > MAX_PROBLEMS:
        problems = [*problems[:MAX_PROBLEMS], f"… and {len(problems) - MAX_PROBLEMS:,} more."]
    if add is not None:
        if not _NAME.fullmatch(add) or template_of(add) not in groups:
            problems.append(f"Cannot add a row to {_shown(add)}: the form has no such group.")
        else:
            numbers(add + "-0", f"Adding a row to {_shown(add)}")
    return problems


def _concrete(template: str, row: str) -> str:
    """A template's name inside a concrete row (``sources-#-title`` in ``sources-2``)."""
    return row + template[len(template_of(row)) :] if row else template


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def _put(target: dict[str, Any], keys: list[str], value: Any) -> None:
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value


def _keys(name: str, row: str) -> list[str]:
    """The JSON keys below the row an input or group name spells (``assessment-basis``)."""
    rest = name[len(row) + 1 :] if row else name
    return [part for part in rest.split("-") if part]


class _Reader:
    """Walks the form's fields and groups over the posted values, building the document."""

    def __init__(self, form: ContributionForm, values: Mapping[str, Sequence[str]]) -> None:
        self.form, self.values = form, values
        self.out = Conversion({"type": "CaseStudy"})
        self.cited = set(form.sources) | {  # known sources and the new ones named in this post
            str(v).strip()
            for name, posted in values.items()
            if template_of(name) == "sources-#-id"
            for v in posted
        }

    def texts(self, name: str) -> list[str]:
        found = []
        for raw in self.values.get(name, []):
            text = str(raw).strip()
            if len(text) > MAX_CHARS:
                self.out.error(
                    name,
                    f"This is {len(text):,} characters long; the limit is {MAX_CHARS:,}. "
                    "Shorten it (nothing was cut).",
                )
            elif text:
                found.append(text)
        return found

    def value(self, f: Field, name: str) -> Any:
        texts = self.texts(name)
        if not texts:
            return None
        if f.multiple:
            return list(dict.fromkeys(texts))
        text = texts[-1]
        if f.kind == "year":
            return int(text) if re.fullmatch(r"[0-9]{1,4}", text) else text
        if f.kind == "integer":
            return int(text) if re.fullmatch(r"[0-9]{1,12}", text) else text
        if f.kind == "list":
            parts = [p for p in re.split(r"[\s,;]+", text) if p]
            return list(dict.fromkeys(parts))
        if f.kind == "country":
            return self.form.country_code(text)
        return text

    def rows(self, name: str) -> list[int]:
        head = name + "-"
        found = set()
        for posted in self.values:
            if posted.startswith(head):
                number = posted[len(head) :].split("-", 1)[0]
                if number.isdigit():
                    found.add(int(number))
        return sorted(found)

    def collect(
        self, items: Sequence[Field | Group], row: str, target: dict[str, Any]
    ) -> dict[str, str]:
        """Fill ``target`` from the inputs of one row; the JSON paths filled → input names."""
        where: dict[str, str] = {}
        for item in items:
            name = _concrete(item.name, row)
            keys = _keys(name, row)
            path = ".".join(keys)
            if isinstance(item, Field):
                value = self.value(item, name)
                if value is None:
                    continue
                _put(target, keys, value)
                where[path] = name
                if isinstance(value, list):
                    where.update({f"{path}[{i}]": name for i in range(len(value))})
                continue
            existing = target.get(keys[0]) if len(keys) == 1 else None
            start = list(existing) if isinstance(existing, list) else []
            made: list[tuple[Any, str, dict[str, str]]] = []
            for number in self.rows(name):
                made_row = self.row(item, f"{name}-{number}", number)
                if made_row is not None:
                    made.append(made_row)
            if not made:
                continue
            self.seen_pairs(item, made)
            items_out = start + [obj for obj, _, _ in made]
            single = item.single and not start and len(made) == 1
            _put(target, keys, items_out[0] if single else items_out)
            for offset, (_, row_name, inner) in enumerate(made):
                at = path if single else f"{path}[{len(start) + offset}]"
                where[at] = row_name
                where.update({f"{at}.{k}" if k else at: v for k, v in inner.items()})
        return where

    def row(self, group: Group, row: str, number: int) -> tuple[Any, str, dict[str, str]] | None:
        """One row of a group as a JSON value (None for a row left empty)."""
        fields = group.fields()
        if len(group.items) == 1 and fields and fields[0].key == "":
            value = self.value(fields[0], row)
            return None if value is None else (value, row, {"": row})
        obj: dict[str, Any] = {}
        where = self.collect(group.items, row, obj)
        preset = group.presets[number] if number < len(group.presets) else {}
        if all(k in preset and obj[k] == preset[k] for k in obj):
            return None  # nothing typed: only what the form filled in itself, if anything
        finish = getattr(self, f"finish_{group.key}", None)
        result = finish(obj, row, where) if finish is not None else obj
        return None if result is None else (result, row, where)

    def finish_organisation(self, obj: dict[str, Any], row: str, where: dict[str, str]) -> Any:
        """Only a short name: an existing organisation; anything more: a new one."""
        if set(obj) == {"id"}:
            where[""] = f"{row}-id"
            return obj["id"]
        ident = obj.pop("id", None) or _slug(str(obj.get("name", "")))
        new: dict[str, Any] = {"id": ident} if ident else {}
        return {**new, "type": "Organisation", **obj}

    def finish_sources(self, obj: dict[str, Any], row: str, where: dict[str, str]) -> Any:
        """A new source: its short name from the title when none is given; the journal."""
        ident = obj.pop("id", None) or _slug(str(obj.get("title", "")))
        if "partOf" in obj:
            part = str(obj["partOf"])
            if part not in self.cited:
                kind = _CONTAINERS.get(str(obj.get("type", "")), "Collection")
                obj["partOf"] = {"type": kind, "title": part}
                where["partOf.title"] = where["partOf"]
        return {"id": ident, **obj} if ident else obj

    def finish_ratings(self, obj: dict[str, Any], row: str, where: dict[str, str]) -> Any:
        """A rating needs a level; a domain left 'not rated' carries nothing else."""
        if "level" not in obj:
            self.out.error(
                f"{row}-level",
                "Choose a level for this rating, or leave the row 'not rated' and empty and say "
                "in the coverage note why the domain is not rated.",
            )
            return None
        return obj

    def seen_pairs(self, group: Group, made: list[tuple[Any, str, dict[str, str]]]) -> None:
        """A domain (or subdomain) rated in two rows is a message, never last-value-wins."""
        if group.key != "ratings":
            return
        first: dict[tuple[str, str], str] = {}
        for obj, row, _ in made:
            pair = (str(obj.get("domain", "")), str(obj.get("subdomain", "")))
            if pair in first:
                what = f"subdomain {pair[1]}" if pair[1] else f"domain {pair[0]}"
                self.out.error(
                    f"{row}-domain",
                    f"NASSS {what} is already rated in row {int(first[pair].rsplit('-', 1)[1]) + 1}"
                    ": keep one rating per domain (or choose a subdomain for each).",
                )
            else:
                first[pair] = row


def to_document(form: ContributionForm, values: Mapping[str, Sequence[str]]) -> Conversion:
    """The plain-JSON contribution a post stands for (``values`` passed :func:`check_structure`).

    ``values`` maps input names to the values posted (as ``request.form.lists()`` gives).
    """
    reader = _Reader(form, values)
    doc = reader.out.document
    for section in form.sections:
        reader.out.where.update(reader.collect(section.items, "", doc))
    add_carried(doc, values)
    return reader.out


def errors_by_field(
    report: Report, conversion: Conversion, form: ContributionForm
) -> tuple[dict[str, list[str]], list[str]]:
    """Report messages keyed by the input (or group row) they concern, and those that fit none."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    templates, groups = form.templates(), form.groups()
    for issue in report.issues:
        if issue.severity not in ("violation", "warning"):
            continue
        message = issue.message + (f" {issue.hint}" if issue.hint else "")
        if issue.severity == "warning":
            message = "Consider: " + message
        target = input_for(issue.field, conversion.where, templates, groups)
        if target is None:
            general.append(f"{issue.field or 'document'}: {message}")
        else:
            by_field.setdefault(target, []).append(message)
    return by_field, general


def _dashed(path: str) -> str:
    return re.sub(r"\[([0-9]+)\]", r"-\1", path).replace(".", "-")


def input_for(
    path: str,
    where: Mapping[str, str],
    templates: Mapping[str, Field],
    groups: Mapping[str, Group],
) -> str | None:
    """The input (or group row) a report's field path (``outcomes[1].metric``) concerns."""
    if not path or path == "(top)":
        return None
    if path in where:
        return where[path]
    cuts = [m.start() for m in re.finditer(r"[.\[]", path)]
    for cut in reversed(cuts):
        head = path[:cut]
        if head in where:
            candidate = where[head] + _dashed(path[cut:])
            return candidate if template_of(candidate) in templates else where[head]
    if path == "assessment.ratings":
        return "assessment-coverageNote"
    candidate = _dashed(path)
    if candidate in templates or candidate in groups:
        return candidate
    inside = sorted(n for n in templates if n.startswith(candidate + "-") and "#" not in n)
    return inside[0] if inside else None
