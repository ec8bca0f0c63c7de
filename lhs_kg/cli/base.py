"""The command group, its shared options, and the one place errors become exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import IO, Any, BinaryIO, NoReturn

import click

from lhs_kg import __version__
from lhs_kg.config import MEMORY, Settings
from lhs_kg.errors import InputError, LhsKgError, StoreError
from lhs_kg.kb import KnowledgeBase


@dataclass
class CliState:
    """Settings for this run and the knowledge base, opened on first use only."""

    settings: Settings
    debug: bool = False
    _kb: KnowledgeBase | None = field(default=None, repr=False)

    def kb(self, *, create: bool = False) -> KnowledgeBase:
        """The knowledge base, opened on first use (the store's lock is taken only when needed).

        Only commands that build a store (``init``, ``load``) pass ``create=True``; every other
        refuses a folder that holds no store, so a mistyped ``--store`` cannot pass for empty.
        """
        if self._kb is None:
            path = self.settings.store_path
            if path is not None and not create and not is_store(path):
                raise StoreError(f"no store at {path}; run `lhs-kg init` first")
            try:
                self._kb = KnowledgeBase(self.settings)
            except StoreError as err:
                raise _explain_lock(self.settings, err) from None
        return self._kb

    def close(self) -> None:
        """Release the store if it was opened."""
        if self._kb is not None:
            self._kb.close()
            self._kb = None


def is_store(path: Path) -> bool:
    """True when ``path`` is a folder holding an embedded (pyoxigraph/RocksDB) store."""
    return path.is_dir() and (path / "CURRENT").is_file() and (path / "IDENTITY").is_file()


def _explain_lock(settings: Settings, err: StoreError) -> StoreError:
    """A lock error naming the running ``lhs-kg serve`` that holds it, when there is one."""
    from lhs_kg.instance import read_server_record

    record = read_server_record(settings) if "in use" in str(err) else None
    if record is None:
        return err
    return StoreError(
        f"the store at {settings.store_path} is held by `lhs-kg serve` (pid {record.pid}, "
        f"{record.url}); `lhs-kg submit` and `lhs-kg review` work through it, other commands "
        "need the server stopped (or use its /sparql endpoint)"
    )


#: Entry-point group of commands other packages add (``serve`` comes from the web package), so
#: the engine names no face: a command is found by the name it was installed under.
PLUGIN_GROUP = "lhs_kg.commands"


def plugin_commands() -> dict[str, EntryPoint]:
    """Commands installed by other packages, by name; loaded only when used or listed."""
    return {ep.name: ep for ep in entry_points(group=PLUGIN_GROUP)}


class LhsKgGroup(click.Group):
    """Turns engine errors into one line on stderr and the documented exit code.

    Besides its own commands it offers the installed plugins' (:data:`PLUGIN_GROUP`), each
    imported only when it runs or the help lists it.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Our commands and the plugins', sorted."""
        return sorted({*super().list_commands(ctx), *plugin_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Our command called ``cmd_name``, else the plugin installed under that name."""
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        plugin = plugin_commands().get(cmd_name)
        if plugin is None:
            return None
        loaded = plugin.load()
        if not isinstance(loaded, click.Command):
            raise click.ClickException(f"plugin {plugin.value!r} is not a click command")
        return loaded

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LhsKgError as err:
            _fail(ctx, str(err), err.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            _fail(ctx, "interrupted", 2)
        except BrokenPipeError:  # the reader went away (`lhs-kg dump | head`): stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except Exception as err:  # a bug: say so plainly, keep the traceback for --debug
            _fail(
                ctx, f"unexpected {type(err).__name__}: {err} (rerun with --debug for details)", 2
            )


def _fail(ctx: click.Context, message: str, code: int) -> NoReturn:
    state = ctx.find_object(CliState)
    if state is not None and state.debug:
        raise
    click.echo(f"lhs-kg: error: {message}", err=True)
    sys.exit(code)


@click.group(cls=LhsKgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    "store",
    metavar="PATH|memory|URL",
    default=None,
    help="Store to use (overrides LHS_KG_STORE): a folder, 'memory' or a SPARQL server URL.",
)
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.version_option(__version__, prog_name="lhs-kg")
@click.pass_context
def main(ctx: click.Context, store: str | None, debug: bool) -> None:
    """lhs-kg: the Learning Health System knowledge graph.

    Exit codes: 0 success, 1 a finding (invalid data, failed check), 2 usage or input error.
    """
    env = dict(os.environ)
    if store is not None:
        env["LHS_KG_STORE"] = store
    ctx.obj = CliState(Settings.from_env(env), debug=debug)
    ctx.call_on_close(ctx.obj.close)


pass_state = click.make_pass_decorator(CliState)


def read_upload(file: Path, settings: Settings) -> bytes:
    """A file a contributor sends, refused past ``LHS_KG_MAX_UPLOAD_BYTES`` as the API would."""
    try:
        size = file.stat().st_size
        if size > settings.max_upload_bytes:
            raise InputError(
                f"{file}: {size:,} bytes is over the limit of "
                f"{settings.max_upload_bytes:,} bytes (LHS_KG_MAX_UPLOAD_BYTES)"
            )
        return file.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{file}: no such file") from None
    except OSError as err:
        raise InputError(f"{file}: cannot read: {err.strerror}") from None


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    """``--param NAME=VALUE`` options as a dict; a pair without ``=`` is a usage error."""
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(f"--param takes NAME=VALUE, got {pair!r}")
        params[name] = value
    return params


def checked_output_path(output: Path) -> Path:
    """Refuse an output path that is a folder or whose folder does not exist."""
    if output.exists() and output.is_dir():
        raise InputError(f"{output}: is a folder; give a file name")
    if not output.parent.is_dir():
        raise InputError(f"{output}: the folder {output.parent} does not exist")
    return output


def write_atomically(output: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write to ``FILE.part`` and rename at the end: a failure leaves no partial file."""
    partial = output.with_name(output.name + ".part")
    try:
        with partial.open("wb") as handle:
            write(handle)
        partial.replace(output)
    except OSError as err:
        raise InputError(f"{output}: cannot write: {err.strerror or err}") from None
    finally:
        partial.unlink(missing_ok=True)


def binary_stdout() -> BinaryIO:
    """Standard output as bytes, for RDF and results written straight from the serialisers."""
    return sys.stdout.buffer


__all__ = [
    "MEMORY",
    "CliState",
    "binary_stdout",
    "checked_output_path",
    "is_store",
    "main",
    "parse_params",
    "pass_state",
    "write_atomically",
]
