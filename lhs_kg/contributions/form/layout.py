"""What the contribution page shows: every posted row kept, one blank row per group, one more on
"add another"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lhs_kg.contributions.form.model import ContributionForm, Field, Group, Section, template_of


@dataclass
class Input:
    """A field with its concrete name and the values to show in it."""

    field: Field
    name: str
    values: list[str]

    @property
    def id(self) -> str:
        """The element id (``f-`` and the name)."""
        return "f-" + self.name

    @property
    def value(self) -> str:
        """The single value shown in a one-value input."""
        return self.values[-1] if self.values else ""

    @property
    def is_group(self) -> bool:
        """False: an input."""
        return False


@dataclass
class Row:
    """One row of a repeatable group, with its inputs and nested groups."""

    name: str
    number: int
    items: list[Input | Repeat]


@dataclass
class Repeat:
    """A repeatable group as shown: its rows and the value of its 'add another' button."""

    group: Group
    name: str
    rows: list[Row]

    @property
    def is_group(self) -> bool:
        """True: a group."""
        return True


def _posted_rows(values: Mapping[str, Sequence[str]], prefix: str) -> tuple[int, int]:
    """How many rows of ``prefix`` were posted, and the number of the last one holding text."""
    count, last_filled = 0, -1
    head = prefix + "-"
    for name, posted in values.items():
        if not name.startswith(head):
            continue
        number = name[len(head) :].split("-", 1)[0]
        if not number.isdigit():
            continue
        index = int(number)
        count = max(count, index + 1)
        if any(str(v).strip() for v in posted):
            last_filled = max(last_filled, index)
    return count, last_filled


def _preset_only(group: Group, values: Mapping[str, Sequence[str]], row: str, i: int) -> bool:
    """True when a row holds nothing but the values the form filled in itself."""
    preset = group.presets[i] if i < len(group.presets) else {}
    for name, posted in values.items():
        if not name.startswith(row + "-"):
            continue
        text = [v.strip() for v in posted if v.strip()]
        key = name[len(row) + 1 :]
        if text and not (key in preset and text == [preset[key]]):
            return False
    return True


def layout(
    form: ContributionForm, values: Mapping[str, Sequence[str]], add: str | None = None
) -> list[tuple[Section, list[Input | Repeat]]]:
    """The sections as shown: every posted row kept, one blank row per group, one more for ``add``.

    ``values`` must have passed :func:`lhs_kg.contributions.formdata.check_structure` (no absurd
    row numbers), so the rows shown stay within the groups' limits.
    """

    def concrete(item: Field | Group, row: str, number: int) -> Input | Repeat:
        name = item.name
        if row:
            name = row + item.name[len(template_of(row)) :]
        if isinstance(item, Field):
            posted = list(values.get(name, []))
            if not posted and number >= 0:
                group_key = name.rsplit("-", 2)
                preset = presets.get((group_key[0], number), {})
                if item.key in preset:
                    posted = [preset[item.key]]
            return Input(item, name, posted)
        count, last = _posted_rows(values, name)
        if item.presets:
            while last >= 0 and _preset_only(item, values, f"{name}-{last}", last):
                last -= 1
        rows = max(item.initial, last + (2 if item.spare else 1), count)
        if add == name:
            rows = max(rows, count + 1)
        rows = min(rows, item.limit)
        for i, preset in enumerate(item.presets):
            presets[(name, i)] = preset
        shown = [
            Row(f"{name}-{i}", i, [concrete(sub, f"{name}-{i}", i) for sub in item.items])
            for i in range(rows)
        ]
        return Repeat(item, name, shown)

    presets: dict[tuple[str, int], dict[str, str]] = {}
    return [(s, [concrete(item, "", -1) for item in s.items]) for s in form.sections]
