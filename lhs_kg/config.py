"""Settings from ``LHS_KG_*`` environment variables: the only place that knows where things live.

Content (ontology/, shapes/, queries/, data/) comes from the checkout's top folders, or from the
installed package's copy (``lhs_kg/_content``) when there is no checkout; a partner may add its own
folder on top or instead (``LHS_KG_CONTENT``). The store and instance folder live in ``var/`` of a
checkout, else in the user's data folder. Nothing depends on the working directory.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlsplit

import platformdirs

from lhs_kg.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The folder above the package: the repository in a checkout (site-packages when installed)."""
CONTENT_FOLDERS = ("ontology", "shapes", "queries", "data")
ContentKind = Literal["ontology", "shapes", "queries", "data"]
CONTENT_MODES = ("overlay", "replace")


def _packaged_content() -> Path | None:
    """The content a wheel carries (``lhs_kg/_content``, see hatch_build.py), None in a checkout."""
    found = resources.files("lhs_kg") / "_content"
    return found.resolve() if isinstance(found, Path) and found.is_dir() else None


PACKAGED_CONTENT = _packaged_content()
IN_CHECKOUT = PACKAGED_CONTENT is None
CONTENT_ROOT = PACKAGED_CONTENT or PROJECT_ROOT
"""Where the shipped content folders are: the checkout's top folders or the package's copy."""
DEFAULT_VAR_DIR = (
    PROJECT_ROOT / "var" if IN_CHECKOUT else Path(platformdirs.user_data_dir("lhs-kg", False))
)
"""Store, instance folder and run records: ``var/`` of a checkout, else the user data folder
(``~/.local/share/lhs-kg`` on Linux), so an installed tool never writes into site-packages."""
DEFAULT_BASE_IRI = "https://w3id.org/lhs-kg/"
MEMORY = "memory"
N = TypeVar("N", int, float)


@dataclass(frozen=True)
class RemoteEndpoints:
    """The URLs of a SPARQL 1.1 server: query, update and Graph Store Protocol."""

    query: str
    update: str
    graph_store: str
    user: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class Settings:
    """Resolved configuration; build it with :meth:`from_env` rather than by hand."""

    store: str = ""
    base_iri: str = DEFAULT_BASE_IRI
    root: Path = CONTENT_ROOT
    ontology_dir: Path = CONTENT_ROOT / "ontology"
    data_dir: Path = CONTENT_ROOT / "data"
    shapes_dir: Path = CONTENT_ROOT / "shapes"
    queries_dir: Path = CONTENT_ROOT / "queries"
    content_overlay: Path | None = None
    """A partner's content folder read on top of the folders above (LHS_KG_CONTENT, #17)."""
    var_dir: Path = DEFAULT_VAR_DIR
    instance_dir: Path = DEFAULT_VAR_DIR / "instance"
    reviewers_file: Path = DEFAULT_VAR_DIR / "instance" / "reviewers.json"
    max_upload_bytes: int = 1_000_000
    max_submission_triples: int = 2_000
    max_load_bytes: int = 2_000_000_000
    max_query_chars: int = 100_000
    max_query_depth: int = 64
    query_timeout_s: float = 10.0
    max_result_rows: int = 100_000
    allow_service: bool = False
    page_cache_mb: float = 32.0
    sparql_update_token: str | None = field(default=None, repr=False)
    public_url: str | None = None
    """Where the public reaches this server (LHS_KG_PUBLIC_URL), ending in '/'; absolute links
    are built from it, never from the request's Host header (#12). None: the base IRI."""
    remote: RemoteEndpoints | None = field(default=None)

    @property
    def is_remote(self) -> bool:
        """True when the store is a SPARQL server reached over HTTP."""
        return self.remote is not None

    @property
    def page_cache_bytes(self) -> int:
        """Memory for the web app's cache of finished public pages (0: no cache)."""
        return int(self.page_cache_mb * 1024 * 1024)

    @property
    def context_file(self) -> Path:
        """The JSON-LD context plain-JSON contributions are read with (a fork's own, #13; a
        partner overlay's own when it has one, #17)."""
        return self.content_file("ontology", "context.jsonld")

    def content_dirs(self, kind: ContentKind) -> tuple[Path, ...]:
        """The folders of one kind of content, lowest first: the shipped (or ``LHS_KG_ROOT``)
        folder, then the partner overlay's folder of that name when it has one (#17)."""
        base = {
            "ontology": self.ontology_dir,
            "shapes": self.shapes_dir,
            "queries": self.queries_dir,
            "data": self.data_dir,
        }[kind]
        extra = self.content_overlay / kind if self.content_overlay else None
        return (base, extra) if extra is not None and extra.is_dir() else (base,)

    def content_roots(self) -> tuple[Path, ...]:
        """The roots content paths are relative to (graph IRIs), the overlay's first."""
        return (self.content_overlay, self.root) if self.content_overlay else (self.root,)

    def content_file(self, kind: ContentKind, name: str) -> Path:
        """``name`` in the highest content folder of ``kind`` that has it (else the base one)."""
        for folder in reversed(self.content_dirs(kind)):
            if (folder / name).is_file():
                return folder / name
        return self.content_dirs(kind)[0] / name

    @property
    def store_path(self) -> Path | None:
        """The on-disk folder of the embedded store, or None for memory or remote stores."""
        if self.is_remote or self.store == MEMORY:
            return None
        return Path(self.store)

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields changed (tests and the CLI's --store option use this)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ``LHS_KG_*`` variables; malformed values raise :class:`ConfigError` naming them.

        Unset variables take the field defaults above (content folders moved under
        ``LHS_KG_ROOT``, and ``var/`` with them), so each default is written once.
        """
        env = os.environ if env is None else env
        default = cls()
        root_set = env.get("LHS_KG_ROOT", "").strip()
        root = Path(root_set).resolve() if root_set else CONTENT_ROOT
        overlay = _content_folder(env)
        if overlay is not None and _content_mode(env) == "replace":
            root, overlay = overlay, None

        def folder(name: str, fallback: Path) -> Path:
            """``LHS_KG_<name>``, else ``fallback``."""
            return Path(env.get(f"LHS_KG_{name}", "").strip() or str(fallback)).resolve()

        def content(name: str, field_default: Path) -> Path:
            """A content folder: ``LHS_KG_<name>``, else the field default moved under ``root``."""
            return folder(name, root / field_default.relative_to(CONTENT_ROOT))

        var_dir = folder("VAR_DIR", root / "var" if root_set else default.var_dir)
        instance_dir = folder("INSTANCE_DIR", var_dir / default.instance_dir.name)
        reviewers_file = folder("REVIEWERS_FILE", instance_dir / default.reviewers_file.name)
        store = env.get("LHS_KG_STORE", "").strip() or str(var_dir / "store")
        remote = _remote_from_env(store, env)
        base_iri = env.get("LHS_KG_BASE_IRI", default.base_iri).strip()
        if not _is_http_url(base_iri) or not base_iri.endswith("/"):
            raise ConfigError(
                f"LHS_KG_BASE_IRI must be an http(s) IRI ending in '/', got {base_iri!r}"
            )
        return cls(
            store=store,
            base_iri=base_iri,
            root=root,
            ontology_dir=content("ONTOLOGY_DIR", default.ontology_dir),
            data_dir=content("DATA_DIR", default.data_dir),
            shapes_dir=content("SHAPES_DIR", default.shapes_dir),
            queries_dir=content("QUERIES_DIR", default.queries_dir),
            content_overlay=overlay,
            var_dir=var_dir,
            instance_dir=instance_dir,
            reviewers_file=reviewers_file,
            max_upload_bytes=_int(env, "LHS_KG_MAX_UPLOAD_BYTES", default.max_upload_bytes),
            max_submission_triples=_int(
                env, "LHS_KG_MAX_SUBMISSION_TRIPLES", default.max_submission_triples
            ),
            max_load_bytes=_int(env, "LHS_KG_MAX_LOAD_BYTES", default.max_load_bytes),
            max_query_chars=_int(env, "LHS_KG_MAX_QUERY_CHARS", default.max_query_chars),
            max_query_depth=_int(env, "LHS_KG_MAX_QUERY_DEPTH", default.max_query_depth),
            query_timeout_s=_float(env, "LHS_KG_QUERY_TIMEOUT", default.query_timeout_s),
            max_result_rows=_int(env, "LHS_KG_MAX_RESULT_ROWS", default.max_result_rows),
            allow_service=_bool(env, "LHS_KG_ALLOW_SERVICE", default.allow_service),
            page_cache_mb=_positive(
                env,
                "LHS_KG_PAGE_CACHE_MB",
                default.page_cache_mb,
                float,
                "a number of megabytes",
                zero=True,
            ),
            sparql_update_token=env.get("LHS_KG_SPARQL_UPDATE_TOKEN", "").strip() or None,
            public_url=_public_url(env),
            remote=remote,
        )


def _content_folder(env: Mapping[str, str]) -> Path | None:
    """``LHS_KG_CONTENT``: a partner's folder holding some of the content folders (#17)."""
    raw = env.get("LHS_KG_CONTENT", "").strip()
    if not raw:
        return None
    path = Path(raw).expanduser().resolve()
    if not path.is_dir():
        raise ConfigError(f"LHS_KG_CONTENT: no such folder: {path}")
    if not any((path / name).is_dir() for name in CONTENT_FOLDERS):
        raise ConfigError(
            f"LHS_KG_CONTENT: {path} holds none of the content folders "
            + ", ".join(f"{name}/" for name in CONTENT_FOLDERS)
        )
    return path


def _content_mode(env: Mapping[str, str]) -> str:
    """``LHS_KG_CONTENT_MODE``: ``overlay`` (on top of the shipped content) or ``replace``."""
    mode = env.get("LHS_KG_CONTENT_MODE", "").strip().lower() or CONTENT_MODES[0]
    if mode not in CONTENT_MODES:
        raise ConfigError(f"LHS_KG_CONTENT_MODE must be {' or '.join(CONTENT_MODES)}, got {mode!r}")
    return mode


def _public_url(env: Mapping[str, str]) -> str | None:
    """``LHS_KG_PUBLIC_URL``: an http(s) URL without query or fragment, kept with a final '/'."""
    raw = env.get("LHS_KG_PUBLIC_URL", "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if not _is_http_url(raw) or parts.query or parts.fragment or "@" in parts.netloc:
        raise ConfigError(
            "LHS_KG_PUBLIC_URL must be the http(s) address the public uses for this server, "
            f"such as https://kg.example.org/, got {raw!r}"
        )
    return raw if raw.endswith("/") else raw + "/"


def _is_http_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _remote_from_env(store: str, env: Mapping[str, str]) -> RemoteEndpoints | None:
    """Read ``LHS_KG_STORE=http://host:port/...`` as a SPARQL server (Oxigraph URL layout)."""
    if "://" not in store:
        return None
    if not _is_http_url(store):
        raise ConfigError(
            f"LHS_KG_STORE must be a folder path, 'memory' or an http(s) URL; got {store!r}"
        )
    base = store.rstrip("/")
    query = env.get("LHS_KG_STORE_QUERY_URL", f"{base}/query")
    update = env.get("LHS_KG_STORE_UPDATE_URL", f"{base}/update")
    gsp = env.get("LHS_KG_STORE_GSP_URL", f"{base}/store")
    for name, url in (("query", query), ("update", update), ("graph store", gsp)):
        if not _is_http_url(url):
            raise ConfigError(f"the {name} URL of the remote store is not an http(s) URL: {url!r}")
    return RemoteEndpoints(
        query=query,
        update=update,
        graph_store=gsp,
        user=env.get("LHS_KG_STORE_USER") or None,
        password=env.get("LHS_KG_STORE_PASSWORD") or None,
    )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    return _positive(env, name, default, int, "a whole number")


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    return _positive(env, name, default, float, "a number of seconds")


def _positive(
    env: Mapping[str, str],
    name: str,
    default: N,
    parse: Callable[[str], N],
    what: str,
    *,
    zero: bool = False,
) -> N:
    """A positive, finite number from ``env[name]``, or ``default`` when unset or blank.

    ``zero=True`` also accepts 0, for sizes where 0 turns a feature off.
    """
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = parse(raw)
    except ValueError:
        raise ConfigError(f"{name} must be {what}, got {raw!r}") from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
        also = "zero or " if zero else ""
        raise ConfigError(f"{name} must be {also}positive and finite, got {raw!r}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")
