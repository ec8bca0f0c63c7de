"""Versioned release bundles: one zip a partner can download, check and load.

``lhs-kg-<version>.zip`` holds one folder ``lhs-kg-<version>/`` with the dumps of the published
view (``dataset.nq``, ``dataset.trig``, ``dataset.jsonld`` and one Turtle file per graph under
``graphs/``), the ontology and shapes, the SHACL validation report of the whole published data,
the VoID/DCAT description, the changes since the previous release in the same folder
(``CHANGES.tsv`` plus ``changes/added.nq`` and ``changes/removed.nq``) and ``SHA256SUMS``
(``sha256sum -c SHA256SUMS`` inside the folder verifies it). A ``.sha256`` file for the zip itself
is written beside it. The bundle is built in a temporary folder and renamed into place only when
everything succeeded: a failed release (data that does not conform) leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from lhs_kg import __version__
from lhs_kg.config import Settings
from lhs_kg.errors import InputError, LhsKgError
from lhs_kg.export.describe_dataset import describe_dataset
from lhs_kg.export.dump import Selection, plan_export, write_export
from lhs_kg.export.shacl import ContentReport, validate_published
from lhs_kg.formats import rdf_format
from lhs_kg.store import Store

_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
_PREFIX = "lhs-kg-"
ReleaseProgress = Callable[[str], None]
"""Called with a short description of each step."""


class ReleaseError(LhsKgError):
    """The published data does not conform to the shapes: no release is made (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class GraphChange:
    """Triples added to and removed from one graph since the previous release."""

    graph: str
    added: int
    removed: int
    status: str


@dataclass
class ReleaseResult:
    """What was released and where."""

    path: Path
    version: str
    previous: Path | None
    files: list[str]
    changes: list[GraphChange] = field(default_factory=list)
    report: ContentReport | None = None


def check_version(version: str) -> str:
    """A version usable in a file name (letters, digits, ``.``, ``_``, ``+``, ``-``)."""
    if not _VERSION.match(version) or ".." in version:
        raise InputError(
            f"--version {version!r} is not a plain version (letters, digits, '.', '_', '+', '-')"
        )
    return version


def release_name(version: str) -> str:
    """The file name of a release zip."""
    return f"{_PREFIX}{version}.zip"


def graph_file(graph: str, settings: Settings) -> str:
    """The path inside ``graphs/`` of one graph's Turtle dump (from its IRI, made safe)."""
    prefix = f"{settings.base_iri}graph/"
    tail = graph[len(prefix) :] if graph.startswith(prefix) else graph.split("://", 1)[-1]
    parts = [re.sub(r"[^A-Za-z0-9._-]", "_", part) for part in tail.split("/") if part]
    parts = [p if p not in (".", "..") else "_" for p in parts] or ["graph"]
    return "graphs/" + "/".join(parts) + ".ttl"


def build_release(
    store: Store,
    settings: Settings,
    out_dir: Path,
    *,
    version: str | None = None,
    server_url: str | None = None,
    progress: ReleaseProgress | None = None,
) -> ReleaseResult:
    """Validate, dump, describe, diff and pack the published view into ``out_dir``."""
    version = check_version(__version__ if version is None else version)
    step = progress or (lambda _text: None)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: not a folder")
    target = out_dir / release_name(version)
    if target.exists():
        raise InputError(f"{target} already exists; choose another --version")
    out_dir.mkdir(parents=True, exist_ok=True)
    step("validating the published data")
    report = validate_published(store, settings)
    if not report.conforms:
        raise ReleaseError(f"the published data does not conform to the shapes: {report.summary()}")
    previous = _previous_release(out_dir, target)
    workdir = Path(tempfile.mkdtemp(prefix=".release-", dir=out_dir))
    try:
        folder = workdir / f"{_PREFIX}{version}"
        folder.mkdir()
        files = _write_contents(store, settings, folder, version, server_url, report, step)
        step("comparing with the previous release")
        changes = _write_changes(folder, previous, settings)
        files += ["CHANGES.tsv", "changes/added.nq", "changes/removed.nq"]
        sums = _write_checksums(folder)
        step("packing")
        partial = out_dir / (target.name + ".part")
        _zip(folder, partial, dt.date.today())
        partial.replace(target)
        digest = _sha256(target)
        (out_dir / (target.name + ".sha256")).write_text(f"{digest}  {target.name}\n")
    except BaseException:
        (out_dir / (target.name + ".part")).unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return ReleaseResult(target, version, previous, sorted(sums), changes, report)


def _write_contents(
    store: Store,
    settings: Settings,
    folder: Path,
    version: str,
    server_url: str | None,
    report: ContentReport,
    step: ReleaseProgress,
) -> list[str]:
    files: list[str] = []
    for name, fmt in (("dataset.nq", "nq"), ("dataset.trig", "trig"), ("dataset.jsonld", "jsonld")):
        step(f"writing {name}")
        with (folder / name).open("wb") as out:
            write_export(plan_export(store, settings, Selection(), fmt), out)
        files.append(name)
    plan = plan_export(store, settings, Selection(), "ttl")
    index = ["graph\tfile"]
    for graph in plan.graphs:
        relative = graph_file(graph, settings)
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            write_export(plan_export(store, settings, Selection(graphs=(graph,)), "ttl"), out)
        index.append(f"{graph}\t{relative}")
        files.append(relative)
    (folder / "graphs" / "index.tsv").parent.mkdir(exist_ok=True)
    (folder / "graphs" / "index.tsv").write_text("\n".join(index) + "\n", encoding="utf-8")
    step("copying the ontology and shapes")
    layers = [(s, "ontology") for s in settings.content_dirs("ontology")]
    layers += [(s, "shapes") for s in settings.content_dirs("shapes")]  # a partner's last (#17)
    for source, name in layers:
        for path in sorted(source.rglob("*")) if source.is_dir() else []:
            if (
                path.is_file()
                and path.suffix in (".ttl", ".jsonld")
                and not any(part.startswith(".") for part in path.relative_to(source).parts)
            ):
                copy = folder / name / path.relative_to(source)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, copy)
                if copy.relative_to(folder).as_posix() not in files:
                    files.append(copy.relative_to(folder).as_posix())
    (folder / "validation-report.ttl").write_bytes(report.turtle)
    (folder / "validation-report.txt").write_text(report.text(), encoding="utf-8")
    step("describing the dataset")
    description = describe_dataset(store, settings, server_url=server_url, version=version)
    (folder / "dataset.ttl").write_bytes(description.serialize(rdf_format("ttl"), settings))
    (folder / "README.txt").write_text(_readme(version), encoding="utf-8")
    return files


def _readme(version: str) -> str:
    return (
        f"lhs-kg {version}: the published Learning Health System knowledge graph.\n\n"
        "dataset.nq / dataset.trig / dataset.jsonld  the whole published view, one named graph "
        "per content file\n"
        "graphs/                  one Turtle file per named graph (graphs/index.tsv maps them)\n"
        "ontology/, shapes/       the ontology, concept schemes, JSON-LD context and SHACL shapes\n"
        "validation-report.*      SHACL report of the published data against shapes/data\n"
        "dataset.ttl              VoID and DCAT description with statistics\n"
        "CHANGES.tsv, changes/    triples added and removed per graph since the previous release\n"
        "SHA256SUMS               check with: sha256sum -c SHA256SUMS\n\n"
        "Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)\n"
    )


def _previous_release(out_dir: Path, target: Path) -> Path | None:
    """The newest other release zip in the output folder."""
    candidates = [p for p in out_dir.glob(f"{_PREFIX}*.zip") if p != target and p.is_file()]
    return max(candidates, key=lambda p: (p.stat().st_mtime, p.name)) if candidates else None


def _read_graphs(root: Path) -> dict[str, Path]:
    index = root / "graphs" / "index.tsv"
    if not index.is_file():
        return {}
    graphs: dict[str, Path] = {}
    for line in index.read_text(encoding="utf-8").splitlines()[1:]:
        iri, _, relative = line.partition("\t")
        path = (root / relative).resolve()
        if relative and path.is_relative_to(root.resolve()):
            graphs[iri] = path
    return graphs


def _canonical(path: Path | None) -> set[str]:
    """The triples of a Turtle file with canonical blank-node labels, as N-Triples lines."""
    if path is None or not path.is_file():
        return set()
    dataset = ox.Dataset(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(quad.triple) for quad in dataset}


def _write_changes(folder: Path, previous: Path | None, settings: Settings) -> list[GraphChange]:
    """Diff each graph against the previous release; write CHANGES.tsv and the changed triples."""
    current = _read_graphs(folder)
    before: dict[str, Path] = {}
    changes: list[GraphChange] = []
    (folder / "changes").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        if previous is not None:
            try:
                with zipfile.ZipFile(previous) as archive:
                    members = [
                        m
                        for m in archive.namelist()
                        if "/graphs/" in m and not m.startswith("/") and ".." not in m
                    ]
                    archive.extractall(scratch, members=members)
            except (zipfile.BadZipFile, OSError) as err:
                raise InputError(f"{previous}: cannot read the previous release: {err}") from None
            roots = [p for p in Path(scratch).iterdir() if p.is_dir()]
            before = _read_graphs(roots[0]) if roots else {}
        with (
            (folder / "changes" / "added.nq").open("w", encoding="utf-8") as added_out,
            (folder / "changes" / "removed.nq").open("w", encoding="utf-8") as removed_out,
        ):
            for graph in sorted(set(current) | set(before)):
                new = _canonical(current.get(graph))
                old = _canonical(before.get(graph))
                added, removed = sorted(new - old), sorted(old - new)
                name = ox.NamedNode(graph)
                for line in added:
                    added_out.write(f"{line[:-2] if line.endswith(' .') else line} {name} .\n")
                for line in removed:
                    removed_out.write(f"{line[:-2] if line.endswith(' .') else line} {name} .\n")
                status = (
                    "added"
                    if graph not in before
                    else "removed"
                    if graph not in current
                    else "changed"
                    if added or removed
                    else "unchanged"
                )
                changes.append(GraphChange(graph, len(added), len(removed), status))
    lines = [
        f"# changes since {previous.name if previous else 'nothing (first release)'}",
        "graph\tstatus\tadded\tremoved",
    ]
    lines += [f"{c.graph}\t{c.status}\t{c.added}\t{c.removed}" for c in changes]
    (folder / "CHANGES.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return changes


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_checksums(folder: Path) -> list[str]:
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    lines = [f"{_sha256(folder / name)}  {name}" for name in names]
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return names


def _zip(folder: Path, destination: Path, day: dt.date) -> None:
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(
                    f"{folder.name}/{path.relative_to(folder).as_posix()}", date_time=stamp
                )
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                with path.open("rb") as source, archive.open(info, "w") as target:
                    shutil.copyfileobj(source, target, 1 << 20)
