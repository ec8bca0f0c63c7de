"""Commands from other packages: ``serve`` is the web package's, found through its entry point.

The engine's command line names no face; these prove the command is still there for users and
that running any engine command does not import the web app.
"""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from lhs_kg.cli import main
from lhs_kg.cli.base import PLUGIN_GROUP, plugin_commands


def test_serve_is_installed_as_a_plugin() -> None:
    assert plugin_commands()["serve"].value == "web.server:serve"
    assert PLUGIN_GROUP == "lhs_kg.commands"


def test_help_lists_the_plugin_and_it_runs() -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["--help"])
    assert listing.exit_code == 0 and "serve" in listing.output
    help_text = runner.invoke(main, ["serve", "--help"])
    assert help_text.exit_code == 0, help_text.output
    assert "--trusted-proxy" in help_text.output


def test_an_unknown_command_is_still_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["serve-nothing"])
    assert result.exit_code == 2 and "No such command" in result.output


def test_an_engine_command_does_not_import_the_web_app() -> None:
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from lhs_kg.cli import main\n"
        "result = CliRunner().invoke(main, ['--store', 'memory', 'graphs'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('web', 'flask')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"
