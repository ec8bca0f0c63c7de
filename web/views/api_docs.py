"""``/api/openapi.json``: an OpenAPI 3 description of the SPARQL endpoint, the query API and
``/api/validate``.

Every named query gets its own path with its parameters typed, generated from the library, so the
document never drifts from ``queries/*.rq``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from lhs_kg import __version__
from lhs_kg.formats import (
    GRAPH_FORMATS,
    JSON,
    PAGE,
    PLAIN_TEXT,
    REPORT_FORMATS,
    RESULT_FORMATS,
    SPARQL_REQUEST_FORMATS,
    SUBMISSION_FORMATS,
    Format,
    media_types,
)
from lhs_kg.queries import RESOURCE_EXAMPLES, RESOURCE_TYPES, Parameter
from web.engine import get_settings
from web.views.queries import library

bp = Blueprint("api_docs", __name__)

_SCHEMAS = {
    "int": {"type": "integer"},
    "date": {"type": "string", "format": "date"},
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
}
_TEXT: dict[str, Any] = {"schema": {"type": "string"}}


def content(formats: tuple[Format, ...], **schemas: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI ``content`` map of the formats' canonical media types (schemas by name)."""
    return {fmt.media_type: schemas.get(fmt.name, _TEXT) for fmt in formats}


_RESULTS = content(RESULT_FORMATS, json={"schema": {"$ref": "#/components/schemas/SparqlResults"}})
_GRAPHS = content(GRAPH_FORMATS)
_ERROR = {
    "description": "Error, with a readable message",
    "content": {
        JSON.media_type: {"schema": {"$ref": "#/components/schemas/Error"}},
        PLAIN_TEXT.media_type: _TEXT,
    },
}


def _parameter(param: Parameter, base_iri: str) -> dict[str, Any]:
    schema = dict(_SCHEMAS.get(param.type, {"type": "string"}))
    description = f"{param.type}"
    if param.scheme:
        description = (
            f"a concept of the '{param.scheme}' scheme: its id or its full IRI "
            f"({base_iri}concept/{param.scheme}/<id>)"
        )
    elif param.type == "iri":
        description = "an absolute IRI, or a prefixed name such as cs:improvecarenow"
    elif param.type in RESOURCE_TYPES:
        description = (
            f"a {param.type.replace('-', ' ')}: its id (such as {RESOURCE_EXAMPLES[param.type]}) "
            f"or its full IRI ({base_iri}{RESOURCE_TYPES[param.type]}<id>)"
        )
    elif param.type == "concept":
        description = (
            f"a concept: <scheme>/<id> (such as nasss/1A) or its full IRI ({base_iri}concept/…)"
        )
    elif param.type == "source-kind":
        description = "a kind of source: a BIBO class such as bibo:Report or bibo:AcademicArticle"
    if param.default is not None:
        schema["default"] = int(param.default) if param.type == "int" else param.default
    if not param.required:
        description += "; leave out to answer for every value"
    return {
        "name": param.name,
        "in": "query",
        "required": param.required,
        "description": description,
        "schema": schema,
    }


_FORMAT_PARAM = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "Overrides Accept: json, xml, csv, tsv (SELECT/ASK) or ttl, nt, "
    "jsonld, rdfxml (CONSTRUCT/DESCRIBE).",
    "schema": {"type": "string"},
}


def _sparql_paths() -> dict[str, Any]:
    dataset = [
        {
            "name": "default-graph-uri",
            "in": "query",
            "required": False,
            "explode": True,
            "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
            "description": "Graphs whose union is the default graph (default: all named graphs).",
        },
        {
            "name": "named-graph-uri",
            "in": "query",
            "required": False,
            "explode": True,
            "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
        },
    ]
    answers = {
        "200": {
            "description": "The answer (SELECT/ASK results or an RDF graph) or, without a "
            "query, the SPARQL service description",
            "content": {**_RESULTS, **_GRAPHS, **content((PAGE,))},
        },
        "400": _ERROR,
        "401": _ERROR,
        "403": _ERROR,
        "405": _ERROR,
        "406": _ERROR,
        "415": _ERROR,
        "503": _ERROR,
    }
    return {
        "/sparql": {
            "get": {
                "summary": "SPARQL 1.1 Protocol query (GET)",
                "operationId": "sparqlGet",
                "tags": ["SPARQL"],
                "parameters": [
                    {
                        "name": "query",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string"},
                    },
                    *dataset,
                    _FORMAT_PARAM,
                ],
                "responses": answers,
            },
            "post": {
                "summary": "SPARQL 1.1 Protocol query or update (POST)",
                "operationId": "sparqlPost",
                "tags": ["SPARQL"],
                "parameters": dataset,
                "requestBody": {
                    "required": True,
                    "content": content(
                        SPARQL_REQUEST_FORMATS,
                        form={
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "query": {"type": "string"},
                                    "update": {"type": "string"},
                                    "format": {"type": "string"},
                                },
                            }
                        },
                    ),
                },
                "responses": {**answers, "204": {"description": "Update done"}},
            },
        }
    }


#: The request body of both submission endpoints: every media type the table accepts.
SUBMISSION_BODY = {"required": True, "content": {m: _TEXT for m in media_types(SUBMISSION_FORMATS)}}


def _validate_path(max_bytes: int) -> dict[str, Any]:
    """POST /api/validate with its bounds (#12), so clients know every answer they may get."""
    return {
        "post": {
            "summary": "Validate a contribution without submitting it",
            "description": f"The body is the document (at most {max_bytes:,} bytes and, once "
            "parsed, LHS_KG_MAX_SUBMISSION_TRIPLES triples); rate-limited per client address.",
            "tags": ["Contributions"],
            "operationId": "validate",
            "parameters": [
                {
                    "name": "content",
                    "in": "query",
                    "required": False,
                    "description": "true: check as curated content (no contributor or licence)",
                    "schema": {"type": "boolean"},
                }
            ],
            "requestBody": SUBMISSION_BODY,
            "responses": {
                "200": {
                    "description": "The validation report, whether the document conforms or not",
                    "content": content(REPORT_FORMATS, json={"schema": {"type": "object"}}),
                },
                "400": _ERROR,
                "413": _ERROR,
                "429": _ERROR,
                "503": _ERROR,
            },
        }
    }


def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI 3.0 document, built from the query library and the settings."""
    settings = get_settings()
    paths: dict[str, Any] = _sparql_paths()
    paths["/api/queries"] = {
        "get": {
            "summary": "The named queries: names, summaries, parameters",
            "tags": ["Named queries"],
            "operationId": "listQueries",
            "responses": {
                "200": {
                    "description": "The library",
                    "content": {
                        JSON.media_type: {
                            "schema": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/QueryInfo"},
                            }
                        }
                    },
                }
            },
        }
    }
    paths["/api/validate"] = _validate_path(settings.max_upload_bytes)
    for named in library().all():
        graph = named.returns in ("construct", "describe")
        paths[f"/api/queries/{named.name}"] = {
            "get": {
                "summary": named.heading,
                "description": named.description or named.summary,
                "operationId": "query_" + named.name.replace("-", "_"),
                "tags": ["Named queries"],
                "parameters": [_parameter(p, settings.base_iri) for p in named.params]
                + [_FORMAT_PARAM],
                "responses": {
                    "200": {
                        "description": f"The answer ({named.returns})",
                        "content": _GRAPHS if graph else _RESULTS,
                    },
                    "400": _ERROR,
                    "404": _ERROR,
                    "503": _ERROR,
                },
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "lhs-kg API",
            "version": __version__,
            "description": "The Learning Health System knowledge graph: a SPARQL 1.1 Protocol "
            "endpoint and the library of named queries. Without a dataset in the "
            "request, the default graph is the union of all named graphs.",
            "license": {"name": "Apache-2.0"},
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {"type": "string"},
                        "message": {"type": "string"},
                        "status": {"type": "integer"},
                    },
                },
                "QueryInfo": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "summary": {"type": "string"},
                        "returns": {
                            "type": "string",
                            "enum": ["select", "construct", "ask", "describe"],
                        },
                        "params": {"type": "array", "items": {"type": "object"}},
                        "api": {"type": "string"},
                        "page": {"type": "string"},
                    },
                },
                "SparqlResults": {
                    "type": "object",
                    "description": "SPARQL 1.1 Query Results JSON Format "
                    "(https://www.w3.org/TR/sparql11-results-json/)",
                    "properties": {
                        "head": {"type": "object"},
                        "results": {"type": "object"},
                        "boolean": {"type": "boolean"},
                    },
                },
            }
        },
    }


@bp.get("/api/openapi.json")
def openapi() -> Response:
    """The OpenAPI document, generated from the library on each request (cheap: files cached)."""
    response = jsonify(openapi_document())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
