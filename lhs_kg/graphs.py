"""Which named graph holds what, and which graphs make up the published knowledge base.

- ``<base>graph/ontology/…`` and ``<base>graph/data/…``: one per content file (see ``loader``);
- ``<base>graph/inferred/…``: what the reasoner materialised;
- ``<base>graph/contribution/<id>/v<n>``: one version of a contribution;
- ``<base>graph/registry``: the state of every contribution version (pending, published,
  changes-requested, rejected, withdrawn, superseded) and its provenance;
- ``<base>graph/update``: the default graph of the token endpoint's SPARQL updates;
- ``<base>graph/meta``: a shared store's generation (:mod:`lhs_kg.store.generation`), private;
- ``<base>graph/published``: the published view materialised as one graph (#16), kept by
  :mod:`lhs_kg.layout`, with ``<base>graph/published-sources`` recording which graphs it unites.

The published *sources* are every graph except the registry, the derived ``published…`` graphs
and the contribution versions whose registry state is not ``published`` (and content graphs
superseded or withdrawn). Public queries read their union as the one graph
``<base>graph/published``, so their cost does not grow with the number of versions kept;
exports list the sources by name.
"""

from __future__ import annotations

from lhs_kg import sparql
from lhs_kg.config import Settings
from lhs_kg.store import Store
from lhs_kg.store.generation import meta_graph

REVIEW_STATE = "concept/review-state/"


def graph_prefix(settings: Settings) -> str:
    """Where every graph of this knowledge base starts."""
    return f"{settings.base_iri}graph/"


def registry_graph(settings: Settings) -> str:
    """The graph that records contribution states and provenance."""
    return f"{graph_prefix(settings)}registry"


def contribution_graph(settings: Settings, contribution_id: str, version: int) -> str:
    """The graph of one version of a contribution."""
    return f"{graph_prefix(settings)}contribution/{contribution_id}/v{version}"


def inferred_graph(settings: Settings, name: str = "owl") -> str:
    """The graph holding what a reasoner inferred."""
    return f"{graph_prefix(settings)}inferred/{name}"


def published_graph(settings: Settings) -> str:
    """The one graph public queries read: the union of the published sources, materialised."""
    return f"{graph_prefix(settings)}published"


def published_record_graph(settings: Settings) -> str:
    """The private graph that records which graphs ``published_graph`` is the union of."""
    return f"{graph_prefix(settings)}published-sources"


def is_derived(settings: Settings, graph: str) -> bool:
    """Whether ``graph`` is a copy or record the layout keeps (the published graph, its record,
    a snapshot): never a source, never listed twice in a union."""
    return graph.startswith(published_graph(settings))


def state_iri(settings: Settings, state: str) -> str:
    """The concept IRI of a review state ('pending', 'published', …)."""
    return f"{settings.base_iri}{REVIEW_STATE}{state}"


def published_graphs(store: Store, settings: Settings) -> list[str]:
    """The graphs of the published view, sorted."""
    # graph names only: counting triples per graph (store.graphs()) scans the whole store
    graphs = store.graph_names()
    states = review_states(store, settings) if registry_graph(settings) in graphs else {}
    return sorted(iri for iri in graphs if is_published(settings, iri, states.get(iri)))


def review_states(store: Store, settings: Settings) -> dict[str, str]:
    """The registry's review state of every graph it records (graph IRI → state IRI)."""
    rows = store.query(
        sparql.text("kb/review-states"), union=False, named_graphs=[registry_graph(settings)]
    ).rows()
    return {row["g"].value: row["state"].value for row in rows}


def update_graph(settings: Settings) -> str:
    """Where the token endpoint's SPARQL updates keep what they write to the default graph (#12).

    The published view lists graphs by name when a contribution is pending, and the store's
    default graph has no name a remote server accepts, so updates run with this graph standing
    in for the default graph (:meth:`lhs_kg.store.Store.update`): what they insert is visible to
    the next public query whatever the contribution state.
    """
    return f"{graph_prefix(settings)}update"


def is_published(settings: Settings, graph: str, state: str | None) -> bool:
    """Whether ``graph`` belongs to the published view, given its registry state (or None).

    Lets a caller that already knows a few graphs and their states (one case study's) decide
    without listing every graph of the store. Private are the registry, the layout's derived
    graphs (the published graph is a copy, not a source: #16) and every contribution
    version not accepted; content graphs leave the view when superseded or withdrawn; every other
    graph (content, inferred, what an operator's SPARQL update wrote) is published (#12).
    """
    prefix = graph_prefix(settings)
    if graph in (registry_graph(settings), meta_graph(settings.base_iri)):
        return False
    if is_derived(settings, graph):
        return False
    if graph.startswith(prefix + "contribution/"):
        return state == state_iri(settings, "published")
    # A content graph replaced by an accepted contribution (or withdrawn) is recorded in the
    # registry as superseded/withdrawn and leaves the view; its file and graph stay (#7).
    return state not in (state_iri(settings, "superseded"), state_iri(settings, "withdrawn"))
