"""Numbers no field can hold (5,000-digit integers, NaN, infinities): 400 / exit 2, field named.

Regression for #12: a 5,000-digit integer in JSON or YAML reached Python's int-string conversion
limit and answered 500 on /api/validate and /api/contributions.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.cli import main
from lhs_kg.documents import load_document
from lhs_kg.errors import InputError
from tests.helpers import build_app, clean_env, payload

HUGE = "9" * 5000


def _json_with(value: str) -> bytes:
    """The example contribution with ``startYear`` written as the raw JSON text ``value``."""
    return payload(startYear=2019).replace(b'"startYear": 2019', f'"startYear": {value}'.encode())


def _yaml_with(value: str) -> bytes:
    return f"type: CaseStudy\ntitle: A title\nstartYear: {value}\n".encode()


BAD_NUMBERS = [
    pytest.param(_json_with(HUGE), "json", "5,000 digits", id="json-5000-digit-integer"),
    pytest.param(_json_with("-" + HUGE), "json", "5,000 digits", id="json-negative-huge"),
    pytest.param(_json_with("1e999"), "json", "too large", id="json-1e999"),
    pytest.param(_json_with("-1e999"), "json", "too large", id="json-minus-1e999"),
    pytest.param(_json_with("NaN"), "json", "NaN", id="json-NaN"),
    pytest.param(_json_with("Infinity"), "json", "Infinity", id="json-Infinity"),
    pytest.param(_json_with("1." + "0" * 100), "json", "characters long", id="json-long-float"),
    pytest.param(_yaml_with(HUGE), "yaml", "5,000 digits", id="yaml-5000-digit-integer"),
    pytest.param(_yaml_with(".inf"), "yaml", ".inf", id="yaml-inf"),
    pytest.param(_yaml_with(".nan"), "yaml", ".nan", id="yaml-nan"),
]
MEDIA = {"json": "application/json", "yaml": "application/yaml"}


@pytest.mark.parametrize(("body", "fmt", "why"), BAD_NUMBERS)
def test_unusable_numbers_are_refused_naming_the_field(body: bytes, fmt: str, why: str) -> None:
    with pytest.raises(InputError) as caught:
        load_document(body, fmt=fmt, name="cs")
    message = str(caught.value)
    assert "startYear" in message and why in message
    assert len(message) < 300  # the 5,000 digits are not echoed back


def test_a_number_deep_in_a_list_is_named_by_its_path() -> None:
    body = (
        b'{"type": "CaseStudy", "outcomes": [{"label": "x"}, {"before": ' + HUGE.encode() + b"}]}"
    )
    with pytest.raises(InputError, match=r"outcomes\[1\]\.before"):
        load_document(body, fmt="json")


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        pytest.param(_json_with("2019"), "json", id="json-year"),
        pytest.param(_json_with("-" + "9" * 18), "json", id="json-18-digits"),
        pytest.param(_json_with("2019.5"), "json", id="json-float"),
        pytest.param(_yaml_with("1_000"), "yaml", id="yaml-underscores"),
    ],
)
def test_ordinary_numbers_still_parse(body: bytes, fmt: str) -> None:
    assert len(load_document(body, fmt=fmt).graph) > 0


@pytest.fixture(scope="module")
def app() -> Flask:
    return build_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize("path", ["/api/validate", "/api/contributions"])
@pytest.mark.parametrize(("body", "fmt", "why"), BAD_NUMBERS)
def test_huge_integer_is_a_400_naming_the_field_on_the_web(
    app: Flask, client: FlaskClient, path: str, body: bytes, fmt: str, why: str
) -> None:
    kb = app.extensions["lhs_kg"]
    before = kb.store.triple_count()
    answer = client.post(path, data=body, content_type=MEDIA[fmt])
    assert answer.status_code == 400
    assert "startYear" in answer.get_json()["message"]
    assert kb.store.triple_count() == before


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = clean_env()
    env["LHS_KG_STORE"] = "memory"
    env["LHS_KG_VAR_DIR"] = str(tmp_path / "var")
    return env


@pytest.mark.parametrize("command", ["validate", "submit"])
def test_huge_integer_exits_2_with_one_line_naming_the_field(
    cli_env: dict[str, str], tmp_path: Path, command: str
) -> None:
    file = tmp_path / "case.json"
    file.write_bytes(_json_with(HUGE))
    result = CliRunner().invoke(main, [command, str(file)], env=cli_env)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if "error:" in line]
    assert len(errors) == 1 and "startYear" in errors[0] and "Traceback" not in result.output
