"""The OpenAPI 3 document of the API, generated from the code: each route of the ``api``
blueprint that is ``documented`` (pb.api.views) becomes an operation, its path and path
parameters read from the route, its answer described by apispec from the marshmallow schema the
view dumps through. A new route or field appears in the document without anyone writing it."""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from pb.api import http
from pb.api.schemas import ErrorSchema
from pb.forms import MAX_ID

_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _path_parameters(rule: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = []
    for match in _ARGUMENT.finditer(rule):
        if match["converter"] == "int":
            schema: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        else:
            schema = {"type": "string", "minLength": 1}
        parameters.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    return _ARGUMENT.sub(r"{\g<name>}", rule), parameters


_PAGING = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": f"How many items (default {http.LIMIT_DEFAULT}).",
        "schema": {"type": "integer", "minimum": 1, "maximum": http.LIMIT_MAX},
    },
    {
        "name": "offset",
        "in": "query",
        "required": False,
        "description": "How many items to skip.",
        "schema": {"type": "integer", "minimum": 0, "maximum": http.OFFSET_MAX},
    },
]


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": "Error"}}}


def _operation(endpoint: str, doc: Any, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": doc.summary,
            "content": {"application/json": {"schema": doc.schema}},
            "headers": {
                "ETag": {"schema": {"type": "string"}},
                "Access-Control-Allow-Origin": {"schema": {"type": "string", "enum": ["*"]}},
            },
        },
        "304": {"description": "Not modified since the ETag sent in If-None-Match."},
        "404": _error("No such thing, or not public (yet)."),
        "405": _error("Only GET, HEAD and OPTIONS."),
        "429": {
            **_error("Too many requests from this address: wait and try again."),
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        },
    }
    if doc.paginated:
        responses["400"] = _error("A paging parameter out of its bounds.")
    return {
        "operationId": endpoint.removeprefix("api."),
        "summary": doc.summary,
        "parameters": parameters + (_PAGING if doc.paginated else []),
        "responses": responses,
    }


def build_document(app: Flask) -> dict[str, Any]:
    spec = APISpec(
        title="pb: open data of participatory budgeting",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Read-only public data: municipalities, budget hearings, public "
            "proposals, results, participation figures (groups of fewer than five people are "
            "not shown) and what became of the funded projects. No personal data.",
        },
        servers=[{"url": "/"}],
    )
    spec.components.schema("Error", schema=ErrorSchema)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        doc = getattr(app.view_functions[rule.endpoint], "api_doc", None)
        if doc is None:
            continue
        path, parameters = _path_parameters(rule.rule)
        spec.path(path=path, operations={"get": _operation(rule.endpoint, doc, parameters)})
    return spec.to_dict()
