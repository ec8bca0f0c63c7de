"""The deployment recipes in deploy/ name real commands and options (#17).

Static checks only: the container image is not built and the systemd unit not started here
(docs/DEPLOYMENT.md says so). Each `lhs-kg …` command line of the recipes is parsed by the real
command-line interface, so a renamed command or option fails here instead of in production.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from lhs_kg.cli import main
from tests.helpers import ROOT

DEPLOY = ROOT / "deploy"
COMPOSE: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def _unit_commands() -> list[list[str]]:
    lines = (DEPLOY / "lhs-kg.service").read_text(encoding="utf-8").splitlines()
    return [
        shlex.split(line.split("=", 1)[1])
        for line in lines
        if line.startswith(("ExecStart=", "ExecStartPre="))
    ]


def _dockerfile_cmd() -> list[str]:
    lines = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines()
    (cmd,) = [line.removeprefix("CMD ") for line in lines if line.startswith("CMD ")]
    return list(yaml.safe_load(cmd))


COMMANDS = [
    pytest.param(_dockerfile_cmd(), id="Dockerfile-CMD"),
    *[
        pytest.param(service["command"], id=f"compose-{name}")
        for name, service in COMPOSE["services"].items()
        if "command" in service and service["command"][0] == "lhs-kg"
    ],
    *[pytest.param(cmd, id=f"systemd-{Path(cmd[0]).name}-{cmd[1]}") for cmd in _unit_commands()],
]


def parse(argv: list[str]) -> click.Context:
    """Parse ``lhs-kg COMMAND ARGS`` as the CLI would, without running the command."""
    parent = click.Context(main, info_name="lhs-kg")
    command = main.get_command(parent, argv[1])
    if command is None:
        raise click.UsageError(f"no command {argv[1]!r}")
    return command.make_context(argv[1], argv[2:], parent=parent)


@pytest.mark.parametrize("argv", COMMANDS)
def test_every_lhs_kg_command_of_the_recipes_parses(argv: list[str]) -> None:
    assert Path(argv[0]).name == "lhs-kg"
    assert parse(argv).command.name in ("serve", "init")


@pytest.mark.parametrize("argv", [["lhs-kg", "serve", "--workerz", "2"], ["lhs-kg", "initt"]])
def test_a_wrong_command_line_would_be_caught(argv: list[str]) -> None:
    with pytest.raises(click.UsageError):
        parse(argv)


def test_compose_has_a_store_server_web_workers_and_a_proxy() -> None:
    services = COMPOSE["services"]
    assert services["store"]["command"][:2] == ["oxigraph", "serve"]
    assert services["web"]["deploy"]["replicas"] >= 2
    assert services["web"]["environment"]["LHS_KG_STORE"] == "http://store:7878"
    assert "ports" not in services["web"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]
    assert (DEPLOY / "Caddyfile").read_text(encoding="utf-8").count("reverse_proxy web:8000") == 1
