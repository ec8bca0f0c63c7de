"""Settings from LHS_KG_* variables: defaults, and a readable error naming a malformed variable."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from lhs_kg.config import CONTENT_ROOT, IN_CHECKOUT, MEMORY, Settings
from lhs_kg.errors import ConfigError
from tests.helpers import ROOT


def test_defaults_point_at_the_project_and_an_on_disk_store() -> None:
    settings = Settings.from_env({})
    assert settings.base_iri == "https://w3id.org/lhs-kg/"
    assert settings.store_path == settings.var_dir / "store"
    assert settings.query_timeout_s == 10.0 and not settings.allow_service


def test_memory_and_remote_stores() -> None:
    assert Settings.from_env({"LHS_KG_STORE": MEMORY}).store_path is None
    remote = Settings.from_env({"LHS_KG_STORE": "http://127.0.0.1:7878/"}).remote
    assert remote is not None
    assert (remote.query, remote.update, remote.graph_store) == (
        "http://127.0.0.1:7878/query",
        "http://127.0.0.1:7878/update",
        "http://127.0.0.1:7878/store",
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LHS_KG_MAX_UPLOAD_BYTES", "1MB"),
        ("LHS_KG_MAX_UPLOAD_BYTES", "0"),
        ("LHS_KG_MAX_QUERY_DEPTH", "-3"),
        ("LHS_KG_QUERY_TIMEOUT", "ten"),
        ("LHS_KG_QUERY_TIMEOUT", "nan"),
        ("LHS_KG_QUERY_TIMEOUT", "inf"),
        ("LHS_KG_ALLOW_SERVICE", "maybe"),
        ("LHS_KG_PAGE_CACHE_MB", "-1"),
        ("LHS_KG_PAGE_CACHE_MB", "32MB"),
        ("LHS_KG_PAGE_CACHE_MB", "nan"),
        ("LHS_KG_BASE_IRI", "ftp://example.org/"),
        ("LHS_KG_BASE_IRI", "https://example.org/no-slash"),
        ("LHS_KG_STORE", "gopher://example.org/sparql"),
        ("LHS_KG_STORE_QUERY_URL", "not a url"),
    ],
)
def test_a_malformed_variable_is_named_in_the_error(name: str, value: str) -> None:
    env = {name: value}
    if name == "LHS_KG_STORE_QUERY_URL":
        env["LHS_KG_STORE"] = "http://127.0.0.1:7878"
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert name in str(caught.value) or "URL" in str(caught.value)


@pytest.mark.parametrize(("value", "expected"), [("", 10.0), (" ", 10.0), ("2.5", 2.5)])
def test_blank_means_default_and_numbers_parse(value: str, expected: float) -> None:
    assert Settings.from_env({"LHS_KG_QUERY_TIMEOUT": value}).query_timeout_s == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", 32 * 1024 * 1024), ("0", 0), ("0.5", 512 * 1024), ("64", 64 * 1024 * 1024)],
)
def test_the_page_cache_size_is_megabytes_and_zero_turns_it_off(value: str, expected: int) -> None:
    assert Settings.from_env({"LHS_KG_PAGE_CACHE_MB": value}).page_cache_bytes == expected


@pytest.mark.parametrize(
    "name", [f.name for f in fields(Settings) if f.name not in ("store", "remote", "public_url")]
)
def test_no_variable_set_gives_the_field_defaults(name: str) -> None:
    """Each default is written once, on the field; the loader reads it from there (#13)."""
    assert getattr(Settings.from_env({}), name) == getattr(Settings(), name)


def test_folder_defaults_move_with_the_root_and_the_var_dir(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"LHS_KG_ROOT": str(tmp_path / "fork"), "LHS_KG_VAR_DIR": str(tmp_path / "run")}
    )
    assert settings.ontology_dir == tmp_path / "fork" / "ontology"
    assert settings.queries_dir == tmp_path / "fork" / "queries"
    assert settings.instance_dir == tmp_path / "run" / "instance"
    assert settings.reviewers_file == tmp_path / "run" / "instance" / "reviewers.json"
    assert settings.store_path == tmp_path / "run" / "store"


def test_in_a_checkout_content_and_state_are_the_repository_s() -> None:
    """Editable installs read the top folders and keep state in var/ (#17); the installed wheel's
    user data folder is proved by tests/smoke/test_wheel_smoke.py."""
    assert IN_CHECKOUT and CONTENT_ROOT == ROOT
    settings = Settings.from_env({})
    assert (settings.ontology_dir, settings.queries_dir) == (ROOT / "ontology", ROOT / "queries")
    assert settings.var_dir == ROOT / "var"


@pytest.mark.parametrize(
    ("partner_files", "expected"),
    [
        pytest.param(("ontology/context.jsonld",), "partner", id="partner-has-one"),
        pytest.param(("data/x.ttl",), "shipped", id="partner-has-none"),
    ],
)
def test_the_partner_s_context_replaces_ours_when_it_has_one(
    tmp_path: Path, partner_files: tuple[str, ...], expected: str
) -> None:
    for name in partner_files:
        (tmp_path / name).parent.mkdir(parents=True)
        (tmp_path / name).write_text("{}")
    context = Settings.from_env({"LHS_KG_CONTENT": str(tmp_path)}).context_file
    folders = {"partner": tmp_path / "ontology", "shipped": ROOT / "ontology"}
    assert context == folders[expected] / "context.jsonld"
