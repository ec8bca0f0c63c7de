"""Stores: the interface, the embedded pyoxigraph store and any SPARQL 1.1 server."""

from __future__ import annotations

from lhs_kg.config import Settings
from lhs_kg.store.base import GraphInfo, QueryResult, Store
from lhs_kg.store.embedded import EmbeddedStore
from lhs_kg.store.generation import meta_graph
from lhs_kg.store.remote import RemoteStore

__all__ = ["EmbeddedStore", "GraphInfo", "QueryResult", "RemoteStore", "Store", "open_store"]


def open_store(settings: Settings) -> Store:
    """The store the settings name: a folder (default), ``memory``, or an http(s) SPARQL server."""
    if settings.remote is not None:
        return RemoteStore(settings.remote, meta=meta_graph(settings.base_iri))
    return EmbeddedStore(settings.store_path)
